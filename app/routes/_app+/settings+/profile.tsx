import { type ActionFunctionArgs, data, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useEffect, useRef, useState } from "react";
import { ConfirmButton } from "~/components/confirm-button";
import { Field } from "~/components/form";
import { RelativeTime } from "~/components/relative-time";
import styles from "~/styles/account.css";
import { requireAccount } from "~/utils/auth.server";
import { formAction, type FormErrors, readForm } from "~/utils/errors.server";
import { formatUtc } from "~/utils/format";

export const meta: MetaFunction = () => [{ title: "Profile · Settings · Tablewatch" }];
export const links: LinksFunction = () => [{ rel: "stylesheet", href: styles }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireAccount(context, request);
  const [profile, twoFactor, sessions] = await Promise.all([context.trpc.profile.get(), context.trpc.twoFactor.status(), context.trpc.sessions.list()]);
  return { profile, twoFactor, sessions, now: new Date() };
}

type Intent =
  | "email-change"
  | "email-cancel"
  | "password"
  | "2fa-setup"
  | "2fa-enable"
  | "2fa-disable"
  | "2fa-codes"
  | "session-end"
  | "sessions-end-others";

/** A failed form, remembering which form it was (and the setup being confirmed, to show it again). */
function failed(intent: Intent, response: { data: { errors: FormErrors }; init: ResponseInit | null }, extra: Record<string, unknown> = {}) {
  return data({ intent, ...response.data, ...extra }, response.init ?? undefined);
}

export async function action({ request, context }: ActionFunctionArgs) {
  const values = await readForm(request);
  const intent = values.intent as Intent;
  switch (intent) {
    case "email-change": {
      const result = await formAction(() => context.trpc.profile.requestEmailChange({ newEmail: values.newEmail ?? "", password: values.password ?? "" }));
      if (!result.ok) return failed(intent, result.response);
      return { intent, done: `We sent a link to ${result.value.pendingEmail}. Open it within 24 hours to make it your login email.` };
    }
    case "email-cancel": {
      await context.trpc.profile.cancelEmailChange();
      return { intent, done: "The email change was cancelled; its link no longer works." };
    }
    case "password": {
      if ((values.newPassword ?? "") !== (values.confirm ?? "")) {
        return data({ intent, errors: { message: "Please correct the highlighted fields.", fieldErrors: { confirm: "The two passwords differ" } } }, { status: 400 });
      }
      const result = await formAction(() => context.trpc.profile.changePassword({ currentPassword: values.currentPassword ?? "", newPassword: values.newPassword ?? "" }));
      if (!result.ok) return failed(intent, result.response);
      const n = result.value.endedSessions;
      return { intent, done: `Your password was changed.${n ? ` ${n} other session${n === 1 ? " was" : "s were"} ended.` : ""}` };
    }
    case "2fa-setup": {
      const result = await formAction(() => context.trpc.twoFactor.setup());
      if (!result.ok) return failed(intent, result.response);
      return { intent, setup: result.value };
    }
    case "2fa-enable": {
      const setup = { secret: values.secret ?? "", otpauthUrl: values.otpauthUrl ?? "", qrCode: values.qrCode ?? "" };
      const result = await formAction(() => context.trpc.twoFactor.enable({ code: values.code ?? "" }));
      // A wrong code: the same secret and QR code again (the server kept the secret).
      if (!result.ok) return failed(intent, result.response, { setup });
      return { intent, recoveryCodes: result.value.recoveryCodes, done: "Two-factor login is on." };
    }
    case "2fa-codes": {
      const result = await formAction(() => context.trpc.twoFactor.regenerateRecoveryCodes({ password: values.password ?? "" }));
      if (!result.ok) return failed(intent, result.response);
      return { intent, recoveryCodes: result.value.recoveryCodes, done: "New recovery codes were made; the old ones no longer work." };
    }
    case "2fa-disable": {
      const secret = (values.secret ?? "").trim();
      const input = /^\d{3} ?\d{3}$/.test(secret) ? { code: secret } : { password: secret };
      const result = await formAction(() => context.trpc.twoFactor.disable(input));
      if (!result.ok) return failed(intent, result.response);
      return { intent, done: "Two-factor login is off. Your password alone logs you in again." };
    }
    case "session-end": {
      const result = await formAction(() => context.trpc.sessions.end({ id: values.id ?? "" }));
      if (!result.ok) return failed(intent, result.response);
      return { intent, done: `The session on ${values.device || "that device"} was ended.` };
    }
    case "sessions-end-others": {
      const { endedSessions: n } = await context.trpc.sessions.endOthers();
      return { intent, done: n ? `${n} other session${n === 1 ? " was" : "s were"} ended.` : "There were no other sessions." };
    }
    default:
      throw new Response("Unknown action", { status: 400 });
  }
}

type ActionData = {
  intent?: Intent;
  done?: string;
  errors?: FormErrors;
  setup?: { secret: string; otpauthUrl: string; qrCode: string };
  recoveryCodes?: string[];
};

function useIntentBusy(intent: Intent) {
  const navigation = useNavigation();
  return navigation.state !== "idle" && navigation.formData?.get("intent") === intent;
}

function Notice({ result, intents }: { result: ActionData | undefined; intents: Intent[] }) {
  if (!result?.intent || !intents.includes(result.intent)) return null;
  if (result.errors) {
    const fieldOnly = Object.keys(result.errors.fieldErrors).length > 0;
    return fieldOnly ? null : (
      <div className="alert error" role="alert">
        {result.errors.message}
      </div>
    );
  }
  return result.done ? (
    <div className="alert success" role="status">
      {result.done}
    </div>
  ) : null;
}

/** The errors of `intent`'s form, if it was the one that failed. */
const errorsOf = (result: ActionData | undefined, intent: Intent) => (result?.intent === intent ? result.errors : undefined);

function EmailCard({ profile, result }: { profile: { email: string; emailConfirmed: boolean; pendingEmail: { email: string; expiresAt: Date | string } | null }; result?: ActionData }) {
  const busy = useIntentBusy("email-change");
  const form = useRef<HTMLFormElement>(null);
  const errors = errorsOf(result, "email-change");
  useEffect(() => {
    if (result?.intent === "email-change" && result.done) form.current?.reset();
  }, [result]);
  return (
    <section className="card" aria-labelledby="email-title">
      <div className="card-head">
        <h2 id="email-title">Email</h2>
        <p>You log in with this address, and Tablewatch emails you there.</p>
      </div>
      <div className="card-body stack">
        <Notice result={result} intents={["email-change", "email-cancel"]} />
        <div className="profile-email">
          <span className="profile-email-address">{profile.email}</span>
          {profile.emailConfirmed ? <span className="badge tone-ok">Confirmed</span> : <span className="badge tone-warn">Not confirmed</span>}
        </div>
        {profile.pendingEmail ? (
          <div className="pending-email" role="status">
            <div>
              Waiting for you to open the link we sent to <strong>{profile.pendingEmail.email}</strong> (valid until {formatUtc(profile.pendingEmail.expiresAt)}).
              Until then you keep logging in with {profile.email}.
            </div>
            <Form method="post">
              <input type="hidden" name="intent" value="email-cancel" />
              <button className="button secondary small" type="submit">
                Cancel the change
              </button>
            </Form>
          </div>
        ) : null}
        <Form method="post" ref={form} noValidate className="form-grid">
          <input type="hidden" name="intent" value="email-change" />
          <Field label="New email" name="newEmail" type="email" autoComplete="email" required maxLength={254} error={errors?.fieldErrors.newEmail} />
          <Field label="Current password" name="password" type="password" autoComplete="current-password" required error={errors?.fieldErrors.password} />
          <div className="form-actions">
            <button className="button" type="submit" disabled={busy}>
              {busy ? "Sending…" : "Send confirmation link"}
            </button>
            <span className="small muted">The change happens when you open the link we email to the new address.</span>
          </div>
        </Form>
      </div>
    </section>
  );
}

function PasswordCard({ result }: { result?: ActionData }) {
  const busy = useIntentBusy("password");
  const form = useRef<HTMLFormElement>(null);
  const errors = errorsOf(result, "password");
  useEffect(() => {
    if (result?.intent === "password" && result.done) form.current?.reset();
  }, [result]);
  return (
    <section className="card" aria-labelledby="password-title">
      <div className="card-head">
        <h2 id="password-title">Password</h2>
        <p>Changing it logs you out everywhere else; this browser stays logged in.</p>
      </div>
      <div className="card-body stack">
        <Notice result={result} intents={["password"]} />
        <Form method="post" ref={form} noValidate className="form-grid three">
          <input type="hidden" name="intent" value="password" />
          <Field label="Current password" name="currentPassword" type="password" autoComplete="current-password" required error={errors?.fieldErrors.currentPassword} />
          <Field label="New password" name="newPassword" type="password" autoComplete="new-password" required minLength={8} hint="At least 8 characters." error={errors?.fieldErrors.newPassword} />
          <Field label="Repeat the new password" name="confirm" type="password" autoComplete="new-password" required error={errors?.fieldErrors.confirm} />
          <div className="form-actions">
            <button className="button" type="submit" disabled={busy}>
              {busy ? "Saving…" : "Change password"}
            </button>
          </div>
        </Form>
      </div>
    </section>
  );
}

function RecoveryCodes({ codes }: { codes: string[] }) {
  return (
    <div className="recovery-codes" data-testid="recovery-codes">
      <p className="key-warning">
        <strong>Save these recovery codes now — they will not be shown again.</strong> If you lose your phone, each code logs you in once
        instead of a code from the app. Keep them somewhere safe, such as a password manager.
      </p>
      <ol className="recovery-list">
        {codes.map((code) => (
          <li key={code}>
            <code>{code}</code>
          </li>
        ))}
      </ol>
      <div className="recovery-actions">
        <CopyButton text={codes.join("\n")} />
        <a
          className="button secondary small"
          download="tablewatch-recovery-codes.txt"
          href={`data:text/plain;charset=utf-8,${encodeURIComponent(`Tablewatch recovery codes (each works once)\n\n${codes.join("\n")}\n`)}`}
        >
          Download as text
        </a>
      </div>
    </div>
  );
}

function CopyButton({ text }: { text: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <button
      type="button"
      className="button secondary small"
      onClick={() => {
        void navigator.clipboard?.writeText(text).then(() => {
          setCopied(true);
          setTimeout(() => setCopied(false), 1500);
        });
      }}
    >
      {copied ? "Copied" : "Copy codes"}
    </button>
  );
}

function groupSecret(secret: string) {
  return secret.replace(/(.{4})/g, "$1 ").trim();
}

function TwoFactorSetup({ setup, errors }: { setup: NonNullable<ActionData["setup"]>; errors?: FormErrors }) {
  const busy = useIntentBusy("2fa-enable");
  return (
    <div className="totp-setup" data-testid="totp-setup">
      <div className="totp-qr">
        <img src={setup.qrCode} width={176} height={176} alt="QR code to scan with your authenticator app" />
      </div>
      <div className="totp-steps">
        <ol>
          <li>
            Scan the QR code with an authenticator app (1Password, Google Authenticator, Authy, Microsoft Authenticator, …).
            <details className="totp-manual">
              <summary>Can’t scan it? Enter this key instead</summary>
              <p className="small muted">Time-based, 6 digits, every 30 seconds.</p>
              <code className="totp-secret" data-testid="totp-secret" data-secret={setup.secret}>
                {groupSecret(setup.secret)}
              </code>
            </details>
          </li>
          <li>Enter the 6-digit code the app shows for Tablewatch.</li>
        </ol>
        {errors && Object.keys(errors.fieldErrors).length === 0 ? (
          <div className="alert error" role="alert">
            {errors.message}
          </div>
        ) : null}
        <Form method="post" noValidate className="totp-confirm">
          <input type="hidden" name="intent" value="2fa-enable" />
          <input type="hidden" name="secret" value={setup.secret} />
          <input type="hidden" name="otpauthUrl" value={setup.otpauthUrl} />
          <input type="hidden" name="qrCode" value={setup.qrCode} />
          <Field
            label="Code from the app"
            name="code"
            inputMode="numeric"
            autoComplete="one-time-code"
            placeholder="123456"
            maxLength={7}
            required
            autoFocus
            error={errors?.fieldErrors.code}
          />
          <div className="field">
            <button className="button" type="submit" disabled={busy}>
              {busy ? "Checking…" : "Turn on two-factor login"}
            </button>
          </div>
        </Form>
      </div>
    </div>
  );
}

function TwoFactorCard({ status, result, now }: { status: { enabled: boolean; enabledAt: Date | string | null; recoveryCodesLeft: number }; result?: ActionData; now: Date | string }) {
  const setupBusy = useIntentBusy("2fa-setup");
  const codesBusy = useIntentBusy("2fa-codes");
  const disableBusy = useIntentBusy("2fa-disable");
  const setup = result?.setup;
  const codes = result?.recoveryCodes;
  return (
    <section className="card" aria-labelledby="twofactor-title">
      <div className="card-head row">
        <div>
          <h2 id="twofactor-title">
            Two-factor login {status.enabled ? <span className="badge tone-ok">On</span> : <span className="badge tone-off">Off</span>}
          </h2>
          <p>After your password, Tablewatch also asks for a code from an authenticator app on your phone.</p>
        </div>
      </div>
      <div className="card-body stack">
        <Notice result={result} intents={["2fa-setup", "2fa-disable", "2fa-codes"]} />
        {result?.intent === "2fa-enable" && result.done ? (
          <div className="alert success" role="status">
            {result.done}
          </div>
        ) : null}
        {codes ? <RecoveryCodes codes={codes} /> : null}
        {status.enabled ? (
          <>
            <dl className="facts">
              <div>
                <dt>Turned on</dt>
                <dd>
                  <RelativeTime date={status.enabledAt} now={now} />
                </dd>
              </div>
              <div>
                <dt>Recovery codes left</dt>
                <dd className={status.recoveryCodesLeft <= 3 ? "warn-text" : undefined}>
                  {status.recoveryCodesLeft} of 10{status.recoveryCodesLeft <= 3 ? " — make new ones" : ""}
                </dd>
              </div>
            </dl>
            <div className="twofactor-actions">
              <Form method="post" noValidate className="inline-form">
                <input type="hidden" name="intent" value="2fa-codes" />
                <Field label="Password, for new recovery codes" name="password" type="password" autoComplete="current-password" required error={errorsOf(result, "2fa-codes")?.fieldErrors.password} />
                <button className="button secondary" type="submit" disabled={codesBusy}>
                  {codesBusy ? "Making…" : "Make new recovery codes"}
                </button>
              </Form>
              <Form method="post" noValidate className="inline-form">
                <input type="hidden" name="intent" value="2fa-disable" />
                <Field
                  label="Password or a code from the app, to turn it off"
                  name="secret"
                  type="password"
                  autoComplete="current-password"
                  required
                  error={errorsOf(result, "2fa-disable")?.fieldErrors.password ?? errorsOf(result, "2fa-disable")?.fieldErrors.code}
                />
                <button className="button danger-outline" type="submit" disabled={disableBusy}>
                  {disableBusy ? "Turning off…" : "Turn off two-factor login"}
                </button>
              </Form>
            </div>
          </>
        ) : setup ? (
          <TwoFactorSetup setup={setup} errors={errorsOf(result, "2fa-enable")} />
        ) : (
          <Form method="post">
            <input type="hidden" name="intent" value="2fa-setup" />
            <button className="button" type="submit" disabled={setupBusy}>
              {setupBusy ? "Preparing…" : "Set up two-factor login"}
            </button>
          </Form>
        )}
      </div>
    </section>
  );
}

type SessionRow = { id: string; device: string; userAgent: string | null; createdAt: Date | string; lastSeenAt: Date | string | null; current: boolean };

function DeviceIcon({ device }: { device: string }) {
  const phone = /iPhone|Android/.test(device);
  return (
    <span className="device-icon" aria-hidden="true">
      {phone ? (
        <svg viewBox="0 0 20 20" width="18" height="18">
          <rect x="6" y="2.5" width="8" height="15" rx="1.6" fill="none" stroke="currentColor" strokeWidth="1.6" />
          <path d="M9 14.8h2" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" />
        </svg>
      ) : (
        <svg viewBox="0 0 20 20" width="18" height="18">
          <rect x="2.5" y="3.5" width="15" height="10" rx="1.4" fill="none" stroke="currentColor" strokeWidth="1.6" />
          <path d="M7 16.5h6M10 13.5v3" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" />
        </svg>
      )}
    </span>
  );
}

function SessionsCard({ sessions, result, now }: { sessions: SessionRow[]; result?: ActionData; now: Date | string }) {
  const others = sessions.filter((s) => !s.current).length;
  return (
    <section className="card" aria-labelledby="sessions-title">
      <div className="card-head row">
        <h2 id="sessions-title">
          Sessions <span className="count">{sessions.length}</span>
        </h2>
        {others > 0 ? (
          <ConfirmButton
            label="End all other sessions"
            title="End all other sessions?"
            confirmLabel="End them"
            busyLabel="Ending…"
            fields={{ intent: "sessions-end-others" }}
            className="button danger-outline small"
          >
            <p>
              Every browser logged in as you, except this one, is logged out ({others} session{others === 1 ? "" : "s"}).
            </p>
          </ConfirmButton>
        ) : null}
      </div>
      <Notice result={result} intents={["session-end", "sessions-end-others"]} />
      <div className="table-scroll">
        <table className="list-table sessions-table">
          <thead>
            <tr>
              <th scope="col">Device</th>
              <th scope="col">Last seen</th>
              <th scope="col">Logged in</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {sessions.map((s) => (
              <tr key={s.id} className={s.current ? "highlight" : undefined}>
                <td className="strong">
                  <span className="device" title={s.userAgent ?? undefined}>
                    <DeviceIcon device={s.device} />
                    {s.device}
                    {s.current ? <span className="badge tone-ok">This device</span> : null}
                  </span>
                </td>
                <td>{s.current ? "Now" : <RelativeTime date={s.lastSeenAt} now={now} never="—" />}</td>
                <td>
                  <RelativeTime date={s.createdAt} now={now} />
                </td>
                <td className="actions">
                  {s.current ? null : (
                    <Form method="post">
                      <input type="hidden" name="intent" value="session-end" />
                      <input type="hidden" name="id" value={s.id} />
                      <input type="hidden" name="device" value={s.device} />
                      <button className="button secondary small" type="submit" aria-label={`End the session on ${s.device}`}>
                        End
                      </button>
                    </Form>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

export default function ProfilePage() {
  const { profile, twoFactor, sessions, now } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as ActionData | undefined;
  return (
    <div className="stack">
      <div className="section-head">
        <h2>Profile</h2>
        <p>
          Your own login, {profile.name}: it is the same in every account you belong to.
        </p>
      </div>
      <EmailCard profile={profile} result={result} />
      <PasswordCard result={result} />
      <TwoFactorCard status={twoFactor} result={result} now={now} />
      <SessionsCard sessions={sessions} result={result} now={now} />
    </div>
  );
}
