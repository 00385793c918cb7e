import { type ActionFunctionArgs, data, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { useState } from "react";
import { useIntentForm } from "~/utils/use-intent-form";
import type { ApiKeyScope } from "../../../../db/schema";
import { ConfirmButton } from "~/components/confirm-button";
import { CopyBlock } from "~/components/copy-block";
import { Field, FieldError } from "~/components/form";
import { RelativeTime } from "~/components/relative-time";
import { ScopeBadge, scopeInfo } from "~/components/scope-badge";
import { requireAccount } from "~/utils/auth.server";
import { formAction, readForm } from "~/utils/errors.server";
import { formatCount } from "~/utils/format";

export const meta: MetaFunction = () => [{ title: "API keys · Settings · Tablewatch" }];

const scopes = Object.keys(scopeInfo) as ApiKeyScope[];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { account, role } = await requireAccount(context, request);
  // Editors see the keys; admins and owners also create and revoke them. Viewers may not list
  // keys (the procedure would answer FORBIDDEN): don't ask.
  const canSee = role !== "viewer";
  const canManage = role === "owner" || role === "admin";
  const keys = canSee ? await context.trpc.apiKey.list() : [];
  return { account, role, canSee, canManage, keys, origin: new URL(request.url).origin, now: new Date() };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const values = await readForm(request);
  if (values.intent === "create") {
    const result = await formAction(() =>
      context.trpc.apiKey.create({ name: values.name ?? "", scope: (values.scope ?? "") as ApiKeyScope }),
    );
    if (!result.ok) return data({ ...result.response.data, intent: "create" as const }, result.response.init ?? undefined);
    return { intent: "create" as const, created: { key: result.value.key, ...result.value.apiKey } };
  }
  if (values.intent === "revoke") {
    const result = await formAction(() => context.trpc.apiKey.revoke({ id: values.id ?? "" }));
    if (!result.ok) return data({ ...result.response.data, intent: "revoke" as const }, result.response.init ?? undefined);
    return { intent: "revoke" as const, revoked: values.name || "The key" };
  }
  throw new Response("Unknown action", { status: 400 });
}

function NewKeyBox({ apiKey, origin }: { apiKey: { key: string; name: string; scope: ApiKeyScope }; origin: string }) {
  const curl = `df | curl --user ${apiKey.key}: --data-binary @- ${origin}/api/v1/reports/diskfree`;
  return (
    <section className="key-reveal" aria-labelledby="new-key-title" data-testid="new-api-key">
      <div className="key-reveal-head">
        <span className="check" aria-hidden="true">
          ✓
        </span>
        <div>
          <h2 id="new-key-title">
            API key “{apiKey.name}” created <ScopeBadge scope={apiKey.scope} />
          </h2>
          <p className="key-warning">
            <strong>Copy it now — it will not be shown again.</strong> Tablewatch stores only a fingerprint of the key. If you lose it,
            revoke it and create a new one.
          </p>
        </div>
      </div>
      <CopyBlock text={apiKey.key} label="Copy key" />
      {apiKey.scope === "read" ? null : (
        <>
          <p className="key-reveal-try">Try it: send this machine’s disk usage as the report “diskfree”:</p>
          <CopyBlock text={curl} />
          <p className="small muted key-reveal-foot">
            Then open <Link to="/reports">Reports</Link> to see the table arrive.
          </p>
        </>
      )}
    </section>
  );
}

function CreateKeyForm({ errors, createdId }: { errors?: { message: string; fieldErrors: Record<string, string> }; createdId?: string }) {
  const [scope, setScope] = useState<ApiKeyScope>("ingest");
  const { busy, form } = useIntentForm("create", createdId, () => setScope("ingest"));
  const hasFieldErrors = errors && Object.keys(errors.fieldErrors).length > 0;
  return (
    <section className="card" aria-labelledby="create-key-title">
      <div className="card-head">
        <h2 id="create-key-title">Create an API key</h2>
        <p>Give each machine or script its own key, with the smallest scope it needs.</p>
      </div>
      <Form method="post" ref={form} className="card-body" noValidate>
        <input type="hidden" name="intent" value="create" />
        {errors && !hasFieldErrors ? (
          <div className="alert error" role="alert">
            {errors.message}
          </div>
        ) : null}
        <div className="create-key-row">
          <Field
            label="Name"
            name="name"
            placeholder="e.g. web1 cron"
            maxLength={100}
            required
            autoComplete="off"
            error={errors?.fieldErrors.name}
            hint="Where the key is used, so you recognize it later."
          />
          <div className="field">
            <label htmlFor="field-scope">Scope</label>
            <select
              id="field-scope"
              name="scope"
              value={scope}
              onChange={(event) => setScope(event.target.value as ApiKeyScope)}
              aria-invalid={errors?.fieldErrors.scope ? true : undefined}
              aria-describedby={errors?.fieldErrors.scope ? "field-scope-error" : "scope-help"}
            >
              {scopes.map((s) => (
                <option key={s} value={s}>
                  {scopeInfo[s].label} — {scopeInfo[s].summary}
                </option>
              ))}
            </select>
            <FieldError id="field-scope-error" error={errors?.fieldErrors.scope} />
          </div>
          <div className="field create-key-submit">
            <button className="button" type="submit" disabled={busy}>
              {busy ? "Creating…" : "Create key"}
            </button>
          </div>
        </div>
        <ul className="scope-help" id="scope-help">
          {scopes.map((s) => (
            <li key={s} className={s === scope ? "active" : undefined}>
              <ScopeBadge scope={s} />
              <span>{scopeInfo[s].detail}</span>
            </li>
          ))}
        </ul>
      </Form>
    </section>
  );
}

export default function ApiKeysPage() {
  const { account, role, canSee, canManage, keys, origin, now } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();

  if (!canSee) {
    return (
      <section className="card locked-state" aria-labelledby="locked-title">
        <div className="locked-icon" aria-hidden="true">
          <svg viewBox="0 0 24 24" width="22" height="22">
            <rect x="5" y="11" width="14" height="9" rx="2" fill="none" stroke="currentColor" strokeWidth="1.8" />
            <path d="M8 11V8a4 4 0 0 1 8 0v3" fill="none" stroke="currentColor" strokeWidth="1.8" />
          </svg>
        </div>
        <h2 id="locked-title">Only editors, admins and owners can see API keys</h2>
        <p>
          Your role in <strong>{account.name}</strong> is <strong>{role}</strong>. You can still browse all{" "}
          <Link to="/reports">reports</Link>. If a machine of yours needs to send data, ask an owner or admin of the account for a key or
          for the editor role.
        </p>
      </section>
    );
  }

  const created = actionData && "created" in actionData ? actionData.created : undefined;
  const createErrors = actionData && "errors" in actionData && actionData.intent === "create" ? actionData.errors : undefined;
  const revokeErrors = actionData && "errors" in actionData && actionData.intent === "revoke" ? actionData.errors : undefined;
  const revoked = actionData && "revoked" in actionData ? actionData.revoked : undefined;
  const curl = `df | curl --user $TABLEWATCH_KEY: --data-binary @- ${origin}/api/v1/reports/diskfree`;

  return (
    <div className="stack">
      <div className="section-head">
        <h2>API keys</h2>
        <p>
          Machines use API keys to push tables to <strong>{account.name}</strong> and to read them back. Treat them like passwords. See the{" "}
          <a href="/api/docs">API docs</a> for every call.
        </p>
      </div>
      {revoked ? (
        <div className="alert success" role="status">
          “{revoked}” was revoked. Requests with it are refused from now on.
        </div>
      ) : null}
      {revokeErrors ? (
        <div className="alert error" role="alert">
          {revokeErrors.message}
        </div>
      ) : null}
      {created ? <NewKeyBox apiKey={created} origin={origin} /> : null}
      {canManage ? (
        <CreateKeyForm errors={createErrors} createdId={created?.id} />
      ) : (
        <div className="alert warn" role="status">
          <span>
            As {role === "editor" ? "an editor" : `a ${role}`} you can see the account’s keys; only admins and owners create and revoke them.
            Ask one of them for a key when a machine needs one.
          </span>
        </div>
      )}

      <section className="card" aria-labelledby="keys-title">
        <div className="card-head row">
          <h2 id="keys-title">
            Active keys <span className="count">{keys.length}</span>
          </h2>
          <span className="small muted">Request counts are per UTC day.</span>
        </div>
        {keys.length === 0 ? (
          <div className="card-empty">
            <p>
              <strong>No API keys yet.</strong> {canManage ? "Create one above" : "Ask an admin or owner for one"}, put it in <code>$TABLEWATCH_KEY</code> on a machine, and pipe any
              command’s output into curl:
            </p>
            <CopyBlock text={curl} />
          </div>
        ) : (
          <div className="table-scroll">
            <table className="list-table">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Scope</th>
                  <th scope="col">Key</th>
                  <th scope="col">Created</th>
                  <th scope="col">Last used</th>
                  <th scope="col" className="num">
                    Today
                  </th>
                  <th scope="col" className="num">
                    Last 30 days
                  </th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {keys.map((key) => (
                  <tr key={key.id} className={key.id === created?.id ? "highlight" : undefined}>
                    <td className="strong">{key.name}</td>
                    <td>
                      <ScopeBadge scope={key.scope} />
                    </td>
                    <td>
                      <code className="key-prefix">{key.prefix}…</code>
                    </td>
                    <td>
                      <RelativeTime date={key.createdAt} now={now} />
                    </td>
                    <td>
                      <RelativeTime date={key.lastUsedAt} now={now} />
                    </td>
                    <td className="num">{formatCount(key.requestsToday)}</td>
                    <td className="num">{formatCount(key.requests30Days)}</td>
                    <td className="actions">
                      {canManage ? (
                        <ConfirmButton
                          label="Revoke"
                          title={`Revoke “${key.name}”?`}
                          confirmLabel="Revoke key"
                          busyLabel="Revoking…"
                          fields={{ intent: "revoke", id: key.id, name: key.name }}
                        >
                          <p>
                            Every machine using <code>{key.prefix}…</code> gets “401 Unauthorized” from now on. This cannot be undone.
                          </p>
                        </ConfirmButton>
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </div>
  );
}
