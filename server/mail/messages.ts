import { createElement } from "react";
import AlarmNotificationEmail, { subject as alarmNotificationSubject } from "../../emails/alarm-notification";
import EmailConfirmationEmail, { subject as emailConfirmationSubject } from "../../emails/email-confirmation";
import InvitationEmail, { type InvitationEmailProps, subject as invitationSubject } from "../../emails/invitation";
import PasswordResetEmail, { subject as passwordResetSubject } from "../../emails/password-reset";
import PolicyChangeEmail, { type PolicyChangeEmailProps, subject as policyChangeSubject } from "../../emails/policy-change";
import AccountDeletionEmail, { type AccountDeletionEmailProps, subject as accountDeletionSubject } from "../../emails/account-deletion";
import AccountDeletionCancelledEmail, {
  type AccountDeletionCancelledEmailProps,
  subject as accountDeletionCancelledSubject,
} from "../../emails/account-deletion-cancelled";
import EmailChangeEmail, { subject as emailChangeSubject } from "../../emails/email-change";
import type { AlarmNotificationPayload } from "../alarm/types";
import { type Mailer, renderMail } from "./mailer";

/** One small function per email. */
export function sendPasswordReset(mailer: Mailer, to: { email: string; name: string }, resetUrl: string) {
  return mailer.send({
    to: to.email,
    subject: passwordResetSubject,
    react: createElement(PasswordResetEmail, { name: to.name, resetUrl }),
  });
}

export function sendEmailConfirmation(mailer: Mailer, to: { email: string; name: string }, confirmUrl: string) {
  return mailer.send({
    to: to.email,
    subject: emailConfirmationSubject,
    react: createElement(EmailConfirmationEmail, { name: to.name, confirmUrl }),
  });
}

/** To the NEW address of a login: the link (24 hours) that makes it the login's email. */
export function sendEmailChange(mailer: Mailer, to: { email: string; name: string }, props: { oldEmail: string; confirmUrl: string }) {
  return mailer.send({
    to: to.email,
    subject: emailChangeSubject,
    react: createElement(EmailChangeEmail, { name: to.name, ...props }),
  });
}

/** To every member when an owner schedules the account's deletion (14 days later). */
export function sendAccountDeletionNotice(mailer: Mailer, to: string, props: AccountDeletionEmailProps) {
  return mailer.send({ to, subject: accountDeletionSubject(props), react: createElement(AccountDeletionEmail, props) });
}

/** To every member when an owner cancels the scheduled deletion. */
export function sendAccountDeletionCancelled(mailer: Mailer, to: string, props: AccountDeletionCancelledEmailProps) {
  return mailer.send({ to, subject: accountDeletionCancelledSubject(props), react: createElement(AccountDeletionCancelledEmail, props) });
}

/** An invitation to join an account with a role (Settings → Team); the link is valid 7 days. */
export function sendInvitation(mailer: Mailer, to: string, props: InvitationEmailProps) {
  return mailer.send({
    to,
    subject: invitationSubject(props),
    react: createElement(InvitationEmail, props),
  });
}

/**
 * An alarm notification (fired, error, no data, recovery, reminder). `messageId` is derived from
 * the notification's idempotency key, so a repeat of the same notification is recognisable.
 */
export function sendAlarmNotification(mailer: Mailer, to: string, payload: AlarmNotificationPayload, opts: { messageId: string }) {
  return mailer.send({
    to,
    subject: alarmNotificationSubject(payload),
    react: createElement(AlarmNotificationEmail, { payload }),
    messageId: opts.messageId,
    headers: {
      // RFC 3834: sent by a machine, so vacation responders stay quiet.
      "Auto-Submitted": "auto-generated",
      "X-Tablewatch-Alarm": payload.alarm.id,
    },
  });
}

/**
 * A policy-change email, rendered once per version for every recipient (it names nobody), so
 * a broadcast to many users does not render it again for each.
 */
export async function renderPolicyChange(props: PolicyChangeEmailProps): Promise<{ subject: string; html: string; text: string }> {
  const { html, text } = await renderMail({ to: "", subject: "", react: createElement(PolicyChangeEmail, props) });
  return { subject: policyChangeSubject(props), html, text };
}

/** One policy-change email (server/policy/broadcast.ts); `messageId` is the same for every attempt to the same user. */
export function sendPolicyChange(mailer: Mailer, to: string, rendered: { subject: string; html: string; text: string }, opts: { messageId: string }) {
  return mailer.send({
    to,
    subject: rendered.subject,
    rendered: { html: rendered.html, text: rendered.text },
    messageId: opts.messageId,
    headers: { "Auto-Submitted": "auto-generated" },
  });
}
