/** Pieces of the alarm page (/alarms/:id) besides its form: badge link, states, history, snooze. */
import { Form, Link, useNavigation } from "@remix-run/react";
import type { AlarmView, HistoryEntry } from "../../../server/alarm/model";
import { CopyBlock } from "~/components/copy-block";
import { formatInstant } from "~/components/dashboard/axes";
import { RelativeTime } from "~/components/relative-time";
import { StatePill } from "./state";

/** A time as the user reads it: "Mar 14 15:04" in their time zone (the year when not this one). */
export function when(date: Date | string, prefs: { timeZone: string; hour12: boolean; now: Date | string }, seconds = false): string {
  return formatInstant(new Date(date).getTime(), prefs.timeZone, prefs.hour12, { seconds, currentYear: new Date(prefs.now).getUTCFullYear() });
}

export type Prefs = { timeZone: string; hour12: boolean; now: Date };

function TagChips({ tags, empty = "all instances" }: { tags: string[]; empty?: string }) {
  if (!tags.length) return <span className="muted small">{empty}</span>;
  return (
    <span className="chips">
      {tags.map((tag) => (
        <span key={tag} className="chip">
          {tag}
        </span>
      ))}
    </span>
  );
}

/** The badge link, shown once: right after creating the alarm, or after "New badge link". */
export function BadgeReveal({ token, origin, name, fresh }: { token: string; origin: string; name: string; fresh: "created" | "regenerated" }) {
  const url = `${origin}/badge/${token}.svg`;
  const markdown = `![${name.replace(/[[\]]/g, "")} status](${url})`;
  const html = `<img src="${url}" alt="${name.replace(/[<>&"]/g, "")} status">`;
  return (
    <section className="key-reveal al-badge-reveal" aria-labelledby="al-badge-reveal-title" data-testid="badge-reveal">
      <div className="key-reveal-head">
        <span className="check" aria-hidden="true">
          ✓
        </span>
        <div>
          <h2 id="al-badge-reveal-title">{fresh === "created" ? `Alarm “${name}” created` : "New badge link"}</h2>
          <p className="key-warning">
            <strong>Copy the status badge link now — it will not be shown again.</strong>{" "}
            {fresh === "regenerated" ? "The previous link stopped working. " : ""}Anyone with the link sees the alarm’s name and worst
            state, nothing else.
          </p>
        </div>
      </div>
      <div className="al-badge-preview">
        <span className="small muted">Preview</span>
        <img src={`/badge/${token}.svg`} alt={`${name} status badge`} height={20} />
      </div>
      <div className="al-badge-codes">
        <span className="small strong">Markdown (README, wiki)</span>
        <CopyBlock text={markdown} label="Copy Markdown" />
        <span className="small strong">HTML</span>
        <CopyBlock text={html} label="Copy HTML" />
      </div>
    </section>
  );
}

/** Current states, one per tag set. */
export function StatesCard({ alarm, prefs }: { alarm: AlarmView; prefs: Prefs }) {
  return (
    <section className="card al-side-card" aria-labelledby="al-states-title">
      <h2 id="al-states-title">
        Current state <span className="count">{alarm.states.length}</span>
      </h2>
      {alarm.states.length === 0 ? (
        <p className="small muted">
          {alarm.enabled
            ? alarm.kind === "check"
              ? "Nothing checked yet: the next instance pushed to the report is."
              : "Waiting for the first instance of each tag set."
            : "The alarm is off."}
        </p>
      ) : (
        <ul className="al-states">
          {alarm.states.map((s) => (
            <li key={s.tags.join("\n")} className="al-state">
              <div className="al-state-top">
                <StatePill state={s.state} small />
                <TagChips tags={s.tags} />
              </div>
              {s.message ? <p className="al-state-message">{s.message}</p> : null}
              <p className="al-state-since small muted">
                since <RelativeTime date={s.since} now={prefs.now} /> · {when(s.since, prefs)}
              </p>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** Snooze: 1 h / 4 h / 1 day / custom minutes, or the end of the current one; and the curl line. */
export function SnoozeCard({ alarm, canEdit, origin, prefs, error }: { alarm: AlarmView; canEdit: boolean; origin: string; prefs: Prefs; error?: string }) {
  const navigation = useNavigation();
  const busy = navigation.state !== "idle" && ["snooze", "end-snooze"].includes(String(navigation.formData?.get("intent")));
  const curl = `curl -X POST --user $TABLEWATCH_KEY: "${origin}/api/v1/alarms/${alarm.id}/snooze?minutes=60"`;
  return (
    <section className="card al-side-card" aria-labelledby="al-snooze-title">
      <h2 id="al-snooze-title">Snooze</h2>
      {alarm.snoozedUntil ? (
        <div className="al-snoozed" role="status">
          <span className="al-snooze-icon" aria-hidden="true">
            <svg width="16" height="16" viewBox="0 0 16 16">
              <path d="M13.5 9.5A5.5 5.5 0 0 1 6.5 2.5a5.5 5.5 0 1 0 7 7z" fill="currentColor" />
            </svg>
          </span>
          <span>
            Snoozed until <strong>{when(alarm.snoozedUntil, prefs)}</strong>{" "}
            <span className="muted">(<RelativeTime date={alarm.snoozedUntil} now={prefs.now} />)</span>
          </span>
          {canEdit ? (
            <Form method="post" className="al-end-snooze">
              <input type="hidden" name="intent" value="end-snooze" />
              <button type="submit" className="button secondary small" disabled={busy}>
                End snooze
              </button>
            </Form>
          ) : null}
        </div>
      ) : (
        <p className="small muted">Holds notifications back for a while; checks and history go on.</p>
      )}
      {canEdit ? (
        <Form method="post" className="al-snooze-form">
          <input type="hidden" name="intent" value="snooze" />
          <div className="al-snooze-buttons" role="group" aria-label={alarm.snoozedUntil ? "Snooze for another" : "Snooze for"}>
            <button type="submit" name="minutes" value="60" className="button secondary small" disabled={busy}>
              1 hour
            </button>
            <button type="submit" name="minutes" value="240" className="button secondary small" disabled={busy}>
              4 hours
            </button>
            <button type="submit" name="minutes" value="1440" className="button secondary small" disabled={busy}>
              1 day
            </button>
          </div>
          <div className="al-snooze-custom">
            <label htmlFor="al-snooze-minutes" className="visually-hidden">
              Minutes
            </label>
            <input id="al-snooze-minutes" name="customMinutes" type="number" min={1} max={43200} step={1} placeholder="90" inputMode="numeric" />
            <span className="small muted">minutes</span>
            <button type="submit" name="minutes" value="custom" className="button secondary small" disabled={busy}>
              Snooze
            </button>
          </div>
          {error ? <p className="error small">{error}</p> : null}
        </Form>
      ) : null}
      <details className="al-curl">
        <summary>Snooze from a script</summary>
        <p className="small muted">With an API key of any scope, e.g. before a deploy:</p>
        <CopyBlock text={curl} />
      </details>
    </section>
  );
}

/** State changes, newest first, 20 a page. */
export function HistoryCard({
  alarm,
  history,
  before,
  prefs,
}: {
  alarm: AlarmView;
  history: { entries: HistoryEntry[]; next: string | null };
  before?: string;
  prefs: Prefs;
}) {
  return (
    <section className="card" aria-labelledby="al-history-title">
      <div className="card-head row">
        <h2 id="al-history-title">History</h2>
        <span className="small muted">Every change of state, newest first.</span>
      </div>
      {history.entries.length === 0 ? (
        <div className="card-empty">
          <p className="muted">{before ? "No older changes." : "No changes yet. When the state changes, it is recorded here with the instance that caused it."}</p>
        </div>
      ) : (
        <div className="table-scroll">
          <table className="list-table al-history">
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Tags</th>
                <th scope="col">Change</th>
                <th scope="col">Message</th>
                <th scope="col">
                  <span className="visually-hidden">Instance</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {history.entries.map((h, i) => (
                <tr key={`${new Date(h.at).getTime()}-${i}`}>
                  <td>
                    <span className="al-history-time">{when(h.at, prefs, true)}</span>
                    <span className="small muted">
                      <RelativeTime date={h.at} now={prefs.now} />
                    </span>
                  </td>
                  <td>
                    <TagChips tags={h.tags} empty="—" />
                  </td>
                  <td>
                    <span className="al-change" aria-label={`from ${h.from} to ${h.to}`}>
                      <StatePill state={h.from} small />
                      <span aria-hidden="true" className="al-arrow">
                        →
                      </span>
                      <StatePill state={h.to} small />
                    </span>
                  </td>
                  <td className="al-history-message">{h.message ?? <span className="muted">—</span>}</td>
                  <td className="actions">
                    {h.instanceId ? (
                      <Link className="button ghost small" to={`/reports/${encodeURIComponent(alarm.report)}?id=${encodeURIComponent(h.instanceId)}`}>
                        Instance <span aria-hidden="true">→</span>
                      </Link>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {history.next || before ? (
        <div className="al-history-pager">
          {before ? (
            <Link className="button ghost small" to="?" preventScrollReset>
              Newest
            </Link>
          ) : (
            <span />
          )}
          {history.next ? (
            <Link className="button secondary small" to={`?before=${encodeURIComponent(history.next)}`} preventScrollReset>
              Older <span aria-hidden="true">→</span>
            </Link>
          ) : null}
        </div>
      ) : null}
    </section>
  );
}

/** What a check sees and returns (alarms.md "The check's world"), beside the editor. */
export function CheckReference() {
  return (
    <section className="card al-side-card al-reference" aria-labelledby="al-reference-title">
      <h2 id="al-reference-title">Writing a check</h2>
      <p className="small muted">A function body, run on each new instance with:</p>
      <dl className="al-ref-list">
        <dt>
          <code>instance</code>
        </dt>
        <dd>
          the new instance: <code>{"{ rows, header, input, tags, created, link }"}</code>
        </dd>
        <dt>
          <code>previous</code>
        </dt>
        <dd>the one before it (same report and tags), or null</dd>
        <dt>
          <code>table(x)</code>
        </dt>
        <dd>
          x’s rows as objects keyed by the header: <code>r['Use%']</code>
        </dd>
        <dt>
          <code>num(v)</code>
        </dt>
        <dd>
          a cell as a number: <code>num('95%')</code> is 95
        </dd>
        <dt>
          <code>console.log()</code>
        </dt>
        <dd>lines shown by Test</dd>
      </dl>
      <p className="small muted">What it returns decides the state:</p>
      <ul className="al-ref-returns">
        <li>
          <StatePill state="ok" small /> <span>nothing, or false</span>
        </li>
        <li>
          <StatePill state="alarm" small /> <span>true, or a message</span>
        </li>
        <li>
          <StatePill state="alarm" small />{" "}
          <span>
            <code>{"{ message, rows: [r] }"}</code> also marks the rows
          </span>
        </li>
        <li>
          <StatePill state="error" small /> <span>it throws, or runs over 100 ms or 32 MiB</span>
        </li>
      </ul>
    </section>
  );
}
