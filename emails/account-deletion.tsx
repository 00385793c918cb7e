import { Button, Link, Text } from "@react-email/components";
import { buttonStyle, EmailLayout, mutedStyle, textStyle } from "./components/layout";

export type AccountDeletionEmailProps = {
  name: string;
  accountName: string;
  /** Who asked for the deletion (name and email). */
  requestedBy: string;
  /** When the account and its data are deleted, in the recipient's time zone, e.g. "Monday 8 December 2026 at 14:00 (Europe/Tallinn)". */
  deletionDate: string;
  /** Whether the recipient may cancel (owners). */
  canCancel: boolean;
  /** Settings → Account, where owners cancel and admins export. */
  settingsUrl: string;
};

const oneLine = (s: string) => s.replace(/\s+/g, " ").trim();

export const subject = ({ accountName }: Pick<AccountDeletionEmailProps, "accountName">) =>
  oneLine(`${accountName} will be deleted from Tablewatch in 14 days`);

/** The notice every member gets when an owner schedules the account's deletion. */
export default function AccountDeletionEmail({ name, accountName, requestedBy, deletionDate, canCancel, settingsUrl }: AccountDeletionEmailProps) {
  return (
    <EmailLayout
      preview={`All of ${accountName}'s reports, dashboards and alarms will be deleted on ${deletionDate}`}
      footer={`You received this email because you are a member of the Tablewatch account ${accountName}.`}
    >
      <Text style={textStyle}>Hi {name},</Text>
      <Text style={textStyle}>
        {requestedBy} asked to delete the Tablewatch account <strong>{accountName}</strong>. On <strong>{deletionDate}</strong> it will be
        deleted for good: every report and its history, every dashboard, alarm and API key, and its members’ access. Logins that belong to
        no other account are deleted with it.
      </Text>
      <Text style={textStyle}>
        {canCancel
          ? "As an owner you can cancel the deletion until then in Settings → Account. Owners and admins can also download everything as a JSON archive there."
          : "Until then everything keeps working. If this is a mistake, ask an owner of the account to cancel the deletion in Settings → Account."}
      </Text>
      <Button href={settingsUrl} style={buttonStyle}>
        {canCancel ? "Review or cancel the deletion" : "Open Settings → Account"}
      </Button>
      <Text style={mutedStyle}>
        Or paste this link into your browser: <Link href={settingsUrl}>{settingsUrl}</Link>
      </Text>
    </EmailLayout>
  );
}

AccountDeletionEmail.PreviewProps = {
  name: "Jane",
  accountName: "Acme Ops",
  requestedBy: "Olga Owner (olga@example.com)",
  deletionDate: "Monday 8 December 2026 at 14:00 (UTC)",
  canCancel: true,
  settingsUrl: "http://localhost:3000/settings/account",
} satisfies AccountDeletionEmailProps;
