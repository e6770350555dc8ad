import should from "should";
import { buildApiRequest } from "../nodes/box/api/api-request";
import { DEFAULT_MAX_BYTES } from "../nodes/box/api/api-call";
import { BoxError } from "../nodes/box/errors";
import { renderPath } from "../nodes/box/api/path-template";
import { isNewVersionPath, multipartBody, uploadUrl } from "../nodes/box/api/upload-body";

const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (err) {
    should(err).be.instanceOf(BoxError);
    return (err as BoxError).details.code;
  }
  throw new Error("did not throw");
};

describe("box-api request building", function () {
  describe("path placeholders", () => {
    const event = { payload: { source: { id: "1500000000001", name: "a b/../c?.pdf" } }, n: 7 };

    it("fills {{a.b.c}} from the message, each value one URL-encoded segment", () => {
      should(renderPath("/2.0/files/{{payload.source.id}}/content", event)).equal("/2.0/files/1500000000001/content");
      should(renderPath("/2.0/search?query={{ payload.source.name }}&n={{n}}", event)).equal(
        "/2.0/search?query=a%20b%2F..%2Fc%3F.pdf&n=7",
      );
    });

    it("refuses missing values, objects, '..' and prototype walks instead of calling a wrong path", () => {
      should(codeOf(() => renderPath("/2.0/files/{{payload.nothing.id}}", event))).equal("missing_placeholder");
      should(codeOf(() => renderPath("/2.0/files/{{payload.source}}", event))).equal("missing_placeholder");
      should(codeOf(() => renderPath("/2.0/files/{{x}}/content", { x: ".." }))).equal("invalid_placeholder");
      should(codeOf(() => renderPath("/2.0/files/{{payload.constructor.name}}", event))).equal("invalid_placeholder");
      should(codeOf(() => renderPath("/2.0/files/{{toString}}", event))).equal("missing_placeholder");
      should(codeOf(() => renderPath("/2.0/{{payload['source']}}", event))).equal("invalid_placeholder");
    });
  });

  describe("from the node's settings and the message", () => {
    it("takes the node's method and path, or msg.method and msg.apiPath (never msg.path)", () => {
      const fromNode = buildApiRequest({ method: "GET", path: "/2.0/files/{{id}}", ret: "bin" }, { id: 5 });
      should(fromNode).containDeep({ method: "GET", path: "/2.0/files/5", ret: "bin", maxBytes: DEFAULT_MAX_BYTES });
      const fromMsg = buildApiRequest(
        { method: "use", path: "" },
        { method: "delete", apiPath: "/2.0/files/9", path: "All Files/Invoices" },
      );
      should(fromMsg).containDeep({ method: "DELETE", path: "/2.0/files/9", ret: "obj" });
      should(fromMsg.body).be.undefined();
    });

    it("refuses a path with a host, a scheme or a '..' segment, and methods it does not know", () => {
      const paths = ["https://evil.example/2.0/files/1", "//evil.example/2.0/x", "2.0/files", "/2.0/../oauth2", ""];
      for (const path of [...paths, "/oauth2/revoke", "/All Files/Invoices/a.pdf", "/Invoices/a.pdf"]) {
        should(codeOf(() => buildApiRequest({ path: "" }, { apiPath: path }))).match(/invalid_path|missing_path/, path);
      }
      // msg.path is the item's folder path (box events): never read as an API path
      should(codeOf(() => buildApiRequest({ path: "" }, { path: "/2.0/files/1" }))).equal("missing_path");
      should(codeOf(() => buildApiRequest({ method: "use", path: "/2.0/x" }, { method: "PATCH" }))).equal(
        "invalid_method",
      );
    });

    it("sends msg.payload as the JSON body of POST and PUT only", () => {
      const put = buildApiRequest({ method: "PUT", path: "/2.0/files/1" }, { payload: { name: "x" } });
      should(put.body).eql({ name: "x" });
      should(buildApiRequest({ method: "GET", path: "/2.0/files/1" }, { payload: { name: "x" } }).body).be.undefined();
    });

    it("turns a Buffer with msg.filename into an upload, and a Buffer without one into an error", () => {
      const content = Buffer.from("%PDF-1.7");
      const up = buildApiRequest(
        { method: "POST", path: "/2.0/files/content" },
        { payload: content, filename: "/tmp/in/invoice 7.pdf", parentId: "400000000001" },
      );
      should(up.upload).eql({ filename: "invoice 7.pdf", content, parentId: "400000000001" });
      should(
        buildApiRequest({ method: "POST", path: "/2.0/files/content" }, { payload: content, filename: "a" }).upload,
      ).have.property("parentId", "0");
      should(codeOf(() => buildApiRequest({ method: "POST", path: "/2.0/files/content" }, { payload: content }))).equal(
        "upload_needs_filename",
      );
      should(
        codeOf(() => buildApiRequest({ method: "POST", path: "/2.0/comments" }, { payload: content, filename: "a" })),
      ).equal("upload_path");
      should(
        codeOf(() =>
          buildApiRequest(
            { method: "POST", path: "/2.0/files/content" },
            { payload: content, filename: "a", parentId: "../1" },
          ),
        ),
      ).equal("invalid_parent");
    });

    it("takes the size cap from the node, with a default for a missing or silly value", () => {
      should(buildApiRequest({ path: "/2.0/x", maxBytes: "2048" }, {}).maxBytes).equal(2048);
      should(buildApiRequest({ path: "/2.0/x", maxBytes: -1 }, {}).maxBytes).equal(DEFAULT_MAX_BYTES);
    });
  });

  describe("uploads", () => {
    it("go to Box's upload host for the real API and to the same origin otherwise", () => {
      should(uploadUrl("https://api.box.com", "/2.0/files/content")).equal(
        "https://upload.box.com/api/2.0/files/content",
      );
      should(uploadUrl("http://127.0.0.1:9", "/api/2.0/files/5/content")).equal(
        "http://127.0.0.1:9/api/2.0/files/5/content",
      );
      should(isNewVersionPath("/2.0/files/5/content")).be.true();
      should(isNewVersionPath("/2.0/files/content")).be.false();
    });

    it("put the attributes part before the file part, with the name only in the JSON", () => {
      const { body, contentType } = multipartBody(
        { filename: 'a"b\r\nX-Evil: 1.pdf', content: Buffer.from([0, 1, 2, 255]), parentId: "7" },
        false,
      );
      const boundary = /boundary=(.+)$/.exec(contentType)![1];
      const text = body.toString("latin1");
      const parts = text.split(`--${boundary}`);
      should(parts).have.length(4); // preamble, attributes, file, closing
      should(parts[1]).match(/name="attributes"/);
      should(JSON.parse(parts[1].split("\r\n\r\n")[1].trim())).eql({
        name: 'a"b\r\nX-Evil: 1.pdf',
        parent: { id: "7" },
      });
      should(parts[2]).not.match(/\r\nX-Evil/);
      should(body.includes(Buffer.from([0, 1, 2, 255]))).be.true();
    });
  });
});
