import { type ActionFunctionArgs, data, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useState } from "react";
import { formatDeletionDay } from "~/components/deletion-banner";
import styles from "~/styles/account.css";
import { requireAccount } from "~/utils/auth.server";
import { formAction, readForm } from "~/utils/errors.server";
import { formatBytes, formatCount } from "~/utils/format";

export const meta: MetaFunction = () => [{ title: "Account · Settings · Tablewatch" }];
export const links: LinksFunction = () => [{ rel: "stylesheet", href: styles }];

/** Where the archive is downloaded from (server/account/export-route.ts). */
const EXPORT_URL = "/account/export.json";

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { account, role, user } = await requireAccount(context, request);
  const canExport = role === "owner" || role === "admin";
  const [deletion, summary] = await Promise.all([context.trpc.accountDeletion.status(), canExport ? context.trpc.accountExport.summary() : null]);
  return { account, role, timeZone: user.timeZone, deletion, summary };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const values = await readForm(request);
  if (values.intent === "schedule-deletion") {
    const result = await formAction(() => context.trpc.accountDeletion.schedule({ confirmName: values.confirmName ?? "" }));
    if (!result.ok) return data({ intent: "schedule-deletion" as const, ...result.response.data }, result.response.init ?? undefined);
    return { intent: "schedule-deletion" as const, done: "The deletion is scheduled. Every member was emailed a notice." };
  }
  if (values.intent === "cancel-deletion") {
    const result = await formAction(() => context.trpc.accountDeletion.cancel());
    if (!result.ok) return data({ intent: "cancel-deletion" as const, ...result.response.data }, result.response.init ?? undefined);
    return { intent: "cancel-deletion" as const, done: "The deletion was cancelled. Nothing will be deleted, and every member was told." };
  }
  throw new Response("Unknown action", { status: 400 });
}

const roleWords: Record<string, string> = {
  owner: "Owner — everything, including deleting the account",
  admin: "Admin — everything but billing and deleting the account",
  editor: "Editor — dashboards, tiles, alarms and reports",
  viewer: "Viewer — read-only",
};

function ExportCard({ summary }: { summary: { reports: number; instances: number; inputBytes: number; dashboards: number; tiles: number; alarms: number } | null }) {
  const [started, setStarted] = useState(false);
  if (!summary) {
    return (
      <section className="card" aria-labelledby="export-title">
        <div className="card-head">
          <h2 id="export-title">Export</h2>
          <p>Owners and admins can download everything in this account as a JSON archive.</p>
        </div>
        <div className="card-body">
          <p className="muted small">Ask an owner or admin of the account if you need a copy of its data.</p>
        </div>
      </section>
    );
  }
  const facts: [string, string][] = [
    ["Reports", formatCount(summary.reports)],
    ["Instances", formatCount(summary.instances)],
    ["Input data", formatBytes(summary.inputBytes)],
    ["Dashboards", formatCount(summary.dashboards)],
    ["Tiles", formatCount(summary.tiles)],
    ["Alarms", formatCount(summary.alarms)],
  ];
  return (
    <section className="card" aria-labelledby="export-title">
      <div className="card-head">
        <h2 id="export-title">Export</h2>
        <p>Everything this account holds, as one JSON file: reports with every instance (table and raw input), dashboards with their tiles, and alarms.</p>
      </div>
      <div className="card-body stack">
        <dl className="export-facts" data-testid="export-summary">
          {facts.map(([label, value]) => (
            <div key={label}>
              <dt>{label}</dt>
              <dd>{value}</dd>
            </div>
          ))}
        </dl>
        <div className="form-actions">
          <a className="button" href={EXPORT_URL} download onClick={() => setStarted(true)}>
            <svg viewBox="0 0 20 20" width="16" height="16" aria-hidden="true">
              <path d="M10 3v9m0 0-3.5-3.5M10 12l3.5-3.5M4 15.5h12" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" strokeLinejoin="round" />
            </svg>
            Download JSON archive
          </a>
          <span className="small muted" role="status">
            {started
              ? "The download has started: your browser shows its progress. The archive is written as it downloads, so large accounts take a while."
              : "Secrets (API keys, webhook secrets, share links) are not included."}
          </span>
        </div>
      </div>
    </section>
  );
}

function DeletionCard({
  account,
  role,
  timeZone,
  deletion,
  result,
}: {
  account: { name: string };
  role: string;
  timeZone: string;
  deletion: { scheduledAt: Date | string | null; requestedBy: string | null; due: boolean };
  result?: { intent: string; done?: string; errors?: { message: string; fieldErrors: Record<string, string> } };
}) {
  const [typed, setTyped] = useState("");
  const navigation = useNavigation();
  const busy = navigation.state !== "idle" && navigation.formData?.get("intent") === "schedule-deletion";
  const cancelling = navigation.state !== "idle" && navigation.formData?.get("intent") === "cancel-deletion";
  const errors = result?.errors;
  const matches = typed.trim() === account.name.trim();
  const isOwner = role === "owner";
  return (
    <section className="card danger-zone" aria-labelledby="delete-title">
      <div className="card-head">
        <h2 id="delete-title">Delete the account</h2>
        <p>
          Deletes <strong>{account.name}</strong> for good, 14 days after you ask: every report and its history, every dashboard, alarm, API
          key and share link, and the members’ access. Logins that belong to no other account are deleted with it.
        </p>
      </div>
      <div className="card-body stack">
        {result?.done ? (
          <div className="alert success" role="status">
            {result.done}
          </div>
        ) : null}
        {errors && !errors.fieldErrors.confirmName ? (
          <div className="alert error" role="alert">
            {errors.message}
          </div>
        ) : null}
        {deletion.scheduledAt ? (
          <div className="deletion-scheduled" data-testid="deletion-scheduled">
            <div>
              <strong>{deletion.due ? "This account is being deleted." : `Scheduled for deletion on ${formatDeletionDay(deletion.scheduledAt, timeZone)}.`}</strong>
              {deletion.requestedBy ? <span className="muted"> Asked for by {deletion.requestedBy}.</span> : null}
              {!deletion.due ? <p className="small">Everything keeps working until then. Owners and admins can still export the data above.</p> : null}
            </div>
            {isOwner && !deletion.due ? (
              <Form method="post">
                <input type="hidden" name="intent" value="cancel-deletion" />
                <button className="button" type="submit" disabled={cancelling}>
                  {cancelling ? "Cancelling…" : "Cancel deletion"}
                </button>
              </Form>
            ) : null}
          </div>
        ) : isOwner ? (
          <Form method="post" noValidate className="delete-form">
            <input type="hidden" name="intent" value="schedule-deletion" />
            <div className="field">
              <label htmlFor="field-confirmName">
                Type <strong className="mono">{account.name}</strong> to confirm
              </label>
              <input
                id="field-confirmName"
                name="confirmName"
                autoComplete="off"
                spellCheck={false}
                value={typed}
                onChange={(event) => setTyped(event.target.value)}
                aria-invalid={errors?.fieldErrors.confirmName ? true : undefined}
                aria-describedby={errors?.fieldErrors.confirmName ? "field-confirmName-error" : "field-confirmName-hint"}
              />
              {errors?.fieldErrors.confirmName ? (
                <span className="error" id="field-confirmName-error">
                  {errors.fieldErrors.confirmName}
                </span>
              ) : (
                <span className="hint" id="field-confirmName-hint">
                  Every member gets an email now; you can cancel until the day itself.
                </span>
              )}
            </div>
            <div>
              <button className="button danger" type="submit" disabled={busy} aria-disabled={!matches || undefined}>
                {busy ? "Scheduling…" : "Schedule deletion in 14 days"}
              </button>
            </div>
          </Form>
        ) : (
          <p className="muted small">Only an owner of the account can delete it.</p>
        )}
      </div>
    </section>
  );
}

export default function AccountSettingsPage() {
  const { account, role, timeZone, deletion, summary } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  return (
    <div className="stack">
      <div className="section-head">
        <h2>Account</h2>
        <p>
          <strong>{account.name}</strong> is on the {account.plan} plan. Your role: {roleWords[role] ?? role}.
        </p>
      </div>
      <ExportCard summary={summary} />
      <DeletionCard account={account} role={role} timeZone={timeZone} deletion={deletion} result={result} />
    </div>
  );
}
