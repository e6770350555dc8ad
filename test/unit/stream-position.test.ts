import should from "should";
import { readNextStreamPosition } from "../../nodes/box/events/stream-position";

describe("reading next_stream_position (unit)", function () {
  const read = (text: string) => readNextStreamPosition(text, JSON.parse(text));

  it("keeps a bare integer above 2^53 exact", () => {
    should(read('{"chunk_size":1,"next_stream_position":1152922976252290886,"entries":[]}')).equal(
      "1152922976252290886",
    );
  });

  it("accepts the string form and small integers", () => {
    should(read('{"next_stream_position":"1152922976252290886","entries":[]}')).equal("1152922976252290886");
    should(read('{"next_stream_position":42,"entries":[]}')).equal("42");
  });

  it("reads the top-level key, not one inside an event or a string", () => {
    const text =
      '{"entries":[{"source":{"name":"\\"next_stream_position\\":1","meta":{"next_stream_position":9007199254740993}}}],' +
      '"next_stream_position":9007199254740995}';
    should(read(text)).equal("9007199254740995");
  });

  it("gives nothing when the answer has no position", () => {
    should(read('{"entries":[]}')).be.undefined();
  });
});
