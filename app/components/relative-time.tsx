import { formatRelative, formatUtc, isoUtc } from "~/utils/format";

/**
 * "5 minutes ago", with the exact UTC time as tooltip. `now` comes from the loader, so server
 * and client render the same text (no hydration mismatch).
 */
export function RelativeTime({ date, now, never = "never" }: { date: Date | string | null; now: Date | string; never?: string }) {
  if (date === null) return <span className="muted">{never}</span>;
  return (
    <time dateTime={isoUtc(date)} title={formatUtc(date)}>
      {formatRelative(date, now)}
    </time>
  );
}

const HOUR = 3_600_000;

/** A coloured dot for how fresh data is: green < 1 h, amber < 24 h, grey older or never. */
export function AgeDot({ date, now }: { date: Date | string | null; now: Date | string }) {
  const age = date === null ? Infinity : new Date(now).getTime() - new Date(date).getTime();
  const [tone, label] =
    age < HOUR
      ? ["fresh", "Updated within the last hour"]
      : age < 24 * HOUR
        ? ["recent", "Updated within the last day"]
        : ["stale", date === null ? "No data yet" : "Not updated for more than a day"];
  return <span className={`age-dot ${tone}`} role="img" aria-label={label} title={label} />;
}
