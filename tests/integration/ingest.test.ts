/**
 * POST /api/v1/reports/{name} over real HTTP: formats, Content-Types, form bodies, every query
 * parameter, the checks in the contract's order, and the parsing corpus of the shared fixtures.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { after, before, describe, it } from "node:test";
import { setPlan, startTestApp, type TestApp } from "../helpers/app";
import {
  apiCall,
  assertError,
  type Instance,
  newKey,
  okResult,
  PARSING_FIXTURES,
  push,
  pushOk,
} from "../helpers/reports";

// The server runs in this process: a time zone far from UTC shows any local-time reading of dates.
process.env.TZ = "Asia/Tokyo";

let app: TestApp;
let key: string;

before(async () => {
  app = await startTestApp();
  const owner = await app.createUser({ name: "Ingest Owner" });
  await setPlan(app.db, owner.accountId, "business"); // more pushes a minute than Free allows
  key = await newKey(app, owner.accountId, "full", owner.userId);
});
after(() => app?.stop());

/** The stored instance, read back through the public API. */
async function readBack(name: string, id: string): Promise<Instance> {
  return okResult(await apiCall<Instance>(app, "GET", `/reports/${encodeURIComponent(name)}/instances/${id}`, { key }));
}

const table = (i: Instance) => ({ rows: i.rows, header: i.header });

describe("the answer to a push", () => {
  it("the spec's example {\"c1\": 1, \"c2\": 2} gives rows [[c1, c2], [1, 2]] and header [0]", async () => {
    const instance = await pushOk(app, key, "example", '{"c1": 1, "c2": 2}');
    assert.deepEqual(table(instance), { rows: [["c1", "c2"], [1, 2]], header: [0] });
  });

  it("is the instance: exactly id, tags, created, rows, header, href and link", async () => {
    const before = Date.now();
    const reply = await push(app, key, "answer-shape", "10 20\n", { query: { tags: "host:web1" } });
    const instance = okResult(reply);
    assert.deepEqual(Object.keys(reply.body).sort(), ["result", "success"]);
    assert.deepEqual(Object.keys(instance).sort(), ["created", "header", "href", "id", "link", "rows", "tags"]);
    assert.match(instance.id, /^[0-9a-f]{32}$/, "a 32-hex id");
    assert.equal(instance.id[12], "7", "a time-ordered UUIDv7");
    assert.deepEqual(instance.tags, ["host:web1"]);
    assert.equal(instance.link, null, "no link was attached");
    assert.match(instance.created, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/, "ISO 8601 in UTC");
    const created = Date.parse(instance.created);
    assert.ok(created >= before - 1000 && created <= Date.now() + 1000, "created defaults to now");
    assert.equal(instance.href, `${app.url}/api/v1/reports/answer-shape/instances/${instance.id}`);
  });

  it("a 200 means the instance is committed: its href reads it back at once", async () => {
    const instance = await pushOk(app, key, "committed", "a,b\n1,2\n", { query: { tags: "t1" } });
    const read = await apiCall<Instance>(app, "GET", instance.href, { key });
    const stored = okResult(read);
    assert.deepEqual({ ...stored, input: undefined }, { ...instance, input: undefined });
    assert.equal(stored.input, "a,b\n1,2\n", "with the original input, unchanged");
  });

  it("ids of successive pushes increase with time", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await pushOk(app, key, "ordered-ids", String(i))).id);
    assert.deepEqual([...ids].sort(), ids);
    assert.equal(new Set(ids).size, 5);
  });

  it("concurrent first pushes to a new report all succeed into one report", async () => {
    const replies = await Promise.all(Array.from({ length: 12 }, (_, i) => push(app, key, "raced", `${i} ${i * 2}`)));
    assert.deepEqual(
      replies.map((r) => r.status),
      replies.map(() => 200),
    );
    const list = okResult(await apiCall<{ name: string }[]>(app, "GET", "/reports?prefix=raced", { key }));
    assert.deepEqual(
      list.map((r) => r.name),
      ["raced"],
    );
    const instances = okResult(await apiCall<Instance[]>(app, "GET", "/reports/raced/instances?limit=100", { key }));
    assert.equal(instances.length, 12);
  });
});

describe("format", () => {
  // Each format forced by ?format=, with an input it reads and the table it gives.
  const cases: { format: string; body: string; rows: unknown[][]; header: number[] }[] = [
    { format: "any", body: "10 20\n", rows: [["10", "20"]], header: [] },
    { format: "json", body: '{"t":{"dns":0.2},"a":1}', rows: [["t.dns", "a"], [0.2, 1]], header: [0] },
    { format: "jsonraw", body: '{"t":{"dns":0.2},"a":1}', rows: [["t", "a"], [{ dns: 0.2 }, 1]], header: [0] },
    { format: "csv", body: "a;b\n1;2\n", rows: [["a", "b"], ["1", "2"]], header: [0] },
    { format: "ascii", body: "+----+-----+\n| id | val |\n+----+-----+\n| 1  | x   |\n+----+-----+\n", rows: [["id", "val"], ["1", "x"]], header: [0] },
    { format: "asciitable", body: "| a | b |\n|---|---|\n| 1 | 2 |\n", rows: [["a", "b"], ["1", "2"]], header: [0] },
    { format: "asciispace", body: "NAME   AGE\nweb1   5d\nweb2   3h\n", rows: [["NAME", "AGE"], ["web1", "5d"], ["web2", "3h"]], header: [0] },
    { format: "props", body: "a=1\nb=2\n", rows: [["a", "1"], ["b", "2"]], header: [] },
    { format: "tokens", body: "1 2 3\n4 5 6\n", rows: [["1", "2", "3"], ["4", "5", "6"]], header: [] },
    { format: "markdown", body: "# Title\n\n*x*\n", rows: [["# Title\n\n*x*"]], header: [] },
    { format: "single", body: "hello world\nsecond line\n", rows: [["hello world\nsecond line"]], header: [] },
  ];
  for (const c of cases) {
    it(`format=${c.format} reads its input as ${c.format}`, async () => {
      const instance = await pushOk(app, key, `format-${c.format}`, c.body, { query: { format: c.format } });
      assert.deepEqual(table(instance), { rows: c.rows, header: c.header });
    });
  }

  it("the formats tested are all the formats the contract lists", () => {
    assert.deepEqual(
      cases.map((c) => c.format).sort(),
      ["any", "ascii", "asciispace", "asciitable", "csv", "json", "jsonraw", "markdown", "props", "single", "tokens"],
    );
  });

  it("format=json reads JSON whatever the Content-Type", async () => {
    const instance = await pushOk(app, key, "format-json-ct", '[[1,2],[3,4]]', { query: { format: "json" }, contentType: "text/csv" });
    assert.deepEqual(table(instance), { rows: [[1, 2], [3, 4]], header: [] });
  });

  it("an unknown format is refused with 400, naming the formats", async () => {
    assertError(await push(app, key, "format-bad", "1", { query: { format: "yaml" } }), 400, /Invalid format yaml: use one of any, json/);
  });

  it("input the explicit format cannot parse is 400 Cannot parse input using format X", async () => {
    assertError(await push(app, key, "unparsed", "not json", { query: { format: "json" } }), 400, "Cannot parse input using format json");
    assertError(await push(app, key, "unparsed", "word\n", { query: { format: "asciispace" } }), 400, "Cannot parse input using format asciispace");
    assertError(await push(app, key, "unparsed", "just text\n", { query: { format: "asciitable" } }), 400, "Cannot parse input using format asciitable");
    const list = okResult(await apiCall<unknown[]>(app, "GET", "/reports?prefix=unparsed", { key }));
    assert.deepEqual(list, [], "a refused push creates no report");
  });
});

describe("Content-Type", () => {
  it("application/json selects json (an unparseable body says so)", async () => {
    const ok = await pushOk(app, key, "ct-json", '{"a":1}', { contentType: "application/json; charset=utf-8" });
    assert.deepEqual(table(ok), { rows: [["a"], [1]], header: [0] });
    assertError(await push(app, key, "ct-json", "a b", { contentType: "application/json" }), 400, "Cannot parse input using format json");
  });

  it("text/csv selects csv: 1;2 is two cells (one cell without it)", async () => {
    assert.deepEqual(table(await pushOk(app, key, "ct-csv", "1;2", { contentType: "text/csv" })), { rows: [["1", "2"]], header: [] });
    assert.deepEqual(table(await pushOk(app, key, "ct-csv", "1;2", { contentType: "text/plain" })), { rows: [["1;2"]], header: [] });
  });

  it("text/markdown selects markdown: the whole input is one cell", async () => {
    const instance = await pushOk(app, key, "ct-md", "a,b\n1,2\n", { contentType: "Text/Markdown; charset=utf-8" });
    assert.deepEqual(table(instance), { rows: [["a,b\n1,2"]], header: [] });
  });

  it("an explicit format wins over the Content-Type", async () => {
    const instance = await pushOk(app, key, "ct-override", '{"a":1}', { contentType: "application/json", query: { format: "single" } });
    assert.deepEqual(table(instance), { rows: [['{"a":1}']], header: [] });
  });

  it("curl's default application/x-www-form-urlencoded body is taken raw, not decoded", async () => {
    const instance = await pushOk(app, key, "ct-form", "a+b=c%20d&e=50%", { contentType: "application/x-www-form-urlencoded", query: { format: "single" } });
    assert.deepEqual(instance.rows, [["a+b=c%20d&e=50%"]]);
    assert.equal((await readBack("ct-form", instance.id)).input, "a+b=c%20d&e=50%");
  });

  it("df output sent as curl --data-binary sends it (form Content-Type) gives the df table", async () => {
    const input = readFileSync(join(PARSING_FIXTURES, "df.input"), "utf8");
    const expected = JSON.parse(readFileSync(join(PARSING_FIXTURES, "df.expected.json"), "utf8")) as unknown;
    const instance = await pushOk(app, key, "ct-curl-df", input, { contentType: "application/x-www-form-urlencoded" });
    assert.deepEqual(table(instance), expected);
  });

  it("a body without any Content-Type is read as it is", async () => {
    const res = await fetch(`${app.url}/api/v1/reports/ct-none`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}` },
      body: new Uint8Array(Buffer.from("OK")),
    });
    const body = (await res.json()) as { result: Instance };
    assert.equal(res.status, 200);
    assert.deepEqual(body.result.rows, [["OK"]]);
  });

  it("a gzip-compressed body is inflated", async () => {
    const instance = await pushOk(app, key, "ct-gzip", new Uint8Array(gzipSync("hello gz")), {
      query: { format: "single" },
      contentType: "text/plain",
      headers: { "content-encoding": "gzip" },
    });
    assert.deepEqual(instance.rows, [["hello gz"]]);
  });
});

describe("formKey", () => {
  it("takes the field's value from an urlencoded form", async () => {
    const body = `other=1&data=${encodeURIComponent("a;b\n1;2")}`;
    const instance = await pushOk(app, key, "form-urlencoded", body, { contentType: "application/x-www-form-urlencoded", query: { formKey: "data" } });
    assert.deepEqual(table(instance), { rows: [["a", "b"], ["1", "2"]], header: [0] });
    assert.equal((await readBack("form-urlencoded", instance.id)).input, "a;b\n1;2", "the field's value is the stored input");
  });

  it("takes the field's value from a multipart form, text field or file", async () => {
    const form = new FormData();
    form.set("data", "10 20");
    form.set("file", new Blob(["a,b\n1,2\n"]), "report.csv");
    const fromField = await pushOk(app, key, "form-multipart", form, { query: { formKey: "data" }, contentType: null });
    assert.deepEqual(table(fromField), { rows: [["10", "20"]], header: [] });
    const fromFile = await pushOk(app, key, "form-multipart", form, { query: { formKey: "file" }, contentType: null });
    assert.deepEqual(table(fromFile), { rows: [["a", "b"], ["1", "2"]], header: [0] });
  });

  it("a field the form lacks is 400", async () => {
    const form = new FormData();
    form.set("data", "1");
    assertError(await push(app, key, "form-missing", form, { query: { formKey: "nope" }, contentType: null }), 400, /nope/);
    assertError(await push(app, key, "form-missing", "data=1", { query: { formKey: "nope" }, contentType: "application/x-www-form-urlencoded" }), 400, /nope/);
  });

  it("a body that is not a form is 400", async () => {
    assertError(await push(app, key, "form-missing", "data=1", { query: { formKey: "data" }, contentType: "text/plain" }), 400);
    assertError(await push(app, key, "form-missing", "zzz", { query: { formKey: "data" }, contentType: "multipart/form-data; boundary=x" }), 400);
  });

  it("an empty field is empty report data (422)", async () => {
    assertError(
      await push(app, key, "form-empty", "data=%20&x=1", { query: { formKey: "data" }, contentType: "application/x-www-form-urlencoded" }),
      422,
      "Empty report data",
      { errorCode: "ERROR_EMPTY_REPORT_DATA" },
    );
  });
});

describe("tags", () => {
  it("drops blanks and duplicates and keeps the order", async () => {
    const instance = await pushOk(app, key, "tags", "1", { query: { tags: "b,a,, b , c ,a," } });
    assert.deepEqual(instance.tags, ["b", "a", "c"]);
    assert.deepEqual((await readBack("tags", instance.id)).tags, ["b", "a", "c"]);
  });

  it("an empty tags parameter gives no tags", async () => {
    assert.deepEqual((await pushOk(app, key, "tags", "1", { query: { tags: "" } })).tags, []);
  });

  it("accepts 10 tags and refuses 11 with 400", async () => {
    const tags = (n: number) => Array.from({ length: n }, (_, i) => `t${i}`).join(",");
    assert.equal((await pushOk(app, key, "tags", "1", { query: { tags: tags(10) } })).tags.length, 10);
    assertError(await push(app, key, "tags", "1", { query: { tags: tags(11) } }), 400, /Too many tags/);
    assert.equal((await pushOk(app, key, "tags", "1", { query: { tags: `${tags(10)},t0,t1, ,` } })).tags.length, 10, "duplicates and blanks do not count");
  });

  it("accepts a 200-character tag and refuses a 201-character one with 400", async () => {
    assert.deepEqual((await pushOk(app, key, "tags", "1", { query: { tags: "x".repeat(200) } })).tags, ["x".repeat(200)]);
    assertError(await push(app, key, "tags", "1", { query: { tags: `ok,${"x".repeat(201)}` } }), 400, /Tag too long/);
  });

  it("tags with quotes, backslashes, braces and spaces inside survive storage", async () => {
    const odd = ['say "hi"', "back\\slash", "{braces}", "two words", "ünïcødé:✓"];
    const instance = await pushOk(app, key, "tags-odd", "1", { query: { tags: odd.join(",") } });
    assert.deepEqual(instance.tags, odd);
    assert.deepEqual((await readBack("tags-odd", instance.id)).tags, odd);
  });
});

describe("created", () => {
  it("an explicit time with a zone is converted to UTC", async () => {
    const instance = await pushOk(app, key, "created", "1", { query: { created: "2024-01-15T12:00:00+02:00" } });
    assert.equal(instance.created, "2024-01-15T10:00:00.000Z");
    assert.equal((await readBack("created", instance.id)).created, "2024-01-15T10:00:00.000Z");
  });

  it("a time without a zone is UTC, whatever the server's time zone", async () => {
    for (const created of ["2024-01-15T12:00:00", "2024-01-15 12:00:00", "2024-01-15T12:00"]) {
      assert.equal((await pushOk(app, key, "created", "1", { query: { created } })).created, "2024-01-15T12:00:00.000Z", created);
    }
    assert.equal((await pushOk(app, key, "created", "1", { query: { created: "2024-01-15" } })).created, "2024-01-15T00:00:00.000Z");
  });

  it("fractions of a second and other zone spellings are read", async () => {
    const cases: [string, string][] = [
      ["2024-01-15T12:00:00.250Z", "2024-01-15T12:00:00.250Z"],
      ["2024-01-15T12:00:00.123456-05:30", "2024-01-15T17:30:00.123Z"],
      ["2024-01-15T12:00:00+0100", "2024-01-15T11:00:00.000Z"],
    ];
    for (const [created, expected] of cases) {
      assert.equal((await pushOk(app, key, "created", "1", { query: { created } })).created, expected, created);
    }
  });

  it("a time in the future is refused with 400, not replaced", async () => {
    const future = new Date(Date.now() + 3_600_000).toISOString();
    assertError(await push(app, key, "created-future", "1", { query: { created: future } }), 400, /future/);
    assertError(await push(app, key, "created-future", "1", { query: { created: "3000-01-01T00:00:00Z" } }), 400, /future/);
  });

  it("a time that is no time is refused with 400", async () => {
    for (const created of ["garbage", "1", "12", "foo 2024", "2024-02-30", "2024-13-01", "2024-01-15T25:00:00Z", "yesterday", " "]) {
      assertError(await push(app, key, "created-bad", "1", { query: { created } }), 400, /created/, { label: `created=${created}` });
    }
    const list = okResult(await apiCall<unknown[]>(app, "GET", "/reports?prefix=created-", { key }));
    assert.deepEqual(list, []);
  });
});

describe("delimiter and header", () => {
  it("an explicit delimiter of up to 4 characters splits csv and tokens", async () => {
    assert.deepEqual(table(await pushOk(app, key, "delim", "a::b\n1::2\n", { query: { format: "csv", delimiter: "::" } })), {
      rows: [["a", "b"], ["1", "2"]],
      header: [0],
    });
    assert.deepEqual((await pushOk(app, key, "delim", "1|2|3", { query: { format: "tokens", delimiter: "|" } })).rows, [["1", "2", "3"]]);
    assert.equal((await push(app, key, "delim", "1<=>2", { query: { format: "tokens", delimiter: "<=>=" } })).status, 200);
  });

  it("a delimiter of 5 characters, or none, is refused with 400", async () => {
    assertError(await push(app, key, "delim", "1", { query: { delimiter: "abcde" } }), 400, /delimiter/);
    assertError(await push(app, key, "delim", "1", { query: { delimiter: "" } }), 400, /delimiter/);
  });

  it("header=0,1 makes the first two rows the header", async () => {
    const instance = await pushOk(app, key, "header", "a b\nc d\n1 2\n", { query: { format: "tokens", header: "0,1" } });
    assert.deepEqual(table(instance), { rows: [["a", "b"], ["c", "d"], ["1", "2"]], header: [0, 1] });
  });

  it("header= (empty) forces no header where one would be detected", async () => {
    const detected = await pushOk(app, key, "header", "name,value\nx,1\ny,2\n");
    assert.deepEqual(detected.header, [0]);
    const forced = await pushOk(app, key, "header", "name,value\nx,1\ny,2\n", { query: { header: "" } });
    assert.deepEqual(forced.header, []);
  });

  it("a header that is not a list of row indexes is refused with 400", async () => {
    for (const header of ["a", "-1", "0;1", "1.5", "99999999999999999999"]) {
      assertError(await push(app, key, "header", "a b\n1 2", { query: { header } }), 400, /Invalid header/, { label: `header=${header}` });
    }
  });
});

describe("autotags and link", () => {
  it("autotags=ip adds the client's address as a tag, after the given tags", async () => {
    const instance = await pushOk(app, key, "autotags", "1", { query: { tags: "host:web1", autotags: "ip" } });
    assert.equal(instance.tags.length, 2);
    assert.equal(instance.tags[0], "host:web1");
    assert.match(instance.tags[1]!, /^ip:(127\.0\.0\.1|::1)$/);
  });

  it("X-Forwarded-For is not believed when no proxy is trusted", async () => {
    const instance = await pushOk(app, key, "autotags", "1", { query: { autotags: "ip" }, headers: { "x-forwarded-for": "6.6.6.6" } });
    assert.ok(!instance.tags.includes("ip:6.6.6.6"), JSON.stringify(instance.tags));
  });

  it("the automatic tag counts toward the 10 tags: refused with 400 rather than dropped", async () => {
    const tags = (n: number) => Array.from({ length: n }, (_, i) => `t${i}`).join(",");
    const nine = await pushOk(app, key, "autotags", "1", { query: { tags: tags(9), autotags: "ip" } });
    assert.equal(nine.tags.length, 10);
    assert.match(nine.tags[9]!, /^ip:/);
    assertError(await push(app, key, "autotags", "1", { query: { tags: tags(10), autotags: "ip" } }), 400, /Too many tags/);
    const ipTag = nine.tags[9]!;
    const same = await pushOk(app, key, "autotags", "1", { query: { tags: `${tags(9)},${ipTag}`, autotags: "ip" } });
    assert.deepEqual(same.tags, nine.tags, "an ip tag given by hand is not counted twice");
  });

  it("behind a trusted proxy, the first X-Forwarded-For entry is the address", async () => {
    // The running app reads its config on every request; a second app just for this would be slow.
    app.config.trustProxy = true;
    try {
      const instance = await pushOk(app, key, "autotags", "1", {
        query: { autotags: "ip" },
        headers: { "x-forwarded-for": "203.0.113.7, 10.0.0.1" },
      });
      assert.deepEqual(instance.tags, ["ip:203.0.113.7"]);
    } finally {
      app.config.trustProxy = false;
    }
  });

  it("an unknown automatic tag is refused with 400", async () => {
    assertError(await push(app, key, "autotags", "1", { query: { autotags: "ip,hostname" } }), 400, /autotags/);
  });

  it("a link is stored with the instance, answered by the API and shown by the web viewer", async () => {
    const owner = await app.createUser({ name: "Link Owner" });
    const linkKey = await newKey(app, owner.accountId, "full");
    const link = "https://ci.example.com/build/42?x=1&y=2";
    const instance = await pushOk(app, linkKey, "linked", "1", { query: { link } });
    assert.equal(instance.link, link);
    const caller = await app.caller({ sessionId: (await app.sessionCookie(owner.userId)).sessionId });
    const viewed = await caller.reports.view({ name: "linked" });
    assert.equal(viewed.instance?.id.replace(/-/g, ""), instance.id);
    assert.equal(viewed.instance?.link, link);
  });

  it("a 5000-character link is accepted; 5001 characters or a non-http link is refused with 400", async () => {
    const url = (n: number) => `https://e.example/${"a".repeat(n - "https://e.example/".length)}`;
    assert.equal((await push(app, key, "linked", "1", { query: { link: url(5000) } })).status, 200);
    assertError(await push(app, key, "linked", "1", { query: { link: url(5001) } }), 400, /Link too long/);
    assertError(await push(app, key, "linked", "1", { query: { link: "javascript:alert(1)" } }), 400, /link/i);
  });
});

describe("report names", () => {
  const post = (rawName: string, body = "1") =>
    apiCall<Instance>(app, "POST", `/reports/${rawName}`, { key, body, contentType: "text/plain" });

  it("letters, digits and _ - . : are allowed, and the href of such a report works", async () => {
    const instance = okResult(await post("Web_1-disk.free:root"));
    const read = okResult(await apiCall<Instance>(app, "GET", instance.href, { key }));
    assert.equal(read.id, instance.id);
    const listed = okResult(await apiCall<Instance[]>(app, "GET", "/reports/Web_1-disk.free:root/instances", { key }));
    assert.deepEqual(
      listed.map((i) => i.id),
      [instance.id],
    );
    const encoded = okResult(await apiCall<Instance[]>(app, "GET", "/reports/Web_1-disk.free%3Aroot/instances", { key }));
    assert.deepEqual(
      encoded.map((i) => i.id),
      [instance.id],
      "a percent-encoded name is the same report",
    );
  });

  it("200 characters are allowed, 201 are refused with 400", async () => {
    assert.equal((await post("n".repeat(200))).status, 200);
    assertError(await post("n".repeat(201)), 400, /too long/);
  });

  it("characters outside the allowed set are refused with 400", async () => {
    for (const name of ["a%20b", "a%2Fb", "%C3%BC", "a%2Cb", "a%3Bb", "a'b", "a%22b", "%3Cscript%3E", "a%25b", "a%5Cb", "a%00b"]) {
      assertError(await post(name), 400, undefined, { label: `name ${name}` });
    }
  });

  it("an empty name cannot be posted to: /reports/ is the list, which takes no POST (405)", async () => {
    assertError(await post(""), 405);
  });

  it("names made only of dots are refused with 400 (a URL cannot address them)", async () => {
    // fetch would resolve . and .. segments itself: send the path verbatim.
    const raw = (path: string) =>
      new Promise<{ status: number; body: { success: boolean; details?: { message?: string } } }>((resolve, reject) => {
        const url = new URL(app.url);
        const req = httpRequest(
          { host: url.hostname, port: url.port, method: "POST", path, headers: { authorization: `Bearer ${key}` } },
          (res) => {
            let text = "";
            res.on("data", (c: Buffer) => (text += c.toString()));
            res.on("end", () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as { success: boolean } }));
          },
        );
        req.on("error", reject);
        req.end("1");
      });
    for (const name of [".", "..", "%2E", "%2E%2E"]) {
      const reply = await raw(`/api/v1/reports/${name}`);
      assert.equal(reply.status, 400, `report ${name}: ${JSON.stringify(reply.body)}`);
      assert.match(reply.body.details?.message ?? "", /Invalid report name/);
    }
    assert.equal((await post("...")).status, 200, "three dots are an ordinary name");
  });
});

describe("checks in the contract's order", () => {
  it("an empty or whitespace-only body is 422 ERROR_EMPTY_REPORT_DATA, Empty report data", async () => {
    for (const body of ["", " ", "\n\n", " \t\r\n "]) {
      assertError(await push(app, key, "empty", body), 422, "Empty report data", { errorCode: "ERROR_EMPTY_REPORT_DATA" });
    }
    assertError(await push(app, key, "empty", "", { query: { format: "json" } }), 422, "Empty report data", { errorCode: "ERROR_EMPTY_REPORT_DATA" });
  });

  it("emptiness is checked before the name and the parameters", async () => {
    assertError(await apiCall(app, "POST", "/reports/a%20b?tags=,", { key, body: " " }), 422, "Empty report data", { errorCode: "ERROR_EMPTY_REPORT_DATA" });
    const tooMany = Array.from({ length: 11 }, (_, i) => `t${i}`).join(",");
    assertError(await push(app, key, "empty", "\n", { query: { tags: tooMany, created: "garbage" } }), 422, undefined, { errorCode: "ERROR_EMPTY_REPORT_DATA" });
  });

  it("a body of exactly 1 MiB is accepted; one byte more is 413 ERROR_413", async () => {
    const mib = 1024 * 1024;
    const accepted = await push(app, key, "big", "x".repeat(mib), { query: { format: "single" } });
    assert.equal(accepted.status, 200);
    assertError(await push(app, key, "big", "x".repeat(mib + 1), { query: { format: "single" } }), 413);
  });

  it("the size is checked before the name and the parameters", async () => {
    const big = "x".repeat(1024 * 1024 + 10);
    assertError(await apiCall(app, "POST", "/reports/a%20b?created=garbage", { key, body: big, contentType: "text/plain" }), 413);
  });

  it("a compressed body is limited by its inflated size", async () => {
    const bomb = new Uint8Array(gzipSync(Buffer.alloc(3 * 1024 * 1024, 65)));
    assertError(await push(app, key, "big", bomb, { headers: { "content-encoding": "gzip" } }), 413);
  });

  it("parameters are checked before parsing", async () => {
    assertError(await push(app, key, "order", "not json", { query: { format: "json", tags: "x".repeat(201) } }), 400, /Tag too long/);
  });
});

describe("NUL bytes", () => {
  it("a NUL byte in the body is refused with 400, never a 500", async () => {
    assertError(await push(app, key, "nul-target", "a\u0000b"), 400);
    assertError(await push(app, key, "nul-target", new Uint8Array([0x31, 0, 0x32])), 400);
  });

  it("a NUL in any parameter, the name or a form field is refused with 400, never a 500", async () => {
    const params = ["format", "tags", "created", "delimiter", "header", "autotags", "link", "formKey"];
    for (const param of params) {
      assertError(await push(app, key, "nul-target", "1", { query: { [param]: "a\u0000" } }), 400, undefined, { label: `${param} with NUL` });
    }
    assertError(await apiCall(app, "POST", "/reports/nul%00target", { key, body: "1" }), 400);
    assertError(
      await push(app, key, "nul-target", "data=1%002", { query: { formKey: "data" }, contentType: "application/x-www-form-urlencoded" }),
      400,
    );
  });

  it("JSON spelling a NUL as an escape is accepted; the original input is kept", async () => {
    const instance = await pushOk(app, key, "nul-json", '{"a":"x\\u0000y"}', { contentType: "application/json" });
    assert.equal(instance.rows?.[1]?.[0], "x\ufffdy");
    assert.deepEqual((await readBack("nul-json", instance.id)).input, { a: "x\u0000y" });
  });

  it("nothing refused above created a report", async () => {
    const list = okResult(await apiCall<{ name: string }[]>(app, "GET", "/reports?prefix=nul", { key }));
    assert.deepEqual(
      list.map((r) => r.name),
      ["nul-json"],
    );
  });
});

describe("the parsing corpus (shared fixtures)", () => {
  const names = readdirSync(PARSING_FIXTURES)
    .filter((f) => f.endsWith(".input"))
    .map((f) => f.slice(0, -".input".length))
    .sort();

  it("the corpus is there", () => {
    assert.ok(names.length >= 10, `found ${names.length} inputs in ${PARSING_FIXTURES}`);
    for (const name of names) assert.ok(readdirSync(PARSING_FIXTURES).includes(`${name}.expected.json`), `${name}.expected.json`);
  });

  for (const name of names) {
    it(`${name}: the table and the unchanged input come back`, async () => {
      const input = readFileSync(join(PARSING_FIXTURES, `${name}.input`), "utf8");
      const expected = JSON.parse(readFileSync(join(PARSING_FIXTURES, `${name}.expected.json`), "utf8")) as { header: number[]; rows: unknown[][] };
      const instance = await pushOk(app, key, name, input);
      assert.deepEqual(table(instance), { rows: expected.rows, header: expected.header });
      const stored = await readBack(name, instance.id);
      assert.deepEqual(table(stored), { rows: expected.rows, header: expected.header });
      let json: unknown = undefined;
      try {
        json = JSON.parse(input);
      } catch {
        // not JSON: the input comes back as text
      }
      assert.deepEqual(stored.input, json === undefined ? input : json);
    });
  }
});
