import { type ActionFunctionArgs, data, type LinksFunction, type LoaderFunctionArgs, type MetaFunction, redirect } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation, useSubmit } from "@remix-run/react";
import { useState } from "react";
import { useIntentForm } from "~/utils/use-intent-form";
import type { Role } from "../../../../db/schema";
import { ConfirmButton } from "~/components/confirm-button";
import { Field, FieldError } from "~/components/form";
import { blocks, LimitNote, usePlanLimit } from "~/components/plan/limits";
import { RelativeTime } from "~/components/relative-time";
import { RoleBadge, roleInfo, roleOrder, withArticle } from "~/components/role-badge";
import styles from "~/styles/team.css";
import { requireAccount } from "~/utils/auth.server";
import { type FormErrors, formAction, readForm } from "~/utils/errors.server";

export const meta: MetaFunction = () => [{ title: "Team · Settings · Tablewatch" }];
export const links: LinksFunction = () => [{ rel: "stylesheet", href: styles }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { account, role, user } = await requireAccount(context, request);
  const team = await context.trpc.team.list();
  return { account, role, you: user.id, ...team, now: new Date() };
}

type Intent = "invite" | "resend" | "cancel" | "role" | "remove" | "leave";
type Notice = { tone: "success" | "warn"; text: string };

export async function action({ request, context }: ActionFunctionArgs) {
  const values = await readForm(request);
  const intent = values.intent as Intent;
  const fail = (response: { data: { errors: FormErrors }; init: ResponseInit | null }) => data({ errors: response.data.errors, intent }, response.init ?? undefined);
  const done = (notice: Notice, extra: { invitedId?: string } = {}) => ({ intent, notice, ...extra });

  switch (intent) {
    case "invite": {
      const result = await formAction(() => context.trpc.team.invite({ email: values.email ?? "", role: (values.role ?? "") as Role }));
      if (!result.ok) return fail(result.response);
      const { invitation, resent, emailSent } = result.value;
      if (!emailSent) {
        return done({ tone: "warn", text: `The invitation to ${invitation.email} was saved, but the email could not be sent. Use Resend below in a moment.` }, { invitedId: invitation.id });
      }
      return done(
        {
          tone: "success",
          text: resent
            ? `${invitation.email} already had a pending invitation: a new one was sent, as ${invitation.role}. The earlier link no longer works.`
            : `Invitation sent to ${invitation.email}, as ${invitation.role}. The link works for 7 days.`,
        },
        { invitedId: invitation.id },
      );
    }
    case "resend": {
      const result = await formAction(() => context.trpc.team.resendInvitation({ id: values.id ?? "" }));
      if (!result.ok) return fail(result.response);
      return result.value.emailSent
        ? done({ tone: "success", text: `A new invitation was sent to ${result.value.email}. The earlier link no longer works.` })
        : done({ tone: "warn", text: `The email to ${result.value.email} could not be sent. Please try again in a moment.` });
    }
    case "cancel": {
      const result = await formAction(() => context.trpc.team.cancelInvitation({ id: values.id ?? "" }));
      if (!result.ok) return fail(result.response);
      return done({ tone: "success", text: `The invitation to ${result.value.email} was cancelled. Its link no longer works.` });
    }
    case "role": {
      const result = await formAction(() => context.trpc.team.changeRole({ userId: values.userId ?? "", role: (values.role ?? "") as Role }));
      if (!result.ok) return fail(result.response);
      return done({ tone: "success", text: `${result.value.name} is now ${withArticle(result.value.role)}.` });
    }
    case "remove": {
      const result = await formAction(() => context.trpc.team.removeMember({ userId: values.userId ?? "" }));
      if (!result.ok) return fail(result.response);
      return done({ tone: "success", text: `${result.value.name} (${result.value.email}) was removed and lost access at once.` });
    }
    case "leave": {
      const result = await formAction(() => context.trpc.team.leave());
      if (!result.ok) return fail(result.response);
      if (result.value.accountId) throw redirect("/dashboard");
      await context.trpc.auth.logout();
      throw redirect("/login", { headers: { "Set-Cookie": context.blankSessionCookie() } });
    }
    default:
      throw new Response("Unknown action", { status: 400 });
  }
}

function InviteForm({ actorRole, errors, invitedId }: { actorRole: Role; errors?: { message: string; fieldErrors: Record<string, string> }; invitedId?: string }) {
  const [role, setRole] = useState<Role>("viewer");
  const { busy, form } = useIntentForm("invite", invitedId, () => setRole("viewer"));
  // Members and pending invitations count against the plan (re-inviting a pending address does not).
  const limit = usePlanLimit("members");
  const hasFieldErrors = errors && Object.keys(errors.fieldErrors).length > 0;
  return (
    <section className="card" aria-labelledby="invite-title">
      <div className="card-head">
        <h2 id="invite-title">Invite someone</h2>
        <p>They get an email with a link that works for 7 days. Accepting creates their login, or adds this account to the one they have.</p>
      </div>
      <Form method="post" ref={form} className="card-body" noValidate>
        <input type="hidden" name="intent" value="invite" />
        {errors && !hasFieldErrors ? (
          <div className="alert error" role="alert">
            {errors.message}
          </div>
        ) : null}
        <div className="invite-row">
          <Field label="Email" name="email" type="email" placeholder="name@company.com" maxLength={254} required autoComplete="off" error={errors?.fieldErrors.email} />
          <div className="field invite-submit">
            <button className="button" type="submit" disabled={busy || blocks(limit)} aria-describedby={blocks(limit) ? "invite-limit" : undefined}>
              {busy ? "Sending…" : "Send invitation"}
            </button>
          </div>
        </div>
        <LimitNote limit={limit} id="invite-limit" />
        <fieldset className="role-options" aria-describedby={errors?.fieldErrors.role ? "field-role-error" : undefined}>
          <legend>Role</legend>
          {[...roleOrder].reverse().map((r) => {
            const disabled = r === "owner" && actorRole !== "owner";
            return (
              <label key={r} className={`role-option${role === r ? " active" : ""}${disabled ? " disabled" : ""}`}>
                <input type="radio" name="role" value={r} checked={role === r} disabled={disabled} onChange={() => setRole(r)} />
                <span className="role-option-text">
                  <strong>{roleInfo[r].label}</strong>
                  <span>{disabled ? "Only owners can invite owners." : roleInfo[r].summary}</span>
                </span>
              </label>
            );
          })}
          <FieldError id="field-role-error" error={errors?.fieldErrors.role} />
        </fieldset>
      </Form>
    </section>
  );
}

/** A member's role: a select that saves on change (with a Save button without JavaScript). */
function RoleSelect({ member, choices }: { member: { userId: string; name: string; role: Role }; choices: Role[] }) {
  const submit = useSubmit();
  const navigation = useNavigation();
  const busy = navigation.state !== "idle" && navigation.formData?.get("intent") === "role" && navigation.formData?.get("userId") === member.userId;
  return (
    <Form method="post" className="role-form">
      <input type="hidden" name="intent" value="role" />
      <input type="hidden" name="userId" value={member.userId} />
      <select name="role" defaultValue={member.role} aria-label={`Role of ${member.name}`} disabled={busy} onChange={(event) => submit(event.currentTarget.form)} key={member.role}>
        {choices.map((r) => (
          <option key={r} value={r}>
            {roleInfo[r].label}
          </option>
        ))}
      </select>
      <noscript>
        <button className="button secondary small" type="submit">
          Save
        </button>
      </noscript>
    </Form>
  );
}

export default function TeamPage() {
  const { account, role, you, members, invitations, canManage, now } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const errors = actionData && "errors" in actionData ? actionData.errors : undefined;
  const intent = actionData?.intent;
  const notice = actionData && "notice" in actionData ? actionData.notice : undefined;
  const invitedId = actionData && "invitedId" in actionData ? actionData.invitedId : undefined;
  const owners = members.filter((m) => m.role === "owner").length;
  const isOwner = role === "owner";
  const choices: Role[] = isOwner ? roleOrder : roleOrder.filter((r) => r !== "owner");

  return (
    <div className="stack team-page">
      <div className="section-head">
        <h2>Team</h2>
        <p>
          The people who can open <strong>{account.name}</strong>. Each has a role that decides what they can do; the server checks it on
          every request.
        </p>
      </div>
      {notice ? (
        <div className={`alert ${notice.tone}`} role="status">
          {notice.text}
        </div>
      ) : null}
      {errors && intent !== "invite" ? (
        <div className="alert error" role="alert">
          {errors.message}
        </div>
      ) : null}

      {canManage ? (
        <InviteForm actorRole={role} errors={intent === "invite" ? errors : undefined} invitedId={invitedId} />
      ) : null}

      <section className="card" aria-labelledby="members-title">
        <div className="card-head row">
          <h2 id="members-title">
            Members <span className="count">{members.length}</span>
          </h2>
          <span className="small muted">Your role: {roleInfo[role].label}</span>
        </div>
        <div className="table-scroll">
          <table className="list-table members-table">
            <thead>
              <tr>
                <th scope="col">Member</th>
                <th scope="col">Role</th>
                <th scope="col">Joined</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {members.map((m) => {
                const self = m.userId === you;
                const lastOwner = m.role === "owner" && owners <= 1;
                const ownerLocked = m.role === "owner" && !isOwner;
                const editable = canManage && !lastOwner && !ownerLocked;
                return (
                  <tr key={m.userId} className={self ? "self" : undefined}>
                    <td>
                      <div className="member-cell">
                        <span className="avatar small" aria-hidden="true">
                          {m.name.slice(0, 1).toUpperCase()}
                        </span>
                        <div>
                          <div className="member-name">
                            {m.name}
                            {self ? <span className="you-tag">you</span> : null}
                          </div>
                          <div className="member-email">{m.email}</div>
                        </div>
                      </div>
                    </td>
                    <td>
                      {editable ? (
                        <RoleSelect member={m} choices={choices} />
                      ) : (
                        <span className="role-static">
                          <RoleBadge role={m.role} />
                          {lastOwner ? (
                            <span className="small muted" title="Every account keeps at least one owner. Make another member an owner first.">
                              last owner
                            </span>
                          ) : null}
                        </span>
                      )}
                    </td>
                    <td>
                      <RelativeTime date={m.joinedAt} now={now} />
                    </td>
                    <td className="actions">
                      {self ? (
                        lastOwner ? null : (
                          <ConfirmButton label="Leave" title={`Leave ${account.name}?`} confirmLabel="Leave account" busyLabel="Leaving…" fields={{ intent: "leave" }}>
                            <p>You lose access to its dashboards, reports and alarms at once. To come back, someone has to invite you again.</p>
                          </ConfirmButton>
                        )
                      ) : editable ? (
                        <ConfirmButton
                          label="Remove"
                          title={`Remove ${m.name}?`}
                          confirmLabel="Remove member"
                          busyLabel="Removing…"
                          fields={{ intent: "remove", userId: m.userId }}
                        >
                          <p>
                            {m.name} ({m.email}) loses access to {account.name} at once, on every device. What they made (dashboards, alarms)
                            stays.
                          </p>
                        </ConfirmButton>
                      ) : null}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
        <p className="card-foot small muted">
          Every account keeps at least one owner: the last owner can be neither removed nor demoted, and cannot leave. Only owners can make
          someone an owner or change an owner’s role.
        </p>
      </section>

      {canManage ? (
        <section className="card" aria-labelledby="invitations-title">
          <div className="card-head row">
            <h2 id="invitations-title">
              Pending invitations <span className="count">{invitations.length}</span>
            </h2>
            <span className="small muted">Resending makes a new link; the old one stops working.</span>
          </div>
          {invitations.length === 0 ? (
            <div className="card-empty">
              <p className="muted">No pending invitations. Invitations that are accepted become members above.</p>
            </div>
          ) : (
            <div className="table-scroll">
              <table className="list-table invitations-table">
                <thead>
                  <tr>
                    <th scope="col">Email</th>
                    <th scope="col">Role</th>
                    <th scope="col">Invited by</th>
                    <th scope="col">Sent</th>
                    <th scope="col">Expires</th>
                    <th scope="col">
                      <span className="visually-hidden">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {invitations.map((i) => (
                    <tr key={i.id} className={i.id === invitedId ? "highlight" : undefined}>
                      <td className="strong">{i.email}</td>
                      <td>
                        <RoleBadge role={i.role} />
                      </td>
                      <td>{i.invitedBy ?? <span className="muted">—</span>}</td>
                      <td>
                        <RelativeTime date={i.lastSentAt} now={now} />
                      </td>
                      <td>{i.expired ? <span className="badge expired">Expired</span> : <RelativeTime date={i.expiresAt} now={now} />}</td>
                      <td className="actions">
                        <div className="row-actions">
                          {i.role === "owner" && !isOwner ? null : (
                            <Form method="post">
                              <input type="hidden" name="intent" value="resend" />
                              <input type="hidden" name="id" value={i.id} />
                              <button className="button secondary small" type="submit" aria-label={`Resend the invitation to ${i.email}`}>
                                Resend
                              </button>
                            </Form>
                          )}
                          <ConfirmButton
                            label="Cancel"
                            title={`Cancel the invitation to ${i.email}?`}
                            confirmLabel="Cancel invitation"
                            busyLabel="Cancelling…"
                            fields={{ intent: "cancel", id: i.id }}
                          >
                            <p>The link in the email stops working at once. You can invite {i.email} again later.</p>
                          </ConfirmButton>
                        </div>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
      ) : (
        <section className="card note-card">
          <p>
            Only admins and owners can invite people or change roles. Ask one of them if someone should join {account.name}.
          </p>
        </section>
      )}
    </div>
  );
}
