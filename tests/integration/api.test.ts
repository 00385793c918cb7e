import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { eq } from "drizzle-orm";
import { apiKeys } from "../../db/schema";
import { createApiKey, revokeApiKey } from "../../server/api-key/service";
import { startTestApp, type TestApp } from "../helpers/app";

type Envelope = { success: boolean; details?: { message?: string; errorCode?: string; next?: string | null }; result?: unknown };

let app: TestApp;
let accountId: string;
let userId: string;
let fullKey: string;

before(async () => {
  app = await startTestApp();
  ({ accountId, userId } = await app.createUser({ name: "Acme Ops" }));
  fullKey = (await createApiKey(app.db, { accountId, name: "cron", scope: "full", createdBy: userId })).key;
});
after(() => app?.stop());

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;

/** GET /api/v1<path>; asserts the reply is a JSON envelope whose `success` matches the status. */
async function api(path: string, headers: Record<string, string> = {}, method = "GET"): Promise<{ status: number; body: Envelope; res: Response }> {
  const res = await app.request(`/api/v1${path}`, { method, headers, origin: null });
  assert.match(res.headers.get("content-type") ?? "", /^application\/json/, `${method} ${path} answers JSON`);
  const body = (await res.json()) as Envelope;
  assert.equal(body.success, res.status === 200, `success is true exactly when the status is 200 (${res.status})`);
  if (!body.success) {
    assert.equal(typeof body.details?.message, "string");
    assert.ok(body.details!.message!.length > 0);
    assert.equal(body.details?.errorCode, `ERROR_${res.status}`);
  }
  return { status: res.status, body, res };
}

describe("API keys on GET /api/v1/account", () => {
  const expected = { success: true, result: { name: "Acme Ops", plan: "free" } };

  it("accepts the key as the Basic auth user name, as curl --user KEY: sends it", async () => {
    const { status, body } = await api("/account", { authorization: basic(fullKey, "") });
    assert.equal(status, 200);
    assert.deepEqual(body, expected);
  });

  it("accepts the key as the Basic auth password when the user name is empty", async () => {
    const { status, body } = await api("/account", { authorization: basic("", fullKey) });
    assert.equal(status, 200);
    assert.deepEqual(body, expected);
  });

  it("accepts the key as a Bearer token", async () => {
    const { status, body } = await api("/account", { authorization: `Bearer ${fullKey}` });
    assert.equal(status, 200);
    assert.deepEqual(body, expected);
  });

  it("accepts the key as the query parameter key", async () => {
    const { status, body } = await api(`/account?key=${encodeURIComponent(fullKey)}`);
    assert.equal(status, 200);
    assert.deepEqual(body, expected);
  });

  it("accepts a read-scoped key, which is enough to read", async () => {
    const { key } = await createApiKey(app.db, { accountId, name: "reader", scope: "read", createdBy: userId });
    assert.equal((await api("/account", { authorization: `Bearer ${key}` })).status, 200);
  });

  it("refuses a request without a key with 401, telling the three ways to pass one", async () => {
    const { status, body } = await api("/account");
    assert.equal(status, 401);
    assert.equal(body.details?.errorCode, "ERROR_401");
    assert.match(body.details!.message!, /--user KEY:/);
    assert.match(body.details!.message!, /Bearer/);
    assert.match(body.details!.message!, /\?key=/);
  });

  it("refuses a wrong key with 401, whichever way it is passed", async () => {
    const wrong = "tw_live_" + "x".repeat(32);
    for (const [path, headers] of [
      ["/account", { authorization: basic(wrong, "") }],
      ["/account", { authorization: `Bearer ${wrong}` }],
      [`/account?key=${wrong}`, {}],
      ["/account?key=not-even-a-key", {}],
      ["/account", { authorization: `Bearer ${fullKey}x` }],
    ] as const) {
      const { status, body } = await api(path, headers);
      assert.equal(status, 401, `${path} ${JSON.stringify(headers)}`);
      assert.equal(body.details?.errorCode, "ERROR_401");
    }
  });

  it("refuses a malformed Authorization header with 401, never a 500", async () => {
    for (const authorization of ["Basic", "Basic ", "Basic %%%not-base64", "Basic Og==", "Basic " + "A".repeat(4000), "Bearer", "Digest abc", "tw_live_raw"]) {
      const { status } = await api("/account", { authorization });
      assert.equal(status, 401, authorization.slice(0, 40));
    }
  });

  it("refuses an ingest-scoped key with 403, naming the scope it lacks", async () => {
    const { key } = await createApiKey(app.db, { accountId, name: "pusher", scope: "ingest", createdBy: userId });
    const { status, body } = await api("/account", { authorization: basic(key, "") });
    assert.equal(status, 403);
    assert.equal(body.details?.errorCode, "ERROR_403");
    assert.match(body.details!.message!, /scope "ingest"/);
  });

  it("refuses a revoked key with 401", async () => {
    const { key, apiKey } = await createApiKey(app.db, { accountId, name: "old", scope: "full", createdBy: userId });
    assert.equal((await api("/account", { authorization: `Bearer ${key}` })).status, 200);
    await revokeApiKey(app.db, { accountId, id: apiKey.id });
    const { status, body } = await api("/account", { authorization: `Bearer ${key}` });
    assert.equal(status, 401);
    assert.equal(body.details?.errorCode, "ERROR_401");
  });

  it("records when a key was last used", async () => {
    const { key, apiKey } = await createApiKey(app.db, { accountId, name: "tracked", scope: "read", createdBy: userId });
    const before = Date.now();
    await api("/account", { authorization: `Bearer ${key}` });
    const [row] = await app.db.select({ lastUsedAt: apiKeys.lastUsedAt }).from(apiKeys).where(eq(apiKeys.id, apiKey.id));
    assert.ok(row?.lastUsedAt, "last use is set");
    assert.ok(row.lastUsedAt.getTime() >= before - 1000);
  });

  it("stores only a hash of the key, never the key itself", async () => {
    const rows = await app.db.select().from(apiKeys);
    assert.ok(rows.some((row) => fullKey.startsWith(row.prefix)), "a short prefix is kept, to recognise the key");
    assert.ok(!JSON.stringify(rows).includes(fullKey));
  });
});

describe("public API errors", () => {
  it("answers an unknown path with 404 in the envelope", async () => {
    for (const path of ["/nope", "/account/extra", "/", "/reports-but-not-really/x/y"]) {
      const { status, body } = await api(path, { authorization: `Bearer ${fullKey}` });
      assert.equal(status, 404, path);
      assert.equal(body.details?.errorCode, "ERROR_404");
    }
  });

  it("answers an unknown path outside /api/v1 with 404 in the envelope", async () => {
    const res = await app.request("/api/nope", { origin: null });
    assert.equal(res.status, 404);
    const body = (await res.json()) as Envelope;
    assert.deepEqual([body.success, body.details?.errorCode], [false, "ERROR_404"]);
  });

  it("answers a wrong method on a known path with 405 in the envelope, naming the allowed one", async () => {
    for (const method of ["POST", "PUT", "DELETE"]) {
      const { status, body, res } = await api("/account", { authorization: `Bearer ${fullKey}`, "content-type": "application/json" }, method);
      assert.equal(status, 405, method);
      assert.equal(body.details?.errorCode, "ERROR_405");
      assert.match(res.headers.get("allow") ?? "", /GET/);
    }
  });

  it("needs no Origin header, because keys, not cookies, authenticate it", async () => {
    const res = await app.request("/api/v1/account", { method: "DELETE", origin: null, headers: { authorization: `Bearer ${fullKey}` } });
    assert.notEqual(res.status, 403);
  });
});

describe("API description", () => {
  it("GET /api/v1/openapi.json is an OpenAPI 3 document that describes GET /account and the three ways to authenticate", async () => {
    const res = await app.request("/api/v1/openapi.json", { origin: null });
    assert.equal(res.status, 200);
    const doc = (await res.json()) as {
      openapi: string;
      info: { title: string; version: string };
      servers?: { url: string }[];
      paths: Record<string, Record<string, { responses?: Record<string, unknown> }>>;
      components?: { securitySchemes?: Record<string, unknown> };
    };
    assert.match(doc.openapi, /^3\.\d+\.\d+$/);
    assert.ok(doc.info.title && doc.info.version);
    assert.ok(doc.paths["/account"]?.get, "GET /account is described");
    assert.ok(doc.paths["/account"].get.responses?.["200"], "with its 200 answer");
    assert.deepEqual(Object.keys(doc.components?.securitySchemes ?? {}).sort(), ["basicAuth", "bearerAuth", "keyQuery"]);
    assert.equal(doc.servers?.[0]?.url, `${app.url}/api/v1`);
  });

  it("the human API docs page is served at /api/docs", async () => {
    const res = await fetch(`${app.url}/api/docs`);
    assert.equal(res.status, 200);
    assert.match(await res.text(), /Tablewatch API/);
  });
});
