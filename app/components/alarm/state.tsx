import type { AlarmState } from "../../../db/schema/alarms";

export type { AlarmState };

/** How a state reads in the UI (upper case, like the notification subjects). */
export const STATE_LABEL: Record<AlarmState, string> = { ok: "OK", alarm: "ALARM", error: "ERROR", no_data: "NO DATA" };

/** What a state means, for tooltips. */
export const STATE_HELP: Record<AlarmState, string> = {
  ok: "The check passes",
  alarm: "The check found a problem",
  error: "The check itself failed (an exception, or over its time or memory limit)",
  no_data: "No instance arrived in time",
};

const ORDER: AlarmState[] = ["alarm", "error", "no_data", "ok"];

/** "2 alarm, 1 ok" — how many tag sets are in each state, worst first. */
export function stateCounts(states: { state: AlarmState }[]): { state: AlarmState; count: number }[] {
  return ORDER.map((state) => ({ state, count: states.filter((s) => s.state === state).length })).filter((c) => c.count > 0);
}

/**
 * A coloured pill for an alarm state: ok green, alarm red, error orange, no data grey-blue.
 * `state` null: nothing evaluated yet (or the alarm is off, with `off`).
 */
export function StatePill({
  state,
  off,
  small,
  title,
}: {
  state: AlarmState | null;
  off?: boolean;
  small?: boolean;
  title?: string;
}) {
  const tone = off ? "off" : (state ?? "none");
  const label = off ? "OFF" : state ? STATE_LABEL[state] : "WAITING";
  const help = title ?? (off ? "The alarm is turned off" : state ? STATE_HELP[state] : "No instance has been evaluated yet");
  return (
    <span className={`state-pill state-${tone}${small ? " small" : ""}`} title={help} data-state={tone}>
      <span className="state-dot" aria-hidden="true" />
      {label}
    </span>
  );
}
