/**
 * `json` and `jsonraw`: valid JSON to a table.
 *
 * - array of objects: one row per object, one column per key (first appearance), header [0];
 * - array of arrays: rows as given; array of scalars: one row per scalar; no header;
 * - one object: header row of keys and one row of values; a scalar: a 1x1 table.
 * `json` also flattens nested objects into dotted keys and unnests arrays of objects into
 * several rows, each repeating the sibling values. Rows are padded with null.
 */
import { MAX_CELLS, MAX_COLUMNS, MAX_JSON_DEPTH, MAX_JSON_ROWS } from "./limits";
import { fail, type ParseResult, type Table } from "./types";

type JsonObject = { [key: string]: unknown };

export type JsonParse = { ok: true; value: unknown } | { ok: false };

const JSON_START = /[[{"\-0-9tfn]/;

/** JSON.parse that never throws; cheap rejection of text that cannot be JSON. */
export function tryParseJson(input: string): JsonParse {
  const first = input.search(/\S/);
  if (first < 0 || !JSON_START.test(input[first])) return { ok: false };
  try {
    return { ok: true, value: JSON.parse(input) as unknown };
  } catch {
    return { ok: false };
  }
}

function isObject(v: unknown): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Nesting depth of a parsed JSON value, computed without recursion; stops past `limit`. */
export function jsonDepthExceeds(value: unknown, limit: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (d > limit) return true;
    if (Array.isArray(v)) {
      for (const x of v) if (typeof x === "object" && x !== null) stack.push([x, d + 1]);
    } else if (isObject(v)) {
      for (const k of Object.keys(v)) {
        const x = v[k];
        if (typeof x === "object" && x !== null) stack.push([x, d + 1]);
      }
    }
  }
  return false;
}

class Columns {
  readonly names: string[] = [];
  private readonly index = new Map<string, number>();
  /** The column of `name`, or -1 when adding it would exceed the column limit. */
  of(name: string): number {
    const i = this.index.get(name);
    if (i !== undefined) return i;
    if (this.names.length >= MAX_COLUMNS) return -1;
    this.index.set(name, this.names.length);
    this.names.push(name);
    return this.names.length - 1;
  }
}

/** A record: cells by column index; `undefined` marks a missing key (JSON has no undefined). */
type Rec = unknown[];

class Flattener {
  readonly columns = new Columns();
  reason: string | null = null;

  private tooMany(recs: number): boolean {
    if (recs > MAX_JSON_ROWS) {
      this.reason = `more than ${MAX_JSON_ROWS} rows`;
      return true;
    }
    if (recs * this.columns.names.length > MAX_CELLS) {
      this.reason = `more than ${MAX_CELLS} cells`;
      return true;
    }
    return false;
  }

  private column(name: string): number {
    const c = this.columns.of(name);
    if (c < 0) this.reason = `more than ${MAX_COLUMNS} columns`;
    return c;
  }

  /** The records of one object: flattened with dotted keys, arrays of objects unnested. */
  records(obj: JsonObject, prefix: string): Rec[] | null {
    let recs: Rec[] = [[]];
    for (const key of Object.keys(obj)) {
      const v = obj[key];
      const name = prefix + key;
      let sub: Rec[] | null = null;
      if (isObject(v) && Object.keys(v).length > 0) {
        sub = this.records(v, name + ".");
        if (sub === null) return null;
      } else if (Array.isArray(v) && v.length > 0 && v.every(isObject)) {
        sub = [];
        for (const el of v) {
          const r = this.records(el, name + ".");
          if (r === null) return null;
          for (const x of r) sub.push(x);
          if (this.tooMany(sub.length)) return null;
        }
      }
      if (sub === null) {
        const c = this.column(name);
        if (c < 0 || this.tooMany(recs.length)) return null;
        for (const r of recs) r[c] = v;
      } else {
        if (this.tooMany(recs.length * sub.length)) return null;
        recs = cross(recs, sub);
      }
    }
    return recs;
  }
}

function cross(a: Rec[], b: Rec[]): Rec[] {
  if (a.length === 1) {
    const base = a[0];
    if (b.length === 1) return [merge(base, b[0])];
    return b.map((r) => merge(base, r));
  }
  const out: Rec[] = [];
  for (const x of a) for (const y of b) out.push(merge(x, y));
  return out;
}

function merge(x: Rec, y: Rec): Rec {
  const r = x.slice();
  for (let i = 0; i < y.length; i++) if (y[i] !== undefined) r[i] = y[i];
  return r;
}

function tableFromRecords(names: string[], recs: Rec[]): Table {
  const width = names.length;
  const rows: unknown[][] = [names.slice()];
  for (const rec of recs) {
    const row = new Array<unknown>(width);
    for (let i = 0; i < width; i++) row[i] = rec[i] === undefined ? null : rec[i];
    rows.push(row);
  }
  return { rows, header: [0] };
}

/** Objects to a table, either flattened/unnested (`json`) or key by key (`jsonraw`). */
function objectsTable(objs: JsonObject[], flatten: boolean): ParseResult {
  if (flatten) {
    const f = new Flattener();
    const all: Rec[] = [];
    for (const o of objs) {
      const recs = f.records(o, "");
      if (recs === null) return fail(`JSON has ${f.reason ?? "too much data"}`);
      for (const r of recs) all.push(r);
      if (all.length > MAX_JSON_ROWS) return fail(`JSON has more than ${MAX_JSON_ROWS} rows`);
      if (all.length * f.columns.names.length > MAX_CELLS) return fail(`JSON has more than ${MAX_CELLS} cells`);
    }
    return { ok: true, table: tableFromRecords(f.columns.names, all), format: "json" };
  }
  const cols = new Columns();
  const recs: Rec[] = [];
  for (const o of objs) {
    const rec: Rec = [];
    for (const key of Object.keys(o)) {
      const c = cols.of(key);
      if (c < 0) return fail(`JSON has more than ${MAX_COLUMNS} columns`);
      rec[c] = o[key];
    }
    recs.push(rec);
    if (recs.length * cols.names.length > MAX_CELLS) return fail(`JSON has more than ${MAX_CELLS} cells`);
  }
  return { ok: true, table: tableFromRecords(cols.names, recs), format: "jsonraw" };
}

/** Arrays and scalars as rows, padded with null; no header. */
function rowsTable(items: unknown[], format: "json" | "jsonraw"): ParseResult {
  let width = 0;
  for (const it of items) {
    const w = Array.isArray(it) ? it.length : 1;
    if (w > width) width = w;
  }
  if (width > MAX_COLUMNS) return fail(`JSON has more than ${MAX_COLUMNS} columns`);
  if (items.length * width > MAX_CELLS) return fail(`JSON has more than ${MAX_CELLS} cells`);
  const rows = items.map((it) => {
    const row: unknown[] = Array.isArray(it) ? it.slice() : [it];
    while (row.length < width) row.push(null);
    return row;
  });
  return { ok: true, table: { rows, header: [] }, format };
}

/** A parsed JSON value to a table. */
export function jsonTable(value: unknown, flatten: boolean): ParseResult {
  const format = flatten ? "json" : "jsonraw";
  if (jsonDepthExceeds(value, MAX_JSON_DEPTH)) return fail(`JSON is nested deeper than ${MAX_JSON_DEPTH} levels`);
  if (Array.isArray(value)) {
    if (value.length > MAX_JSON_ROWS) return fail(`JSON has more than ${MAX_JSON_ROWS} rows`);
    if (value.length === 0) return { ok: true, table: { rows: [], header: [] }, format };
    if (value.every(isObject)) return objectsTable(value, flatten);
    return rowsTable(value, format);
  }
  if (isObject(value)) {
    if (Object.keys(value).length === 0) return { ok: true, table: { rows: [], header: [] }, format };
    return objectsTable([value], flatten);
  }
  return { ok: true, table: { rows: [[value]], header: [] }, format };
}

/** `json` / `jsonraw` on raw input text. */
export function parseJson(input: string, flatten: boolean): ParseResult {
  const parsed = tryParseJson(input);
  if (!parsed.ok) return fail("not valid JSON");
  return jsonTable(parsed.value, flatten);
}
