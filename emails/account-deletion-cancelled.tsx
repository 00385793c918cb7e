import { Text } from "@react-email/components";
import { EmailLayout, textStyle } from "./components/layout";

export type AccountDeletionCancelledEmailProps = { name: string; accountName: string; cancelledBy: string };

const oneLine = (s: string) => s.replace(/\s+/g, " ").trim();

export const subject = ({ accountName }: Pick<AccountDeletionCancelledEmailProps, "accountName">) =>
  oneLine(`${accountName} will not be deleted`);

/** Sent to every member when an owner cancels a scheduled deletion. */
export default function AccountDeletionCancelledEmail({ name, accountName, cancelledBy }: AccountDeletionCancelledEmailProps) {
  return (
    <EmailLayout
      preview={`The deletion of ${accountName} was cancelled`}
      footer={`You received this email because you are a member of the Tablewatch account ${accountName}.`}
    >
      <Text style={textStyle}>Hi {name},</Text>
      <Text style={textStyle}>
        {cancelledBy} cancelled the planned deletion of the Tablewatch account <strong>{accountName}</strong>. Nothing will be deleted;
        its reports, dashboards and alarms stay as they are.
      </Text>
    </EmailLayout>
  );
}

AccountDeletionCancelledEmail.PreviewProps = {
  name: "Jane",
  accountName: "Acme Ops",
  cancelledBy: "Olga Owner (olga@example.com)",
} satisfies AccountDeletionCancelledEmailProps;
