/**
 * The visitor's side of a public dashboard link (/s/<token>): the dashboard's tiles drawn as in
 * the app, read-only (no menus, no edit mode, no navigation), updated live through the
 * token-scoped `share.tiles` procedure, with an optional time range when the link allows it.
 * Nothing here links into the app.
 */
import { TRPCClientError } from "@trpc/client";
import { useEffect, useMemo, useRef, useState } from "react";
import type { VisitorDashboard } from "../../../server/share/visitor";
import { DashboardGrid } from "./grid";
import { type LiveTile, mergeTileData, POLL_MS } from "./live";
import { syncTiles } from "./sync";
import { TileView } from "./tile-view";
import { trpc } from "~/utils/trpc";

export type SharedDashboardData = VisitorDashboard;

/** Time ranges a visitor may pick when the link allows it; "default" is each tile's own range. */
export const RANGE_PRESETS = [
  { key: "1h", label: "1 hour", short: "1h", seconds: 3600 },
  { key: "24h", label: "24 hours", short: "24h", seconds: 86_400 },
  { key: "7d", label: "7 days", short: "7d", seconds: 7 * 86_400 },
  { key: "30d", label: "30 days", short: "30d", seconds: 30 * 86_400 },
] as const;
export type RangeChoice = { kind: "default" } | { kind: "preset"; key: string } | { kind: "custom"; from: number; to: number };

/** from/to (epoch ms) for a choice at `now`: presets slide with time, custom ranges stay put. */
export function rangeQuery(choice: RangeChoice, now: number): { from?: number; to?: number } {
  if (choice.kind === "preset") {
    const preset = RANGE_PRESETS.find((p) => p.key === choice.key);
    return preset ? { from: now - preset.seconds * 1000 } : {};
  }
  if (choice.kind === "custom") return { from: choice.from, to: choice.to };
  return {};
}

/** The choice in a page URL: `?range=24h`, or `?from=<ISO>&to=<ISO>`. */
export function rangeFromSearch(params: URLSearchParams): RangeChoice {
  const key = params.get("range");
  if (key && RANGE_PRESETS.some((p) => p.key === key)) return { kind: "preset", key };
  const from = Date.parse(params.get("from") ?? "");
  const to = Date.parse(params.get("to") ?? "");
  if (Number.isFinite(from) && Number.isFinite(to) && from >= 0 && from < to) return { kind: "custom", from, to };
  return { kind: "default" };
}

function rangeSearch(choice: RangeChoice): string {
  if (choice.kind === "preset") return `?range=${choice.key}`;
  if (choice.kind === "custom") return `?from=${new Date(choice.from).toISOString()}&to=${new Date(choice.to).toISOString()}`;
  return "";
}

const rangeKey = (c: RangeChoice) => (c.kind === "preset" ? c.key : c.kind === "custom" ? `${c.from}-${c.to}` : "default");

/** The plain page for a revoked, paused, expired or unknown link (the same for each). */
export function LinkNotAvailable() {
  return (
    <main className="share-gone" aria-labelledby="gone-title">
      <div className="share-gone-card">
        <svg viewBox="0 0 48 48" width="44" height="44" aria-hidden="true">
          <circle cx="24" cy="24" r="22" fill="#f2f4f7" />
          <path d="M19 29l-2 2a5 5 0 0 1-7-7l5-5a5 5 0 0 1 7 0M29 19l2-2a5 5 0 0 1 7 7l-5 5a5 5 0 0 1-7 0" fill="none" stroke="#98a2b3" strokeWidth="2.4" strokeLinecap="round" />
          <path d="M15 15l18 18" stroke="#98a2b3" strokeWidth="2.4" strokeLinecap="round" />
        </svg>
        <h1 id="gone-title">This link is not available</h1>
        <p>Nothing is shared at this address. If someone gave you this link, ask them for a new one.</p>
      </div>
    </main>
  );
}

/** The plain page for too many requests from one address. */
export function TooManyRequests({ retryAfter }: { retryAfter: number }) {
  return (
    <main className="share-gone" aria-labelledby="slow-title">
      <div className="share-gone-card">
        <h1 id="slow-title">Too many requests</h1>
        <p>This shared dashboard was opened very often from your network. Please wait {retryAfter > 90 ? "a few minutes" : "a minute"} and reload the page.</p>
      </div>
    </main>
  );
}

type Status = "live" | "gone" | "slow" | "offline";

/**
 * The dashboard kept up to date: every POLL_MS (while the page is visible) one `share.tiles`
 * call brings every tile, range tiles only their newer points. Tiles deleted by the owner
 * disappear, new ones appear; a link revoked meanwhile turns the page into "not available".
 */
function useSharedDashboard(token: string, initial: SharedDashboardData, range: RangeChoice) {
  const [view, setView] = useState(initial);
  const [status, setStatus] = useState<Status>("live");
  const [updatedAt, setUpdatedAt] = useState<number | null>(null);
  const latest = useRef(view);
  latest.current = view;
  const firstRange = useRef(rangeKey(range));

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout>;
    const load = async (incremental: boolean) => {
      const current = latest.current;
      const after: Record<string, number> = {};
      if (incremental) for (const t of current.tiles) if (t.data.kind === "range" && t.data.newest !== null) after[t.id] = t.data.newest;
      const answer = (await trpc.share.tiles.query({ token, after: incremental ? after : undefined, ...rangeQuery(range, Date.now()) })) as SharedDashboardData;
      if (stopped) return;
      const previous = new Map(latest.current.tiles.map((t) => [t.id, t]));
      setView({
        ...answer,
        tiles: answer.tiles.map((t) => {
          const before = previous.get(t.id);
          return before && incremental && Object.hasOwn(after, t.id) ? { ...t, data: mergeTileData(before.data as LiveTile, t.data as LiveTile) as typeof t.data } : t;
        }),
      });
      setStatus("live");
      setUpdatedAt(Date.now());
    };
    const tick = async (incremental: boolean) => {
      let wait = POLL_MS;
      if (!document.hidden || !incremental) {
        try {
          await load(incremental);
        } catch (error) {
          if (stopped) return;
          const code = error instanceof TRPCClientError ? (error.data as { code?: string } | undefined)?.code : undefined;
          if (code === "NOT_FOUND") {
            setStatus("gone");
            return; // revoked, paused or expired meanwhile: stop asking
          }
          if (code === "TOO_MANY_REQUESTS") {
            setStatus("slow");
            wait = 60_000;
          } else setStatus("offline");
        }
      }
      if (!stopped) timer = setTimeout(() => void tick(true), wait);
    };
    // A changed time range is loaded at once (whole); afterwards, and on first load, poll.
    const changed = rangeKey(range) !== firstRange.current;
    firstRange.current = rangeKey(range);
    if (changed) void tick(false);
    else timer = setTimeout(() => void tick(true), POLL_MS);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [token, rangeKey(range)]);

  return { view, status, updatedAt };
}

/** The visitor's time zone and clock, known only in the browser: UTC and 24 h on the server's first render. */
function useVisitorClock() {
  const [clock, setClock] = useState({ timeZone: "UTC", hour12: false });
  useEffect(() => {
    const options = Intl.DateTimeFormat().resolvedOptions();
    const hour12 = new Intl.DateTimeFormat(undefined, { hour: "numeric" }).resolvedOptions().hour12 ?? false;
    setClock({ timeZone: options.timeZone || "UTC", hour12 });
  }, []);
  return clock;
}

function toLocalInput(ms: number): string {
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 16);
}

function RangePicker({ value, onChange }: { value: RangeChoice; onChange: (choice: RangeChoice) => void }) {
  const [custom, setCustom] = useState(() => {
    const now = Date.now();
    return value.kind === "custom" ? { from: toLocalInput(value.from), to: toLocalInput(value.to) } : { from: toLocalInput(now - 86_400_000), to: toLocalInput(now) };
  });
  const [open, setOpen] = useState(value.kind === "custom");
  const from = Date.parse(custom.from);
  const to = Date.parse(custom.to);
  const valid = Number.isFinite(from) && Number.isFinite(to) && from < to;
  return (
    <div className="share-range">
      <div className="share-segmented" role="group" aria-label="Time range">
        <button type="button" aria-pressed={value.kind === "default"} onClick={() => (setOpen(false), onChange({ kind: "default" }))} title="Each tile’s own range">
          Default
        </button>
        {RANGE_PRESETS.map((p) => (
          <button
            key={p.key}
            type="button"
            aria-pressed={value.kind === "preset" && value.key === p.key}
            aria-label={`Last ${p.label}`}
            title={`Last ${p.label}`}
            onClick={() => (setOpen(false), onChange({ kind: "preset", key: p.key }))}
          >
            {p.short}
          </button>
        ))}
        <button type="button" aria-pressed={value.kind === "custom"} aria-expanded={open} onClick={() => setOpen(!open)}>
          Custom…
        </button>
      </div>
      {open ? (
        <form
          className="share-custom"
          onSubmit={(e) => {
            e.preventDefault();
            if (valid) onChange({ kind: "custom", from, to });
          }}
        >
          <label>
            From <input type="datetime-local" value={custom.from} onChange={(e) => setCustom({ ...custom, from: e.target.value })} required />
          </label>
          <label>
            To <input type="datetime-local" value={custom.to} onChange={(e) => setCustom({ ...custom, to: e.target.value })} required />
          </label>
          <button className="button small" type="submit" disabled={!valid}>
            Apply
          </button>
        </form>
      ) : null}
    </div>
  );
}

function clockTime(ms: number, timeZone: string, hour12: boolean): string {
  try {
    return new Intl.DateTimeFormat("en-US", { hour: "numeric", minute: "2-digit", second: "2-digit", hour12, timeZone }).format(ms);
  } catch {
    return new Date(ms).toISOString().slice(11, 19);
  }
}

function LiveBadge({ status, updatedAt, timeZone, hour12 }: { status: Status; updatedAt: number | null; timeZone: string; hour12: boolean }) {
  const label = status === "live" ? "Live" : status === "slow" ? "Updates slowed down" : "Reconnecting…";
  return (
    <span className={`share-live ${status}`} role="status" aria-live="polite">
      <span className="share-live-dot" aria-hidden="true" />
      {label}
      {updatedAt !== null && status === "live" ? (
        <span className="share-live-time">· updated {clockTime(updatedAt, timeZone, hour12)}</span>
      ) : null}
    </span>
  );
}

/** The shared dashboard page. */
export function SharedDashboard({ token, initial, initialRange }: { token: string; initial: SharedDashboardData; initialRange: RangeChoice }) {
  const [range, setRange] = useState<RangeChoice>(initialRange);
  const { view, status, updatedAt } = useSharedDashboard(token, initial, range);
  const { timeZone, hour12 } = useVisitorClock();
  const data = useMemo(() => Object.fromEntries(view.tiles.map((t) => [t.id, t.data])), [view.tiles]);
  const synced = useMemo(() => syncTiles(view.tiles, data, view.settings), [view.tiles, data, view.settings]);

  const choose = (choice: RangeChoice) => {
    setRange(choice);
    window.history.replaceState(window.history.state, "", `${window.location.pathname}${rangeSearch(choice)}`);
  };

  if (status === "gone") return <LinkNotAvailable />;
  return (
    <div className="share-page">
      <header className="share-bar">
        <div className="share-title">
          <h1>{view.name}</h1>
          <p>Shared dashboard · read-only</p>
        </div>
        <div className="share-tools">
          {view.allowTimeRange ? <RangePicker value={range} onChange={choose} /> : null}
          <LiveBadge status={status} updatedAt={updatedAt} timeZone={timeZone} hour12={hour12} />
        </div>
      </header>
      <main className="share-main">
        {view.tiles.length === 0 ? (
          <div className="share-empty">
            <p>This dashboard has no tiles yet.</p>
          </div>
        ) : (
          <DashboardGrid
            tiles={view.tiles.map((t) => ({ id: t.id, layout: t.layout }))}
            editing={false}
            onLayoutChange={() => {}}
            renderTile={(tileId) => {
              const tile = synced[tileId];
              return (
                <div className="tile-slot" data-testid="tile" data-tile-id={tileId} data-points={tile ? tile.data.series.reduce((n, s) => n + s.points.length, 0) : 0}>
                  {tile ? <TileView data={tile.data} yRange={tile.yRange} timeZone={timeZone} hour12={hour12} /> : null}
                </div>
              );
            }}
          />
        )}
      </main>
      <footer className="share-foot">
        <span className="share-mark" aria-hidden="true">
          <svg viewBox="0 0 32 32" width="16" height="16">
            <rect width="32" height="32" rx="7" fill="#0f766e" />
            <rect x="7" y="8" width="18" height="4" rx="1" fill="#ccfbf1" />
            <rect x="7" y="14" width="8" height="4" rx="1" fill="#fff" />
            <rect x="17" y="14" width="8" height="4" rx="1" fill="#fff" />
            <rect x="7" y="20" width="8" height="4" rx="1" fill="#fff" />
            <rect x="17" y="20" width="8" height="4" rx="1" fill="#5eead4" />
          </svg>
        </span>
        Shared with Tablewatch · times in {timeZone}
      </footer>
    </div>
  );
}
