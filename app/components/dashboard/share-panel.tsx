/**
 * The dashboard toolbar's "Share" button and its dialog: create a public read-only link (expiry,
 * whether visitors may change the time range), see the new link once with Copy (only its hash
 * is stored, as with API keys), and manage this dashboard's links: options, view counts,
 * pause/resume, regenerate, revoke. Everything goes through `trpc.shares.*`; viewers see the
 * list without the buttons. `?share=1` in the page URL opens the dialog (Settings → Sharing).
 */
import { useRevalidator, useSearchParams } from "@remix-run/react";
import { useCallback, useEffect, useId, useRef, useState } from "react";
import { CopyBlock } from "~/components/copy-block";
import { blocks, LimitNote, usePlanLimit } from "~/components/plan/limits";
import { formatCount, formatRelative } from "~/utils/format";
import { trpc } from "~/utils/trpc";
import shareStyles from "~/styles/share.css";

/** The stylesheet the dialog needs, for the route's `links`. */
export const sharePanelLinks = [{ rel: "stylesheet", href: shareStyles }];

export type ShareItem = {
  id: string;
  dashboardId: string;
  dashboardName: string;
  status: "active" | "paused" | "expired";
  /** Dates arrive as ISO strings over HTTP. */
  expiresAt: string | Date | null;
  allowTimeRange: boolean;
  paused: boolean;
  createdAt: string | Date;
  createdBy: string | null;
  viewCount: number;
  lastViewedAt: string | Date | null;
};

const STATUS_LABEL = { active: "Active", paused: "Paused", expired: "Expired" } as const;

export function ShareStatus({ status }: { status: ShareItem["status"] }) {
  return <span className={`badge share-status ${status}`}>{STATUS_LABEL[status]}</span>;
}

/** "Jan 31, 2027" in the browser's (or the given) time zone. */
export function formatDay(date: string | Date, timeZone?: string): string {
  try {
    return new Intl.DateTimeFormat("en-US", { year: "numeric", month: "short", day: "numeric", timeZone }).format(new Date(date));
  } catch {
    return new Date(date).toISOString().slice(0, 10);
  }
}

/** The end of a local day (`YYYY-MM-DD` from a date input) as epoch ms. */
function endOfDay(value: string): number | null {
  const ms = new Date(`${value}T23:59:59`).getTime();
  return Number.isFinite(ms) ? ms : null;
}

function dateInputValue(date: string | Date): string {
  const d = new Date(date);
  const local = new Date(d.getTime() - d.getTimezoneOffset() * 60_000);
  return local.toISOString().slice(0, 10);
}

const tomorrow = () => dateInputValue(new Date(Date.now() + 86_400_000));

function errorMessage(error: unknown): string {
  return error instanceof Error && error.message ? error.message : "Something went wrong. Please try again.";
}

/** Expiry (never / end of a date) and the time range option: the create form and each link's edit form. */
function OptionsFields({
  idPrefix,
  expires,
  setExpires,
  allowTimeRange,
  setAllowTimeRange,
}: {
  idPrefix: string;
  expires: { never: boolean; date: string };
  setExpires: (v: { never: boolean; date: string }) => void;
  allowTimeRange: boolean;
  setAllowTimeRange: (v: boolean) => void;
}) {
  return (
    <div className="share-options">
      <fieldset className="share-expiry">
        <legend>Link expires</legend>
        <label className="share-radio">
          <input type="radio" name={`${idPrefix}-expiry`} checked={expires.never} onChange={() => setExpires({ ...expires, never: true })} /> Never
        </label>
        <label className="share-radio">
          <input type="radio" name={`${idPrefix}-expiry`} checked={!expires.never} onChange={() => setExpires({ ...expires, never: false })} /> At the end of
        </label>
        <input
          type="date"
          aria-label="Expiry date"
          min={tomorrow()}
          value={expires.date}
          disabled={expires.never}
          onChange={(e) => setExpires({ never: false, date: e.target.value })}
        />
      </fieldset>
      <label className="share-check">
        <input type="checkbox" checked={allowTimeRange} onChange={(e) => setAllowTimeRange(e.target.checked)} />
        <span>
          Visitors may change the time range
          <small>Otherwise they see each tile’s own range, as you set it.</small>
        </span>
      </label>
    </div>
  );
}

/** A link shown once, right after creation or regeneration. */
export function NewLinkBox({ url, regenerated, onDone }: { url: string; regenerated?: boolean; onDone?: () => void }) {
  return (
    <section className="share-reveal" aria-labelledby="share-reveal-title" data-testid="new-share-link">
      <div className="share-reveal-head">
        <span className="share-reveal-check" aria-hidden="true">
          ✓
        </span>
        <div>
          <h3 id="share-reveal-title">{regenerated ? "New link ready — the old one no longer works" : "Link created"}</h3>
          <p className="key-warning">
            <strong>Copy it now — it will not be shown again.</strong> Tablewatch keeps only a fingerprint of the link. If you lose it,
            regenerate it (the old link stops working).
          </p>
        </div>
      </div>
      <CopyBlock text={url} label="Copy link" />
      <div className="share-reveal-foot">
        <a href={url} target="_blank" rel="noreferrer noopener">
          Open the link in a new tab ↗
        </a>
        {onDone ? (
          <button type="button" className="link-button" onClick={onDone}>
            I have copied it
          </button>
        ) : null}
      </div>
    </section>
  );
}

function LinkRow({ share, canManage, onChanged, onRegenerated }: { share: ShareItem; canManage: boolean; onChanged: () => void; onRegenerated: (url: string) => void }) {
  const [mode, setMode] = useState<"view" | "edit" | "revoke" | "regenerate">("view");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [expires, setExpires] = useState({ never: share.expiresAt === null, date: share.expiresAt ? dateInputValue(share.expiresAt) : tomorrow() });
  const [allowTimeRange, setAllowTimeRange] = useState(share.allowTimeRange);
  const idPrefix = useId();
  const now = new Date();

  const run = async (action: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await action();
      setMode("view");
      onChanged();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <li className={`share-link ${share.status}`} data-testid="share-link">
      <div className="share-link-main">
        <div className="share-link-line">
          <ShareStatus status={share.status} />
          <span className="share-link-meta">
            Created {formatRelative(share.createdAt, now)}
            {share.createdBy ? ` by ${share.createdBy}` : ""}
          </span>
        </div>
        <dl className="share-facts">
          <div>
            <dt>Expires</dt>
            <dd>{share.expiresAt ? `${share.status === "expired" ? "Expired" : "End of"} ${formatDay(share.expiresAt)}` : "Never"}</dd>
          </div>
          <div>
            <dt>Time range</dt>
            <dd>{share.allowTimeRange ? "Visitors may change it" : "Fixed"}</dd>
          </div>
          <div>
            <dt>Views</dt>
            <dd data-testid="share-views">{formatCount(share.viewCount)}</dd>
          </div>
          <div>
            <dt>Last viewed</dt>
            <dd>{share.lastViewedAt ? formatRelative(share.lastViewedAt, now) : "never"}</dd>
          </div>
        </dl>
      </div>
      {canManage && mode === "view" ? (
        <div className="share-link-actions">
          <button type="button" className="button secondary small" onClick={() => setMode("edit")}>
            Edit
          </button>
          {share.paused ? (
            <button type="button" className="button secondary small" disabled={busy} onClick={() => run(() => trpc.shares.resume.mutate({ id: share.id }))}>
              Resume
            </button>
          ) : (
            <button type="button" className="button secondary small" disabled={busy} onClick={() => run(() => trpc.shares.pause.mutate({ id: share.id }))}>
              Pause
            </button>
          )}
          <button type="button" className="button secondary small" onClick={() => setMode("regenerate")}>
            Regenerate
          </button>
          <button type="button" className="button danger-outline small" onClick={() => setMode("revoke")}>
            Revoke
          </button>
        </div>
      ) : null}
      {mode === "edit" ? (
        <form
          className="share-edit"
          onSubmit={(e) => {
            e.preventDefault();
            const expiresAt = expires.never ? null : endOfDay(expires.date);
            if (!expires.never && expiresAt === null) return setError("Choose an expiry date, or never.");
            void run(() => trpc.shares.update.mutate({ id: share.id, expiresAt, allowTimeRange }));
          }}
        >
          <OptionsFields idPrefix={idPrefix} expires={expires} setExpires={setExpires} allowTimeRange={allowTimeRange} setAllowTimeRange={setAllowTimeRange} />
          <div className="share-confirm-actions">
            <button type="button" className="button secondary small" onClick={() => setMode("view")}>
              Cancel
            </button>
            <button type="submit" className="button small" disabled={busy}>
              {busy ? "Saving…" : "Save options"}
            </button>
          </div>
        </form>
      ) : null}
      {mode === "revoke" || mode === "regenerate" ? (
        <div className="share-confirm" role="alertdialog" aria-label={mode === "revoke" ? "Revoke this link?" : "Regenerate this link?"}>
          <p>
            {mode === "revoke" ? (
              <>
                <strong>Revoke this link?</strong> Anyone opening it gets “This link is not available” from now on. This cannot be undone.
              </>
            ) : (
              <>
                <strong>Regenerate this link?</strong> The current address stops working at once; you get a new one to copy. Options and view
                counts stay.
              </>
            )}
          </p>
          <div className="share-confirm-actions">
            <button type="button" className="button secondary small" onClick={() => setMode("view")} autoFocus>
              Cancel
            </button>
            {mode === "revoke" ? (
              <button type="button" className="button danger small" disabled={busy} onClick={() => run(() => trpc.shares.revoke.mutate({ id: share.id }))}>
                {busy ? "Revoking…" : "Revoke link"}
              </button>
            ) : (
              <button
                type="button"
                className="button small"
                disabled={busy}
                onClick={() =>
                  run(async () => {
                    const result = await trpc.shares.regenerate.mutate({ id: share.id });
                    onRegenerated(result.url);
                  })
                }
              >
                {busy ? "Regenerating…" : "Regenerate link"}
              </button>
            )}
          </div>
        </div>
      ) : null}
      {error ? (
        <p className="share-error" role="alert">
          {error}
        </p>
      ) : null}
    </li>
  );
}

/** The "Share" toolbar button and its dialog. */
export function SharePanel({ dashboardId, dashboardName, canManage }: { dashboardId: string; dashboardName: string; canManage: boolean }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const [params] = useSearchParams();
  const [links, setLinks] = useState<ShareItem[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [revealed, setRevealed] = useState<{ url: string; regenerated: boolean } | null>(null);
  const [expires, setExpires] = useState({ never: true, date: "" });
  const [allowTimeRange, setAllowTimeRange] = useState(false);
  const [creating, setCreating] = useState(false);
  const [createError, setCreateError] = useState<string | null>(null);
  // The plan's live share links (app layout's loader), revalidated after a link is created or revoked.
  const limit = usePlanLimit("shareLinks");
  const revalidator = useRevalidator();

  const load = useCallback(() => {
    trpc.shares.list.query({ dashboardId }).then(
      (list) => {
        setLinks(list as unknown as ShareItem[]);
        setLoadError(null);
      },
      (e: unknown) => setLoadError(errorMessage(e)),
    );
  }, [dashboardId]);

  const open = useCallback(() => {
    setRevealed(null);
    setCreateError(null);
    setLinks(null);
    load();
    dialog.current?.showModal();
  }, [load]);

  // Settings → Sharing links here with ?share=1.
  const autoOpen = params.get("share") === "1";
  useEffect(() => {
    if (autoOpen && !dialog.current?.open) open();
  }, [autoOpen, dashboardId]);

  const create = async () => {
    const expiresAt = expires.never ? null : endOfDay(expires.date);
    if (!expires.never && expiresAt === null) return setCreateError("Choose an expiry date, or never.");
    setCreating(true);
    setCreateError(null);
    try {
      const result = await trpc.shares.create.mutate({ dashboardId, expiresAt, allowTimeRange });
      setRevealed({ url: result.url, regenerated: false });
      setExpires({ never: true, date: "" });
      setAllowTimeRange(false);
      load();
      revalidator.revalidate();
    } catch (e) {
      setCreateError(errorMessage(e));
    } finally {
      setCreating(false);
    }
  };

  const live = links?.length ?? 0;
  return (
    <>
      <button className="button" type="button" onClick={open} aria-haspopup="dialog">
        <svg viewBox="0 0 20 20" width="15" height="15" aria-hidden="true">
          <circle cx="15" cy="4.5" r="2.5" fill="none" stroke="currentColor" strokeWidth="1.7" />
          <circle cx="5" cy="10" r="2.5" fill="none" stroke="currentColor" strokeWidth="1.7" />
          <circle cx="15" cy="15.5" r="2.5" fill="none" stroke="currentColor" strokeWidth="1.7" />
          <path d="M7.2 8.8l5.6-3.1M7.2 11.2l5.6 3.1" stroke="currentColor" strokeWidth="1.7" />
        </svg>
        Share
      </button>
      <dialog ref={dialog} className="share-dialog" aria-labelledby={titleId}>
        <header className="share-dialog-head">
          <div>
            <h2 id={titleId}>Share “{dashboardName}”</h2>
            <p>
              A public, read-only link: anyone who has it sees this dashboard’s tiles, updating live — without an account, and nothing else
              of this account.
            </p>
          </div>
          <button type="button" className="share-close" aria-label="Close" onClick={() => dialog.current?.close()}>
            ×
          </button>
        </header>

        <div className="share-dialog-body">
          {revealed ? <NewLinkBox url={revealed.url} regenerated={revealed.regenerated} onDone={() => setRevealed(null)} /> : null}

          {canManage ? (
            revealed ? null : (
              <section className="share-create" aria-label="Create a link">
                <h3>Create a link</h3>
                <OptionsFields idPrefix="new" expires={expires} setExpires={setExpires} allowTimeRange={allowTimeRange} setAllowTimeRange={setAllowTimeRange} />
                {createError ? (
                  <p className="share-error" role="alert">
                    {createError}
                  </p>
                ) : null}
                <div>
                  <button
                    type="button"
                    className="button"
                    disabled={creating || (!expires.never && !expires.date) || blocks(limit)}
                    aria-describedby={blocks(limit) ? `${titleId}-limit` : undefined}
                    onClick={() => void create()}
                  >
                    {creating ? "Creating…" : "Create link"}
                  </button>
                  <LimitNote limit={limit} id={`${titleId}-limit`} />
                </div>
              </section>
            )
          ) : (
            <p className="share-note">Only editors, admins and owners can create or change links. You can see the links that exist.</p>
          )}

          <section className="share-list" aria-labelledby={`${titleId}-links`}>
            <h3 id={`${titleId}-links`}>
              Links to this dashboard <span className="count">{live}</span>
            </h3>
            {loadError ? (
              <p className="share-error" role="alert">
                {loadError}
              </p>
            ) : links === null ? (
              <p className="muted small">Loading…</p>
            ) : links.length === 0 ? (
              <p className="share-empty-list">No links yet. {canManage ? "Create one above to show this dashboard to people without an account." : ""}</p>
            ) : (
              <ul>
                {links.map((share) => (
                  <LinkRow
                    key={`${share.id}:${share.status}:${String(share.expiresAt)}:${share.allowTimeRange}`}
                    share={share}
                    canManage={canManage}
                    onChanged={() => {
                      load();
                      revalidator.revalidate();
                    }}
                    onRegenerated={(url) => setRevealed({ url, regenerated: true })}
                  />
                ))}
              </ul>
            )}
          </section>
          <p className="share-fine small muted">
            Visitors see tile titles, series names and the numbers drawn — not the reports’ raw data, other dashboards or anything about
            this account. Views are counted without recording who viewed. Manage every link in Settings → Sharing.
          </p>
        </div>
      </dialog>
    </>
  );
}
