import type { AlarmState } from "../../db/schema/alarms";

/** Badge colours: the label on grey, the state on its colour (like shields.io's flat style). */
export const badgeStates = {
  ok: { text: "ok", color: "#3fa33f" },
  alarm: { text: "alarm", color: "#e05d44" },
  error: { text: "error", color: "#f0883e" },
  no_data: { text: "no data", color: "#6b7fa3" },
  unknown: { text: "unknown", color: "#9f9f9f" },
} as const satisfies Record<AlarmState | "unknown", { text: string; color: string }>;

const LABEL_COLOR = "#555";
const MAX_LABEL = 60;

/** XML text/attribute escaping; drops characters XML 1.0 does not allow at all. */
export function escapeXml(s: string): string {
  return s
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, "")
    .replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" })[c]!);
}

/** Approximate width in pixels of text in 11px Verdana (what the badge is drawn with). */
export function textWidth(text: string): number {
  let width = 0;
  for (const ch of text) {
    if (/[ijlI.,:;|!'`]/.test(ch)) width += 3.5;
    else if (/[ frt()[\]{}/\\-]/.test(ch)) width += 4.5;
    else if (/[mwMW@%]/.test(ch)) width += 10.5;
    else if (/[A-Z0-9#&?]/.test(ch)) width += 7.5;
    else if (ch.codePointAt(0)! > 0x2e80) width += 11; // CJK and the like: wide
    else width += 6.5;
  }
  return Math.ceil(width);
}

/**
 * A status badge SVG (shields.io flat style): `label` on grey, the state on its colour.
 * Pure; the label is escaped and cut to 60 characters.
 */
export function badgeSvg(label: string, state: AlarmState | "unknown"): string {
  const chars = [...label.replace(/\s+/g, " ").trim()];
  const shown = chars.length > MAX_LABEL ? `${chars.slice(0, MAX_LABEL - 1).join("")}…` : chars.join("") || "alarm";
  const { text, color } = badgeStates[state] ?? badgeStates.unknown;
  const labelWidth = textWidth(shown) + 12;
  const stateWidth = textWidth(text) + 12;
  const width = labelWidth + stateWidth;
  const l = escapeXml(shown);
  const s = escapeXml(text);
  const labelX = labelWidth / 2;
  const stateX = labelWidth + stateWidth / 2;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="20" role="img" aria-label="${l}: ${s}">`,
    `<title>${l}: ${s}</title>`,
    `<linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient>`,
    `<clipPath id="r"><rect width="${width}" height="20" rx="3" fill="#fff"/></clipPath>`,
    `<g clip-path="url(#r)">`,
    `<rect width="${labelWidth}" height="20" fill="${LABEL_COLOR}"/>`,
    `<rect x="${labelWidth}" width="${stateWidth}" height="20" fill="${color}"/>`,
    `<rect width="${width}" height="20" fill="url(#s)"/>`,
    `</g>`,
    `<g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" text-rendering="geometricPrecision" font-size="11">`,
    `<text x="${labelX}" y="15" fill="#010101" fill-opacity=".3">${l}</text>`,
    `<text x="${labelX}" y="14">${l}</text>`,
    `<text x="${stateX}" y="15" fill="#010101" fill-opacity=".3">${s}</text>`,
    `<text x="${stateX}" y="14">${s}</text>`,
    `</g>`,
    `</svg>`,
  ].join("");
}
