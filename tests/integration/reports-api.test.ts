/**
 * Reading and deleting reports through the public API: GET /reports, GET instances (filters,
 * expansion, order, cursors, paging), GET one instance, the three DELETEs, and the errors every
 * endpoint shares (405, 404, the envelope).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setPlan, startTestApp, type TestApp } from "../helpers/app";
import { apiCall, type ApiReply, assertError, at, dashed, type Instance, newKey, okResult, pushOk } from "../helpers/reports";

let app: TestApp;
let key: string;

before(async () => {
  app = await startTestApp();
  const owner = await app.createUser({ name: "Reader" });
  await setPlan(app.db, owner.accountId, "business"); // more requests a minute than Free allows
  key = await newKey(app, owner.accountId, "full", owner.userId);
});
after(() => app?.stop());

type Named = { name: string; href: string };

const get = <T>(path: string, k = key) => apiCall<T>(app, "GET", path, { key: k });
const del = <T>(path: string, k = key) => apiCall<T>(app, "DELETE", path, { key: k });
const ids = (list: Instance[]) => list.map((i) => i.id);

/** Follows `details.next` from `path` to the end; every page, in order. */
async function allPages<T>(path: string, k = key): Promise<{ pages: T[][]; nexts: (string | null)[] }> {
  const pages: T[][] = [];
  const nexts: (string | null)[] = [];
  let url: string | null = path;
  while (url) {
    const reply: ApiReply<T[]> = await get<T[]>(url, k);
    pages.push(okResult(reply));
    const next: string | null | undefined = reply.body.details?.next;
    assert.ok(next === null || typeof next === "string", "details.next is a URL or null");
    nexts.push(next ?? null);
    url = next ?? null;
    assert.ok(pages.length < 50, "paging ends");
  }
  return { pages, nexts };
}

describe("GET /reports", () => {
  let listKey: string;
  // Byte order: upper case before lower case, - before . before : before _.
  const names = ["Zeta", "a-1", "a.1", "a:1", "a_1", "alpha", "axe", "beta", "disk.free", "disk.used", "diskette", "web1"];

  before(async () => {
    const account = await app.createUser({ name: "Lister" });
    await setPlan(app.db, account.accountId, "business"); // more than 20 reports
    listKey = await newKey(app, account.accountId, "full");
    // And 25 more for the default page size.
    const all = [...names, ...Array.from({ length: 25 }, (_, i) => `many-${String(i).padStart(2, "0")}`)].reverse();
    await Promise.all(all.map((name) => pushOk(app, listKey, name, "1")));
  });

  it("lists the account's reports sorted by name, each with the href of its instances", async () => {
    const list = okResult(await get<Named[]>("/reports?limit=100", listKey));
    const expected = [...names, ...Array.from({ length: 25 }, (_, i) => `many-${String(i).padStart(2, "0")}`)].sort();
    assert.deepEqual(
      list.map((r) => r.name),
      expected,
    );
    assert.equal(list[0]!.href, `${app.url}/api/v1/reports/Zeta/instances`);
    for (const r of list) assert.deepEqual(Object.keys(r).sort(), ["href", "name"]);
    const viaHref = okResult(await apiCall<Instance[]>(app, "GET", list.find((r) => r.name === "a:1")!.href, { key: listKey }));
    assert.equal(viaHref.length, 1, "the href lists the report's instances");
  });

  it("the default page is 20 reports; details.next continues after the last name, and is null on the last page", async () => {
    const first = await get<Named[]>("/reports", listKey);
    const page = okResult(first);
    assert.equal(page.length, 20);
    const next = first.body.details?.next;
    assert.equal(next, `${app.url}/api/v1/reports?lastName=${encodeURIComponent(page.at(-1)!.name)}`);
    const { pages, nexts } = await allPages<Named>("/reports", listKey);
    assert.deepEqual(
      pages.map((p) => p.length),
      [20, 17],
    );
    assert.equal(nexts.at(-1), null);
    const all = pages.flat().map((r) => r.name);
    assert.equal(new Set(all).size, all.length, "no report twice");
    assert.deepEqual(all, [...all].sort(), "still in name order across pages");
  });

  it("lastName is an exclusive cursor", async () => {
    const list = okResult(await get<Named[]>("/reports?lastName=disk.free&limit=3", listKey));
    assert.deepEqual(
      list.map((r) => r.name),
      ["disk.used", "diskette", "many-00"],
    );
    const between = okResult(await get<Named[]>("/reports?lastName=b&limit=1", listKey));
    assert.deepEqual(
      between.map((r) => r.name),
      ["beta"],
      "the cursor need not be an existing name",
    );
  });

  it("prefix keeps names that start with it, taking _ and % literally", async () => {
    const disk = okResult(await get<Named[]>("/reports?prefix=disk", listKey));
    assert.deepEqual(
      disk.map((r) => r.name),
      ["disk.free", "disk.used", "diskette"],
    );
    const underscore = okResult(await get<Named[]>("/reports?prefix=a_", listKey));
    assert.deepEqual(
      underscore.map((r) => r.name),
      ["a_1"],
    );
    assert.deepEqual(okResult(await get<Named[]>("/reports?prefix=%25", listKey)), []);
    assert.deepEqual(okResult(await get<Named[]>("/reports?prefix=nothing", listKey)), []);
  });

  it("paging keeps the prefix and the limit in details.next", async () => {
    const { pages, nexts } = await allPages<Named>("/reports?prefix=disk&limit=2", listKey);
    assert.deepEqual(
      pages.map((p) => p.map((r) => r.name)),
      [["disk.free", "disk.used"], ["diskette"]],
    );
    const next = new URL(nexts[0]!);
    assert.deepEqual(Object.fromEntries(next.searchParams), { prefix: "disk", lastName: "disk.used", limit: "2" });
  });

  it("a full last page still has a next, which leads to an empty page with next null", async () => {
    const { pages, nexts } = await allPages<Named>("/reports?prefix=disk&limit=3", listKey);
    assert.deepEqual(
      pages.map((p) => p.length),
      [3, 0],
    );
    assert.deepEqual(nexts.map((n) => n === null), [false, true]);
  });

  it("limit 1 and 100 are accepted; anything else is 400 Invalid limit <n>: must be between 1 and 100", async () => {
    assert.equal(okResult(await get<Named[]>("/reports?limit=1", listKey)).length, 1);
    assert.equal(okResult(await get<Named[]>("/reports?limit=100", listKey)).length, names.length + 25);
    for (const limit of ["0", "101", "-1", "1.5", "abc", "1e3"]) {
      assertError(await get(`/reports?limit=${limit}`, listKey), 400, `Invalid limit ${limit}: must be between 1 and 100`);
    }
  });

  it("an account without reports gets an empty list and no next page", async () => {
    const empty = await app.createUser({ name: "Empty" });
    const reply = await get<Named[]>("/reports", await newKey(app, empty.accountId, "read"));
    assert.deepEqual(okResult(reply), []);
    assert.equal(reply.body.details?.next, null);
  });
});

describe("GET /reports/{name}/instances", () => {
  // Five instances a minute apart, pushed out of order; tags a on 0,1,2 and b on 1,2,3.
  const REPORT = "disk";
  let pushed: Instance[] = [];
  const tagsOf = ["a", "a,b", "b,a", "b", "c"];

  before(async () => {
    const byMinute: Instance[] = [];
    for (const minute of [3, 0, 4, 1, 2]) {
      const body = minute % 2 === 0 ? JSON.stringify({ minute, used: 60 + minute }) : `used ${60 + minute}\n`;
      byMinute[minute] = await pushOk(app, key, REPORT, body, { query: { created: at(minute), tags: tagsOf[minute]! } });
    }
    pushed = byMinute;
  });

  it("lists all instances in creation order with rows and header, without input, by default", async () => {
    const reply = await get<Instance[]>(`/reports/${REPORT}/instances`);
    const list = okResult(reply);
    assert.deepEqual(ids(list), ids(pushed));
    assert.equal(reply.body.details?.next, null);
    for (const [i, instance] of list.entries()) {
      assert.deepEqual(Object.keys(instance).sort(), ["created", "header", "href", "id", "link", "rows", "tags"]);
      assert.equal(instance.created, at(i));
      assert.deepEqual(instance.rows, pushed[i]!.rows);
      assert.equal(instance.href, `${app.url}/api/v1/reports/${REPORT}/instances/${instance.id}`);
    }
  });

  it("expand=0 leaves out rows and header", async () => {
    const list = okResult(await get<Instance[]>(`/reports/${REPORT}/instances?expand=0`));
    for (const instance of list) assert.deepEqual(Object.keys(instance).sort(), ["created", "href", "id", "link", "tags"]);
  });

  it("expandInput=1 adds the original input: parsed JSON for JSON input, the text otherwise", async () => {
    const list = okResult(await get<Instance[]>(`/reports/${REPORT}/instances?expandInput=1`));
    assert.deepEqual(list[0]!.input, { minute: 0, used: 60 });
    assert.equal(list[1]!.input, "used 61\n");
    assert.ok(list[0]!.rows, "rows stay by default");
    const inputOnly = okResult(await get<Instance[]>(`/reports/${REPORT}/instances?expand=0&expandInput=1`));
    assert.deepEqual(Object.keys(inputOnly[0]!).sort(), ["created", "href", "id", "input", "link", "tags"]);
  });

  it("booleans accept 0/1, true/false, yes/no and t/f, in any case", async () => {
    for (const yes of ["1", "true", "yes", "t", "TRUE", "Yes"]) {
      assert.ok(okResult(await get<Instance[]>(`/reports/${REPORT}/instances?limit=1&expand=${yes}&expandInput=${yes}`))[0]!.input, yes);
    }
    for (const no of ["0", "false", "no", "f", "False"]) {
      const [first] = okResult(await get<Instance[]>(`/reports/${REPORT}/instances?limit=1&expand=${no}&expandInput=${no}`));
      assert.equal(first!.rows, undefined, no);
      assert.equal(first!.input, undefined, no);
    }
  });

  it("a boolean that is none of those is 400", async () => {
    for (const q of ["expand=maybe", "expandInput=2", "expand=on", "expandInput=-1"]) {
      assertError(await get(`/reports/${REPORT}/instances?${q}`), 400, /Invalid expand/, { label: q });
    }
  });

  it("from and to are inclusive, and a zone in them is honoured", async () => {
    assert.deepEqual(ids(okResult(await get<Instance[]>(`/reports/${REPORT}/instances?from=${at(1)}&to=${at(3)}`))), ids(pushed.slice(1, 4)));
    assert.deepEqual(ids(okResult(await get<Instance[]>(`/reports/${REPORT}/instances?from=${at(4)}`))), ids(pushed.slice(4)));
    assert.deepEqual(ids(okResult(await get<Instance[]>(`/reports/${REPORT}/instances?to=${at(0)}`))), ids(pushed.slice(0, 1)));
    const zoned = encodeURIComponent("2025-03-01T11:01:00+01:00"); // minute 1
    assert.deepEqual(ids(okResult(await get<Instance[]>(`/reports/${REPORT}/instances?from=${zoned}&to=${zoned}`))), [pushed[1]!.id]);
    assert.deepEqual(okResult(await get<Instance[]>(`/reports/${REPORT}/instances?from=${at(3)}&to=${at(1)}`)), []);
  });

  it("a from or to that is no time is 400", async () => {
    assertError(await get(`/reports/${REPORT}/instances?from=garbage`), 400, /Invalid from/);
    assertError(await get(`/reports/${REPORT}/instances?to=2025-02-30`), 400, /Invalid to/);
  });

  it("tags keeps the instances having all of them", async () => {
    assert.deepEqual(ids(okResult(await get<Instance[]>(`/reports/${REPORT}/instances?tags=a`))), ids(pushed.slice(0, 3)));
    assert.deepEqual(ids(okResult(await get<Instance[]>(`/reports/${REPORT}/instances?tags=a,b`))), ids(pushed.slice(1, 3)));
    assert.deepEqual(ids(okResult(await get<Instance[]>(`/reports/${REPORT}/instances?tags=b,%20a,,`))), ids(pushed.slice(1, 3)));
    assert.deepEqual(okResult(await get<Instance[]>(`/reports/${REPORT}/instances?tags=a,c`)), []);
    assert.deepEqual(okResult(await get<Instance[]>(`/reports/${REPORT}/instances?tags=nope`)), []);
  });

  it("order=desc lists the newest first; an unknown order is 400", async () => {
    assert.deepEqual(ids(okResult(await get<Instance[]>(`/reports/${REPORT}/instances?order=desc`))), ids(pushed).reverse());
    assert.deepEqual(ids(okResult(await get<Instance[]>(`/reports/${REPORT}/instances?order=asc`))), ids(pushed));
    assertError(await get(`/reports/${REPORT}/instances?order=newest`), 400, /Invalid order/);
  });

  it("fromId is inclusive, in the direction of the order", async () => {
    const from = pushed[2]!.id;
    assert.deepEqual(ids(okResult(await get<Instance[]>(`/reports/${REPORT}/instances?fromId=${from}`))), ids(pushed.slice(2)));
    assert.deepEqual(ids(okResult(await get<Instance[]>(`/reports/${REPORT}/instances?fromId=${from}&order=desc`))), ids(pushed.slice(0, 3)).reverse());
  });

  it("lastId is exclusive, in the direction of the order", async () => {
    const last = pushed[2]!.id;
    assert.deepEqual(ids(okResult(await get<Instance[]>(`/reports/${REPORT}/instances?lastId=${last}`))), ids(pushed.slice(3)));
    assert.deepEqual(ids(okResult(await get<Instance[]>(`/reports/${REPORT}/instances?lastId=${last}&order=desc`))), ids(pushed.slice(0, 2)).reverse());
  });

  it("from, to and tags stay in force together with fromId and lastId", async () => {
    const list = okResult(await get<Instance[]>(`/reports/${REPORT}/instances?fromId=${pushed[0]!.id}&to=${at(2)}&tags=a`));
    assert.deepEqual(ids(list), ids(pushed.slice(0, 3)));
    const after = okResult(await get<Instance[]>(`/reports/${REPORT}/instances?lastId=${pushed[0]!.id}&from=${at(0)}&to=${at(3)}&tags=b`));
    assert.deepEqual(ids(after), ids(pushed.slice(1, 4)));
  });

  it("a cursor id in any UUID spelling works; a malformed one is 400, an unknown one 404", async () => {
    const id = pushed[2]!.id;
    for (const spelling of [id.toUpperCase(), dashed(id), dashed(id).toUpperCase()]) {
      assert.deepEqual(ids(okResult(await get<Instance[]>(`/reports/${REPORT}/instances?fromId=${spelling}`))), ids(pushed.slice(2)), spelling);
    }
    assertError(await get(`/reports/${REPORT}/instances?fromId=xyz`), 400, "Invalid id format xyz");
    assertError(await get(`/reports/${REPORT}/instances?lastId=${"0".repeat(32)}`), 404, /not found/);
  });

  it("limit pages through the instances; details.next carries lastId and the other parameters", async () => {
    const path = `/reports/${REPORT}/instances?limit=2&order=desc&tags=a&expand=0`;
    const first = await get<Instance[]>(path);
    const next = new URL(first.body.details!.next!);
    assert.equal(`${next.origin}${next.pathname}`, `${app.url}/api/v1/reports/${REPORT}/instances`);
    assert.deepEqual(Object.fromEntries(next.searchParams), {
      limit: "2",
      order: "desc",
      tags: "a",
      expand: "0",
      lastId: okResult(first)[1]!.id,
    });
    const { pages, nexts } = await allPages<Instance>(path);
    assert.deepEqual(
      pages.map((p) => ids(p)),
      [[pushed[2]!.id, pushed[1]!.id], [pushed[0]!.id]],
    );
    assert.equal(nexts.at(-1), null);
    for (const instance of pages.flat()) assert.equal(instance.rows, undefined, "expand=0 holds on later pages");
  });

  it("the default page is 20 instances; limit outside 1..100 is 400", async () => {
    for (let i = 0; i < 21; i++) await pushOk(app, key, "twenty-one", String(i));
    const reply = await get<Instance[]>("/reports/twenty-one/instances");
    assert.equal(okResult(reply).length, 20);
    assert.ok(reply.body.details?.next);
    assert.equal(okResult(await get<Instance[]>(reply.body.details!.next!)).length, 1);
    for (const limit of ["0", "101", "x"]) {
      assertError(await get(`/reports/${REPORT}/instances?limit=${limit}`), 400, `Invalid limit ${limit}: must be between 1 and 100`);
    }
  });

  it("instances created at the same moment are paged without loss or repetition", async () => {
    const created = at(0, "2025-04-01T00:00:00Z");
    const same: string[] = [];
    for (let i = 0; i < 5; i++) same.push((await pushOk(app, key, "same-moment", String(i), { query: { created } })).id);
    for (const order of ["asc", "desc"]) {
      const { pages } = await allPages<Instance>(`/reports/same-moment/instances?limit=2&order=${order}`);
      const seen = pages.flat().map((i) => i.id);
      assert.deepEqual([...seen].sort(), [...same].sort(), order);
      assert.deepEqual(seen, order === "asc" ? same : [...same].reverse(), `ties are ordered by id (${order})`);
    }
  });

  it("an unknown report is 404 Report <name> not found", async () => {
    assertError(await get("/reports/no-such-report/instances"), 404, "Report no-such-report not found");
  });

  it("a percent-encoded name is the same report; an encoded newline, slash or space never leads to another", async () => {
    assert.deepEqual(ids(okResult(await get<Instance[]>(`/reports/%64%69sk/instances`))), ids(pushed));
    for (const name of ["di%0Ask", "di%09sk", "di%2Fsk", "di%20sk", "di%5Csk"]) {
      assertError(await get(`/reports/${name}/instances`), 404, undefined, { label: name });
      assertError(await del(`/reports/${name}`), 404, undefined, { label: name });
    }
    assert.equal(okResult(await get<Instance[]>(`/reports/${REPORT}/instances`)).length, pushed.length);
  });
});

describe("GET /reports/{name}/instances/{id}", () => {
  let json: Instance;
  let text: Instance;

  before(async () => {
    json = await pushOk(app, key, "one", '[{"host":"web1","load":0.5}]', { query: { tags: "x" } });
    text = await pushOk(app, key, "one", "Filesystem  Use%\n/dev/sda1   64%\n");
  });

  it("always has rows, header and the input (parsed JSON when it was JSON)", async () => {
    const one = okResult(await get<Instance>(`/reports/one/instances/${json.id}`));
    assert.deepEqual(one, { ...json, input: [{ host: "web1", load: 0.5 }] });
    const other = okResult(await get<Instance>(`/reports/one/instances/${text.id}?expand=0`));
    assert.deepEqual(other, { ...text, input: "Filesystem  Use%\n/dev/sda1   64%\n" });
  });

  it("accepts any UUID spelling of the id, with or without dashes, in any case", async () => {
    for (const spelling of [json.id, json.id.toUpperCase(), dashed(json.id), dashed(json.id).toUpperCase()]) {
      const one = okResult(await get<Instance>(`/reports/one/instances/${spelling}`));
      assert.equal(one.id, json.id, spelling);
    }
  });

  it("an id that is no UUID is 400 Invalid id format <id>", async () => {
    for (const bad of ["zzz", json.id.slice(1), `${json.id}0`, "g".repeat(32), `${dashed(json.id)}-`]) {
      assertError(await get(`/reports/one/instances/${bad}`), 400, `Invalid id format ${bad}`);
    }
  });

  it("an unknown id is 404 Report instance with id <id> not found", async () => {
    const unknown = "0190c0de0000700080000000000000aa";
    assertError(await get(`/reports/one/instances/${unknown}`), 404, `Report instance with id ${unknown} not found`);
  });

  it("an instance of another report of the account is not found under this one", async () => {
    const elsewhere = await pushOk(app, key, "one-other", "1");
    assertError(await get(`/reports/one/instances/${elsewhere.id}`), 404, `Report instance with id ${elsewhere.id} not found`);
  });

  it("an unknown report is 404 Report <name> not found", async () => {
    assertError(await get(`/reports/nobody/instances/${json.id}`), 404, "Report nobody not found");
  });
});

describe("DELETE /reports/{name}", () => {
  it("deletes the report and its instances: 200 {success: true}, then its instances are 404", async () => {
    const instance = await pushOk(app, key, "doomed", "1");
    await pushOk(app, key, "doomed", "2");
    const reply = await del("/reports/doomed");
    assert.equal(reply.status, 200);
    assert.deepEqual(reply.body, { success: true });
    assertError(await get("/reports/doomed/instances"), 404, "Report doomed not found");
    assertError(await get(`/reports/doomed/instances/${instance.id}`), 404, "Report doomed not found");
    assert.ok(!okResult(await get<Named[]>("/reports?prefix=doomed")).some((r) => r.name === "doomed"));
  });

  it("a push afterwards starts the report afresh", async () => {
    await pushOk(app, key, "reborn", "1");
    okResult(await del("/reports/reborn"));
    const fresh = await pushOk(app, key, "reborn", "2");
    assert.deepEqual(ids(okResult(await get<Instance[]>("/reports/reborn/instances"))), [fresh.id]);
  });

  it("an unknown report is 404, and deleting twice is 404 the second time", async () => {
    assertError(await del("/reports/never-was"), 404, "Report never-was not found");
    await pushOk(app, key, "twice", "1");
    okResult(await del("/reports/twice"));
    assertError(await del("/reports/twice"), 404);
  });

  it("other reports are untouched", async () => {
    const kept = await pushOk(app, key, "kept", "1");
    await pushOk(app, key, "dropped", "1");
    okResult(await del("/reports/dropped"));
    assert.deepEqual(ids(okResult(await get<Instance[]>("/reports/kept/instances"))), [kept.id]);
  });
});

describe("DELETE /reports/{name}/instances", () => {
  const seed = async (name: string) => {
    const list: Instance[] = [];
    for (let minute = 0; minute < 5; minute++) {
      list.push(await pushOk(app, key, name, String(minute), { query: { created: at(minute), tags: minute % 2 ? "odd" : "even" } }));
    }
    return list;
  };

  it("without a filter deletes all instances, and the report stays", async () => {
    await seed("wipe");
    const reply = await del<{ deleted: number }>("/reports/wipe/instances");
    assert.deepEqual(reply.body, { success: true, result: { deleted: 5 } });
    const after = await get<Instance[]>("/reports/wipe/instances");
    assert.deepEqual(okResult(after), [], "the report exists, empty");
    assert.deepEqual(okResult(await del<{ deleted: number }>("/reports/wipe/instances")), { deleted: 0 });
  });

  it("deletes only what matches from, to and tags", async () => {
    const list = await seed("partial");
    assert.deepEqual(okResult(await del<{ deleted: number }>(`/reports/partial/instances?from=${at(1)}&to=${at(3)}&tags=odd`)), { deleted: 2 });
    assert.deepEqual(ids(okResult(await get<Instance[]>("/reports/partial/instances"))), ids([list[0]!, list[2]!, list[4]!]));
    assert.deepEqual(okResult(await del<{ deleted: number }>(`/reports/partial/instances?to=${at(0)}`)), { deleted: 1 });
    assert.deepEqual(okResult(await del<{ deleted: number }>(`/reports/partial/instances?from=${at(4)}`)), { deleted: 1 });
    assert.deepEqual(ids(okResult(await get<Instance[]>("/reports/partial/instances"))), [list[2]!.id]);
  });

  it("has no upper bound on how many it deletes", async () => {
    const n = 130;
    for (let i = 0; i < n; i += 10) {
      await Promise.all(Array.from({ length: 10 }, (_, j) => pushOk(app, key, "lots", String(i + j))));
    }
    assert.deepEqual(okResult(await del<{ deleted: number }>("/reports/lots/instances")), { deleted: n });
  });

  it("a bad filter is 400 and deletes nothing; an unknown report is 404", async () => {
    await seed("guarded");
    assertError(await del("/reports/guarded/instances?from=garbage"), 400, /Invalid from/);
    assert.equal(okResult(await get<Instance[]>("/reports/guarded/instances")).length, 5);
    assertError(await del("/reports/ghost/instances"), 404, "Report ghost not found");
  });
});

describe("DELETE /reports/{name}/instances/{id}", () => {
  it("deletes one instance: 200 {success: true}", async () => {
    const [a, b] = [await pushOk(app, key, "single-del", "1"), await pushOk(app, key, "single-del", "2")];
    const reply = await del(`/reports/single-del/instances/${dashed(a.id).toUpperCase()}`);
    assert.deepEqual(reply.body, { success: true });
    assert.deepEqual(ids(okResult(await get<Instance[]>("/reports/single-del/instances"))), [b.id]);
    assertError(await get(`/reports/single-del/instances/${a.id}`), 404);
  });

  it("answers 200 also when the instance does not exist (any more)", async () => {
    const a = await pushOk(app, key, "single-del-2", "1");
    okResult(await del(`/reports/single-del-2/instances/${a.id}`));
    assert.deepEqual((await del(`/reports/single-del-2/instances/${a.id}`)).body, { success: true });
    assert.deepEqual((await del(`/reports/single-del-2/instances/${"0".repeat(32)}`)).body, { success: true });
  });

  it("an instance of another report is not deleted through this one", async () => {
    const other = await pushOk(app, key, "single-del-other", "1");
    await pushOk(app, key, "single-del-3", "1");
    okResult(await del(`/reports/single-del-3/instances/${other.id}`));
    assert.equal(okResult(await get<Instance>(`/reports/single-del-other/instances/${other.id}`)).id, other.id);
  });

  it("an unknown report is 404; a malformed id is 400", async () => {
    assertError(await del(`/reports/ghost/instances/${"0".repeat(32)}`), 404, "Report ghost not found");
    await pushOk(app, key, "single-del-4", "1");
    assertError(await del("/reports/single-del-4/instances/nope"), 400, "Invalid id format nope");
  });
});

describe("errors shared by all endpoints", () => {
  it("a method an endpoint does not have is 405 ERROR_405, with Allow", async () => {
    const cases: [string, string, string][] = [
      ["PUT", "/reports/x", "DELETE, POST"],
      ["GET", "/reports/x", "DELETE, POST"],
      ["PATCH", "/reports/x/instances", "GET, DELETE"],
      ["POST", "/reports/x/instances", "GET, DELETE"],
      ["POST", "/reports/x/instances/0190c0de0000700080000000000000aa", "GET, DELETE"],
      ["PUT", "/reports/x/instances/0190c0de0000700080000000000000aa", "GET, DELETE"],
      ["DELETE", "/reports", "GET"],
      ["POST", "/reports", "GET"],
    ];
    for (const [method, path, allow] of cases) {
      const reply = await apiCall(app, method, path, { key, body: method === "GET" ? undefined : "1", contentType: "text/plain" });
      assertError(reply, 405, undefined, { label: `${method} ${path}` });
      assert.deepEqual(reply.res.headers.get("allow")?.split(", ").sort(), allow.split(", ").sort(), `${method} ${path}`);
    }
  });

  it("an unknown path is 404 ERROR_404", async () => {
    for (const path of ["/reports/x/y", "/reports/x/instances/a/b", "/reportz", "/reports/x/instances/a/b/c", "/v2/reports"]) {
      assertError(await get(path), 404, undefined, { label: path });
    }
  });

  it("errors need no key to be told apart: unknown paths are 404 even without one", async () => {
    assertError(await apiCall(app, "GET", "/reports/x/y"), 404);
  });

  it("success is true exactly when the status is 200, on every answer above (checked by every call)", async () => {
    const ok = await get<Named[]>("/reports?limit=1");
    assert.equal(ok.body.success, true);
    const bad = await get("/reports?limit=0");
    assert.equal(bad.body.success, false);
    assert.deepEqual(Object.keys(bad.body).sort(), ["details", "success"]);
    assert.deepEqual(Object.keys(bad.body.details!).sort(), ["errorCode", "message"]);
  });
});
