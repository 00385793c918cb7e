import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { guessSpec, isDateText, labelColumnScore, labelScore } from "../../server/dashboard/guess";
import { seriesSpec } from "../../server/dashboard/model";
import { evaluateSpec, seriesName } from "../../server/dashboard/series";
import { parseInput } from "../../server/parsing/index";
import type { Table } from "../../server/parsing/types";

const fixturesDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../shared/fixtures/parsing");

/** A corpus table: NAME.input parsed with format any, checked against NAME.expected.json. */
function fixture(name: string): Table {
  const expected = JSON.parse(readFileSync(path.join(fixturesDir, `${name}.expected.json`), "utf8")) as Table;
  const r = parseInput(readFileSync(path.join(fixturesDir, `${name}.input`), "utf8"), { format: "any" });
  assert.ok(r.ok, `cannot parse ${name}`);
  assert.deepStrictEqual({ header: r.table.header, rows: r.table.rows }, expected);
  return expected;
}

/** The row index (in table.rows) of the first row whose column `col` is `text`. */
function rowOf(table: Table, col: number, text: string): number {
  const i = table.rows.findIndex((r) => r[col] === text);
  assert.ok(i >= 0, `no row with ${text}`);
  return i;
}

describe("labelScore: how much a cell looks like a label", () => {
  it("is 0 for numbers, blanks and non-text cells", () => {
    for (const cell of ["64%", "1,234", "12.5ms", "", "  ", 42, true, null, { a: 1 }, undefined]) {
      assert.equal(labelScore(cell), 0, JSON.stringify(cell));
    }
  });

  it("is 0.5 for dates and times", () => {
    for (const d of ["2026-11-01", "2026-11-01T10:00:00Z", "01/11/2026", "09:14", "0:07", "Nov28", "Nov 28 2024", "5d2h", "2 hours ago"]) {
      assert.ok(isDateText(d), d);
      assert.equal(labelScore(d), 0.5, d);
    }
  });

  it("is 1 for plain words, minus 0.1 per digit group, at most 5 counted", () => {
    assert.equal(labelScore("udev"), 1);
    assert.equal(labelScore("/"), 1, "text without letters still counts");
    assert.equal(labelScore("/dev/sda1"), 0.9);
    assert.equal(labelScore("/usr/lib/postgresql/15/bin/postgres"), 0.9);
    assert.equal(labelScore("a1b2c3"), 0.7);
    assert.equal(labelScore("a1b2c3d4e5f6g7"), 0.5);
  });

  it("takes 0.3 off for a standalone size word (kb, mb, gb, tb, bytes)", () => {
    assert.equal(labelScore("free space in bytes"), 0.7);
    assert.equal(labelScore("1.5 GB free"), 0.5);
    assert.equal(labelScore("a1b2c3d4e5 kb"), 0.2);
    assert.equal(labelScore("1a2b3c4d5e6 MB x"), 0.2);
    assert.equal(labelScore("kbd"), 1, "a size word must stand alone");
  });
});

describe("labelColumnScore: which columns qualify and how they score", () => {
  it("scores unique values × label fraction × mean label score", () => {
    assert.equal(labelColumnScore(["/", "/dev", "/run", "/home"], 3), 4);
    assert.ok(Math.abs((labelColumnScore(["/dev/sda1", "udev", "tmpfs", "/dev/sda3"], 3) ?? 0) - 3.8) < 1e-9);
  });

  it("needs at least half the cells to be labels", () => {
    assert.equal(labelColumnScore(["a", "1", "2"], 0), null);
    assert.notEqual(labelColumnScore(["a", "b", "1", "2"], 0), null);
  });

  it("needs the clicked row's value to be unique", () => {
    assert.equal(labelColumnScore(["Running", "Running", "CrashLoopBackOff"], 0), null);
    assert.notEqual(labelColumnScore(["Running", "Running", "CrashLoopBackOff"], 2), null);
  });

  it("refuses a column holding one value repeated", () => {
    assert.equal(labelColumnScore(["?", "?", "?"], 0), null);
  });
});

describe("guessSpec: the spec proposed for a clicked cell", () => {
  it("df: clicking Use% of the row mounted on /home gives SELECT 4 WHERE 5 equals /home, named /home", () => {
    const df = fixture("df");
    const spec = guessSpec(df, rowOf(df, 5, "/home"), 4);
    assert.deepStrictEqual(spec, { column: 4, filterColumn: 5, op: "equals", value: "/home", name: "/home" });
    assert.equal(evaluateSpec(df, spec), "91%");
  });

  it("df: any number of a row is filtered by its mount point, which beats the device names", () => {
    const df = fixture("df");
    for (const [mount, col] of [["/", 1], ["/dev", 2], ["/run", 3]] as const) {
      assert.deepStrictEqual(guessSpec(df, rowOf(df, 5, mount), col), { column: col, filterColumn: 5, op: "equals", value: mount, name: mount });
    }
  });

  it("10 20: clicking 20 gives SELECT 1 WHERE -1 equals 0", () => {
    const t = fixture("two-numbers");
    const spec = guessSpec(t, 0, 1);
    assert.deepStrictEqual(spec, { column: 1, filterColumn: -1, op: "equals", value: "0" });
    assert.equal(evaluateSpec(t, spec), "20");
    assert.equal(seriesName(spec, t), "column 1 (0)");
  });

  it("a 1×1 table gives the series name value", () => {
    for (const name of ["single-word", "json-scalar"]) {
      assert.deepStrictEqual(guessSpec(fixture(name), 0, 0), { column: 0, filterColumn: -1, op: "equals", value: "0", name: "value" });
    }
  });

  it("a one-row table names the series after the header cell and selects row 0", () => {
    const t: Table = { header: [0], rows: [["status", "load"], ["ok", 0.5]] };
    assert.deepStrictEqual(guessSpec(t, 1, 1), { column: 1, filterColumn: -1, op: "equals", value: "0", name: "load" });
  });

  it("ps aux: a process's numbers are filtered by USER", () => {
    const ps = fixture("ps-aux");
    for (const user of ["root", "postgres", "www-data"]) {
      for (const col of [1, 2, 3, 4, 5]) {
        assert.deepStrictEqual(guessSpec(ps, rowOf(ps, 0, user), col), { column: col, filterColumn: 0, op: "equals", value: user, name: user });
      }
    }
  });

  it("psql: points are filtered by user_name, not by the repeated is_active flag", () => {
    const t = fixture("psql");
    for (const user of ["john", "monique", "anna"]) {
      assert.deepStrictEqual(guessSpec(t, rowOf(t, 0, user), 2), { column: 2, filterColumn: 0, op: "equals", value: user, name: user });
    }
  });

  it("kubectl: the api pods' numbers are filtered by pod NAME (STATUS and RESTARTS lose)", () => {
    const t = fixture("kubectl");
    for (const pod of ["api-7d9f8c6b5d-2xkqp", "api-7d9f8c6b5d-9tzlm"]) {
      for (const col of [1, 3, 4]) {
        assert.deepStrictEqual(guessSpec(t, rowOf(t, 0, pod), col), { column: col, filterColumn: 0, op: "equals", value: pod, name: pod });
      }
    }
  });

  it("kubectl: in the crashing pod's row the unique STATUS outscores the hash-like pod names, as the scores say", () => {
    const t = fixture("kubectl");
    // NAME: 3 × 1 × 0.5 (six digit groups each); STATUS: 2 × 1 × 1.
    const spec = guessSpec(t, rowOf(t, 0, "worker-5c8d7f9b8-kq2wd"), 3);
    assert.deepStrictEqual(spec, { column: 3, filterColumn: 2, op: "equals", value: "CrashLoopBackOff", name: "CrashLoopBackOff" });
  });

  it("docker ps: on a tie the column of shorter texts (NAMES) wins over COMMAND", () => {
    const t = fixture("docker-ps");
    assert.equal(guessSpec(t, rowOf(t, 6, "db"), 4).filterColumn, 6);
  });

  it("mysql and meminfo: the label column is found whatever its position", () => {
    const mysql = fixture("mysql");
    assert.deepStrictEqual(guessSpec(mysql, 2, 2), { column: 2, filterColumn: 1, op: "equals", value: "http://web/docs", name: "http://web/docs" });
    const meminfo = fixture("meminfo");
    assert.deepStrictEqual(guessSpec(meminfo, 1, 1), { column: 1, filterColumn: 0, op: "equals", value: "MemFree", name: "MemFree" });
  });

  it("uses the row index among non-header rows when no column qualifies", () => {
    const t: Table = {
      header: [0],
      rows: [
        ["a", "b"],
        ["1", "2"],
        ["3", "4"],
        ["5", "6"],
      ],
    };
    const spec = guessSpec(t, 3, 1);
    assert.deepStrictEqual(spec, { column: 1, filterColumn: -1, op: "equals", value: "2" });
    assert.equal(evaluateSpec(t, spec), "6");
    assert.equal(seriesName(spec, t), "b (2)");
  });

  it("JSON tables: filters by the text of a JSON label column", () => {
    const t = fixture("json-objects");
    assert.deepStrictEqual(guessSpec(t, 2, 1), { column: 1, filterColumn: 0, op: "equals", value: "john", name: "john" });
  });

  it("every guess is a valid spec that selects the clicked cell, on every corpus table", () => {
    const names = ["df", "ps-aux", "psql", "kubectl", "docker-ps", "mysql", "meminfo", "two-numbers", "single-word", "json-scalar", "json-objects"];
    for (const name of names) {
      const t = fixture(name);
      t.rows.forEach((row, r) => {
        if (t.header.includes(r)) return;
        row.forEach((cell, c) => {
          const spec = guessSpec(t, r, c);
          assert.ok(seriesSpec.safeParse(spec).success, `${name} ${r},${c}`);
          assert.equal(evaluateSpec(t, spec), cell, `${name} ${r},${c}`);
        });
      });
    }
  });

  it("refuses a header cell or a cell outside the table", () => {
    const df = fixture("df");
    assert.throws(() => guessSpec(df, 0, 4), RangeError);
    assert.throws(() => guessSpec(df, 9, 4), RangeError);
    assert.throws(() => guessSpec(df, 1, 6), RangeError);
    assert.throws(() => guessSpec(df, 1, -1), RangeError);
  });
});
