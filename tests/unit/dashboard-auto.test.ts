import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { isStale, masterCopiesToCreate, matchTagPattern, newSeriesForRows, promoteMaster, staleCopies } from "../../server/dashboard/auto";
import { MAX_MASTER_COPIES, MAX_SERIES, type SeriesSpec } from "../../server/dashboard/model";
import type { Table } from "../../server/parsing/types";

const fixturesDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../shared/fixtures/parsing");
const df = JSON.parse(readFileSync(path.join(fixturesDir, "df.expected.json"), "utf8")) as Table;

describe("matchTagPattern: the tag an instance has for a master's pattern", () => {
  it("host:* matches any host tag and returns it", () => {
    assert.equal(matchTagPattern("host:*", ["env:prod", "host:web7"]), "host:web7");
  });

  it("host:web* matches only hosts starting with web", () => {
    assert.equal(matchTagPattern("host:web*", ["host:db1"]), null);
    assert.equal(matchTagPattern("host:web*", ["host:db1", "host:web12"]), "host:web12");
    assert.equal(matchTagPattern("host:web*", ["host:web"]), "host:web");
  });

  it("does not match another tag name, a tag without a value, or no tags", () => {
    assert.equal(matchTagPattern("host:*", ["hostname:web1"]), null);
    assert.equal(matchTagPattern("host:*", ["host:"]), null);
    assert.equal(matchTagPattern("host:*", []), null);
  });

  it("is case-sensitive, like tags", () => {
    assert.equal(matchTagPattern("host:*", ["Host:web1"]), null);
  });
});

describe("masterCopiesToCreate: one copy of a master tile per new tag value", () => {
  const master = { tags: ["host:web1", "pid:123"], masterTagPattern: "host:*" };

  it("makes a copy for a new host, with the master's tags and the host replaced", () => {
    assert.deepStrictEqual(
      masterCopiesToCreate({ master, existingCopyValues: [], instanceTags: ["host:web7", "pid:123"], copyCount: 0 }),
      { tags: ["host:web7", "pid:123"], tagValue: "host:web7" },
    );
  });

  it("makes no copy for the master's own value or a value that already has a copy", () => {
    assert.equal(masterCopiesToCreate({ master, existingCopyValues: [], instanceTags: ["host:web1", "pid:123"], copyCount: 0 }), null);
    assert.equal(masterCopiesToCreate({ master, existingCopyValues: ["host:web7"], instanceTags: ["host:web7", "pid:123"], copyCount: 1 }), null);
  });

  it("makes no copy for an instance without a matching tag", () => {
    assert.equal(masterCopiesToCreate({ master, existingCopyValues: [], instanceTags: ["pid:123"], copyCount: 0 }), null);
    const webOnly = { tags: ["host:web1"], masterTagPattern: "host:web*" };
    assert.equal(masterCopiesToCreate({ master: webOnly, existingCopyValues: [], instanceTags: ["host:db1"], copyCount: 0 }), null);
  });

  it("makes no copy for an instance lacking the master's other tags (the copy would not show it)", () => {
    assert.equal(masterCopiesToCreate({ master, existingCopyValues: [], instanceTags: ["host:web7"], copyCount: 0 }), null);
    assert.equal(masterCopiesToCreate({ master, existingCopyValues: [], instanceTags: ["host:web7", "pid:9"], copyCount: 0 }), null);
  });

  it("adds the tag when the master has none for the pattern", () => {
    const all = { tags: ["env:prod"], masterTagPattern: "host:*" };
    assert.deepStrictEqual(masterCopiesToCreate({ master: all, existingCopyValues: [], instanceTags: ["host:web7", "env:prod"], copyCount: 0 }), {
      tags: ["env:prod", "host:web7"],
      tagValue: "host:web7",
    });
  });

  it("stops at MAX_MASTER_COPIES copies per master", () => {
    const input = { master, existingCopyValues: [], instanceTags: ["host:web7", "pid:123"] };
    assert.notEqual(masterCopiesToCreate({ ...input, copyCount: MAX_MASTER_COPIES - 1 }), null);
    assert.equal(masterCopiesToCreate({ ...input, copyCount: MAX_MASTER_COPIES }), null);
  });
});

describe("stale copies and masters", () => {
  const now = new Date("2026-01-10T12:00:00Z");
  const ago = (seconds: number) => new Date(now.getTime() - seconds * 1000);
  const hour = 3600;

  it("a copy is stale when its last data is older than the limit", () => {
    assert.equal(isStale({ lastDataAt: ago(hour + 1), createdAt: ago(10 * hour) }, now, hour), true);
    assert.equal(isStale({ lastDataAt: ago(hour), createdAt: ago(10 * hour) }, now, hour), false);
  });

  it("a copy that never had data counts from its creation", () => {
    assert.equal(isStale({ lastDataAt: null, createdAt: ago(60) }, now, hour), false);
    assert.equal(isStale({ lastDataAt: null, createdAt: ago(2 * hour) }, now, hour), true);
  });

  it("staleCopies gives the ids of the copies to remove", () => {
    const copies = [
      { id: "fresh", lastDataAt: ago(60), createdAt: ago(9 * hour) },
      { id: "old", lastDataAt: ago(5 * hour), createdAt: ago(9 * hour) },
      { id: "new-no-data", lastDataAt: null, createdAt: ago(60) },
      { id: "old-no-data", lastDataAt: null, createdAt: ago(9 * hour) },
    ];
    assert.deepStrictEqual(staleCopies(copies, now, hour), ["old", "old-no-data"]);
  });

  it("a fresh master stays master", () => {
    const master = { id: "m", lastDataAt: ago(60), createdAt: ago(9 * hour) };
    assert.equal(promoteMaster(master, [{ id: "c", lastDataAt: ago(1), createdAt: ago(hour) }], now, hour), null);
  });

  it("when the master goes stale, the fresh copy with the newest data becomes the master", () => {
    const master = { id: "m", lastDataAt: ago(5 * hour), createdAt: ago(9 * hour) };
    const copies = [
      { id: "stale", lastDataAt: ago(4 * hour), createdAt: ago(9 * hour) },
      { id: "older", lastDataAt: ago(600), createdAt: ago(9 * hour) },
      { id: "newest", lastDataAt: ago(60), createdAt: ago(8 * hour) },
    ];
    assert.equal(promoteMaster(master, copies, now, hour), "newest");
  });

  it("on equal data times the oldest copy is promoted", () => {
    const master = { id: "m", lastDataAt: null, createdAt: ago(9 * hour) };
    const copies = [
      { id: "young", lastDataAt: ago(60), createdAt: ago(2 * hour) },
      { id: "old", lastDataAt: ago(60), createdAt: ago(8 * hour) },
    ];
    assert.equal(promoteMaster(master, copies, now, hour), "old");
  });

  it("a stale master with no fresh copy stays master", () => {
    const master = { id: "m", lastDataAt: ago(5 * hour), createdAt: ago(9 * hour) };
    assert.equal(promoteMaster(master, [{ id: "c", lastDataAt: ago(3 * hour), createdAt: ago(9 * hour) }], now, hour), null);
    assert.equal(promoteMaster(master, [], now, hour), null);
  });
});

describe("newSeriesForRows: a series for each new value in the filtering column", () => {
  const slash: SeriesSpec = { column: 4, filterColumn: 5, op: "equals", value: "/", name: "/" };

  it("adds one series per new df filesystem, like the first series", () => {
    const added = newSeriesForRows({ series: [slash], autoSeries: true }, df);
    assert.deepStrictEqual(added, [
      { column: 4, filterColumn: 5, op: "equals", value: "/dev", name: "/dev" },
      { column: 4, filterColumn: 5, op: "equals", value: "/run", name: "/run" },
      { column: 4, filterColumn: 5, op: "equals", value: "/home", name: "/home" },
    ]);
  });

  it("adds nothing when the tile is not marked, has no series, or every value has a series", () => {
    assert.deepStrictEqual(newSeriesForRows({ series: [slash], autoSeries: false }, df), []);
    assert.deepStrictEqual(newSeriesForRows({ series: [], autoSeries: true }, df), []);
    const all = ["/", "/dev", "/run", "/home"].map((value) => ({ ...slash, value, name: value }));
    assert.deepStrictEqual(newSeriesForRows({ series: all, autoSeries: true }, df), []);
  });

  it("counts a value as covered when an existing contains series selects it", () => {
    const series: SeriesSpec[] = [slash, { column: 4, filterColumn: 5, op: "contains", value: "/r" }];
    assert.deepStrictEqual(
      newSeriesForRows({ series, autoSeries: true }, df).map((s) => s.value),
      ["/dev", "/home"],
    );
  });

  it("ignores header rows, blank cells and repeated values", () => {
    const t: Table = {
      header: [0],
      rows: [
        ["name", "v"],
        ["a", "1"],
        ["", "2"],
        ["b", "3"],
        ["b", "4"],
        [null, "5"],
      ],
    };
    const series: SeriesSpec[] = [{ column: 1, filterColumn: 0, op: "equals", value: "a" }];
    assert.deepStrictEqual(
      newSeriesForRows({ series, autoSeries: true }, t).map((s) => s.value),
      ["b"],
    );
  });

  it("with the row index as filter, adds a series per new row, named at display time", () => {
    const t: Table = { header: [], rows: [["10"], ["20"], ["30"]] };
    const series: SeriesSpec[] = [{ column: 0, filterColumn: -1, op: "equals", value: "0" }];
    assert.deepStrictEqual(newSeriesForRows({ series, autoSeries: true }, t), [
      { column: 0, filterColumn: -1, op: "equals", value: "1" },
      { column: 0, filterColumn: -1, op: "equals", value: "2" },
    ]);
  });

  it("stops at MAX_SERIES series per tile", () => {
    const rows = Array.from({ length: 150 }, (_, i) => [`fs${i}`, String(i)]);
    const t: Table = { header: [], rows };
    const series: SeriesSpec[] = [{ column: 1, filterColumn: 0, op: "equals", value: "fs0", name: "fs0" }];
    const added = newSeriesForRows({ series, autoSeries: true }, t);
    assert.equal(series.length + added.length, MAX_SERIES);
    assert.equal(added[0].value, "fs1");
    const full = Array.from({ length: MAX_SERIES }, (_, i) => ({ ...series[0], value: `x${i}` }));
    assert.deepStrictEqual(newSeriesForRows({ series: full, autoSeries: true }, t), []);
  });

  it("reads JSON cells as text", () => {
    const t: Table = {
      header: [0],
      rows: [
        ["id", "v"],
        [1, 10],
        [2, 20],
      ],
    };
    const series: SeriesSpec[] = [{ column: 1, filterColumn: 0, op: "equals", value: "1" }];
    assert.deepStrictEqual(newSeriesForRows({ series, autoSeries: true }, t), [{ column: 1, filterColumn: 0, op: "equals", value: "2", name: "2" }]);
  });
});
