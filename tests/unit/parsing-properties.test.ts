import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { FORMATS, parseInput, type Format } from "../../server/parsing";

/** Text that looks like command output: words, numbers, delimiters, frames, quotes, JSON bits. */
const outputish = fc
  .array(
    fc.oneof(
      fc.constantFrom(" ", "  ", "\t", "\n", ",", ";", "|", "+", "-", "=", ":", '"', "'", "{", "}", "[", "]", "%", "(3 rows)\n"),
      fc.integer({ min: -1_000_000, max: 1_000_000 }).map(String),
      fc.stringMatching(/^[A-Za-z_/.]{1,12}$/),
      fc.string({ maxLength: 8 }),
    ),
    { maxLength: 400 },
  )
  .map((parts) => parts.join(""));

function checkTable(result: ReturnType<typeof parseInput>) {
  if (!result.ok) {
    assert.equal(typeof result.reason, "string");
    return;
  }
  const { rows, header } = result.table;
  assert.ok(Array.isArray(rows));
  const width = rows[0]?.length ?? 0;
  for (const row of rows) assert.equal(row.length, width, "rows are padded to one width");
  for (const h of header) assert.ok(Number.isInteger(h) && h >= 0 && h < rows.length, "header indexes point at rows");
}

describe("parsing properties (fast-check)", () => {
  it("never throws and always gives a rectangular table or 'cannot parse', for any format", () => {
    fc.assert(
      fc.property(outputish, fc.constantFrom(...(FORMATS as Format[])), (input, format) => {
        checkTable(parseInput(input, { format }));
      }),
      { numRuns: 600 },
    );
  });

  it("never throws on arbitrary unicode with any delimiter and header option", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: "grapheme", maxLength: 300 }),
        fc.option(fc.string({ minLength: 1, maxLength: 4 }), { nil: undefined }),
        fc.option(fc.array(fc.nat({ max: 6 }), { maxLength: 3 }), { nil: null }),
        (input, delimiter, header) => {
          checkTable(parseInput(input, { format: "any", delimiter, header }));
        },
      ),
      { numRuns: 400 },
    );
  });

  it("reads any JSON value as json, and an object's keys as the header row", () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (value) => {
        const result = parseInput(JSON.stringify(value), {});
        checkTable(result);
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(fc.dictionary(fc.stringMatching(/^[a-z]{1,8}$/), fc.oneof(fc.integer(), fc.boolean(), fc.string({ maxLength: 5 })), { minKeys: 1, maxKeys: 8 }), (obj) => {
        const result = parseInput(JSON.stringify(obj), { format: "json" });
        assert.ok(result.ok);
        assert.deepEqual(result.table.header, [0]);
        assert.deepEqual(result.table.rows[0], Object.keys(obj));
        assert.deepEqual(result.table.rows[1], Object.values(obj));
      }),
      { numRuns: 300 },
    );
  });

  it("keeps every cell of a generated CSV table", () => {
    const cell = fc.stringMatching(/^[A-Za-z0-9 ,"\n]{1,10}$/).filter((c) => c.trim() === c && c.length > 0);
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 5 }).chain((w) => fc.array(fc.array(cell, { minLength: w, maxLength: w }), { minLength: 2, maxLength: 8 })), (table) => {
        const csv = table.map((row) => row.map((c) => `"${c.replace(/"/g, '""')}"`).join(",")).join("\n") + "\n";
        const result = parseInput(csv, { format: "csv", header: [] });
        assert.ok(result.ok, "a well-formed CSV parses");
        assert.deepEqual(result.table.rows, table);
      }),
      { numRuns: 200 },
    );
  });

  it("parses in time roughly linear in the input: 16x the input costs far less than 64x the time", () => {
    const unit = "/dev/sda1  22841212 13706856   7951024  64% /\n";
    const time = (input: string) => {
      const t = performance.now();
      for (let i = 0; i < 3; i++) parseInput(input, {});
      return (performance.now() - t) / 3;
    };
    time(unit.repeat(200)); // warm up
    const small = Math.max(time(unit.repeat(1000)), 0.5);
    const large = time(unit.repeat(16000));
    assert.ok(large < small * 64, `16x input took ${(large / small).toFixed(1)}x the time`);
  });
});
