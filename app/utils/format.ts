/**
 * Formatting shared by server and client render. Everything here is deterministic for the same
 * inputs (no locale or time zone of the machine), so server HTML and hydration agree.
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

function plural(n: number, unit: string) {
  return `${n} ${unit}${n === 1 ? "" : "s"}`;
}

/** "just now", "5 minutes ago", "3 hours ago", "yesterday", "12 days ago", "in 2 hours"… relative to `now`. */
export function formatRelative(date: Date | string | number, now: Date | string | number): string {
  const diff = new Date(now).getTime() - new Date(date).getTime();
  const future = diff < 0;
  const ms = Math.abs(diff);
  let text: string;
  if (ms < 45_000) return "just now";
  if (ms < HOUR) text = plural(Math.max(1, Math.round(ms / MINUTE)), "minute");
  else if (ms < DAY) text = plural(Math.round(ms / HOUR), "hour");
  else if (ms < 2 * DAY && !future) return "yesterday";
  else if (ms < 30 * DAY) text = plural(Math.round(ms / DAY), "day");
  else if (ms < 365 * DAY) text = plural(Math.round(ms / (30 * DAY)), "month");
  else text = plural(Math.round(ms / (365 * DAY)), "year");
  return future ? `in ${text}` : `${text} ago`;
}

/** `2026-01-31 12:00:05 UTC` */
export function formatUtc(date: Date | string | number): string {
  return new Date(date)
    .toISOString()
    .replace("T", " ")
    .replace(/\.\d{3}Z$/, " UTC");
}

/** `2026-01-31T12:00:05.123Z` */
export function isoUtc(date: Date | string | number): string {
  return new Date(date).toISOString();
}

/** 1234 → "1,234" (always en-US grouping, independent of the machine's locale). */
export function formatCount(n: number): string {
  return Math.round(n)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** 512 → "512 B", 2048 → "2.0 KB", 5_300_000 → "5.1 MB" (binary units). */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KB", "MB", "GB", "TB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value >= 100 ? Math.round(value) : value.toFixed(1)} ${units[unit]}`;
}

/** A UTC day `YYYY-MM-DD` of a date. */
export function utcDay(date: Date | string | number): string {
  return new Date(date).toISOString().slice(0, 10);
}

/** A UTC month `YYYY-MM` of a date. */
export function utcMonth(date: Date | string | number): string {
  return new Date(date).toISOString().slice(0, 7);
}

export const DAY_PATTERN = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
export const MONTH_PATTERN = /^\d{4}-(0[1-9]|1[0-2])$/;
