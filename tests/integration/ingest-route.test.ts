/**
 * How POST /api/v1/reports/{name} is served: from node's request event, in front of Express
 * (server/api/ingest.ts). It must match, log and answer as the Express route it replaced.
 */
import assert from "node:assert/strict";
import { request as httpRequest } from "node:http";
import { deflateSync } from "node:zlib";
import { after, before, describe, it } from "node:test";
import { eq } from "drizzle-orm";
import { accessLog } from "../../db/schema";
import { startTestApp, type TestApp, uniqueEmail } from "../helpers/app";
import { apiCall, assertError, basicAuth, type Instance, newKey, okResult, push } from "../helpers/reports";

let app: TestApp;
let key: string;

before(async () => {
  app = await startTestApp();
  const owner = await app.createUser({ name: "Route Owner" });
  key = await newKey(app, owner.accountId, "full", owner.userId);
});
after(() => app?.stop());

/** A request sent verbatim (fetch would normalise the target). */
function raw(method: string, target: string, body: string | Buffer, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: { success: boolean; details?: { message?: string; errorCode?: string }; result?: Instance } }>(
    (resolve, reject) => {
      const url = new URL(app.url);
      const req = httpRequest({ host: url.hostname, port: url.port, method, path: target, headers: { authorization: `Bearer ${key}`, ...headers } }, (res) => {
        let text = "";
        res.on("data", (c: Buffer) => (text += c.toString()));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text ? JSON.parse(text) : {} }));
      });
      req.on("error", reject);
      req.end(body);
    },
  );
}

const instancesOf = async (name: string) => okResult(await apiCall<Instance[]>(app, "GET", `/reports/${name}/instances?expand=0`, { key }));

describe("the ingest route in front of Express", () => {
  it("matches the path as Express did: any case, an optional trailing slash, an absolute-form target", async () => {
    for (const target of ["/API/V1/Reports/route-match", "/api/v1/reports/route-match/", `${app.url}/api/v1/reports/route-match?tags=abs`]) {
      const reply = await raw("POST", target, "1");
      assert.equal(reply.status, 200, `${target}: ${JSON.stringify(reply.body)}`);
    }
    const stored = await instancesOf("route-match");
    assert.equal(stored.length, 3);
    assert.deepEqual(stored[2]?.tags, ["abs"]);
  });

  it("answers JSON with nosniff and no-store, on success and on every kind of error", async () => {
    const cases: [string, number, Record<string, string>?][] = [
      ["1", 200],
      ["", 422],
      ["x".repeat(1024 * 1024 + 1), 413],
      ["1", 401, { authorization: "Bearer nope" }],
    ];
    for (const [body, status, headers] of cases) {
      const reply = await raw("POST", "/api/v1/reports/route-headers", body, headers);
      assert.equal(reply.status, status);
      assert.equal(reply.headers["content-type"], "application/json; charset=utf-8");
      assert.equal(reply.headers["x-content-type-options"], "nosniff");
      assert.equal(reply.headers["cache-control"], "no-store");
      assert.equal(reply.body.success, status === 200);
    }
  });

  it("a body far beyond the limit is 413 (read off, then answered)", async () => {
    const reply = await raw("POST", "/api/v1/reports/route-big", Buffer.alloc(3 * 1024 * 1024, 65));
    assert.equal(reply.status, 413);
    assert.equal(reply.body.details?.errorCode, "ERROR_413");
    assert.equal(reply.body.details?.message, "The request body is too large.");
  });

  it("inflates deflate bodies; an unknown Content-Encoding is 415", async () => {
    const ok = await raw("POST", "/api/v1/reports/route-deflate?format=single", deflateSync("deflated"), { "content-encoding": "deflate" });
    assert.equal(ok.status, 200);
    assert.deepEqual(ok.body.result?.rows, [["deflated"]]);
    const refused = await raw("POST", "/api/v1/reports/route-deflate", "1", { "content-encoding": "zstd-of-the-future" });
    assert.equal(refused.status, 415);
    assert.equal(refused.body.details?.errorCode, "ERROR_415");
  });

  it("a name that cannot be percent-decoded is 400, as Express answered it", async () => {
    const reply = await raw("POST", "/api/v1/reports/bad%E0%A4%A", "1");
    assert.equal(reply.status, 400);
    assert.equal(reply.body.details?.errorCode, "ERROR_400");
  });

  it("other methods on the path are Express's: 405 with Allow", async () => {
    for (const method of ["PUT", "PATCH"]) {
      const reply = await apiCall(app, method, "/reports/route-method", { key, body: "1" });
      assertError(reply, 405);
      assert.match(reply.res.headers.get("allow") ?? "", /POST/);
    }
  });

  it("is logged like every request, the key in the query redacted", async () => {
    const userAgent = `ingest-${uniqueEmail()}`;
    const reply = await push(app, key, "route-logged", "1", { headers: { "user-agent": userAgent } });
    assert.equal(reply.status, 200);
    const keyed = await raw("POST", `/api/v1/reports/route-logged?key=${key}&tags=a`, "2", { "user-agent": userAgent, authorization: basicAuth("", "") });
    assert.equal(keyed.status, 200);
    const deadline = Date.now() + 5000;
    let rows: (typeof accessLog.$inferSelect)[] = [];
    while (rows.length < 2 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      rows = await app.db.select().from(accessLog).where(eq(accessLog.userAgent, userAgent));
    }
    rows.sort((a, b) => a.id - b.id);
    assert.deepEqual(
      rows.map((r) => [r.method, r.url, r.status]),
      [
        ["POST", "/api/v1/reports/route-logged", 200],
        ["POST", "/api/v1/reports/route-logged?key=[redacted]&tags=a", 200],
      ],
    );
    assert.ok(rows.every((r) => r.durationMs >= 0 && r.ip.length > 0));
  });
});
