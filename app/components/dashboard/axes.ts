/**
 * Pure helpers shared by the tile renderers: the Y axis rule (dashboards.md "Tile kinds"), nice
 * ranges and ticks, number formatting, and time formatting in a given IANA time zone.
 *
 * No DOM, no uPlot: safe on the server, and the same output on the server and in the browser
 * (fixed "en-US" locale, dates assembled from formatToParts so ICU punctuation differences
 * cannot cause a hydration mismatch).
 */

/** "Near 0": the smallest value is at most this fraction of the largest. */
export const Y_NEAR_ZERO_FRACTION = 0.5;

export type YRange = { min?: number; max?: number };

/**
 * The Y bounds to force (absent = choose from the data): 0..1 when every value is 0 or 1;
 * min 0 when all values are non-negative and near 0 (min ≤ 50% of max). Non-finite and null
 * values are ignored. The one implementation of the rule (unit-tested in dashboard-series.test.ts).
 */
export function yAxisRange(values: Iterable<number | null | undefined>): YRange {
  let min = Infinity;
  let max = -Infinity;
  let binary = true;
  let any = false;
  for (const v of values) {
    if (v === null || v === undefined || !Number.isFinite(v)) continue;
    any = true;
    if (v !== 0 && v !== 1) binary = false;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (!any) return {};
  if (binary) return { min: 0, max: 1 };
  if (min >= 0 && min <= max * Y_NEAR_ZERO_FRACTION) return { min: 0 };
  return {};
}

/** Whether a forced range is the 0/1 axis. */
export const isBinaryRange = (r: YRange) => r.min === 0 && r.max === 1;

/** A "nice" step (1, 2, 2.5 or 5 × 10^n) close to span / count. */
export function niceStep(span: number, count: number): number {
  if (!(span > 0) || !Number.isFinite(span)) return 1;
  const raw = span / Math.max(1, count);
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const normalized = raw / magnitude;
  const nice = normalized <= 1 ? 1 : normalized <= 2 ? 2 : normalized <= 2.5 ? 2.5 : normalized <= 5 ? 5 : 10;
  return nice * magnitude;
}

/** Rounds away floating-point noise (0.1 + 0.2) at the step's precision. */
function clean(v: number, step: number): number {
  const decimals = Math.max(0, Math.min(12, -Math.floor(Math.log10(step)) + 2));
  return Number(v.toFixed(decimals));
}

/**
 * The drawn Y range for data from dataMin to dataMax: the forced bounds of `rule` (and of
 * `override`, which wins), otherwise the data padded by about 5% and rounded to a nice step.
 */
export function yScaleRange(dataMin: number | null, dataMax: number | null, rule: YRange, override?: YRange): [number, number] {
  const forcedMin = override?.min ?? rule.min;
  const forcedMax = override?.max ?? rule.max;
  if (forcedMin !== undefined && forcedMax !== undefined && forcedMax > forcedMin) return [forcedMin, forcedMax];
  let lo = dataMin ?? forcedMin ?? 0;
  let hi = dataMax ?? forcedMax ?? 1;
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) [lo, hi] = [0, 1];
  if (forcedMin !== undefined) lo = forcedMin;
  if (forcedMax !== undefined) hi = forcedMax;
  if (hi < lo) [lo, hi] = [hi, lo];
  if (hi === lo) {
    const pad = lo === 0 ? 1 : Math.abs(lo) * 0.1;
    return [forcedMin ?? lo - pad, forcedMax ?? hi + pad];
  }
  const pad = (hi - lo) * 0.05;
  // Ends on a fine step, so the axis wastes little room (the ticks use their own, coarser step).
  const step = niceStep(hi - lo + 2 * pad, 20);
  const min = forcedMin ?? clean(Math.floor((lo - pad) / step) * step, step);
  const max = forcedMax ?? clean(Math.ceil((hi + pad) / step) * step, step);
  // Padding must not push an all-positive axis below 0 (or an all-negative one above it).
  return [lo >= 0 && min < 0 ? 0 : min, hi <= 0 && max > 0 ? 0 : max];
}

/** Ticks from min to max at a nice step (about `count` of them), both ends included when on the step. */
export function niceTicks(min: number, max: number, count = 4): number[] {
  if (!(max > min)) return [min];
  const step = niceStep(max - min, count);
  const ticks: number[] = [];
  for (let v = Math.ceil(min / step - 1e-9) * step; v <= max + step * 1e-9; v += step) ticks.push(clean(v, step));
  return ticks;
}

/** Bar/column scale: always includes 0 (bars grow from it), 0..1 for 0/1 values, nice ends. */
export function barScale(values: (number | null)[]): { min: number; max: number; ticks: number[] } {
  const finite = values.filter((v): v is number => v !== null && Number.isFinite(v));
  const rule = yAxisRange(finite);
  if (isBinaryRange(rule)) return { min: 0, max: 1, ticks: [0, 0.5, 1] };
  const lo = Math.min(0, ...finite);
  const hi = Math.max(0, ...finite);
  if (lo === hi) return { min: 0, max: 1, ticks: [0, 0.5, 1] };
  const step = niceStep(hi - lo, 10);
  const min = lo < 0 ? clean(Math.floor(lo / step) * step, step) : 0;
  const max = hi > 0 ? clean(Math.ceil(hi / step) * step, step) : 0;
  return { min, max, ticks: niceTicks(min, max, 4) };
}

const SUFFIXES: [number, string][] = [
  [1e15, "P"],
  [1e12, "T"],
  [1e9, "G"],
  [1e6, "M"],
  [1e3, "k"],
];

/** The fewest decimals (at most 6) that write `v` exactly enough. */
function decimalsFor(v: number): number {
  let d = 0;
  while (d < 6 && Math.abs(Math.round(v * 10 ** d) - v * 10 ** d) > 1e-6 * Math.max(1, Math.abs(v * 10 ** d))) d++;
  return d;
}

/** A number with a k/M/G/T/P suffix from 1,000 up, at most `maxDecimals` decimals, no trailing zeros. */
export function formatCompact(v: number, maxDecimals = 2): string {
  if (v === 0) return "0";
  const [scale, suffix] = SUFFIXES.find(([s]) => Math.abs(v) >= s) ?? [1, ""];
  let text = (v / scale).toFixed(Math.min(maxDecimals, decimalsFor(v / scale)));
  if (text.includes(".")) text = text.replace(/0+$/, "").replace(/\.$/, "");
  return text + suffix;
}

/**
 * Axis tick labels: each with its own suffix (500, 1k, 1.5k) and as many decimals as the step
 * between ticks needs (0.25, 0.5, 0.75).
 */
export function formatTicks(ticks: (number | null)[]): string[] {
  const finite = ticks.filter((v): v is number => v !== null && Number.isFinite(v));
  let step = Infinity;
  for (let i = 1; i < finite.length; i++) step = Math.min(step, Math.abs(finite[i]! - finite[i - 1]!) || Infinity);
  return ticks.map((v) => {
    if (v === null || !Number.isFinite(v)) return "";
    if (Math.abs(v) < (Number.isFinite(step) ? step : Math.abs(v) || 1) * 1e-9) return "0";
    const scale = (SUFFIXES.find(([s]) => Math.abs(v) >= s) ?? [1])[0];
    return formatCompact(v, Number.isFinite(step) ? decimalsFor(step / scale) : 2);
  });
}

const numberFormats = new Map<string, Intl.NumberFormat>();
function numberFormat(key: string, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  let f = numberFormats.get(key);
  if (!f) numberFormats.set(key, (f = new Intl.NumberFormat("en-US", options)));
  return f;
}

/**
 * A value for people: thousands separators, and decimals by size (12.35, 0.004321, 1,234.5).
 * Beyond a trillion, compact (1.23T).
 */
export function formatValue(v: number | null | undefined): string {
  if (v === null || v === undefined || Number.isNaN(v)) return "∅";
  if (!Number.isFinite(v)) return v > 0 ? "∞" : "−∞";
  const abs = Math.abs(v);
  if (abs >= 1e12) return formatCompact(v, 2);
  if (Number.isInteger(v)) return numberFormat("int", { maximumFractionDigits: 0 }).format(v);
  if (abs >= 1000) return numberFormat("d1", { maximumFractionDigits: 1 }).format(v);
  if (abs >= 1) return numberFormat("d2", { maximumFractionDigits: 2 }).format(v);
  return numberFormat("s4", { maximumSignificantDigits: 4 }).format(v);
}

/** The change from `previous` to `value`: absolute and relative (null when previous is 0). */
export function change(value: number | null, previous: number | null): { delta: number; percent: number | null } | null {
  if (value === null || previous === null || !Number.isFinite(value) || !Number.isFinite(previous)) return null;
  const delta = value - previous;
  return { delta, percent: previous === 0 ? null : (delta / Math.abs(previous)) * 100 };
}

export function formatPercent(p: number): string {
  const abs = Math.abs(p);
  const digits = abs >= 100 ? 0 : abs >= 1 ? 1 : 2;
  return `${p > 0 ? "+" : p < 0 ? "−" : ""}${abs.toFixed(digits)}%`;
}

/* ---------- time ---------- */

const zoneCheck = new Map<string, string>();
/** The zone if Intl knows it, else UTC (a bad setting must not break a dashboard). */
export function safeTimeZone(timeZone: string): string {
  let ok = zoneCheck.get(timeZone);
  if (ok === undefined) {
    try {
      new Intl.DateTimeFormat("en-US", { timeZone });
      ok = timeZone;
    } catch {
      ok = "UTC";
    }
    zoneCheck.set(timeZone, ok);
  }
  return ok;
}

export type TimeParts = {
  year: number;
  month: number; // 1..12
  monthName: string; // Jan
  weekday: string; // Mon
  day: number;
  hour: number; // 0..23
  minute: number;
  second: number;
};

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const WEEKDAYS: Record<string, string> = { Sun: "Sun", Mon: "Mon", Tue: "Tue", Wed: "Wed", Thu: "Thu", Fri: "Fri", Sat: "Sat" };

const partFormats = new Map<string, Intl.DateTimeFormat>();
/** The wall-clock fields of an instant in a time zone. */
export function timeParts(ms: number, timeZone: string): TimeParts {
  const zone = safeTimeZone(timeZone);
  let f = partFormats.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      weekday: "short",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    partFormats.set(zone, f);
  }
  const out: TimeParts = { year: 0, month: 1, monthName: "Jan", weekday: "", day: 1, hour: 0, minute: 0, second: 0 };
  for (const p of f.formatToParts(ms)) {
    if (p.type === "year") out.year = Number(p.value);
    else if (p.type === "month") out.month = Number(p.value);
    else if (p.type === "day") out.day = Number(p.value);
    else if (p.type === "hour") out.hour = Number(p.value) % 24;
    else if (p.type === "minute") out.minute = Number(p.value);
    else if (p.type === "second") out.second = Number(p.value);
    else if (p.type === "weekday") out.weekday = WEEKDAYS[p.value] ?? p.value;
  }
  out.monthName = MONTHS[out.month - 1] ?? "";
  return out;
}

const pad2 = (n: number) => String(n).padStart(2, "0");

/** 15:04 or 3:04 PM (with seconds when asked). */
export function clockText(t: TimeParts, hour12: boolean, seconds = false): string {
  const s = seconds ? `:${pad2(t.second)}` : "";
  if (!hour12) return `${pad2(t.hour)}:${pad2(t.minute)}${s}`;
  const h = t.hour % 12 === 0 ? 12 : t.hour % 12;
  return `${h}:${pad2(t.minute)}${s} ${t.hour < 12 ? "AM" : "PM"}`;
}

/** An hour tick: 15:00 or 3 PM. */
export function hourText(t: TimeParts, hour12: boolean): string {
  if (!hour12) return `${pad2(t.hour)}:00`;
  const h = t.hour % 12 === 0 ? 12 : t.hour % 12;
  return `${h} ${t.hour < 12 ? "AM" : "PM"}`;
}

export const dayText = (t: TimeParts) => `${t.monthName} ${t.day}`;

/**
 * A full instant: "Mar 14, 2025 15:04:05" (year left out when it is `currentYear`, seconds
 * only when asked).
 */
export function formatInstant(ms: number, timeZone: string, hour12: boolean, opts: { seconds?: boolean; currentYear?: number; weekday?: boolean } = {}): string {
  const t = timeParts(ms, timeZone);
  const day = `${opts.weekday ? `${t.weekday}, ` : ""}${dayText(t)}${t.year === opts.currentYear ? "" : `, ${t.year}`}`;
  return `${day} ${clockText(t, hour12, opts.seconds)}`;
}

/**
 * Labels for time-axis ticks (seconds since the epoch) `incr` seconds apart: the clock, with the
 * day on a second line where the day changes (and the year where the year changes).
 */
export function timeTickLabels(splits: number[], incr: number, timeZone: string, hour12: boolean): string[] {
  const DAY = 86_400;
  const parts = splits.map((s) => timeParts(s * 1000, timeZone));
  // The year is shown where it changes (and on the first tick when the axis spans years).
  const manyYears = parts.some((t) => t.year !== parts[0]!.year);
  let prev: TimeParts | null = null;
  return parts.map((t) => {
    const newYear = prev ? prev.year !== t.year : manyYears;
    const newDay = newYear || !prev || prev.month !== t.month || prev.day !== t.day;
    prev = t;
    if (incr >= 365 * DAY) return String(t.year);
    if (incr >= 28 * DAY) return newYear ? `${t.monthName}\n${t.year}` : t.monthName;
    if (incr >= DAY) return newYear ? `${dayText(t)}\n${t.year}` : dayText(t);
    const clock = incr >= 3600 && t.minute === 0 ? hourText(t, hour12) : clockText(t, hour12, incr < 60);
    return newDay ? `${clock}\n${dayText(t)}` : clock;
  });
}

/** "7 days", "24 hours", "90 minutes": the length of a range window. */
export function durationText(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? "" : "s"}`;
  if (minutes % (24 * 60) === 0) return plural(minutes / (24 * 60), "day");
  if (minutes % 60 === 0) return plural(minutes / 60, "hour");
  return plural(minutes, "minute");
}

/** "#4E79A7" → "rgba(78, 121, 167, a)" (other colour strings are returned as they are). */
export function withAlpha(color: string, alpha: number): string {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(color);
  if (!m) return color;
  return `rgba(${parseInt(m[1]!, 16)}, ${parseInt(m[2]!, 16)}, ${parseInt(m[3]!, 16)}, ${alpha})`;
}
