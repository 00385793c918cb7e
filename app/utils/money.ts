/** Money and calendar days for the billing pages; deterministic (fixed locale, UTC) so server HTML and hydration agree. */

/** "€12.34" */
export function formatMoney(cents: number, currency: string): string {
  try {
    return new Intl.NumberFormat("en-IE", { style: "currency", currency }).format(cents / 100);
  } catch {
    return `${(cents / 100).toFixed(2)} ${currency}`;
  }
}

/** "14 March 2026" (UTC) */
export function formatDay(date: Date | string): string {
  return new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" }).format(new Date(date));
}

/** "14 Mar 2026" (UTC) */
export function formatShortDay(date: Date | string): string {
  return new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" }).format(new Date(date));
}
