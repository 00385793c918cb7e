/**
 * The billing emails, to the account's owners: a failed payment (amount, card, next retry, a link
 * to update the card) and the move to Free (why, what is read-only for 30 days, a link to upgrade).
 * One small function per email, as in server/mail/messages.ts.
 */
import { createElement } from "react";
import PaymentFailedEmail, { type PaymentFailedEmailProps, subject as paymentFailedSubject } from "../../emails/payment-failed";
import PlanDowngradedEmail, { type PlanDowngradedEmailProps, subject as planDowngradedSubject } from "../../emails/plan-downgraded";
import type { Mailer } from "../mail/mailer";

export function sendPaymentFailed(mailer: Mailer, to: string, props: PaymentFailedEmailProps) {
  return mailer.send({ to, subject: paymentFailedSubject(props), react: createElement(PaymentFailedEmail, props), headers: { "Auto-Submitted": "auto-generated" } });
}

export function sendPlanDowngraded(mailer: Mailer, to: string, props: PlanDowngradedEmailProps) {
  return mailer.send({ to, subject: planDowngradedSubject(props), react: createElement(PlanDowngradedEmail, props), headers: { "Auto-Submitted": "auto-generated" } });
}

/** Sends one email per owner; a failure for one is logged and does not stop the others. */
export async function toOwners(owners: { email: string }[], send: (to: string) => Promise<void>, what: string): Promise<void> {
  await Promise.all(
    owners.map((o) =>
      send(o.email).catch((error) => console.error(`billing: the ${what} email to an owner failed:`, error instanceof Error ? error.message : error)),
    ),
  );
}
