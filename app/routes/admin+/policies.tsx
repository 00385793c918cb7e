import { type ActionFunctionArgs, data, type LinksFunction, type LoaderFunctionArgs, type MetaFunction, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation, useRevalidator } from "@remix-run/react";
import { type RefObject, useEffect, useId, useRef, useState } from "react";
import { policyDate } from "~/components/policy/document-page";
import { PolicyMarkdown } from "~/components/policy/markdown";
import { adminCall } from "~/utils/admin.server";
import { formAction, readForm } from "~/utils/errors.server";
import { formatCount } from "~/utils/format";
import policyStyles from "~/styles/policy.css";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: policyStyles }];
export const meta: MetaFunction = () => [{ title: "Policies · Admin · Tablewatch" }];

type Doc = "privacy" | "terms";
const titles: Record<Doc, string> = { privacy: "Privacy Policy", terms: "Terms of Service" };
const docOf = (value: string | null | undefined): Doc => (value === "terms" ? "terms" : "privacy");

export async function loader({ request, context }: LoaderFunctionArgs) {
  const url = new URL(request.url);
  const doc = docOf(url.searchParams.get("doc"));
  const viewing = Number(url.searchParams.get("version")) || null;
  return adminCall(context, async (admin) => {
    const all = await admin.policies();
    const versions = all.versions.filter((v) => v.document === doc);
    const failures = Object.fromEntries(
      await Promise.all(
        versions.filter((v) => v.progress.failed > 0).map(async (v) => [v.id, (await admin.broadcast({ versionId: v.id })).failures] as const),
      ),
    );
    const viewed = viewing ? await admin.policyVersion({ document: doc, version: viewing }).catch(() => null) : null;
    return {
      doc,
      versions,
      current: all.current[doc],
      draft: all.drafts[doc],
      users: all.users,
      failures,
      viewed,
      // Any broadcast still sending, of either document: the page polls while there is one.
      sending: all.versions.some((v) => v.progress.remaining > 0),
      published: url.searchParams.get("published"),
    };
  });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const values = await readForm(request);
  const doc = docOf(values.document);
  return adminCall(context, async (admin) => {
    switch (values.intent) {
      case "save": {
        const result = await formAction(() => admin.saveDraft({ document: doc, body: values.body ?? "", summary: values.summary ?? "" }));
        if (!result.ok) return result.response;
        return { saved: true as const };
      }
      case "discard":
        await admin.discardDraft({ document: doc });
        throw redirect(`/admin/policies?doc=${doc}`);
      case "publish": {
        const result = await formAction(() =>
          admin.publish({
            document: doc,
            body: values.body ?? "",
            summary: values.summary ?? "",
            expectedVersion: Number(values.expectedVersion ?? -1),
          }),
        );
        if (!result.ok) return result.response;
        throw redirect(`/admin/policies?doc=${doc}&published=${result.value.version}`);
      }
      case "retry": {
        const { retried } = await admin.retryFailed({ versionId: values.versionId ?? "" });
        return { retried };
      }
      default:
        throw data("Unknown action", { status: 400 });
    }
  });
}

/** The broadcast of one version: a bar of sent / failed / remaining, with the numbers. */
function Progress({ version, progress, live }: { version: number; progress: { total: number; sent: number; failed: number; remaining: number }; live?: boolean }) {
  const pct = (n: number) => (progress.total ? `${(n / progress.total) * 100}%` : "0%");
  if (progress.total === 0) return <span className="muted small">No emails (published before broadcasts)</span>;
  return (
    <div className="broadcast-progress" aria-live={live ? "polite" : undefined}>
      <div
        className="broadcast-bar"
        role="progressbar"
        aria-valuemin={0}
        aria-valuemax={progress.total}
        aria-valuenow={progress.sent + progress.failed}
        aria-label="Emails handled"
      >
        <span className="sent" style={{ width: pct(progress.sent) }} />
        <span className="failed" style={{ width: pct(progress.failed) }} />
      </div>
      <dl className="broadcast-numbers">
        <div>
          <dt>Sent</dt>
          <dd data-testid={`broadcast-v${version}-sent`}>{formatCount(progress.sent)}</dd>
        </div>
        <div className={progress.failed ? "bad" : undefined}>
          <dt>Failed</dt>
          <dd data-testid={`broadcast-v${version}-failed`}>{formatCount(progress.failed)}</dd>
        </div>
        <div>
          <dt>Remaining</dt>
          <dd data-testid={`broadcast-v${version}-remaining`}>{formatCount(progress.remaining)}</dd>
        </div>
      </dl>
    </div>
  );
}

/** The confirmation before publishing (outside the editor's form: forms do not nest). */
function PublishDialog({
  dialog,
  doc,
  nextVersion,
  users,
  fields,
}: {
  dialog: RefObject<HTMLDialogElement>;
  doc: Doc;
  nextVersion: number;
  users: number;
  fields: Record<string, string>;
}) {
  const titleId = useId();
  const navigation = useNavigation();
  const busy = navigation.state !== "idle" && navigation.formData?.get("intent") === "publish";
  // Closes when the publish settles (an error then shows on the page).
  const wasBusy = useRef(false);
  useEffect(() => {
    if (busy) wasBusy.current = true;
    else if (wasBusy.current) {
      wasBusy.current = false;
      dialog.current?.close();
    }
  }, [busy, dialog]);
  return (
    <>
      <dialog ref={dialog} className="confirm-dialog" aria-labelledby={titleId}>
        <h2 id={titleId}>
          Publish version {nextVersion} of the {titles[doc]}?
        </h2>
        <div className="confirm-body">
          <p>
            It replaces the current version at <code>{doc === "privacy" ? "/privacy" : "/terms"}</code> at once, with today as its “Last modified”
            date, and <strong>{formatCount(users)}</strong> {users === 1 ? "user is" : "users are"} emailed the summary. A published version cannot
            be changed or withdrawn.
          </p>
        </div>
        <Form method="post" className="confirm-actions">
          {Object.entries(fields).map(([name, value]) => (
            <input key={name} type="hidden" name={name} value={value} />
          ))}
          <button type="button" className="button secondary" onClick={() => dialog.current?.close()} autoFocus>
            Cancel
          </button>
          <button type="submit" className="button" disabled={busy}>
            {busy ? "Publishing…" : "Publish and email everyone"}
          </button>
        </Form>
      </dialog>
    </>
  );
}

export default function AdminPolicies() {
  const { doc, versions, current, draft, users, failures, viewed, sending, published } = useLoaderData<typeof loader>();
  const publishDialog = useRef<HTMLDialogElement>(null);
  const actionData = useActionData<typeof action>();
  const navigation = useNavigation();
  const revalidator = useRevalidator();
  const [body, setBody] = useState(draft?.body ?? current.body);
  const [summary, setSummary] = useState(draft?.summary ?? "");
  const [tab, setTab] = useState<"write" | "preview">("write");

  // Another document, or a publish/save/discard: start from what the server has now. (Not on
  // every revalidation: the page polls while a broadcast runs, and typing must survive that.)
  const draftSavedAt = draft ? new Date(draft.updatedAt).getTime() : 0;
  useEffect(() => {
    setBody(draft?.body ?? current.body);
    setSummary(draft?.summary ?? "");
  }, [doc, current.version, draftSavedAt]);

  // Live progress: poll while any broadcast is still sending.
  useEffect(() => {
    if (!sending) return;
    const timer = setInterval(() => {
      if (document.visibilityState === "visible" && revalidator.state === "idle") revalidator.revalidate();
    }, 2000);
    return () => clearInterval(timer);
  }, [sending, revalidator]);

  const errors = actionData && "errors" in actionData ? actionData.errors : undefined;
  const saved = actionData && "saved" in actionData;
  const retried = actionData && "retried" in actionData ? actionData.retried : undefined;
  const nextVersion = current.version + 1;
  const unchanged = body.trim() === current.body.trim();
  const busy = navigation.state !== "idle";
  const active = versions.find((v) => v.progress.remaining > 0) ?? null;

  return (
    <div className="stack">
      <div className="page-head">
        <div>
          <h1>Policies</h1>
          <p className="page-sub">
            The Privacy Policy and Terms of Service served at <a href="/privacy">/privacy</a> and <a href="/terms">/terms</a>. Publishing a version
            emails its summary to every user, once.
          </p>
        </div>
        <nav className="segmented" aria-label="Document">
          {(["privacy", "terms"] as const).map((d) => (
            <Link key={d} to={`?doc=${d}`} className={d === doc ? "active" : undefined} aria-current={d === doc ? "page" : undefined}>
              {titles[d]}
            </Link>
          ))}
        </nav>
      </div>

      {published ? (
        <div className="alert success" role="status">
          Version {published} of the {titles[doc]} is published. The emails are on their way; progress is below.
        </div>
      ) : null}
      {retried !== undefined ? (
        <div className="alert success" role="status">
          {retried === 0 ? "Nothing to retry." : `${formatCount(retried)} failed ${retried === 1 ? "email is" : "emails are"} queued again.`}
        </div>
      ) : null}

      {active ? (
        <section className="card broadcast-live" aria-labelledby="live-title">
          <div className="card-head row">
            <h2 id="live-title">
              <span className="pulse" aria-hidden="true" />
              Emailing version {active.version} to {formatCount(active.progress.total)} users
            </h2>
            <span className="small muted">Updates every 2 seconds</span>
          </div>
          <div className="card-body">
            <Progress version={active.version} progress={active.progress} live />
          </div>
        </section>
      ) : null}

      <section className="card" aria-labelledby="versions-title">
        <div className="card-head row">
          <h2 id="versions-title">
            {titles[doc]} versions <span className="count">{versions.length}</span>
          </h2>
          <span className="small muted">Newest first · {formatCount(users)} {users === 1 ? "user" : "users"} now</span>
        </div>
        <div className="table-scroll">
          <table className="list-table versions-table">
            <thead>
              <tr>
                <th scope="col">Version</th>
                <th scope="col">Last modified</th>
                <th scope="col">What changed</th>
                <th scope="col">Emails</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {versions.map((v) => (
                <tr key={v.id} className={v.version === current.version ? "current" : undefined}>
                  <td className="strong">
                    v{v.version}
                    {v.version === current.version ? <span className="badge live">Live</span> : null}
                  </td>
                  <td>
                    {policyDate(v.publishedAt)}
                    <div className="small muted">{v.publishedBy ?? "seeded at install"}</div>
                  </td>
                  <td className="wrap">{v.summary}</td>
                  <td className="progress-cell">
                    <Progress version={v.version} progress={v.progress} />
                    {failures[v.id]?.length ? (
                      <details className="failures">
                        <summary>
                          {formatCount(v.progress.failed)} failed {v.progress.failed === 1 ? "email" : "emails"}
                        </summary>
                        <ul>
                          {failures[v.id]!.map((f) => (
                            <li key={f.userId}>
                              <span className="mono">{f.email}</span>
                              <span className="muted">
                                {" "}
                                — {f.lastError ?? "unknown error"} ({f.attempts} {f.attempts === 1 ? "attempt" : "attempts"})
                              </span>
                            </li>
                          ))}
                        </ul>
                      </details>
                    ) : null}
                  </td>
                  <td className="actions">
                    <div className="row-actions">
                      <Link className="button secondary small" to={`?doc=${doc}&version=${v.version}#viewed`}>
                        View
                      </Link>
                      {v.progress.failed > 0 ? (
                        <Form method="post">
                          <input type="hidden" name="intent" value="retry" />
                          <input type="hidden" name="versionId" value={v.id} />
                          <button type="submit" className="button small">
                            Retry failed
                          </button>
                        </Form>
                      ) : null}
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>

      {viewed ? (
        <section className="card" id="viewed" aria-labelledby="viewed-title">
          <div className="card-head row">
            <h2 id="viewed-title">
              {titles[doc]} version {viewed.version} · {policyDate(viewed.publishedAt)}
            </h2>
            <Link to={`?doc=${doc}`} className="small">
              Close
            </Link>
          </div>
          <div className="card-body policy-view">
            <PolicyMarkdown>{viewed.body}</PolicyMarkdown>
          </div>
        </section>
      ) : null}

      <section className="card" aria-labelledby="draft-title">
        <div className="card-head row">
          <h2 id="draft-title">
            Draft version {nextVersion}
            {draft ? <span className="badge draft">Saved draft</span> : null}
          </h2>
          <span className="small muted">
            {draft ? `Saved by ${draft.updatedBy ?? "an admin"}, ${policyDate(draft.updatedAt)}` : `Starts from version ${current.version}`}
          </span>
        </div>
        <Form method="post" className="card-body policy-editor-form" noValidate>
          <input type="hidden" name="document" value={doc} />
          {errors ? (
            <div className="alert error" role="alert">
              {errors.message}
              {Object.values(errors.fieldErrors).length ? ` ${Object.values(errors.fieldErrors).join(" ")}` : ""}
            </div>
          ) : null}
          {saved && !busy ? (
            <div className="alert success" role="status">
              Draft saved. It is not public until you publish it.
            </div>
          ) : null}
          <div className="editor-tabs segmented" role="tablist" aria-label="Editor view">
            <button type="button" role="tab" aria-selected={tab === "write"} className={tab === "write" ? "active" : undefined} onClick={() => setTab("write")}>
              Write
            </button>
            <button type="button" role="tab" aria-selected={tab === "preview"} className={tab === "preview" ? "active" : undefined} onClick={() => setTab("preview")}>
              Preview
            </button>
          </div>
          <div className={`policy-editor show-${tab}`}>
            <div className="policy-editor-pane">
              <label htmlFor="policy-body" className="pane-label">
                Markdown
              </label>
              <textarea
                id="policy-body"
                name="body"
                value={body}
                onChange={(e) => setBody(e.target.value)}
                spellCheck
                rows={28}
                aria-describedby="policy-body-hint"
              />
              <span className="hint" id="policy-body-hint">
                Markdown: <code>## Heading</code>, <code>- list</code>, <code>**bold**</code>, <code>[link](/terms)</code>. No HTML.
              </span>
            </div>
            <div className="policy-editor-pane" aria-label="Preview">
              <span className="pane-label">Preview</span>
              <div className="policy-preview" data-testid="policy-preview">
                <PolicyMarkdown>{body}</PolicyMarkdown>
              </div>
            </div>
          </div>
          <div className="field">
            <label htmlFor="policy-summary">What changed</label>
            <textarea
              id="policy-summary"
              name="summary"
              value={summary}
              onChange={(e) => setSummary(e.target.value)}
              rows={3}
              maxLength={2000}
              placeholder="e.g. We now keep the access log for 14 days instead of 30."
              aria-describedby="policy-summary-hint"
            />
            <span className="hint" id="policy-summary-hint">
              A few plain sentences. They are the heart of the email every user gets, and are shown in the version list.
            </span>
          </div>
          <div className="editor-actions">
            <div className="editor-actions-left">
              <button type="submit" name="intent" value="save" className="button secondary" disabled={busy}>
                Save draft
              </button>
              {draft ? (
                <button type="submit" name="intent" value="discard" className="button ghost" disabled={busy}>
                  Discard draft
                </button>
              ) : null}
            </div>
            <div className="editor-actions-right">
              {unchanged ? <span className="small muted">Change the text to publish a new version.</span> : null}
              <button type="button" className="button" disabled={unchanged || !summary.trim() || busy} onClick={() => publishDialog.current?.showModal()}>
                Publish version {nextVersion}…
              </button>
            </div>
          </div>
        </Form>
        <PublishDialog
          dialog={publishDialog}
          doc={doc}
          nextVersion={nextVersion}
          users={users}
          fields={{ intent: "publish", document: doc, body, summary, expectedVersion: String(current.version) }}
        />
      </section>
    </div>
  );
}
