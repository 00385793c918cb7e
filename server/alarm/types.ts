import type { AlarmState } from "../../db/schema/alarms";

/** An instance as a check sees it (alarms.md "The check's world"). */
export type CheckInstance = {
  rows: unknown[][];
  /** Indexes of the header rows (parsing.md); `table()` keys rows by the last header row. */
  header: number[];
  /** Parsed JSON when the input was JSON, otherwise the text. */
  input: unknown;
  tags: string[];
  /** ISO 8601. */
  created: string;
  link: string | null;
};

export type CheckInput = { instance: CheckInstance; previous: CheckInstance | null };

/** What one run of a check gives. `rows` are indexes into `instance.rows`. */
export type CheckOutcome = {
  result: "ok" | "alarm" | "error";
  message: string | null;
  rows: number[];
  logs: string[];
  ms: number;
};

/** Why a notification goes out. */
export type NotificationReason = "alarm" | "error" | "no_data" | "recovery" | "renotify";

/**
 * Everything needed to render an alarm notification (email or webhook body), stored in the
 * outbox row's `payload` so sending needs nothing else.
 */
export type AlarmNotificationPayload = {
  reason: NotificationReason;
  state: AlarmState;
  previousState: AlarmState;
  alarm: { id: string; name: string; report: string; url: string };
  tags: string[];
  message: string | null;
  /** When the state changed (ISO). */
  at: string;
  /** The instance that caused it; null for no-data and re-notify without an instance. */
  instance: {
    id: string;
    created: string;
    url: string;
    header: number[];
    /** At most the first 20 rows. */
    rows: unknown[][];
    totalRows: number;
    /** Indexes (into `rows`) of the offending rows. */
    markedRows: number[];
  } | null;
  /** Unsubscribe-like link to the alarm's settings. */
  settingsUrl: string;
};
