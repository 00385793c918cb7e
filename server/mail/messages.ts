import { createElement } from "react";
import EmailConfirmationEmail, { subject as emailConfirmationSubject } from "../../emails/email-confirmation";
import PasswordResetEmail, { subject as passwordResetSubject } from "../../emails/password-reset";
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
