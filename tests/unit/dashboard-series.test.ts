import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { PALETTE, type SeriesSpec } from "../../server/dashboard/model";
import { yAxisRange } from "../../app/components/dashboard/axes";
import { cellText, evaluateSpec, seriesColor, seriesName, specNumber, tileTitle } from "../../server/dashboard/series";
import type { Table } from "../../server/parsing/types";

const fixturesDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../shared/fixtures/parsing");
const fixture = (name: string): Table => JSON.parse(readFileSync(path.join(fixturesDir, `${name}.expected.json`), "utf8")) as Table;

const df = fixture("df");
const spec = (s: Partial<SeriesSpec>): SeriesSpec => ({ column: 0, filterColumn: -1, op: "equals", value: "0", ...s });

describe("evaluateSpec: SELECT column D WHERE column F <op> <value>", () => {
  it("gives column D of the row whose column F equals the value (df, Use% of /home)", () => {
    assert.equal(evaluateSpec(df, spec({ column: 4, filterColumn: 5, value: "/home" })), "91%");
  });

  it("compares equals as whole text, so / does not match /home", () => {
    assert.equal(evaluateSpec(df, spec({ column: 4, filterColumn: 5, value: "/" })), "64%");
    assert.equal(evaluateSpec(df, spec({ column: 4, filterColumn: 5, value: "/hom" })), undefined);
  });

  it("contains is a substring match and the first matching row wins", () => {
    assert.equal(evaluateSpec(df, spec({ column: 4, filterColumn: 0, op: "contains", value: "sda" })), "64%");
    assert.equal(evaluateSpec(df, spec({ column: 4, filterColumn: 0, op: "contains", value: "sda3" })), "91%");
  });

  it("never matches a header row", () => {
    assert.equal(evaluateSpec(df, spec({ column: 1, filterColumn: 0, value: "Filesystem" })), undefined);
  });

  it("with F = -1 the value is the index among non-header rows, counted from 0", () => {
    assert.equal(evaluateSpec(df, spec({ column: 5, filterColumn: -1, value: "0" })), "/");
    assert.equal(evaluateSpec(df, spec({ column: 5, filterColumn: -1, value: "3" })), "/home");
    const tokens: Table = { rows: [["10", "20"]], header: [] };
    assert.equal(evaluateSpec(tokens, spec({ column: 1, filterColumn: -1, value: "0" })), "20");
  });

  it("gives undefined for a row index out of range or not a whole number", () => {
    for (const value of ["4", "-1", "1.5", "x", ""]) {
      assert.equal(evaluateSpec(df, spec({ column: 5, filterColumn: -1, value })), undefined, value);
    }
  });

  it("gives undefined when no row matches or a column is beyond the table", () => {
    assert.equal(evaluateSpec(df, spec({ column: 4, filterColumn: 5, value: "/nope" })), undefined);
    assert.equal(evaluateSpec(df, spec({ column: 9, filterColumn: 5, value: "/home" })), undefined);
    assert.equal(evaluateSpec(df, spec({ column: 4, filterColumn: 9, value: "" })), undefined, "a missing F cell is not a blank one");
  });

  it("compares JSON cells as text: numbers, booleans, null as blank, objects as JSON", () => {
    const t: Table = {
      header: [0],
      rows: [
        ["k", "v"],
        [7, "seven"],
        [true, "yes"],
        [null, "blank"],
        [{ a: 1 }, "object"],
        [[1, 2], "list"],
      ],
    };
    assert.equal(evaluateSpec(t, spec({ column: 1, filterColumn: 0, value: "7" })), "seven");
    assert.equal(evaluateSpec(t, spec({ column: 1, filterColumn: 0, value: "true" })), "yes");
    assert.equal(evaluateSpec(t, spec({ column: 1, filterColumn: 0, value: "" })), "blank");
    assert.equal(evaluateSpec(t, spec({ column: 1, filterColumn: 0, value: '{"a":1}' })), "object");
    assert.equal(evaluateSpec(t, spec({ column: 1, filterColumn: 0, value: "[1,2]" })), "list");
    assert.equal(cellText(1.5), "1.5");
  });

  it("returns the selected cell as it is, keeping JSON types", () => {
    const t: Table = { header: [0], rows: [["name", "points"], ["monique", 123]] };
    assert.equal(evaluateSpec(t, spec({ column: 1, filterColumn: 0, value: "monique" })), 123);
  });
});

describe("specNumber: the selected cell read as a number", () => {
  it("reads text cells with units and percent signs (64% gives 64)", () => {
    assert.equal(specNumber(df, spec({ column: 4, filterColumn: 5, value: "/" })), 64);
    assert.equal(specNumber(df, spec({ column: 1, filterColumn: 5, value: "/home" })), 92274704);
  });

  it("gives null when no cell is found or the cell is not a number", () => {
    assert.equal(specNumber(df, spec({ column: 4, filterColumn: 5, value: "/nope" })), null);
    assert.equal(specNumber(df, spec({ column: 0, filterColumn: 5, value: "/" })), null);
  });
});

describe("seriesName: explicit name, else filter value, else <header of D> (<row>)", () => {
  it("uses the explicit name first", () => {
    assert.equal(seriesName(spec({ column: 4, filterColumn: 5, value: "/home", name: "home disk" }), df), "home disk");
  });

  it("uses the filter value when there is no name (or a blank one)", () => {
    assert.equal(seriesName(spec({ column: 4, filterColumn: 5, value: "/home" }), df), "/home");
    assert.equal(seriesName(spec({ column: 4, filterColumn: 5, value: "/home", name: "  " }), df), "/home");
  });

  it("names a row-index series after the header cell of D and the row", () => {
    assert.equal(seriesName(spec({ column: 4, filterColumn: -1, value: "2" }), df), "Use% (2)");
  });

  it("says column D when there is no header (or no table)", () => {
    const tokens: Table = { rows: [["10", "20"]], header: [] };
    assert.equal(seriesName(spec({ column: 1, filterColumn: -1, value: "0" }), tokens), "column 1 (0)");
    assert.equal(seriesName(spec({ column: 1, filterColumn: -1, value: "0" }), null), "column 1 (0)");
  });

  it("falls back to the header of D when the filter value is blank", () => {
    assert.equal(seriesName(spec({ column: 4, filterColumn: 5, op: "contains", value: "" }), df), "Use%");
  });
});

describe("tileTitle: explicit title, else report (series…) [tags]", () => {
  it("uses the explicit title", () => {
    assert.equal(tileTitle({ title: "Disk use", report: "diskfree", seriesNames: ["/"], tags: ["host:web1"] }), "Disk use");
  });

  it("builds report (names) [tags] as in diskfree (/, /home) [host:web1]", () => {
    assert.equal(tileTitle({ report: "diskfree", seriesNames: ["/", "/home"], tags: ["host:web1"] }), "diskfree (/, /home) [host:web1]");
  });

  it("lists at most five series and marks the rest with …", () => {
    const names = ["a", "b", "c", "d", "e", "f"];
    assert.equal(tileTitle({ report: "r", seriesNames: names.slice(0, 5), tags: [] }), "r (a, b, c, d, e)");
    assert.equal(tileTitle({ report: "r", seriesNames: names, tags: [] }), "r (a, b, c, d, e, …)");
  });

  it("leaves out empty parts and joins several tags", () => {
    assert.equal(tileTitle({ title: "", report: "uptime", seriesNames: [], tags: [] }), "uptime");
    assert.equal(tileTitle({ title: null, report: "uptime", seriesNames: [], tags: ["host:web1", "pid:123"] }), "uptime [host:web1, pid:123]");
  });
});

describe("seriesColor: the palette in series order unless overridden", () => {
  it("uses the palette in order and wraps around", () => {
    assert.equal(seriesColor(0, {}), PALETTE[0]);
    assert.equal(seriesColor(1, {}), PALETTE[1]);
    assert.equal(seriesColor(PALETTE.length, {}), PALETTE[0]);
    assert.equal(seriesColor(PALETTE.length + 3, {}), PALETTE[3]);
  });

  it("uses the series' own colour when given", () => {
    assert.equal(seriesColor(2, { color: "#123456" }), "#123456");
  });
});

describe("yAxisRange: Y starts at 0 for non-negative values near it; 0/1 values give 0..1", () => {
  it("is 0..1 when every value is 0 or 1", () => {
    assert.deepStrictEqual(yAxisRange([0, 1, 1, 0]), { min: 0, max: 1 });
    assert.deepStrictEqual(yAxisRange([1, 1]), { min: 0, max: 1 });
    assert.deepStrictEqual(yAxisRange([0]), { min: 0, max: 1 });
  });

  it("starts at 0 when all values are non-negative and the smallest is at most half the largest", () => {
    assert.deepStrictEqual(yAxisRange([3, 64, 91]), { min: 0 });
    assert.deepStrictEqual(yAxisRange([50, 100]), { min: 0 });
    assert.deepStrictEqual(yAxisRange([0, 0.5]), { min: 0 });
  });

  it("lets the chart choose when values are far from 0", () => {
    assert.deepStrictEqual(yAxisRange([51, 100]), {});
    assert.deepStrictEqual(yAxisRange([1000, 1010, 1005]), {});
    assert.deepStrictEqual(yAxisRange([7, 7]), {});
  });

  it("lets the chart choose when a value is negative, or there are no finite values", () => {
    assert.deepStrictEqual(yAxisRange([-1, 5]), {});
    assert.deepStrictEqual(yAxisRange([]), {});
    assert.deepStrictEqual(yAxisRange([NaN, Infinity]), {});
  });

  it("copes with many values", () => {
    const many = Array.from({ length: 300_000 }, (_, i) => i);
    assert.deepStrictEqual(yAxisRange(many), { min: 0 });
  });
});
