import { Button, Link, Text } from "@react-email/components";
import { buttonStyle, EmailLayout, mutedStyle, textStyle } from "./components/layout";

export type PaymentFailedEmailProps = {
  accountName: string;
  planName: string;
  /** The amount that could not be charged, formatted ("€79.00"). */
  amount: string;
  cardLast4: string | null;
  /** The processor's reason, e.g. "Your card was declined." */
  reason: string;
  /** When the payment is tried again, e.g. "15 March 2026"; null after the last retry. */
  nextRetry: string | null;
  /** Retries left after the next one (0 on the last). */
  retriesLeft: number;
  /** The day the account moves to Free if the payment keeps failing. */
  downgradeDay: string;
  /** Settings → Billing → Credit card details. */
  cardUrl: string;
};

const oneLine = (s: string) => s.replace(/\s+/g, " ").trim();

export const subject = ({ accountName, amount }: Pick<PaymentFailedEmailProps, "accountName" | "amount">) =>
  oneLine(`Payment of ${amount} for ${accountName} failed`);

export default function PaymentFailedEmail(props: PaymentFailedEmailProps) {
  const card = props.cardLast4 ? `your card ending in ${props.cardLast4}` : "your card";
  return (
    <EmailLayout
      preview={`We could not charge ${props.amount} to ${card}`}
      footer="You received this email because you are an owner of this Tablewatch account: owners manage its billing."
    >
      <Text style={textStyle}>Hello,</Text>
      <Text style={textStyle}>
        We could not charge <strong>{props.amount}</strong> for the <strong>{props.planName}</strong> plan of <strong>{props.accountName}</strong> to{" "}
        {card}. The payment processor said: “{props.reason}”
      </Text>
      <Text style={textStyle}>
        {props.nextRetry
          ? `We will try again on ${props.nextRetry}${props.retriesLeft > 0 ? ` (and ${props.retriesLeft === 1 ? "once more" : `${props.retriesLeft} more times`} after that)` : ""}. `
          : ""}
        Your plan stays as it is meanwhile. If the payment still fails on {props.downgradeDay}, the account moves to the Free plan, and data over the
        Free plan’s limits becomes read-only for 30 days.
      </Text>
      <Button href={props.cardUrl} style={buttonStyle}>
        Update the card
      </Button>
      <Text style={mutedStyle}>
        A new card is charged at once. Or paste this link into your browser: <Link href={props.cardUrl}>{props.cardUrl}</Link>
      </Text>
    </EmailLayout>
  );
}

PaymentFailedEmail.PreviewProps = {
  accountName: "Acme Ops",
  planName: "Business",
  amount: "€79.00",
  cardLast4: "0341",
  reason: "Your card was declined.",
  nextRetry: "15 March 2026",
  retriesLeft: 2,
  downgradeDay: "21 March 2026",
  cardUrl: "http://localhost:3000/settings/billing/card",
} satisfies PaymentFailedEmailProps;
