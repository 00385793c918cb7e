import { formatCount } from "~/utils/format";

/**
 * Counts per day as a small column chart (SVG, drawn on the server: no script needed), with the
 * day and count of each column as its tooltip.
 */
export function DailyBars({ days, values, label, color = "#0f766e", height = 120 }: { days: string[]; values: number[]; label: string; color?: string; height?: number }) {
  const max = Math.max(1, ...values);
  const width = 600;
  const gap = 2;
  const w = width / Math.max(1, values.length);
  const total = values.reduce((a, b) => a + b, 0);
  return (
    <figure className="daily-bars">
      <figcaption>
        <span>{label}</span>
        <strong>{formatCount(total)}</strong>
      </figcaption>
      <svg viewBox={`0 0 ${width} ${height}`} preserveAspectRatio="none" role="img" aria-label={`${label}: ${formatCount(total)} in ${days.length} days`}>
        <line x1="0" x2={width} y1={height - 0.5} y2={height - 0.5} stroke="#e2e6ea" />
        {values.map((v, i) => {
          const h = v === 0 ? 0 : Math.max(2, (v / max) * (height - 6));
          return (
            <rect key={days[i]} x={i * w + gap / 2} y={height - h} width={Math.max(1, w - gap)} height={h} rx="2" fill={color}>
              <title>{`${days[i]}: ${formatCount(v)}`}</title>
            </rect>
          );
        })}
      </svg>
      <div className="daily-bars-axis">
        <span>{days[0]}</span>
        <span>max {formatCount(Math.max(...values, 0))}/day</span>
        <span>{days[days.length - 1]}</span>
      </div>
    </figure>
  );
}
