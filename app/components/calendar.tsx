import { Link } from "@remix-run/react";

const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
const WEEKDAYS = ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"];

/** `2026-01` → "January 2026" */
export function monthLabel(month: string): string {
  const [year, m] = month.split("-").map(Number) as [number, number];
  return `${MONTHS[m - 1]} ${year}`;
}

/** `2026-01` shifted by `delta` months. */
export function shiftMonth(month: string, delta: number): string {
  const [year, m] = month.split("-").map(Number) as [number, number];
  const date = new Date(Date.UTC(year, m - 1 + delta, 1));
  return date.toISOString().slice(0, 7);
}

/**
 * A server-rendered month (UTC, weeks start on Monday). Days in `days` have data and link to
 * `dayHref(day)`; `selected` is the chosen day, `current` the day of the shown item.
 */
export function MonthCalendar({
  month,
  days,
  today,
  selected,
  current,
  dayHref,
  monthHref,
}: {
  month: string;
  days: string[];
  today: string;
  selected?: string;
  current?: string;
  dayHref: (day: string) => string;
  monthHref: (month: string) => string;
}) {
  const [year, m] = month.split("-").map(Number) as [number, number];
  const daysInMonth = new Date(Date.UTC(year, m, 0)).getUTCDate();
  const offset = (new Date(Date.UTC(year, m - 1, 1)).getUTCDay() + 6) % 7;
  const withData = new Set(days);
  const cells: (string | null)[] = [
    ...Array.from({ length: offset }, () => null),
    ...Array.from({ length: daysInMonth }, (_, i) => `${month}-${String(i + 1).padStart(2, "0")}`),
  ];
  while (cells.length % 7) cells.push(null);
  const weeks = Array.from({ length: cells.length / 7 }, (_, w) => cells.slice(w * 7, w * 7 + 7));
  const previous = shiftMonth(month, -1);
  const next = shiftMonth(month, 1);
  const nextIsFuture = next > today.slice(0, 7);
  const label = monthLabel(month);

  return (
    <div className="calendar">
      <div className="calendar-head">
        <Link
          to={monthHref(previous)}
          className="calendar-nav"
          aria-label={`Show ${monthLabel(previous)}`}
          title="Previous month"
          preventScrollReset
        >
          ‹
        </Link>
        <strong aria-live="polite">{label}</strong>
        {nextIsFuture ? (
          <span className="calendar-nav disabled" aria-hidden="true">
            ›
          </span>
        ) : (
          <Link to={monthHref(next)} className="calendar-nav" aria-label={`Show ${monthLabel(next)}`} title="Next month" preventScrollReset>
            ›
          </Link>
        )}
      </div>
      <table className="calendar-grid">
        <caption className="visually-hidden">{label}: days with data are links</caption>
        <thead>
          <tr>
            {WEEKDAYS.map((day) => (
              <th key={day} scope="col">
                {day}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {weeks.map((week, w) => (
            <tr key={w}>
              {week.map((day, d) => {
                if (!day) return <td key={d} />;
                const classes = [day === today ? "today" : "", day === current ? "current" : "", day === selected ? "selected" : ""]
                  .filter(Boolean)
                  .join(" ");
                const number = Number(day.slice(8));
                return (
                  <td key={d}>
                    {withData.has(day) ? (
                      <Link
                        to={dayHref(day)}
                        className={`day has-data ${classes}`}
                        aria-current={day === selected ? "date" : undefined}
                        title={`${day}: show the data of this day`}
                      >
                        {number}
                      </Link>
                    ) : (
                      <span className={`day ${classes}`} title={`${day}: no data`}>
                        {number}
                      </span>
                    )}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
      {days.length === 0 ? <p className="calendar-note">No data in {label}.</p> : null}
    </div>
  );
}
