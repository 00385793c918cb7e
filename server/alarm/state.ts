import type { AlarmState, MaintenanceWindow } from "../../db/schema/alarms";
import type { NotificationReason } from "./types";

/**
 * The alarm state machine and its notification rules (alarms.md "States and notifications"),
 * as pure functions of the previous state, the new outcome, the alarm's rules and a clock, so
 * they are unit tested without a database.
 */

export type CurrentState = {
  state: AlarmState;
  since: Date;
  seq: number;
  lastNotifiedAt: Date | null;
  renotifyCount: number;
};

export type NotifyRules = {
  notifyRecovery: boolean;
  renotifyMinutes: number | null;
  snoozedUntil: Date | null;
  maintenance: MaintenanceWindow[];
  timeZone: string;
};

export type Transition = {
  /** Whether the state changed (then a history row is written and `seq` grows). */
  changed: boolean;
  from: AlarmState;
  to: AlarmState;
  /** The notification to send, or null (no change, recoveries off, or suppressed). */
  notify: NotificationReason | null;
  /** Set when a notification would have gone out but is held back by a snooze or maintenance window. */
  suppressed: "snooze" | "maintenance" | null;
};

/** A tag set seen for the first time starts in `ok`. */
export const INITIAL_STATE: AlarmState = "ok";

/** The state after an outcome, and whether (and why) to notify. */
export function transition(current: Pick<CurrentState, "state"> | null, to: AlarmState, rules: NotifyRules, now: Date): Transition {
  const from = current?.state ?? INITIAL_STATE;
  if (from === to) return { changed: false, from, to, notify: null, suppressed: null };
  const reason: NotificationReason | null = to === "ok" ? (rules.notifyRecovery ? "recovery" : null) : to;
  if (!reason) return { changed: true, from, to, notify: null, suppressed: null };
  const held = suppression(rules, now);
  return { changed: true, from, to, notify: held ? null : reason, suppressed: held };
}

/** Whether a re-notification ("still in alarm") is due: not ok, re-notify on, interval passed, not suppressed. */
export function renotifyDue(current: CurrentState, rules: NotifyRules, now: Date): boolean {
  if (current.state === "ok" || !rules.renotifyMinutes) return false;
  const last = current.lastNotifiedAt ?? current.since;
  if (now.getTime() - last.getTime() < rules.renotifyMinutes * 60_000) return false;
  return suppression(rules, now) === null;
}

/** Why notifications are held back at `now`, if they are. */
export function suppression(rules: Pick<NotifyRules, "snoozedUntil" | "maintenance" | "timeZone">, now: Date): "snooze" | "maintenance" | null {
  if (rules.snoozedUntil && rules.snoozedUntil.getTime() > now.getTime()) return "snooze";
  if (inMaintenance(rules.maintenance, rules.timeZone, now)) return "maintenance";
  return null;
}

const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const formatters = new Map<string, Intl.DateTimeFormat>();

/** The weekday (0 = Sunday) and minute of the day at `now` in `timeZone`. */
export function localTime(timeZone: string, now: Date): { day: number; minute: number } {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", { timeZone, weekday: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
    formatters.set(timeZone, f);
  }
  const parts = Object.fromEntries(f.formatToParts(now).map((p) => [p.type, p.value]));
  return { day: WEEKDAYS.indexOf(parts.weekday ?? "Sun"), minute: Number(parts.hour) * 60 + Number(parts.minute) };
}

export const minuteOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/**
 * Whether `now` falls in one of the weekly windows. A window's days are the days it starts on;
 * a window whose end is not after its start runs past midnight into the next day
 * (Sat 22:00–02:00 covers Saturday night until 02:00 on Sunday).
 */
export function inMaintenance(windows: MaintenanceWindow[], timeZone: string, now: Date): boolean {
  if (!windows.length) return false;
  const { day, minute } = localTime(timeZone, now);
  for (const w of windows) {
    const start = minuteOf(w.start);
    const end = minuteOf(w.end);
    if (end > start) {
      if (w.days.includes(day) && minute >= start && minute < end) return true;
    } else {
      if (w.days.includes(day) && minute >= start) return true;
      if (w.days.includes((day + 6) % 7) && minute < end) return true;
    }
  }
  return false;
}

/** The worst of several states, for the badge and the dashboard marks: error > alarm > no_data > ok. */
export function worstState(states: AlarmState[]): AlarmState | null {
  if (!states.length) return null;
  const rank: Record<AlarmState, number> = { ok: 0, no_data: 1, alarm: 2, error: 3 };
  return states.reduce((a, b) => (rank[b] > rank[a] ? b : a));
}

/**
 * Tag patterns: `host:*` matches any tag starting with `host:`; `*` anywhere matches any run of
 * characters; other patterns match a tag exactly. An instance matches when every pattern
 * matches one of its tags; its tag set (the state's key) is the matched tags, sorted.
 */
export function matchTags(patterns: string[], tags: string[]): string[] | null {
  const matched = new Set<string>();
  for (const pattern of patterns) {
    const re = patternRegex(pattern);
    const hits = tags.filter((t) => re.test(t));
    if (!hits.length) return null;
    for (const h of hits) matched.add(h);
  }
  return [...matched].sort();
}

const patternCache = new Map<string, RegExp>();
function patternRegex(pattern: string): RegExp {
  let re = patternCache.get(pattern);
  if (!re) {
    re = new RegExp(`^${pattern.split("*").map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`);
    if (patternCache.size > 1000) patternCache.clear();
    patternCache.set(pattern, re);
  }
  return re;
}

/** The key of a tag set in alarm_states: the sorted tags, one per line ('' for none). */
export const tagKey = (tags: string[]) => [...tags].sort().join("\n");
