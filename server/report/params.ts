import { badRequest, ServiceError } from "../errors";
import { FORMATS as inputFormats, type Format as InputFormat } from "../parsing";

export const REPORT_NAME = /^[A-Za-z0-9_\-.:]+$/;
export const MAX_TAGS = 10;
export const MAX_TAG_LENGTH = 200;
export const MAX_LINK_LENGTH = 5000;
/** Clock skew tolerated for an explicit `created` before it counts as "in the future". */
export const CREATED_SKEW_MS = 60_000;

export function checkReportName(name: string): string {
  if (name.length === 0) throw badRequest("Report name is empty");
  if (name.length > 200) throw badRequest("Report name is too long: at most 200 characters");
  // "." and ".." are path segments that URLs resolve away: such a report could not be addressed.
  if (!REPORT_NAME.test(name) || name === "." || name === "..") {
    throw badRequest(`Invalid report name ${name}: use letters, digits and _ - . : only`);
  }
  return name;
}

/** `a, b,,a` → ["a", "b"]: items trimmed, blanks dropped, duplicates removed, order kept. */
export function commaList(value: string | undefined): string[] {
  if (value === undefined) return [];
  return [...new Set(value.split(",").map((t) => t.trim()).filter(Boolean))];
}

/** `host:web1,pid:123` → tags (see commaList), at most 10 of at most 200 characters. */
export function parseTags(value: string | undefined): string[] {
  const tags = commaList(value);
  if (tags.length > MAX_TAGS) throw badRequest(`Too many tags: ${tags.length} given, at most ${MAX_TAGS} allowed`);
  const long = tags.find((t) => t.length > MAX_TAG_LENGTH);
  if (long) throw badRequest(`Tag too long: ${long.slice(0, 40)}… has ${long.length} characters, at most ${MAX_TAG_LENGTH} allowed`);
  return tags;
}

/** ISO 8601: a year, month or date, or a date and time (`T` or a space) with an optional zone. */
const ISO_DATETIME =
  /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s*(?:(Z)|([+-])(\d{2})(?::?(\d{2}))?)?)?)?)?$/i;

/**
 * An ISO 8601 datetime; a time without a zone is UTC (never the server's local time). Parts out
 * of range (February 30th, 25:00) make it invalid instead of rolling over.
 */
function parseIsoDatetime(v: string): Date | null {
  const m = ISO_DATETIME.exec(v);
  if (!m) return null;
  const part = (i: number, fallback: number) => (m[i] === undefined ? fallback : Number(m[i]));
  const [year, month, day, h, min, sec, zh, zm] = [part(1, 0), part(2, 1), part(3, 1), part(4, 0), part(5, 0), part(6, 0), part(10, 0), part(11, 0)];
  if (h > 23 || min > 59 || sec > 59 || zh > 23 || zm > 59) return null;
  const ms = m[7] ? Math.floor(Number(`0.${m[7]}`) * 1000) : 0;
  const local = new Date(Date.UTC(year, month - 1, day, h, min, sec, ms));
  if (local.getUTCMonth() !== month - 1 || local.getUTCDate() !== day) return null;
  const offsetMinutes = (zh * 60 + zm) * (m[9] === "-" ? -1 : 1);
  return new Date(local.getTime() - offsetMinutes * 60_000);
}

/** RFC 2822 / HTTP dates with an explicit zone, as `date -R` prints them. */
const RFC_2822 = /^(?:[a-z]{3},?\s+)?\d{1,2}\s+[a-z]{3}\s+\d{4}\s+\d{2}:\d{2}(?::\d{2})?\s+(?:GMT|UTC?|Z|[+-]\d{4})$/i;

export function parseDatetime(name: string, value: string): Date {
  const v = value.trim();
  // ISO 8601 (a date alone means midnight UTC), Unix seconds, or an RFC 2822 date with its zone.
  const date = /^\d{9,11}(\.\d+)?$/.test(v)
    ? new Date(Number(v) * 1000)
    : RFC_2822.test(v)
      ? new Date(v)
      : parseIsoDatetime(v);
  if (!v || !date || Number.isNaN(date.getTime()) || date.getUTCFullYear() < 1970 || date.getUTCFullYear() > 9999) {
    throw badRequest(`Invalid ${name} ${value.slice(0, 100)}: use an ISO 8601 datetime such as 2026-01-31T12:00:00Z`);
  }
  return date;
}

export function parseCreated(value: string | undefined, now = new Date()): Date {
  if (value === undefined || value === "") return now;
  const created = parseDatetime("created", value);
  if (created.getTime() > now.getTime() + CREATED_SKEW_MS) {
    throw badRequest(`Invalid created ${value.slice(0, 100)}: it is in the future`);
  }
  return created;
}

export function parseDelimiter(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (value.length < 1 || value.length > 4) throw badRequest("Invalid delimiter: use 1 to 4 characters");
  return value;
}

/** `0,1` → [0, 1]; `` → [] (no header); absent → undefined (detect). */
export function parseHeader(value: string | undefined): number[] | undefined {
  if (value === undefined) return undefined;
  if (value.trim() === "") return [];
  const parts = value.split(",").map((p) => p.trim());
  if (parts.length > 100 || !parts.every((p) => /^\d{1,5}$/.test(p))) {
    throw badRequest(`Invalid header ${value.slice(0, 100)}: use comma-separated row indexes such as 0 or 0,1`);
  }
  return [...new Set(parts.map(Number))].sort((a, b) => a - b);
}

export function parseLink(value: string | undefined): string | null {
  if (value === undefined || value === "") return null;
  if (value.length > MAX_LINK_LENGTH) throw badRequest(`Link too long: at most ${MAX_LINK_LENGTH} characters`);
  try {
    const url = new URL(value);
    if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error("scheme");
  } catch {
    throw badRequest(`Invalid link ${value.slice(0, 100)}: use an http or https URL`);
  }
  return value;
}

export function parseAutotags(value: string | undefined, ip: string): string[] {
  const names = commaList(value);
  const unknown = names.find((n) => n !== "ip");
  if (unknown) throw badRequest(`Invalid autotags ${unknown.slice(0, 50)}: the only automatic tag is ip`);
  return names.includes("ip") ? [`ip:${ip}`] : [];
}

const contentTypeFormats: Record<string, InputFormat> = {
  "application/json": "json",
  "text/csv": "csv",
  "text/markdown": "markdown",
};

/** The explicit `format`, else one implied by the Content-Type, else `any`. */
export function chooseFormat(format: string | undefined, contentType: string | undefined): { format: InputFormat; explicit: boolean } {
  if (format !== undefined && format !== "") {
    if (!(inputFormats as readonly string[]).includes(format)) {
      throw badRequest(`Invalid format ${format.slice(0, 50)}: use one of ${inputFormats.join(", ")}`);
    }
    return { format: format as InputFormat, explicit: format !== "any" };
  }
  const mime = contentType?.split(";")[0]?.trim().toLowerCase() ?? "";
  const implied = contentTypeFormats[mime];
  return implied ? { format: implied, explicit: true } : { format: "any", explicit: false };
}

export function emptyReportData(): ServiceError {
  return new ServiceError("UNPROCESSABLE_CONTENT", "Empty report data", { errorCode: "ERROR_EMPTY_REPORT_DATA" });
}
