import { Button, Link, Text } from "@react-email/components";
import { buttonStyle, EmailLayout, mutedStyle, textStyle } from "./components/layout";

export type PlanDowngradedEmailProps = {
  accountName: string;
  /** The paid plan the account had. */
  previousPlanName: string;
  /** Why: "payment-failed" (the retries failed) or "cancelled" (the subscription ended as asked). */
  reason: "payment-failed" | "cancelled";
  /** The amount that could not be charged, formatted; for "payment-failed". */
  amount: string | null;
  /** Until when data over the Free limits stays read-only, e.g. "20 April 2026"; null when nothing is over. */
  readOnlyUntil: string | null;
  /** The Free plan's limits in words, e.g. ["3 reports", "1 dashboard", "7 days of history"]. */
  freeLimits: string[];
  /** Settings → Billing (the plan picker). */
  upgradeUrl: string;
};

const oneLine = (s: string) => s.replace(/\s+/g, " ").trim();

export const subject = ({ accountName }: Pick<PlanDowngradedEmailProps, "accountName">) => oneLine(`${accountName} is now on the Free plan`);

export default function PlanDowngradedEmail(props: PlanDowngradedEmailProps) {
  return (
    <EmailLayout
      preview={`${props.accountName} moved from ${props.previousPlanName} to Free`}
      footer="You received this email because you are an owner of this Tablewatch account: owners manage its billing."
    >
      <Text style={textStyle}>Hello,</Text>
      <Text style={textStyle}>
        {props.reason === "payment-failed" ? (
          <>
            We tried to charge {props.amount ? <strong>{props.amount}</strong> : "the monthly price"} for the <strong>{props.previousPlanName}</strong> plan of{" "}
            <strong>{props.accountName}</strong> four times over a week, and every attempt failed. The subscription is cancelled and the account is now on
            the <strong>Free</strong> plan. Nothing more will be charged.
          </>
        ) : (
          <>
            The <strong>{props.previousPlanName}</strong> subscription of <strong>{props.accountName}</strong> ended, as it was cancelled. The account is
            now on the <strong>Free</strong> plan and the card is not charged again.
          </>
        )}
      </Text>
      {props.freeLimits.length ? <Text style={textStyle}>The Free plan includes {props.freeLimits.join(", ")}.</Text> : null}
      <Text style={textStyle}>
        {props.readOnlyUntil
          ? `Nothing is deleted now. Until ${props.readOnlyUntil}, history older than what the Free plan keeps and the newest reports beyond its report limit stay readable, but those reports take no new data. After that day they are removed. Dashboards, alarms, share links and members over the limits are kept; you just cannot add more.`
          : "Everything in the account fits the Free plan, so nothing becomes read-only."}
      </Text>
      <Button href={props.upgradeUrl} style={buttonStyle}>
        Choose a paid plan
      </Button>
      <Text style={mutedStyle}>
        Upgrading again restores every limit at once. Or paste this link into your browser: <Link href={props.upgradeUrl}>{props.upgradeUrl}</Link>
      </Text>
    </EmailLayout>
  );
}

PlanDowngradedEmail.PreviewProps = {
  accountName: "Acme Ops",
  previousPlanName: "Business",
  reason: "payment-failed",
  amount: "€79.00",
  readOnlyUntil: "20 April 2026",
  freeLimits: ["20 reports", "5 dashboards", "30 days of history"],
  upgradeUrl: "http://localhost:3000/settings/billing",
} satisfies PlanDowngradedEmailProps;
