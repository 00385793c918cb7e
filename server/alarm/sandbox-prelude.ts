/**
 * The JavaScript that runs inside QuickJS around a check (ADR 0014). It is source text, not host
 * code: the sandbox cannot import anything from the host, so `num()` repeats the rules of
 * server/parsing/number.ts (`cellNumber`); tests/unit/alarm-sandbox.test.ts checks that the two
 * agree.
 *
 * Two kinds of QuickJS context share one runtime:
 *   - the *helper* context evaluates PRELUDE once per runtime (compiling it costs ~1 ms, more
 *     than everything else in a run);
 *   - every run gets a fresh *check* context: its own global object and built-ins, so nothing a
 *     check does to them reaches the next one.
 * The check must never get hold of an object of the helper context (through it, it could reach
 * the helper's built-ins, which live on). So `prepare` makes new helper closures for every run
 * and gives them, and every object they return or throw, the check context's prototypes; the
 * input is parsed with the check context's own `JSON.parse`; `new Function` of the check context
 * compiles the body; and errors raised inside a helper are re-made as check-context errors.
 * Code here may call the check context's built-ins only before the check runs (they are
 * pristine then); afterwards it reads the check's values with plain property reads only.
 * After PRELUDE, FREEZE freezes the helper context, in case anything slips out all the same.
 *
 * Evaluating PRELUDE gives `[prepare, run, logs]`:
 *   - prepare(inputJson, checkGlobal): parses `{instance, previous}`, makes `table`, `num` and
 *     `console` for this run;
 *   - run(code): compiles the body, calls it with `instance`, `previous`, `table`, `num` and
 *     `console`, and returns the outcome as a small JSON string
 *     `{k: "ok"|"alarm"|"error", m: message|null, r: rows, l: logs, d: dropped log lines}`,
 *     truncated here, inside the sandbox, so no giant value ever crosses to the host;
 *   - logs(): `{l, d}` JSON of the console lines, for a run stopped by a limit.
 */

/** Limits applied inside the sandbox (the host re-applies them). */
export const SANDBOX_LIMITS = {
  /** Characters of a message (alarm or error). */
  message: 1000,
  /** console.log lines kept per run, and characters per line. */
  logLines: 100,
  logLineChars: 1000,
  /** Entries of a returned `rows` array looked at. */
  rowsScanned: 100_000,
} as const;

export const cpuMessage = (cpuMs: number) => `The check ran longer than ${cpuMs} ms of CPU and was stopped`;
export const memoryMessage = (memoryMiB: number) => `The check used more than ${memoryMiB} MiB of memory and was stopped`;

/** Message when the check returns `true`. */
export const DEFAULT_TRUE_MESSAGE = "The check returned true";
/** Message when the check returns a promise (an `async` body): its answer would never come. */
export const ASYNC_MESSAGE = "The check returned a promise: a check answers directly, without async or await";
/** Message when the check returns an object without a usable `message`. */
export const DEFAULT_OBJECT_MESSAGE = "The check returned an alarm";

/**
 * The file name QuickJS's `Function` constructor gives the check body, and the lines it puts
 * before the body: "(function anonymous(instance,…\n) {\n" + body.
 */
const BODY_FILE = "<input>";
const BODY_LINE_OFFSET = 2;

export const PRELUDE_FILE = "alarm-sandbox-prelude.js";
export const FREEZE_FILE = "alarm-sandbox-freeze.js";

export const PRELUDE = String.raw`(function () {
"use strict";
var MAX_MESSAGE = ${SANDBOX_LIMITS.message}, MAX_LINES = ${SANDBOX_LIMITS.logLines};
var MAX_LINE = ${SANDBOX_LIMITS.logLineChars}, MAX_ROWS_SCANNED = ${SANDBOX_LIMITS.rowsScanned};
var TRUE_MESSAGE = ${JSON.stringify(DEFAULT_TRUE_MESSAGE)}, OBJECT_MESSAGE = ${JSON.stringify(DEFAULT_OBJECT_MESSAGE)};
var ASYNC_MESSAGE = ${JSON.stringify(ASYNC_MESSAGE)};
var BODY_FILE = ${JSON.stringify(BODY_FILE)}, BODY_LINE_OFFSET = ${BODY_LINE_OFFSET};
var ERROR_NAMES = ["Error", "TypeError", "RangeError", "SyntaxError", "ReferenceError", "InternalError", "EvalError", "URIError"];
var setPrototypeOf = Object.setPrototypeOf, create = Object.create;
var hasOwn = function (o, k) { return Object.prototype.hasOwnProperty.call(o, k); };
var isArray = Array.isArray, isInteger = Number.isInteger;

/* Per run (set by prepare, dropped at the end of run). */
var U = null, instance = null, previous = null, rowCount = 0, codeLines = 1;
var helpers = null, rowIndex = null, logs = [], dropped = 0;

function clip(s, n) { return s.length > n ? s.slice(0, n - 1) + "\u2026" : s; }

function show(v) {
  if (typeof v === "string") return v;
  if (v === undefined) return "undefined";
  if (typeof v === "object" && v !== null && !looksLikeError(v)) {
    try { var j = JSON.stringify(v); if (typeof j === "string") return j; } catch (e) { /* cyclic, BigInt */ }
  }
  try { return String(v); } catch (e) { return "[value]"; }
}

function looksLikeError(v) {
  try { return typeof v.message === "string" && typeof v.stack === "string"; } catch (e) { return false; }
}

/* A value thrown inside a helper, as the check may see it: errors of this context are re-made
   in the check's context (same name and message); anything else came from the check. */
function forCheck(e) {
  if (!(e instanceof Error)) return e;
  var name = typeof e.name === "string" ? e.name : "Error";
  var Ctor = hasOwn(U.errors, name) ? U.errors[name] : U.errors.Error;
  return new Ctor(String(e.message));
}

/* Helpers are arrow functions: they have no "prototype" object of this context. When even
   re-making the error fails (out of stack or memory), a plain string is thrown: throwing it
   needs neither. */
var HELPER_FAILED = "A helper ran out of stack or memory";
function guard(f) {
  return (x) => {
    try {
      return f(x);
    } catch (e) {
      var out = HELPER_FAILED;
      try { out = forCheck(e); } catch (e2) { /* keep the string */ }
      throw out;
    }
  };
}

function userArray(a) { setPrototypeOf(a, U.ArrayProto); return a; }
function userObject() { return create(U.ObjectProto); }
function userFunction(f) { setPrototypeOf(f, U.FunctionProto); return f; }

function log(args) {
  if (logs.length >= MAX_LINES) { dropped++; return; }
  var s = "";
  for (var i = 0; i < args.length; i++) {
    if (i > 0) s += " ";
    s += show(args[i]);
    if (s.length > MAX_LINE) break;
  }
  logs.push(clip(s, MAX_LINE));
}

/* server/parsing/number.ts, cellNumber */
var NUMBER_RE = /^([+\-\u2212]?)\s?([$\u20ac\u00a3\u00a5\u20b9]?)\s?([+\-\u2212]?)(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d*)?|\.\d+)(?:[eE]([+-]?\d{1,3}))?\s?(%|[$\u20ac\u00a3\u00a5\u20b9]|[A-Za-z\u00b5\u03bc\u00b0\u03a9]{1,12}(?:\/[A-Za-z\u00b5\u03bc\u00b0\u03a9]{1,12})?)?$/;
var MAX_NUMBER_TEXT = 64;
function num(v) {
  if (typeof v === "number") return Number.isFinite(v) ? v : NaN;
  if (typeof v !== "string") return NaN;
  var t = v.trim();
  if (t === "" || t.length > MAX_NUMBER_TEXT) return NaN;
  var m = NUMBER_RE.exec(t);
  if (m === null) return NaN;
  var sign1 = m[1], sign2 = m[3], digits = m[4], exp = m[5];
  if (sign1 && sign2) return NaN;
  var sign = sign1 || sign2;
  var n = Number(digits.replace(/,/g, "") + (exp !== undefined ? "e" + exp : ""));
  if (!Number.isFinite(n)) return NaN;
  return sign === "-" || sign === "\u2212" ? -n : n;
}

function table(x) {
  if (x === null || x === undefined) return userArray([]);
  var rows = x.rows;
  if (!isArray(rows)) throw new TypeError("table() wants an instance, such as instance or previous");
  var n = rows.length, header = x.header, isHeader = create(null), last = -1;
  if (isArray(header)) {
    for (var h = 0; h < header.length; h++) {
      var hi = header[h];
      if (isInteger(hi) && hi >= 0 && hi < n) { isHeader[hi] = true; last = hi; }
    }
  }
  var keys = [];
  if (last >= 0 && isArray(rows[last])) {
    var hr = rows[last], used = create(null);
    for (var c = 0; c < hr.length; c++) {
      var cell = hr[c];
      var name = cell === null || cell === undefined || cell === "" ? String(c) : show(cell);
      if (hasOwn(used, name)) name = String(c);
      used[name] = true;
      keys.push(name);
    }
  }
  var out = [], mark = x === instance;
  for (var r = 0; r < n; r++) {
    if (isHeader[r] === true) continue;
    var row = rows[r];
    /* Filled without a prototype (no setters, "__proto__" is a plain key), then given the
       check's Object.prototype. */
    var o = create(null);
    if (isArray(row)) {
      for (var j = 0; j < row.length; j++) {
        var k = j < keys.length ? keys[j] : String(j);
        if (!(k in o)) o[k] = row[j];
      }
    } else {
      o[keys.length > 0 ? keys[0] : "0"] = row;
    }
    setPrototypeOf(o, U.ObjectProto);
    if (mark) rowIndex.set(o, r);
    out.push(o);
  }
  return userArray(out);
}

function pickRows(rows) {
  var out = [];
  if (!isArray(rows)) return out;
  var seen = create(null), n = rows.length < MAX_ROWS_SCANNED ? rows.length : MAX_ROWS_SCANNED;
  for (var i = 0; i < n && out.length < rowCount; i++) {
    var r = rows[i];
    if (typeof r === "object" && r !== null) r = rowIndex.get(r);
    if (isInteger(r) && r >= 0 && r < rowCount && seen[r] !== true) { seen[r] = true; out.push(r); }
  }
  return out;
}

function lineOf(e) {
  var line = 0;
  try {
    if (e.fileName === BODY_FILE && isInteger(e.lineNumber)) line = e.lineNumber;
    else if (typeof e.stack === "string") {
      var m = /<input>:(\d+)/.exec(e.stack);
      if (m !== null) line = Number(m[1]);
    }
  } catch (x) { return 0; }
  line -= BODY_LINE_OFFSET;
  if (line < 1) return 0;
  return line > codeLines ? codeLines : line;
}

function describe(e) {
  try {
    if (typeof e === "string") return clip(e === "" ? "The check threw an empty string" : e, MAX_MESSAGE);
    if (typeof e === "object" && e !== null && typeof e.message === "string") {
      var name = typeof e.name === "string" && e.name !== "" ? e.name + ": " : "";
      var line = lineOf(e);
      return clip(name + e.message + (line > 0 ? " (line " + line + ")" : ""), MAX_MESSAGE);
    }
    return clip("The check threw " + show(e), MAX_MESSAGE);
  } catch (x) {
    return "The check threw an exception";
  }
}

function finish(kind, message, rows) {
  return JSON.stringify({ k: kind, m: message, r: rows, l: logs, d: dropped });
}

function classify(v) {
  if (!v) return finish("ok", null, []);
  if (v === true) return finish("alarm", TRUE_MESSAGE, []);
  if (typeof v === "string") return finish("alarm", clip(v, MAX_MESSAGE), []);
  if (typeof v === "object" && !isArray(v)) {
    if (typeof v.then === "function") return finish("error", ASYNC_MESSAGE, []);
    var m = v.message, message;
    if (m === undefined || m === null || m === "") message = OBJECT_MESSAGE;
    else message = clip(show(m), MAX_MESSAGE);
    return finish("alarm", message, pickRows(v.rows));
  }
  return finish("alarm", clip("The check returned " + show(v), MAX_MESSAGE), []);
}

function prepare(json, g) {
  /* g is the fresh check context's global object: nothing has run there yet. */
  var errors = create(null);
  for (var i = 0; i < ERROR_NAMES.length; i++) errors[ERROR_NAMES[i]] = g[ERROR_NAMES[i]];
  U = {
    Function: g.Function, ArrayProto: g.Array.prototype, ObjectProto: g.Object.prototype,
    FunctionProto: g.Function.prototype, errors: errors
  };
  var input = g.JSON.parse(json);
  instance = input.instance;
  previous = input.previous === undefined ? null : input.previous;
  rowCount = instance !== null && typeof instance === "object" && isArray(instance.rows) ? instance.rows.length : 0;
  logs = []; dropped = 0; rowIndex = new WeakMap();
  var c = userObject();
  c.log = c.info = c.warn = c.error = c.debug = userFunction((...args) => {
    try {
      log(args);
    } catch (e) {
      var out = HELPER_FAILED;
      try { out = forCheck(e); } catch (e2) { /* keep the string */ }
      throw out;
    }
  });
  helpers = { table: userFunction(guard(table)), num: userFunction(guard(num)), console: c };
}

function run(code) {
  try {
    codeLines = code.split("\n").length;
    var fn;
    try {
      fn = U.Function("instance", "previous", "table", "num", "console", code);
    } catch (e) {
      return finish("error", describe(e), []);
    }
    var value;
    try {
      value = fn(instance, previous, helpers.table, helpers.num, helpers.console);
    } catch (e) {
      return finish("error", describe(e), []);
    }
    return classify(value);
  } finally {
    U = null; instance = null; previous = null; helpers = null;
  }
}

function getLogs() { return JSON.stringify({ l: logs, d: dropped }); }

return [prepare, run, getLogs];
})()`;

/**
 * Evaluated in the helper context right after PRELUDE, with its `[prepare, run, logs]`: removes
 * `eval` (the one way to add global bindings to a frozen realm) and freezes every object
 * reachable from the global object, the prelude's functions and the hidden intrinsics (iterator,
 * generator and async prototypes). The prelude never hands the check an object of this context;
 * should one slip out anyway, it leads to nothing that can be changed or that outlives the run.
 */
export const FREEZE = String.raw`(function (fns) {
"use strict";
delete globalThis.eval;
var roots = [globalThis, fns];
function add(f) { try { roots.push(f()); } catch (e) { /* not in this build */ } }
add(function () { return Object.getPrototypeOf(function* () {}); });
add(function () { return Object.getPrototypeOf(async function () {}); });
add(function () { return Object.getPrototypeOf(async function* () {}); });
add(function () { return Object.getPrototypeOf([][Symbol.iterator]()); });
add(function () { return Object.getPrototypeOf(new Map()[Symbol.iterator]()); });
add(function () { return Object.getPrototypeOf(new Set()[Symbol.iterator]()); });
add(function () { return Object.getPrototypeOf(""[Symbol.iterator]()); });
add(function () { return Object.getPrototypeOf(/a/[Symbol.matchAll]("")); });
add(function () { return Object.getPrototypeOf([].values().map(function (x) { return x; })); });
add(function () { return Object.getPrototypeOf(Iterator.from({ next: function () { return { done: true }; } })); });
add(function () { return Object.getOwnPropertyDescriptor(function () { "use strict"; return arguments; }(), "callee").get; });
var seen = new Set(), stack = roots.slice(), count = 0;
while (stack.length > 0) {
  var o = stack.pop();
  if ((typeof o !== "object" && typeof o !== "function") || o === null || seen.has(o)) continue;
  seen.add(o);
  var keys = Reflect.ownKeys(o);
  for (var i = 0; i < keys.length; i++) {
    var d = Reflect.getOwnPropertyDescriptor(o, keys[i]);
    if (d === undefined) continue;
    if ("value" in d) stack.push(d.value);
    if (d.get) stack.push(d.get);
    if (d.set) stack.push(d.set);
  }
  stack.push(Object.getPrototypeOf(o));
  Object.freeze(o);
  count++;
}
return count;
})`;
