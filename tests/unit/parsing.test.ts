import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { cellNumber, parseInput, type ParseOptions, type ParseResult } from "../../server/parsing/index";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const fixturesDir = path.resolve(repoRoot, "../shared/fixtures/parsing");

function table(input: string, options: ParseOptions = {}): { header: number[]; rows: unknown[][]; format: string } {
  const r = parseInput(input, options);
  assert.ok(r.ok, `expected a table, got: ${r.ok ? "" : r.reason}`);
  return { header: r.table.header, rows: r.table.rows, format: r.format };
}

function cannotParse(input: string, options: ParseOptions = {}): string {
  const r: ParseResult = parseInput(input, options);
  assert.equal(r.ok, false, `expected "cannot parse", got ${JSON.stringify(r)}`.slice(0, 300));
  return r.ok ? "" : r.reason;
}

describe("parsing corpus: every NAME.input in shared/fixtures/parsing gives NAME.expected.json", () => {
  const inputs = readdirSync(fixturesDir)
    .filter((f) => f.endsWith(".input"))
    .sort();

  it("the corpus is there and every input has its expected table", () => {
    assert.ok(inputs.length > 0, `no fixtures in ${fixturesDir}`);
    for (const f of inputs) {
      const expected = path.join(fixturesDir, f.replace(/\.input$/, ".expected.json"));
      assert.ok(existsSync(expected), `missing ${expected}`);
    }
  });

  for (const f of inputs) {
    const name = f.replace(/\.input$/, "");
    it(`${name} parses with format any into its expected table`, () => {
      const input = readFileSync(path.join(fixturesDir, f), "utf8");
      const expected = JSON.parse(readFileSync(path.join(fixturesDir, `${name}.expected.json`), "utf8")) as unknown;
      const r = parseInput(input, { format: "any" });
      assert.ok(r.ok, `cannot parse ${name}: ${r.ok ? "" : r.reason}`);
      assert.deepStrictEqual({ header: r.table.header, rows: r.table.rows }, expected);
    });
  }
});

describe("json", () => {
  it("an object gives a header row of its keys and one row of values (the API example)", () => {
    assert.deepStrictEqual(table('{"c1": 1, "c2": 2}'), { header: [0], rows: [["c1", "c2"], [1, 2]], format: "json" });
  });

  it("an array of objects gives one column per key in order of first appearance, null when missing", () => {
    const t = table('[{"a":1},{"b":true,"a":2},{"c":"x"}]');
    assert.deepStrictEqual(t.rows, [
      ["a", "b", "c"],
      [1, null, null],
      [2, true, null],
      [null, null, "x"],
    ]);
    assert.deepStrictEqual(t.header, [0]);
  });

  it("an array of arrays gives the rows as given, padded with null, without header", () => {
    assert.deepStrictEqual(table("[[1,2,3],[4],[]]"), {
      header: [],
      rows: [
        [1, 2, 3],
        [4, null, null],
        [null, null, null],
      ],
      format: "json",
    });
  });

  it("an array of scalars gives one row per scalar", () => {
    assert.deepStrictEqual(table('[1, "two", null, false]').rows, [[1], ["two"], [null], [false]]);
  });

  it("a scalar gives a 1x1 table keeping its JSON type", () => {
    assert.deepStrictEqual(table("42\n"), { header: [], rows: [[42]], format: "json" });
    assert.deepStrictEqual(table('"hello"').rows, [["hello"]]);
    assert.deepStrictEqual(table("true").rows, [[true]]);
  });

  it("flattens nested objects into dotted keys", () => {
    assert.deepStrictEqual(table('{"host":"web1","t":{"dns":0.2,"tcp":{"connect":0.1}}}').rows, [
      ["host", "t.dns", "t.tcp.connect"],
      ["web1", 0.2, 0.1],
    ]);
  });

  it("unnests an array of objects into several rows repeating the sibling values", () => {
    const t = table('{"server":"s1","checks":[{"url":"/a","ms":1},{"url":"/b","ms":2}],"after":"z"}');
    assert.deepStrictEqual(t.rows, [
      ["server", "checks.url", "checks.ms", "after"],
      ["s1", "/a", 1, "z"],
      ["s1", "/b", 2, "z"],
    ]);
  });

  it("unnests arrays of objects inside each element of a top-level array", () => {
    assert.deepStrictEqual(table('[{"h":"a","d":[{"n":1},{"n":2}]},{"h":"b","d":[{"n":3}]}]').rows, [
      ["h", "d.n"],
      ["a", 1],
      ["a", 2],
      ["b", 3],
    ]);
  });

  it("keeps arrays of scalars (and mixed arrays) as one cell", () => {
    assert.deepStrictEqual(table('{"tags":["a","b"],"mixed":[1,{"x":1}],"none":[]}').rows, [
      ["tags", "mixed", "none"],
      [["a", "b"], [1, { x: 1 }], []],
    ]);
  });

  it("jsonraw keeps nested values whole, without flattening or unnesting", () => {
    const t = table('{"server":"s1","checks":[{"url":"/a"},{"url":"/b"}],"t":{"dns":0.2}}', { format: "jsonraw" });
    assert.equal(t.format, "jsonraw");
    assert.deepStrictEqual(t.rows, [
      ["server", "checks", "t"],
      ["s1", [{ url: "/a" }, { url: "/b" }], { dns: 0.2 }],
    ]);
    assert.deepStrictEqual(t.header, [0]);
  });

  it("accepts 1000 columns but cannot parse 1001", () => {
    const obj = (n: number) => JSON.stringify(Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i])));
    assert.equal(table(obj(1000)).rows[0].length, 1000);
    cannotParse(obj(1001));
    cannotParse(obj(1001), { format: "jsonraw" });
    cannotParse(JSON.stringify([Array.from({ length: 1001 }, () => 1)]));
  });

  it("accepts 10,000 rows but cannot parse 10,001", () => {
    const rows = (n: number) => JSON.stringify(Array.from({ length: n }, (_, i) => ({ i })));
    assert.equal(table(rows(10_000)).rows.length, 10_001); // header + 10,000 rows
    cannotParse(rows(10_001));
    cannotParse(JSON.stringify(Array.from({ length: 10_001 }, (_, i) => i)));
  });

  it("cannot parse when unnesting makes more than 10,000 rows", () => {
    const list = (key: string, n: number) => JSON.stringify(Array.from({ length: n }, (_, i) => ({ [key]: i })));
    // 101 x 100 = 10,100 rows (a cross product of two nested lists).
    cannotParse(`{"a":${list("x", 101)},"b":${list("y", 100)}}`);
    assert.equal(table(`{"a":${list("x", 100)},"b":${list("y", 100)}}`).rows.length, 10_001);
  });

  it("cannot parse JSON nested deeper than 100 levels", () => {
    assert.match(cannotParse("[".repeat(200) + "]".repeat(200)), /nested/);
  });

  it("format json cannot parse invalid JSON, while any falls back to the text formats", () => {
    assert.match(cannotParse("{oops", { format: "json" }), /JSON/);
    assert.equal(table("{oops").format, "single");
  });

  it("an empty array or object is an empty table", () => {
    assert.deepStrictEqual(table("[]"), { header: [], rows: [], format: "json" });
    assert.deepStrictEqual(table("{}"), { header: [], rows: [], format: "json" });
  });
});

describe("csv", () => {
  it("detects ; when commas are decimal separators", () => {
    const t = table("day;value\n2026-11-01;35,40\n2026-11-02;41,10\n");
    assert.equal(t.format, "csv");
    assert.deepStrictEqual(t.rows, [
      ["day", "value"],
      ["2026-11-01", "35,40"],
      ["2026-11-02", "41,10"],
    ]);
  });

  it("handles quoted fields with delimiters, doubled quotes and newlines (RFC 4180)", () => {
    const t = table('a,b\n"x, y","say ""hi"""\n"multi\nline",2\n', { format: "csv" });
    assert.deepStrictEqual(t.rows, [
      ["a", "b"],
      ["x, y", 'say "hi"'],
      ["multi\nline", "2"],
    ]);
  });

  it("skips empty lines, trims cells and pads short rows with empty strings", () => {
    assert.deepStrictEqual(table(" a , b ,c\n\n1,2\n\n  \n3, 4 ,5\n", { format: "csv" }).rows, [
      ["a", "b", "c"],
      ["1", "2", ""],
      ["3", "4", "5"],
    ]);
  });

  it("uses the given delimiter, including a multi-character one", () => {
    assert.deepStrictEqual(table("a|b\n1|2\n", { format: "csv", delimiter: "|" }).rows, [
      ["a", "b"],
      ["1", "2"],
    ]);
    assert.deepStrictEqual(table("a::b::c\n1::2::3\n", { format: "csv", delimiter: "::" }).rows, [
      ["a", "b", "c"],
      ["1", "2", "3"],
    ]);
  });

  it("a given delimiter makes any parse CSV with it", () => {
    const t = table("a/b\n1/2\n", { delimiter: "/" });
    assert.equal(t.format, "csv");
    assert.deepStrictEqual(t.rows, [
      ["a", "b"],
      ["1", "2"],
    ]);
  });

  it("has header [0] when the first row is labels over values, none when it is values", () => {
    assert.deepStrictEqual(table("host,cpu\nweb1,12\nweb2,13\n").header, [0]);
    assert.deepStrictEqual(table("1,2\n3,4\n").header, []);
  });

  it("reads CRLF line ends", () => {
    assert.deepStrictEqual(table("host,cpu\r\nweb1,12\r\n").rows, [
      ["host", "cpu"],
      ["web1", "12"],
    ]);
  });

  it("a tab-separated table is CSV: a consistent delimiter beats whitespace alignment", () => {
    assert.equal(table("host\tcpu\nweb1\t12.5\nweb2\t80.1\n").format, "csv");
  });
});

describe("asciitable", () => {
  it("reads psql output: rows above the first rule are the header, footer dropped", () => {
    const t = table(" name | n\n------+---\n a    | 1\n b    | 2\n(2 rows)\n\n");
    assert.deepStrictEqual(t, { header: [0], rows: [["name", "n"], ["a", "1"], ["b", "2"]], format: "asciitable" });
  });

  it("reads MySQL boxes and keeps an empty last cell", () => {
    const input = "+----+------+\n| id | note |\n+----+------+\n|  1 |      |\n|  2 | ok   |\n+----+------+\n2 rows in set (0.00 sec)\n";
    assert.deepStrictEqual(table(input).rows, [
      ["id", "note"],
      ["1", ""],
      ["2", "ok"],
    ]);
  });

  it("reads Markdown pipe tables, with escaped bars and alignment rows", () => {
    const t = table("| name | value |\n|:-----|------:|\n| a \\| b | 1 |\n| c | 2 |\n");
    assert.deepStrictEqual(t.rows, [
      ["name", "value"],
      ["a | b", "1"],
      ["c", "2"],
    ]);
    assert.deepStrictEqual(t.header, [0]);
  });

  it("reads Unicode box drawings", () => {
    const t = table("┌──────┬───────┐\n│ name │ value │\n├──────┼───────┤\n│ a    │     1 │\n└──────┴───────┘\n");
    assert.deepStrictEqual(t, { header: [0], rows: [["name", "value"], ["a", "1"]], format: "asciitable" });
  });

  it("drops a title line above a psql table", () => {
    const t = table("   List of relations\n Schema | Name\n--------+------\n public | users\n(1 row)\n");
    assert.deepStrictEqual(t.rows, [
      ["Schema", "Name"],
      ["public", "users"],
    ]);
  });

  it("cannot parse text without a drawn table when forced", () => {
    cannotParse("a b\n1 2\n", { format: "asciitable" });
  });
});

describe("asciispace", () => {
  it("keeps a multi-word header (Mounted on) as one cell", () => {
    const t = table("Use% Mounted on\n 64% /\n  1% /dev\n", { format: "asciispace" });
    assert.deepStrictEqual(t.rows, [
      ["Use%", "Mounted on"],
      ["64%", "/"],
      ["1%", "/dev"],
    ]);
  });

  it("keeps values with spaces (2 hours ago, Up 2 hours (healthy)) as one cell", () => {
    const input =
      "NAME   CREATED        STATUS\n" + "db     2 hours ago    Up 2 hours (healthy)\n" + "cache  3 days ago     Up 3 days\n";
    assert.deepStrictEqual(table(input).rows, [
      ["NAME", "CREATED", "STATUS"],
      ["db", "2 hours ago", "Up 2 hours (healthy)"],
      ["cache", "3 days ago", "Up 3 days"],
    ]);
  });

  it("lets the last column contain spaces (ps COMMAND)", () => {
    const input = "PID COMMAND\n  1 /sbin/init splash\n812 postgres -D /var/lib/pg\n";
    assert.deepStrictEqual(table(input).rows, [
      ["PID", "COMMAND"],
      ["1", "/sbin/init splash"],
      ["812", "postgres -D /var/lib/pg"],
    ]);
  });

  it("reads free's header with an empty first cell", () => {
    const input =
      "               total        used        free\n" +
      "Mem:        24683620      645236    23638328\n" +
      "Swap:        2097148           0     2097148\n";
    const t = table(input);
    assert.equal(t.format, "asciispace");
    assert.deepStrictEqual(t.rows[0], ["", "total", "used", "free"]);
    assert.deepStrictEqual(t.header, [0]);
  });

  it("drops a dash underline and takes the rows above it as the header", () => {
    const t = table("USER NAME  POINTS\n---------- ------\njohn          128\nmonique       210\n\n2 rows selected.\n");
    assert.deepStrictEqual(t, {
      header: [0],
      rows: [
        ["USER NAME", "POINTS"],
        ["john", "128"],
        ["monique", "210"],
      ],
      format: "asciispace",
    });
  });

  it("drops a prose title line above the table (netstat)", () => {
    const input =
      "Active Internet connections (only servers)\n" +
      "Proto Recv-Q Local Address           State       PID/Program name\n" +
      "tcp        0 0.0.0.0:22              LISTEN      812/sshd\n" +
      "tcp        0 127.0.0.1:5432          LISTEN      901/postgres\n";
    assert.deepStrictEqual(table(input), {
      header: [0],
      rows: [
        ["Proto", "Recv-Q", "Local Address", "State", "PID/Program name"],
        ["tcp", "0", "0.0.0.0:22", "LISTEN", "812/sshd"],
        ["tcp", "0", "127.0.0.1:5432", "LISTEN", "901/postgres"],
      ],
      format: "asciispace",
    });
  });

  it("needs at least two columns", () => {
    cannotParse("alpha\nbeta\n", { format: "asciispace" });
    cannotParse("just one line of text\n", { format: "asciispace" });
  });

  it("format ascii picks a drawn table when there is one, aligned columns otherwise", () => {
    assert.equal(table(" a | b\n---+---\n 1 | 2\n", { format: "ascii" }).format, "asciitable");
    assert.equal(table("a   b\n1   2\n", { format: "ascii" }).format, "asciispace");
    cannotParse("alpha\n", { format: "ascii" });
  });
});

describe("props", () => {
  it("reads key=value lines (.env) without a header", () => {
    assert.deepStrictEqual(table("A=1\nB=two words\nURL=postgres://h/db?x=1\n"), {
      header: [],
      rows: [
        ["A", "1"],
        ["B", "two words"],
        ["URL", "postgres://h/db?x=1"],
      ],
      format: "props",
    });
  });

  it("reads key: value reports", () => {
    assert.deepStrictEqual(table("Name: web1\nUptime: 5 days\nLoad: 0.31\n").rows, [
      ["Name", "web1"],
      ["Uptime", "5 days"],
      ["Load", "0.31"],
    ]);
  });

  it("picks the most consistent delimiter", () => {
    // ":" is on every line, "=" only on one.
    assert.deepStrictEqual(table("a: x=1\nb: 2\nc: 3\n", { format: "props" }).rows, [
      ["a", "x=1"],
      ["b", "2"],
      ["c", "3"],
    ]);
  });

  it("prefers a delimiter surrounded by spaces", () => {
    assert.deepStrictEqual(table("build - 10:30 ok\ndeploy - 10:45 failed\n", { format: "props" }).rows, [
      ["build", "10:30 ok"],
      ["deploy", "10:45 failed"],
    ]);
  });

  it("does not split times or dates (a delimiter between digits is part of the value)", () => {
    assert.deepStrictEqual(table("2026-11-01 - deploy\n2026-11-02 - rollback\n", { format: "props" }).rows, [
      ["2026-11-01", "deploy"],
      ["2026-11-02", "rollback"],
    ]);
  });

  it("falls back to first word / rest of line, and skips # comments", () => {
    assert.deepStrictEqual(table("# settings\nmode=fast\nverbose yes please\n", { format: "props" }).rows, [
      ["mode", "fast"],
      ["verbose", "yes please"],
    ]);
  });

  it("uses a given delimiter", () => {
    assert.deepStrictEqual(table("a => 1\nb => 2\n", { format: "props", delimiter: "=>" }).rows, [
      ["a", "1"],
      ["b", "2"],
    ]);
  });
});

describe("tokens, single and markdown", () => {
  it("a single line of several numbers is tokens: 10 20 gives one row of two cells", () => {
    assert.deepStrictEqual(table("10 20\n"), { header: [], rows: [["10", "20"]], format: "tokens" });
  });

  it("a single word or number is single (1x1)", () => {
    assert.deepStrictEqual(table("OK\n"), { header: [], rows: [["OK"]], format: "single" });
    assert.deepStrictEqual(table("  12.5ms  \n"), { header: [], rows: [["12.5ms"]], format: "single" });
  });

  it("tokens splits each line on whitespace, or on the given delimiter, padding short rows", () => {
    assert.deepStrictEqual(table("a b c\n1   2\n", { format: "tokens" }).rows, [
      ["a", "b", "c"],
      ["1", "2", ""],
    ]);
    assert.deepStrictEqual(table("a/ b/c\n", { format: "tokens", delimiter: "/" }).rows, [["a", "b", "c"]]);
  });

  it("one value per line is a one-column table", () => {
    assert.deepStrictEqual(table("12\n15\n18\n"), { header: [], rows: [["12"], ["15"], ["18"]], format: "tokens" });
  });

  it("single keeps the whole input as one cell", () => {
    assert.deepStrictEqual(table("\n  a | b\n  c\n\n", { format: "single" }), {
      header: [],
      rows: [["  a | b\n  c"]],
      format: "single",
    });
  });

  it("markdown keeps the whole input as one cell", () => {
    assert.deepStrictEqual(table("# Title\n\n- item\n", { format: "markdown" }), {
      header: [],
      rows: [["# Title\n\n- item"]],
      format: "markdown",
    });
  });
});

describe("pre-cleaning: trailing blank lines and row-count footers", () => {
  for (const footer of ["(3 rows)", "(1 row)", "3 rows selected.", "3 rows in set (0.00 sec)", "1 row in set, 1 warning (0.01 sec)"]) {
    it(`drops a last line "${footer}"`, () => {
      assert.deepStrictEqual(table(`a,b\n1,2\n${footer}\n\n\n`).rows, [
        ["a", "b"],
        ["1", "2"],
      ]);
    });
  }

  it("keeps a footer-like line that is not the last line", () => {
    assert.deepStrictEqual(table("(3 rows)\nx\n", { format: "tokens" }).rows, [["(3", "rows)"], ["x", ""]]);
  });

  it("cannot parse a table that is only a footer", () => {
    cannotParse("(0 rows)\n", { format: "csv" });
  });
});

describe("header option", () => {
  it("header=[i, ...] overrides detection", () => {
    assert.deepStrictEqual(table("a,b\n1,2\n3,4\n", { header: [1] }).header, [1]);
    assert.deepStrictEqual(table("a,b\n1,2\n3,4\n", { header: [2, 0, 2] }).header, [0, 2]);
  });

  it("header=[] forces no header", () => {
    assert.deepStrictEqual(table("host,cpu\nweb1,12\n", { header: [] }).header, []);
    assert.deepStrictEqual(table('[{"a":1}]', { header: [] }).header, []);
  });

  it("header=null detects", () => {
    assert.deepStrictEqual(table("host,cpu\nweb1,12\n", { header: null }).header, [0]);
  });

  it("ignores indexes outside the table", () => {
    assert.deepStrictEqual(table("a,b\n1,2\n", { header: [5, -1, 1.5, 1] }).header, [1]);
  });

  it("detects a header of several label rows (vmstat-like) but not a one-row table", () => {
    const input = "group   one\nr   b\n1   2\n3   4\n";
    assert.deepStrictEqual(table(input).header, [0, 1]);
    assert.deepStrictEqual(table("a b c\n").header, []);
  });

  it("detects an ALL-CAPS header over lower-case text", () => {
    assert.deepStrictEqual(table("NAME    IMAGE\napi     postgres:16\nweb     nginx\n").header, [0]);
  });
});

describe("options and errors", () => {
  it("cannot parse empty or whitespace-only input", () => {
    cannotParse("");
    cannotParse(" \n\t\n");
    cannotParse("", { format: "single" });
  });

  it("rejects an unknown format and a delimiter longer than 4 characters", () => {
    cannotParse("a", { format: "xml" as never });
    cannotParse("a,b", { format: "csv", delimiter: "12345" });
  });

  it("never throws on non-string input", () => {
    assert.equal(parseInput(undefined as never).ok, false);
    assert.equal(parseInput(42 as never, null as never).ok, false);
  });
});

describe("cellNumber", () => {
  const examples: Array<[unknown, number | null]> = [
    ["64%", 64],
    ["12.5ms", 12.5],
    ["4.0K", 4],
    ["1,234,567", 1234567],
    ["$12", 12],
    ["-3", -3],
    ["abc", null],
    ["", null],
    ["  42  ", 42],
    ["+5", 5],
    ["-$12.50", -12.5],
    ["€3", 3],
    ["1,200.50", 1200.5],
    ["24683620 kB", 24683620],
    ["10 req/s", 10],
    ["0.5", 0.5],
    [".5", 0.5],
    ["35,40", null],
    ["1,2345", null],
    ["2026-11-01", null],
    ["0:07", null],
    ["1/1", null],
    ["4f2a9c1d7e3b", null],
    ["2 hours ago", null],
    ["%", null],
    ["-", null],
    [42, 42],
    [-1.5, -1.5],
    [true, null],
    [null, null],
    [{}, null],
  ];
  for (const [cell, expected] of examples) {
    it(`reads ${JSON.stringify(cell)} as ${String(expected)}`, () => {
      assert.equal(cellNumber(cell), expected);
    });
  }
});
