/**
 * Every React Email template in emails/, with sample data, for /admin/emails (the whole set
 * reviewed in one place). The classic Remix compiler has no import.meta.glob, so this is an
 * explicit list; tests/integration/admin.test.ts compares it with the emails/ folder, so a new
 * template that is not registered here fails the tests.
 *
 * Samples are each template's `PreviewProps` (what `email dev` would show), plus the alarm
 * email's example payloads (one per reason).
 */
import { createElement, type FunctionComponent } from "react";
import * as accountDeletionCancelled from "../../emails/account-deletion-cancelled";
import * as accountDeletion from "../../emails/account-deletion";
import * as alarmNotification from "../../emails/alarm-notification";
import * as emailChange from "../../emails/email-change";
import * as emailConfirmation from "../../emails/email-confirmation";
import * as invitation from "../../emails/invitation";
import * as passwordReset from "../../emails/password-reset";
import * as policyChange from "../../emails/policy-change";
import * as planLimit from "../../emails/plan-limit";
import * as paymentFailed from "../../emails/payment-failed";
import * as planDowngraded from "../../emails/plan-downgraded";
import * as invoice from "../../emails/invoice";
import { renderMail } from "./mailer";

export type EmailSample = { label: string; props: object };

export type EmailTemplate = {
  /** The file in emails/, without `.tsx`. */
  file: string;
  /** What the email is, for the list. */
  title: string;
  samples: EmailSample[];
  subject(props: object): string;
  component: FunctionComponent<object>;
};

type Previewable<P> = FunctionComponent<P> & { PreviewProps?: P };

function template<P extends object>(
  file: string,
  title: string,
  component: Previewable<P>,
  subject: string | ((props: P) => string),
  extraSamples: { label: string; props: P }[] = [],
): EmailTemplate {
  const samples: EmailSample[] = component.PreviewProps ? [{ label: "Preview", props: component.PreviewProps }] : [];
  return {
    file,
    title,
    samples: [...samples, ...extraSamples],
    subject: (props) => (typeof subject === "string" ? subject : subject(props as P)),
    component: component as unknown as FunctionComponent<object>,
  };
}

const alarmSamples = Object.entries(alarmNotification.examplePayloads).map(([reason, payload]) => ({
  label: reason.replace("_", " "),
  props: { payload },
}));

export const emailTemplates: EmailTemplate[] = [
  template("email-confirmation", "Confirm your email address", emailConfirmation.default, emailConfirmation.subject),
  template("password-reset", "Password reset", passwordReset.default, passwordReset.subject),
  template("email-change", "Confirm a new email address", emailChange.default, emailChange.subject),
  template("invitation", "Invitation to an account", invitation.default, invitation.subject),
  {
    ...template("alarm-notification", "Alarm notification", alarmNotification.default, (p) => alarmNotification.subject(p.payload), alarmSamples),
    // The PreviewProps are the "alarm" example already among the reasons.
    samples: alarmSamples,
  },
  template("account-deletion", "Account deletion scheduled", accountDeletion.default, accountDeletion.subject),
  template("account-deletion-cancelled", "Account deletion cancelled", accountDeletionCancelled.default, accountDeletionCancelled.subject),
  template("policy-change", "Policy change (broadcast)", policyChange.default, policyChange.subject),
  template("plan-limit", "Plan limit at 80 % / 100 %", planLimit.default, planLimit.subject),
  template("payment-failed", "Payment failed", paymentFailed.default, paymentFailed.subject),
  template("plan-downgraded", "Downgraded to Free", planDowngraded.default, planDowngraded.subject),
  template("invoice", "Invoice (PDF attached)", invoice.default, invoice.subject),
];

export type RenderedSample = { label: string; subject: string; html: string; text: string };

/** A template rendered with each of its samples, as it would be sent. */
export async function renderTemplateSamples(entry: EmailTemplate): Promise<RenderedSample[]> {
  return Promise.all(
    entry.samples.map(async (sample) => {
      const { html, text } = await renderMail({ to: "", subject: "", react: createElement(entry.component, sample.props) });
      return { label: sample.label, subject: entry.subject(sample.props), html, text };
    }),
  );
}
