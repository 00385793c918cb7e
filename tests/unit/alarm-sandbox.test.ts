/**
 * The alarm check sandbox (server/alarm/sandbox.ts, ADR 0014) through its public API: real
 * worker threads running QuickJS. One sandbox serves most tests (a worker takes ~0.5-1 s to
 * start); the backstop and close() tests make their own.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import fc from "fast-check";
import { createSandbox, type Sandbox } from "../../server/alarm/sandbox";
import type { CheckInstance, CheckOutcome } from "../../server/alarm/types";
import { cellNumber } from "../../server/parsing/number";

const DF_HEADER = ["Filesystem", "Size", "Used", "Avail", "Use%", "Mounted on"];

function instance(rows: unknown[][], header: number[] = [0], extra: Partial<CheckInstance> = {}): CheckInstance {
  return { rows, header, input: "", tags: [], created: "2026-11-29T10:00:00.000Z", link: null, ...extra };
}

/** `df -h` as the parser gives it: header row 0, one row per file system. */
const df = instance([
  DF_HEADER,
  ["udev", "7.7G", "0", "7.7G", "0%", "/dev"],
  ["tmpfs", "1.6G", "2.1M", "1.6G", "1%", "/run"],
  ["/dev/sda1", "20G", "19G", "1.0G", "95%", "/"],
  ["tmpfs", "7.7G", "0", "7.7G", "0%", "/dev/shm"],
  ["/dev/sda3", "88G", "70G", "18G", "80%", "/home"],
]);

const DISK_CHECK = "for (const r of table(instance))\n  if (num(r['Use%']) > 90) return `${r['Mounted on']} is ${r['Use%']} full`;";

const NEW_ROW_CHECK = [
  "const seen = new Set(table(previous ?? instance).map(r => r.NAME));",
  "const fresh = table(instance).filter(r => !seen.has(r.NAME));",
  "if (fresh.length) return `new: ${fresh.map(r => r.NAME).join(', ')}`;",
].join("\n");

const CPU_MESSAGE = "The check ran longer than 100 ms of CPU and was stopped";
const MEMORY_MESSAGE = "The check used more than 32 MiB of memory and was stopped";

let sandbox: Sandbox;
const run = (code: string, inst: CheckInstance = df, previous: CheckInstance | null = null) =>
  sandbox.run(code, { instance: inst, previous });

/** The alarm message of a check that returns a string (fails the test otherwise). */
async function value(code: string, inst: CheckInstance = df): Promise<string> {
  const o = await run(code, inst);
  assert.equal(o.result, "alarm", `expected an alarm, got ${JSON.stringify(o)}`);
  return o.message ?? "";
}

function assertError(o: CheckOutcome, message?: string | RegExp) {
  assert.equal(o.result, "error", `expected an error, got ${JSON.stringify(o).slice(0, 300)}`);
  if (typeof message === "string") assert.equal(o.message, message);
  else if (message) assert.match(o.message ?? "", message);
  assert.deepEqual(o.rows, []);
}

before(() => {
  sandbox = createSandbox();
});

after(async () => {
  await sandbox.close();
});

describe("alarm sandbox: the spec's examples", () => {
  it("the disk check alarms on the 95% row with its mount point", async () => {
    const o = await run(DISK_CHECK);
    assert.deepEqual(o.result, "alarm");
    assert.equal(o.message, "/ is 95% full");
    assert.deepEqual(o.rows, []);
    assert.deepEqual(o.logs, []);
    assert.ok(typeof o.ms === "number" && o.ms >= 0 && Math.round(o.ms * 10) === o.ms * 10, `ms ${o.ms}`);
  });

  it("the disk check is ok when nothing is over 90%", async () => {
    const calm = instance([DF_HEADER, ["/dev/sda1", "20G", "10G", "10G", "50%", "/"]]);
    const o = await run(DISK_CHECK, calm);
    assert.deepEqual({ ...o, ms: 0 }, { result: "ok", message: null, rows: [], logs: [], ms: 0 });
  });

  it("'a new row appeared' compares with previous, and is ok without one", async () => {
    const before = instance([["NAME", "STATUS"], ["web-1", "Running"], ["web-2", "Running"]]);
    const now = instance([["NAME", "STATUS"], ["web-1", "Running"], ["web-2", "Running"], ["web-3", "Pending"], ["db-1", "Running"]]);
    const o = await run(NEW_ROW_CHECK, now, before);
    assert.equal(o.result, "alarm");
    assert.equal(o.message, "new: web-3, db-1");
    assert.equal((await run(NEW_ROW_CHECK, now, null)).result, "ok");
    assert.equal((await run(NEW_ROW_CHECK, before, before)).result, "ok");
  });
});

describe("alarm sandbox: what the check returns", () => {
  it("falsy values (and no return at all) are ok", async () => {
    for (const v of ["false", "0", "''", "null", "undefined", "NaN"]) {
      const o = await run(`return ${v}`);
      assert.deepEqual({ result: o.result, message: o.message, rows: o.rows }, { result: "ok", message: null, rows: [] }, v);
    }
    assert.equal((await run("const x = 1;")).result, "ok");
  });

  it("true alarms with a default message; a string alarms with that message", async () => {
    const t = await run("return true");
    assert.equal(t.result, "alarm");
    assert.equal(t.message, "The check returned true");
    assert.equal(await value("return 'disk ' + 'full'"), "disk full");
  });

  it("an object gives the message and the valid row indexes (sorted, once each)", async () => {
    const o = await run("return { message: 'two rows', rows: [5, 3, 3, 0] }");
    assert.equal(o.result, "alarm");
    assert.equal(o.message, "two rows");
    assert.deepEqual(o.rows, [0, 3, 5]);
  });

  it("invalid rows are dropped: out of range, negative, fractions, strings, objects", async () => {
    const o = await run("return { message: 'm', rows: [-1, 6, 99, 2.5, '2', NaN, null, {}, [1], 1] }");
    assert.equal(o.result, "alarm");
    assert.deepEqual(o.rows, [1]);
    const notArray = await run("return { message: 'm', rows: 3 }");
    assert.deepEqual(notArray.rows, []);
  });

  it("rows may be the row objects of table(instance)", async () => {
    const o = await run("const bad = table(instance).filter(r => num(r['Use%']) >= 80);\nreturn { message: `${bad.length} full`, rows: bad };");
    assert.equal(o.message, "2 full");
    assert.deepEqual(o.rows, [3, 5]);
  });

  it("an object without a message gets a default one; other truthy values are shown", async () => {
    const o = await run("return { rows: [1] }");
    assert.equal(o.result, "alarm");
    assert.equal(o.message, "The check returned an alarm");
    assert.deepEqual(o.rows, [1]);
    assert.equal(await value("return { message: 42 }"), "42");
    assert.equal(await value("return 42"), "The check returned 42");
    assert.equal(await value("return [1, 'a']"), 'The check returned [1,"a"]');
  });

  it("a promise (an async body) is an error: its answer would never come", async () => {
    assertError(await run("return (async () => true)()"), /^The check returned a promise/);
  });
});

describe("alarm sandbox: table() and num()", () => {
  it("table() keys rows by the last header row and skips every header row", async () => {
    const two = instance([["group", "", "x"], ["name", "name", ""], ["a", 1, true, "extra"]], [0, 1]);
    // Row 1 is the last header row: a repeated or empty header cell is keyed by its column index.
    assert.equal(await value("return JSON.stringify(table(instance))", two), '[{"1":1,"2":true,"3":"extra","name":"a"}]');
  });

  it("table() uses column indexes without a header, and gives [] for null", async () => {
    const noHeader = instance([[1, "a"], [2, "b"]], []);
    assert.equal(await value("return JSON.stringify(table(instance))", noHeader), '[{"0":1,"1":"a"},{"0":2,"1":"b"}]');
    assert.equal(await value("return JSON.stringify(table(previous)) + table(null).length"), "[]0");
  });

  it("table() takes odd header cells as plain keys (__proto__, toString)", async () => {
    const odd = instance([["__proto__", "toString"], [1, 2]]);
    assert.equal(await value("const r = table(instance)[0]; return JSON.stringify(r) + Object.keys(r).length + typeof r.hasOwnProperty", odd), '{"__proto__":1,"toString":2}2function');
  });

  it("num() reads cells like the parser does (server/parsing/number.ts)", async () => {
    const cells: unknown[] = ["95%", " 12.5ms ", "1,234,567", "1,23", "-3.5e2", "\u22125", "+-1", "$12.50", "€ 3", "4.0K", "0.5", ".5", "5.", "abc", "", "  ", "12 MB/s", "1e999", "0x10", "Infinity", 7, -0.25, true, null, ["1"], { a: 1 }];
    const inst = instance([cells], []);
    const got = await value("return JSON.stringify(instance.rows[0].map(num))", inst);
    assert.equal(got, JSON.stringify(cells.map((c) => cellNumber(c) ?? NaN)));
    assert.equal(await value("return String(num('95%') > 90)"), "true");
  });

  it("num() agrees with cellNumber on generated cells", async () => {
    const chars = ["0", "1", "5", "9", ",", ".", "%", "-", "+", "\u2212", "$", "€", " ", "e", "E", "k", "B", "/", "s", "x", "µ"];
    const cell = fc.oneof(
      fc.array(fc.constantFrom(...chars), { maxLength: 14 }).map((a) => a.join("")),
      fc.tuple(fc.constantFrom("", "-", "$", "+"), fc.integer({ min: 0, max: 10_000_000 }), fc.constantFrom("", "%", "ms", " kB", ".25")).map(([a, n, b]) => `${a}${n.toLocaleString("en-US")}${b}`),
    );
    const cells = fc.sample(cell, { numRuns: 400, seed: 14 });
    // The expected numbers go in beside the cells (NaN as null); the check names the cells where
    // num() differs.
    const expected = cells.map((c) => cellNumber(c));
    const check =
      "const [cells, want] = instance.rows;\n" +
      "const bad = cells.filter((c, i) => { const n = num(c); return want[i] === null ? !Number.isNaN(n) : n !== want[i]; });\n" +
      "return bad.length ? JSON.stringify(bad) : false;";
    const o = await run(check, instance([cells, expected], []));
    assert.equal(o.result, "ok", `num() differs from cellNumber on ${o.message}`);
  });
});

describe("alarm sandbox: console.log", () => {
  it("keeps lines (arguments joined by spaces, objects as JSON) with the outcome", async () => {
    const o = await run("console.log('a', 1, { b: [2] }, [3], null, undefined, true);\nconsole.log(new Error('boom'));\nreturn false");
    assert.equal(o.result, "ok");
    assert.deepEqual(o.logs, ['a 1 {"b":[2]} [3] null undefined true', "Error: boom"]);
  });

  it("keeps at most 100 lines of 1,000 characters, then says how many were dropped", async () => {
    const o = await run("for (let i = 0; i < 250; i++) console.log(i); console.log('x'.repeat(5000)); return false");
    assert.equal(o.logs.length, 101);
    assert.equal(o.logs[99], "99");
    assert.equal(o.logs[100], "\u2026 151 more lines dropped");
    const long = await run("console.log('y'.repeat(5000)); return false");
    assert.equal(long.logs[0]!.length, 1000);
  });

  it("keeps the lines logged before an error", async () => {
    const o = await run("console.log('before'); while (true) {}");
    assertError(o, CPU_MESSAGE);
    assert.deepEqual(o.logs, ["before"]);
  });
});

describe("alarm sandbox: errors", () => {
  it("a thrown exception gives its name, message and line", async () => {
    assertError(await run("const x = undefined;\n\nreturn x.y;"), "TypeError: cannot read property 'y' of undefined (line 3)");
    assertError(await run("throw new Error('no data')"), "Error: no data (line 1)");
    assertError(await run("throw 'just text'"), "just text");
    assertError(await run("return table(5)"), /^TypeError: table\(\) wants an instance/);
  });

  it("a syntax error gives a readable message", async () => {
    assertError(await run("for (const r of table(instance) {\n  return 1\n}"), /^SyntaxError: .+ \(line \d\)$/);
  });

  it("an infinite loop is stopped at the CPU limit, and the next run works", async () => {
    const t = performance.now();
    assertError(await run("while (true) {}"), CPU_MESSAGE);
    assert.ok(performance.now() - t < 1500, `took ${performance.now() - t} ms`);
    assert.equal(await value(DISK_CHECK), "/ is 95% full");
  });

  it("a memory bomb is stopped, and the next run works", async () => {
    const o = await run("const a = []; while (true) a.push('x'.repeat(1e6));");
    assertError(o, new RegExp(`^(${MEMORY_MESSAGE}|${CPU_MESSAGE})$`));
    assert.equal(await value(DISK_CHECK), "/ is 95% full");
    // Doubling a string hits QuickJS's string length limit (ropes make it cheap until then).
    assertError(await run("let s = 'x'; while (true) s = s + s;"), /string too long|memory|CPU/);
    assertError(await run("let s = 'x'; for (let i = 0; i < 26; i++) s += s; return s.indexOf('y');"), /memory|CPU/);
    assert.equal(await value(DISK_CHECK), "/ is 95% full");
  });

  it("what a check leaves in memory does not make the next one run out of it", async () => {
    // 16 MB kept in a global of the check's context lives on until QuickJS collects that
    // context; two of them plus the next check's own would not fit the module's memory.
    const keep = "let s = 'ab'; for (let i = 0; i < 23; i++) s += s; globalThis.keep = s.slice(1); return 'kept ' + keep.length;";
    for (let i = 0; i < 3; i++) assert.equal(await value(keep), "kept 16777215");
    assert.equal(await value("let s = 'cd'; for (let i = 0; i < 23; i++) s += s; return 'made ' + s.slice(1).length;"), "made 16777215");
  });

  it("deep recursion is an error, not a crash", async () => {
    assertError(await run("function f(n) { return f(n + 1) + 1; }\nreturn f(0);"), /^InternalError: stack overflow/);
    assertError(await run("const f = (o) => ({ o: f(o) }); return JSON.stringify(f({}))"), /stack overflow/);
    assertError(await run("let a = [1]; for (let i = 0; i < 1e5; i++) a = [a]; return String(a).length"), /stack overflow/);
    // The parser recurses natively: QuickJS's limit must trip before the worker thread's stack.
    assert.equal(await value("return eval('['.repeat(3000) + ']'.repeat(3000)).length"), "The check returned 1");
    assertError(await run("return eval('['.repeat(1e5) + ']'.repeat(1e5)).length"), /^SyntaxError: stack overflow/);
    assertError(await run("return JSON.parse('['.repeat(1e5) + ']'.repeat(1e5)).length"), /^SyntaxError: stack overflow/);
    assert.equal(await value(DISK_CHECK), "/ is 95% full");
  });
});

describe("alarm sandbox: nothing of the host, nothing between runs", () => {
  it("no require, process, fetch, timers or host objects", async () => {
    assert.equal(await value("return typeof require + typeof process + typeof fetch"), "undefinedundefinedundefined");
    assert.equal(
      await value("return [typeof setTimeout, typeof setInterval, typeof queueMicrotask, typeof Buffer, typeof module, typeof globalThis.process, typeof WebAssembly, typeof std, typeof os].join()"),
      "undefined,undefined,undefined,undefined,undefined,undefined,undefined,undefined,undefined",
    );
    assert.equal(await value("const g = Function('return this')(); return String(g === globalThis) + typeof g.process + typeof g.require"), "trueundefinedundefined");
    assertError(await run("return this.constructor.constructor('return process')()"), /ReferenceError: .*process/);
  });

  it("import() loads nothing", async () => {
    const o = await run("let r = 'none';\nimport('node:fs').then(() => { r = 'loaded' }, () => { r = 'failed' });\nreturn r;");
    assert.equal(o.message, "none");
  });

  it("the helpers belong to the check's own world (no way out through them)", async () => {
    const probes = [
      "table.constructor === Function",
      "num.constructor === Function",
      "console.log.constructor === Function",
      "Object.getPrototypeOf(console) === Object.prototype",
      "Object.getPrototypeOf(table(instance)) === Array.prototype",
      "Object.getPrototypeOf(table(instance)[0]) === Object.prototype",
      "Object.getPrototypeOf(instance) === Object.prototype",
      "Object.getPrototypeOf(instance.rows) === Array.prototype",
      "!('prototype' in table) && !('prototype' in console.log)",
      "(() => { try { table(5) } catch (e) { return e instanceof TypeError } })()",
      "table.constructor('return globalThis')() === globalThis",
    ];
    assert.equal(await value(`return [${probes.join(", ")}].join()`), probes.map(() => "true").join());
  });

  it("errors from the helpers are the check's own, even out of stack (no object of the helper context escapes)", async () => {
    // Near the stack limit, re-making a helper's error in the check's context can fail too:
    // then a plain string is thrown. Every object caught must be an Error of the check's context.
    const code = [
      "let foreign = 0, caught = 0;",
      "const look = (e) => { caught++; if (typeof e === 'object' && e !== null && !(e instanceof Error)) foreign++; };",
      "const odd = { get rows() { return [[1]] }, header: [0] };",
      // Big frames: the stack runs out after fewer of them, so the errors' stack traces are short.
      "function dive(d, a, b, c, e, f, g, h, i, j, k, l, m, n, o, p, q) {",
      "  let v1 = d, v2 = d, v3 = d, v4 = d, v5 = d, v6 = d, v7 = d, v8 = d, v9 = d, v10 = d, v11 = d, v12 = d;",
      "  let r = 0;",
      "  try { r = dive(d + 1); } catch (e) { look(e); }",
      "  if (r < 12) {",
      "    try { table(5); } catch (e) { look(e); }",
      "    try { table(odd); } catch (e) { look(e); }",
      "    try { console.log({ a: [1, 2] }); } catch (e) { look(e); }",
      "    try { num('1,234%'); } catch (e) { look(e); }",
      "  }",
      "  return r + 1;",
      "}",
      "dive(0);",
      "return `foreign ${foreign} of ${caught}`;",
    ].join("\n");
    const o = await run(code);
    assert.equal(o.result, "alarm", JSON.stringify(o));
    assert.match(o.message ?? "", /^foreign 0 of [1-9]\d*$/);
  });

  it("one check's globals and changes to built-ins and helpers do not reach the next", async () => {
    const messy = [
      "globalThis.x = 1; leaked = 2; var y = 3;",
      "Array.prototype.evil = 1; Object.prototype.evil2 = 1; JSON.parse = () => 'hacked';",
      "table.x = 1; num.x = 1; console.log.x = 1; console.x = 1; console.log = null;",
      "Object.getPrototypeOf(table).x = 1; Object.getPrototypeOf(table(instance)[0]).x = 1;",
      "table.constructor('globalThis.z = 1')();",
      "return false;",
    ].join("\n");
    assert.equal((await run(messy)).result, "ok");
    const check = "return [typeof x, typeof leaked, typeof y, typeof z, typeof [].evil, typeof ({}).evil2, typeof table.x, typeof num.x, typeof console.log, typeof console.log.x, typeof console.x, typeof table(instance)[0].x, typeof JSON.parse('1')].join()";
    assert.equal(await value(check), "undefined,undefined,undefined,undefined,undefined,undefined,undefined,undefined,function,undefined,undefined,undefined,number");
    assert.equal(await value(DISK_CHECK), "/ is 95% full");
  });

  it("a check cannot change what the next one is given (instance objects are new each run)", async () => {
    assert.equal((await run("instance.rows[3][4] = '0%'; instance.header.length = 0; return false")).result, "ok");
    assert.equal(await value(DISK_CHECK), "/ is 95% full");
  });
});

describe("alarm sandbox: huge values stay inside", () => {
  it("a 10 MB string is cut to 1,000 characters", async () => {
    const o = await run("let s = '0123456789'; for (let i = 0; i < 20; i++) s += s; return s;");
    assert.equal(o.result, "alarm");
    assert.equal(o.message!.length, 1000);
    assert.ok(o.message!.startsWith("0123456789") && o.message!.endsWith("\u2026"));
  });

  it("an object with a million rows gives at most the instance's rows", async () => {
    const o = await run("const rows = new Array(1e6).fill(3); rows[10] = 0; rows[20] = 5;\nreturn { message: 'x'.repeat(1e5), rows };");
    assert.equal(o.result, "alarm", JSON.stringify(o));
    assert.equal(o.message!.length, 1000);
    assert.deepEqual(o.rows, [0, 3, 5]);
  });

  it("a huge logged object is cut too", async () => {
    const o = await run("console.log(Array.from({ length: 1e5 }, (_, i) => i)); return false");
    assert.equal(o.logs.length, 1);
    assert.equal(o.logs[0]!.length, 1000);
  });
});

describe("alarm sandbox: the pool", () => {
  it("answers 50 concurrent runs, each with its own input", async () => {
    const outcomes = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        sandbox.run(i % 5 === 0 ? "while (true) {}" : "return 'tag ' + instance.tags[0]", { instance: instance([["a"]], [], { tags: [`t${i}`] }), previous: null }),
      ),
    );
    outcomes.forEach((o, i) => {
      if (i % 5 === 0) assertError(o, CPU_MESSAGE);
      else assert.equal(o.message, `tag t${i}`);
    });
  });

  it("a check stuck in a built-in is ended by the wall-clock backstop; a new worker takes over", async () => {
    const sb = createSandbox({ hardTimeoutMs: 400 });
    try {
      const stuck = "const s = 'x'.repeat(1 << 20);\nfor (;;) s.split('').reverse().join('');";
      const t = performance.now();
      const [o, next] = await Promise.all([sb.run(stuck, { instance: df, previous: null }), sb.run(DISK_CHECK, { instance: df, previous: null })]);
      assertError(o, CPU_MESSAGE);
      assert.ok(o.ms >= 400 && performance.now() - t < 10_000, `ms ${o.ms}`);
      assert.equal(next.message, "/ is 95% full");
    } finally {
      await sb.close();
    }
  });

  it("two workers run checks side by side; close() answers what is left and ends them", async () => {
    const sb = createSandbox({ workers: 2 });
    const outcomes = await Promise.all(Array.from({ length: 20 }, () => sb.run(DISK_CHECK, { instance: df, previous: null })));
    assert.ok(outcomes.every((o) => o.message === "/ is 95% full"));
    const pending = sb.run("while (true) {}", { instance: df, previous: null });
    await sb.close();
    assertError(await pending, /closed|CPU/);
    assertError(await sb.run(DISK_CHECK, { instance: df, previous: null }), "The sandbox is closed");
  });

  it("rejects nothing: bad input is an error outcome", async () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    assertError(await sandbox.run("return 1", { instance: instance([[cyclic]]), previous: null }), /^The instance could not be given to the check/);
  });
});
