import { createElement } from "react";
import AlarmNotificationEmail, { subject as alarmNotificationSubject } from "../../emails/alarm-notification";
import EmailConfirmationEmail, { subject as emailConfirmationSubject } from "../../emails/email-confirmation";
import PasswordResetEmail, { subject as passwordResetSubject } from "../../emails/password-reset";
import type { AlarmNotificationPayload } from "../alarm/types";
import type { Mailer } from "./mailer";

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
