import should from "should";
import { checkedApiOrigin, isLoopback } from "../../nodes/box/http/api-origin";
import { BoxError } from "../../nodes/box/errors";
import { errorFromResponse, retryAfterMs } from "../../nodes/box/http/http";

const answer = (status: number, body: unknown, headers: Record<string, string> = {}) => ({
  status,
  headers,
  text: typeof body === "string" ? body : JSON.stringify(body),
});

describe("error mapping (unit)", function () {
  it("maps each answer to what the stream does about it", function () {
    const e401 = errorFromResponse(answer(401, ""), "events");
    should(e401).match({ kind: "unauthorized", reason: "unauthorized", needsHelp: true });
    const e429 = errorFromResponse(answer(429, { code: "rate_limit_exceeded" }, { "retry-after": "7" }), "events");
    should(e429).match({
      kind: "rateLimited",
      reason: "rate limited",
      message: "events: rate limited (rate_limit_exceeded)",
    });
    e429.details.retryAfterMs!.should.equal(7000);
    should(errorFromResponse(answer(503, "<html>"), "events")).match({ kind: "server", reason: "HTTP 503" });
    const e404 = errorFromResponse(answer(404, { code: "not_found", request_id: "r1" }), "users/me");
    should(e404).match({ kind: "request", reason: "HTTP 404", needsHelp: false });
    e404.details.should.containEql({ status: 404, code: "not_found", requestId: "r1" });
  });

  it("reads retry-after as seconds or as a date, never negative", function () {
    should(retryAfterMs({ "retry-after": "2.5" })).equal(2500);
    should(retryAfterMs({ "retry-after": "-3" })).equal(0);
    should(retryAfterMs({ "retry-after": new Date(Date.now() - 60_000).toUTCString() })).equal(0);
    should(retryAfterMs({ "retry-after": "soon" })).be.undefined();
    should(retryAfterMs({})).be.undefined();
  });

  it("gives each kind a short reason", function () {
    should(new BoxError("network", "network error (ECONNRESET)").reason).equal("network error");
    should(new BoxError("protocol", "events: answer is not JSON").reason).equal("bad answer from Box");
  });
});

describe("API origin check (unit)", function () {
  it("accepts https anywhere and plain http only on loopback", function () {
    checkedApiOrigin(undefined).should.equal("https://api.box.com");
    checkedApiOrigin("  ").should.equal("https://api.box.com");
    checkedApiOrigin("https://box.example.com/base/").should.equal("https://box.example.com");
    checkedApiOrigin("http://127.0.0.1:8080").should.equal("http://127.0.0.1:8080");
    checkedApiOrigin("http://[::1]:8080").should.equal("http://[::1]:8080");
    checkedApiOrigin("http://localhost:1").should.equal("http://localhost:1");
  });

  it("refuses anything that could put a token on the wire in clear text", function () {
    for (const url of ["http://api.box.com", "http://127.0.0.1.example.com", "ftp://127.0.0.1", "http://10.0.0.1"])
      should(() => checkedApiOrigin(url)).throw(/API URL must be https/, url);
    should(() => checkedApiOrigin("not a url")).throw(/invalid API URL/);
  });

  it("knows loopback names", function () {
    ["localhost", "LOCALHOST", "127.0.0.1", "127.1.2.3", "[::1]", "::1"].forEach((h) =>
      isLoopback(h).should.be.true(h),
    );
    ["127.0.0.1.nip.io", "0.0.0.0", "::", "128.0.0.1"].forEach((h) => isLoopback(h).should.be.false(h));
  });
});
