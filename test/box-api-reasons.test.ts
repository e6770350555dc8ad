import should from "should";
import { HostileBox, json } from "./support/hostile-box";
import { boxApiNode, boxConfigNode, catchNode, collect, helper, type FlowNode } from "./support/node-helper";
import { runtimePerTest } from "./support/one-page-box";
import { waitFor } from "./support/wait";

const NODES = [boxConfigNode, boxApiNode, catchNode];

describe("box-api: reasons that say what failed, and upload labels kept safe", function () {
  const owned = runtimePerTest();
  let box: HostileBox | undefined;

  function flow(config: Record<string, unknown>): FlowNode[] {
    return [
      { id: "tab", type: "tab", label: "api" },
      { id: "cfg", type: "box-config", apiBaseUrl: box!.url, ...config },
      {
        id: "api",
        type: "box-api",
        z: "tab",
        box: "cfg",
        method: "POST",
        path: "/2.0/files/content",
        wires: [["out"]],
      },
      { id: "out", type: "helper", z: "tab" },
      { id: "catcher", type: "catch", z: "tab", scope: null, uncaught: false, wires: [["caught"]] },
      { id: "caught", type: "helper", z: "tab" },
    ];
  }

  it("a refused sign-in reaches Catch nodes as the sign-in's reason, not as Box's answer to the call", async () => {
    box = owned(
      await HostileBox.start({
        other: (_req, res, url) =>
          url.pathname === "/oauth2/token"
            ? json(res, 400, { error: "invalid_grant", error_description: "nope" })
            : false,
      }),
    );
    const config = { authType: "ccg", subjectType: "enterprise", subjectId: "1" };
    await helper.load(NODES, flow(config), { cfg: { clientId: "c", clientSecret: "s" } });
    const caught = collect("caught");
    helper.getNode("api").receive({ payload: Buffer.from("x"), filename: "a.txt" });
    const msg = await waitFor(() => caught[0], "a Catch message");
    should(msg.error!.message).match(/(^|: )grant refused$/);
    should(msg.error!.message).not.match(/Box answered/);
  });

  it("an upload's file name loses path parts across line separators, and NUL and control characters", async () => {
    box = owned(
      await HostileBox.start({
        other: (_req, res, url) =>
          url.pathname === "/api/2.0/files/content"
            ? json(res, 201, { total_count: 1, entries: [{ id: "9" }] })
            : false,
      }),
    );
    await helper.load(NODES, flow({ authType: "developerToken" }), { cfg: { accessToken: "t" } });
    const out = collect("out");
    const filename = "/srv/in\u2028/etc/evil\u0000na\u0085me.pdf";
    helper.getNode("api").receive({ payload: Buffer.from("x"), filename });
    await waitFor(() => out[0], "the upload's answer");
    const body = box.requestsTo("/api/2.0/files/content")[0].body;
    should(body).match(/"name":"evilname\.pdf"/);
    should(body).match(/filename="evilname\.pdf"/);
    for (const c of ["\u0000", "\u0085", "\u2028"]) should(body.includes(c)).be.false();
  });
});
