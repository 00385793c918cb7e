/**
 * Who may call what on the public reports API: every endpoint against every key scope (ingest,
 * read, full), missing/invalid/revoked keys, the four ways to pass a key, and three actors —
 * the owner, a member of the owner's account, and an outsider with an account of their own.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { ApiKeyScope } from "../../db/schema";
import { createApiKey, revokeApiKey } from "../../server/api-key/service";
import { setPlan, startTestApp, type TestApp, trpcOutcome } from "../helpers/app";
import {
  type Actor,
  accountMember,
  accountOwner,
  apiCall,
  type ApiReply,
  assertError,
  basicAuth,
  type Instance,
  type KeyStyle,
  newKey,
  okResult,
  pushOk,
} from "../helpers/reports";

let app: TestApp;
let owner: Actor;
const keys = {} as Record<ApiKeyScope, string>;

before(async () => {
  app = await startTestApp();
  owner = await accountOwner(app, "Scope Owner");
  await setPlan(app.db, owner.accountId, "business"); // more requests a minute than Free allows
  for (const scope of ["ingest", "read", "full"] as const) keys[scope] = await newKey(app, owner.accountId, scope, owner.userId);
});
after(() => app?.stop());

const instanceCount = async (name: string, key = keys.full): Promise<number | null> => {
  const reply = await apiCall<Instance[]>(app, "GET", `/reports/${name}/instances?limit=100`, { key });
  return reply.status === 404 ? null : okResult(reply).length;
};

type Endpoint = {
  name: string;
  needs: ApiKeyScope;
  call(key: string | null, report: string, id: string, style?: KeyStyle): Promise<ApiReply>;
  /** What the call did to `report` (which held one instance) when it was allowed. */
  effect: number | null;
};

const endpoints: Endpoint[] = [
  {
    name: "POST /reports/{name}",
    needs: "ingest",
    call: (key, report, _id, style) => apiCall(app, "POST", `/reports/${report}`, { key, keyStyle: style, body: "10 20", contentType: "text/plain" }),
    effect: 2,
  },
  { name: "GET /reports", needs: "read", call: (key, _r, _i, style) => apiCall(app, "GET", "/reports", { key, keyStyle: style }), effect: 1 },
  {
    name: "GET /reports/{name}/instances",
    needs: "read",
    call: (key, report, _id, style) => apiCall(app, "GET", `/reports/${report}/instances`, { key, keyStyle: style }),
    effect: 1,
  },
  {
    name: "GET /reports/{name}/instances/{id}",
    needs: "read",
    call: (key, report, id, style) => apiCall(app, "GET", `/reports/${report}/instances/${id}`, { key, keyStyle: style }),
    effect: 1,
  },
  {
    name: "DELETE /reports/{name}",
    needs: "full",
    call: (key, report, _id, style) => apiCall(app, "DELETE", `/reports/${report}`, { key, keyStyle: style }),
    effect: null,
  },
  {
    name: "DELETE /reports/{name}/instances",
    needs: "full",
    call: (key, report, _id, style) => apiCall(app, "DELETE", `/reports/${report}/instances`, { key, keyStyle: style }),
    effect: 0,
  },
  {
    name: "DELETE /reports/{name}/instances/{id}",
    needs: "full",
    call: (key, report, id, style) => apiCall(app, "DELETE", `/reports/${report}/instances/${id}`, { key, keyStyle: style }),
    effect: 0,
  },
];

let reportCounter = 0;
/** A fresh report of the owner's with one instance. */
async function freshReport(): Promise<{ report: string; id: string }> {
  const report = `scoped-${reportCounter++}`;
  const { id } = await pushOk(app, keys.full, report, "1 2");
  return { report, id };
}

describe("each endpoint against each key scope", () => {
  for (const endpoint of endpoints) {
    for (const scope of ["ingest", "read", "full"] as const) {
      const allowed = scope === "full" || scope === endpoint.needs;
      it(`${endpoint.name} with a${scope === "ingest" ? "n" : ""} ${scope} key is ${allowed ? "allowed" : "refused with 403"}`, async () => {
        const { report, id } = await freshReport();
        const reply = await endpoint.call(keys[scope], report, id);
        if (allowed) {
          assert.equal(reply.status, 200, JSON.stringify(reply.body));
          assert.equal(await instanceCount(report), endpoint.effect);
        } else {
          assertError(reply, 403, new RegExp(`scope "${scope}".*"${endpoint.needs}"`));
          assert.equal(await instanceCount(report), 1, "a refused call changes nothing");
        }
      });
    }
  }

  it("the endpoints tested are all the endpoints of the reports API", async () => {
    const res = await fetch(`${app.url}/api/v1/openapi.json`);
    const doc = (await res.json()) as { paths: Record<string, Record<string, unknown>> };
    const documented = Object.entries(doc.paths)
      .filter(([path]) => path.startsWith("/reports"))
      .flatMap(([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`))
      .sort();
    assert.deepEqual(documented, endpoints.map((e) => e.name).sort());
  });
});

describe("missing, invalid and revoked keys", () => {
  let revoked: string;
  let target: { report: string; id: string };

  before(async () => {
    const created = await createApiKey(app.db, { accountId: owner.accountId, name: "gone", scope: "full", createdBy: owner.userId });
    await revokeApiKey(app.db, { accountId: owner.accountId, id: created.apiKey.id });
    revoked = created.key;
    target = await freshReport();
  });

  const assert401 = (reply: ApiReply, what: string) => {
    assertError(reply, 401, undefined, { label: what });
    const message = reply.body.details!.message!;
    assert.match(message, /--user KEY:/, "names Basic auth");
    assert.match(message, /Bearer KEY/, "names the Bearer token");
    assert.match(message, /\?key=KEY/, "names the query parameter");
  };

  for (const endpoint of endpoints) {
    it(`${endpoint.name} without a key, with a wrong key or a revoked key is 401 ERROR_401, naming the three ways`, async () => {
      const wrong = `tw_live_${"x".repeat(32)}`;
      assert401(await endpoint.call(null, target.report, target.id), "no key");
      assert401(await endpoint.call(wrong, target.report, target.id), "wrong key");
      assert401(await endpoint.call("not-a-key-at-all", target.report, target.id, "query"), "junk key");
      assert401(await endpoint.call(`${keys.full}x`, target.report, target.id, "basic-user"), "full key with a suffix");
      assert401(await endpoint.call(revoked, target.report, target.id), "revoked key");
      assert.equal(await instanceCount(target.report), 1);
    });
  }

  it("a 401 comes before anything else: no key on an unknown report or with a bad body is still 401", async () => {
    assert401(await apiCall(app, "GET", "/reports/no-such/instances/zzz"), "unknown report and bad id");
    assert401(await apiCall(app, "POST", "/reports/bad%20name?tags=,", { body: "x" }), "bad name");
  });
});

describe("the four ways to pass a key", () => {
  const styles: KeyStyle[] = ["basic-user", "basic-password", "bearer", "query"];
  for (const style of styles) {
    it(`as ${style}: pushing, reading and deleting work`, async () => {
      const { report, id } = await freshReport();
      const pushed = okResult(await endpoints[0]!.call(keys.full, report, id, style)) as Instance;
      okResult(await endpoints[3]!.call(keys.full, report, pushed.id, style));
      okResult(await endpoints[1]!.call(keys.read, report, id, style));
      okResult(await endpoints[6]!.call(keys.full, report, id, style));
      assert.equal(await instanceCount(report), 1);
    });
  }

  it("Basic auth is tried before Bearer, and Bearer before ?key=", async () => {
    const call = (headers: Record<string, string>, query = "") => apiCall(app, "GET", `/reports${query}`, { headers });
    assert.equal((await call({ authorization: `Bearer ${keys.read}` }, `?key=${keys.ingest}`)).status, 200);
    assertError(await call({ authorization: `Bearer ${keys.ingest}` }, `?key=${keys.read}`), 403);
    assert.equal((await call({ authorization: basicAuth(keys.read, "") }, `?key=${keys.ingest}`)).status, 200);
    assertError(await call({ authorization: basicAuth(keys.ingest, "") }, `?key=${keys.read}`), 403);
  });

  it("empty Basic credentials fall through to ?key=", async () => {
    const reply = await apiCall(app, "GET", `/reports?key=${keys.read}`, { headers: { authorization: basicAuth("", "") } });
    assert.equal(reply.status, 200);
  });

  it("the key in the query is not echoed into details.next", async () => {
    for (let i = 0; i < 2; i++) await freshReport();
    const reply = await apiCall(app, "GET", "/reports?limit=1", { key: keys.read, keyStyle: "query" });
    assert.ok(reply.body.details?.next);
    assert.ok(!reply.body.details!.next!.includes(keys.read));
  });
});

describe("three actors: owner, member and outsider", () => {
  let outsider: Actor;
  let outsiderKey: string;
  let ownerInstance: Instance;

  before(async () => {
    outsider = await accountOwner(app, "Outsider");
    outsiderKey = await newKey(app, outsider.accountId, "full", outsider.userId);
    ownerInstance = await pushOk(app, keys.full, "secret-report", '{"revenue": 1000000}', { query: { tags: "owner" } });
  });

  it("a key made by an admin member acts on the owner's account", async () => {
    const admin = await accountMember(app, owner.accountId, "admin");
    const caller = await app.caller({ sessionId: admin.sessionId });
    const { key } = await caller.apiKey.create({ name: "member's key", scope: "full" });
    const list = okResult(await apiCall<{ name: string }[]>(app, "GET", "/reports?prefix=secret", { key }));
    assert.deepEqual(
      list.map((r) => r.name),
      ["secret-report"],
    );
    const pushed = await pushOk(app, key, "member-pushed", "1");
    assert.equal(okResult(await apiCall<Instance>(app, "GET", `/reports/member-pushed/instances/${pushed.id}`, { key: keys.read })).id, pushed.id);
  });

  it("editor and viewer members cannot make a key at all", async () => {
    for (const role of ["editor", "viewer"] as const) {
      const member = await accountMember(app, owner.accountId, role);
      const caller = await app.caller({ sessionId: member.sessionId });
      assert.equal((await trpcOutcome(() => caller.apiKey.create({ name: "sneaky", scope: "full" }))).code, "FORBIDDEN", role);
    }
  });

  it("the outsider's key lists none of the owner's reports", async () => {
    const reply = await apiCall<unknown[]>(app, "GET", "/reports", { key: outsiderKey });
    assert.deepEqual(okResult(reply), []);
    assert.equal(reply.body.details?.next, null);
    assert.deepEqual(okResult(await apiCall(app, "GET", "/reports?prefix=secret", { key: outsiderKey })), []);
  });

  it("the outsider's key cannot read the owner's report or instance: 404, as if they did not exist", async () => {
    assertError(await apiCall(app, "GET", "/reports/secret-report/instances", { key: outsiderKey }), 404, "Report secret-report not found");
    assertError(await apiCall(app, "GET", `/reports/secret-report/instances/${ownerInstance.id}`, { key: outsiderKey }), 404);
    assertError(await apiCall(app, "GET", `/reports/secret-report/instances?fromId=${ownerInstance.id}`, { key: outsiderKey }), 404);
  });

  it("the outsider's key cannot delete the owner's report or instances, which are all still there", async () => {
    assertError(await apiCall(app, "DELETE", `/reports/secret-report/instances/${ownerInstance.id}`, { key: outsiderKey }), 404);
    assertError(await apiCall(app, "DELETE", "/reports/secret-report/instances", { key: outsiderKey }), 404);
    assertError(await apiCall(app, "DELETE", "/reports/secret-report", { key: outsiderKey }), 404);
    const stored = okResult(await apiCall<Instance>(app, "GET", `/reports/secret-report/instances/${ownerInstance.id}`, { key: keys.read }));
    assert.deepEqual(stored.input, { revenue: 1000000 });
  });

  it("a report of the same name in two accounts stays two reports", async () => {
    const theirs = await pushOk(app, outsiderKey, "secret-report", "outsider data");
    assert.deepEqual(
      okResult(await apiCall<Instance[]>(app, "GET", "/reports/secret-report/instances", { key: outsiderKey })).map((i) => i.id),
      [theirs.id],
    );
    assert.deepEqual(
      okResult(await apiCall<Instance[]>(app, "GET", "/reports/secret-report/instances", { key: keys.read })).map((i) => i.id),
      [ownerInstance.id],
    );
    // Neither reaches the other's instance by id, even under the shared name.
    assertError(await apiCall(app, "GET", `/reports/secret-report/instances/${ownerInstance.id}`, { key: outsiderKey }), 404);
    assertError(await apiCall(app, "GET", `/reports/secret-report/instances/${theirs.id}`, { key: keys.read }), 404);
    // Deleting by id under the shared name does not reach across either.
    okResult(await apiCall(app, "DELETE", `/reports/secret-report/instances/${ownerInstance.id}`, { key: outsiderKey }));
    assert.equal(await instanceCount("secret-report"), 1);
    // The outsider deleting their report leaves the owner's.
    okResult(await apiCall(app, "DELETE", "/reports/secret-report", { key: outsiderKey }));
    assert.equal(await instanceCount("secret-report"), 1);
    assert.equal(await instanceCount("secret-report", outsiderKey), null);
  });
});
