import { Button, Link, Text } from "@react-email/components";
import { buttonStyle, EmailLayout, mutedStyle, textStyle } from "./components/layout";

export type PlanLimitEmailProps = {
  accountName: string;
  planName: string;
  /** 80 (nearly used up) or 100 (used up). */
  level: 80 | 100;
  /** The limit's name in the sentence, e.g. "dashboards", "instances this month". */
  limitLabel: string;
  used: number;
  limit: number;
  /** What stops at 100 %, e.g. "New dashboards cannot be created". */
  effect: string;
  /** Whether the limit starts again next month (instances per month). */
  monthly: boolean;
  /** Settings → Plan & usage. */
  planUrl: string;
};

const oneLine = (s: string) => s.replace(/\s+/g, " ").trim();
const n = (x: number) => x.toLocaleString("en-US");

export const subject = ({ accountName, level, limitLabel }: Pick<PlanLimitEmailProps, "accountName" | "level" | "limitLabel">) =>
  oneLine(level === 100 ? `${accountName} has reached its limit of ${limitLabel}` : `${accountName} has used 80 % of its ${limitLabel}`);

export default function PlanLimitEmail(props: PlanLimitEmailProps) {
  const { accountName, planName, level, limitLabel, used, limit, effect, monthly, planUrl } = props;
  return (
    <EmailLayout
      preview={`${n(used)} of ${n(limit)} ${limitLabel} used on the ${planName} plan`}
      footer="You received this email because you are an owner of this Tablewatch account. It is sent once a month per limit, at 80 % and at 100 %."
    >
      <Text style={textStyle}>Hello,</Text>
      <Text style={textStyle}>
        <strong>{accountName}</strong> uses <strong>{n(used)}</strong> of the <strong>{n(limit)}</strong> {limitLabel} its{" "}
        <strong>{planName}</strong> plan includes
        {level === 100 ? ", all of them." : ` (${Math.floor((used * 100) / Math.max(1, limit))} %).`}
      </Text>
      <Text style={textStyle}>
        {level === 100
          ? `${effect} until ${monthly ? "the next month begins (UTC) or " : "something is removed or "}the account moves to a larger plan. Everything already stored stays as it is.`
          : `Nothing changes yet. When all ${n(limit)} are used, ${effect.charAt(0).toLowerCase()}${effect.slice(1)}${monthly ? " until the next month begins (UTC)" : ""}.`}
      </Text>
      <Button href={planUrl} style={buttonStyle}>
        See usage and plans
      </Button>
      <Text style={mutedStyle}>
        Or paste this link into your browser: <Link href={planUrl}>{planUrl}</Link>
      </Text>
    </EmailLayout>
  );
}

PlanLimitEmail.PreviewProps = {
  accountName: "Acme Ops",
  planName: "Free",
  level: 80,
  limitLabel: "dashboards",
  used: 4,
  limit: 5,
  effect: "New dashboards cannot be created",
  monthly: false,
  planUrl: "http://localhost:3000/settings/plan",
} satisfies PlanLimitEmailProps;
