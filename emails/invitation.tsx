import { Button, Link, Text } from "@react-email/components";
import { buttonStyle, EmailLayout, mutedStyle, textStyle } from "./components/layout";

export type InvitationRole = "owner" | "admin" | "editor" | "viewer";

export type InvitationEmailProps = {
  inviterName: string;
  inviterEmail: string;
  accountName: string;
  role: InvitationRole;
  acceptUrl: string;
  /** When the link stops working, e.g. "2026-12-08 14:00 UTC". */
  expiresAt: string;
};

/** What each role may do, in a few words (the email's one line about the role). */
const roleWords: Record<InvitationRole, string> = {
  owner: "you can do everything, including billing and deleting the account",
  admin: "you can do everything but billing and deleting the account, including inviting people and managing API keys",
  editor: "you can change dashboards, tiles, alarms and reports",
  viewer: "you can look at dashboards, reports and alarms",
};

const oneLine = (s: string) => s.replace(/\s+/g, " ").trim();

export const subject = ({ inviterName, accountName }: Pick<InvitationEmailProps, "inviterName" | "accountName">) =>
  oneLine(`${inviterName} invited you to ${accountName} on Tablewatch`);

export default function InvitationEmail({ inviterName, inviterEmail, accountName, role, acceptUrl, expiresAt }: InvitationEmailProps) {
  const article = role === "owner" || role === "admin" || role === "editor" ? "an" : "a";
  return (
    <EmailLayout
      preview={`Join ${accountName} as ${article} ${role}`}
      footer={`You received this email because ${inviterEmail} invited this address to a Tablewatch account. If you did not expect it, you can ignore it: nothing happens unless you accept.`}
    >
      <Text style={textStyle}>Hello,</Text>
      <Text style={textStyle}>
        {inviterName} ({inviterEmail}) invited you to join <strong>{accountName}</strong> on Tablewatch as {article}{" "}
        <strong>{role}</strong>: {roleWords[role]}.
      </Text>
      <Button href={acceptUrl} style={buttonStyle}>
        Accept the invitation
      </Button>
      <Text style={mutedStyle}>
        Or paste this link into your browser: <Link href={acceptUrl}>{acceptUrl}</Link>
      </Text>
      <Text style={mutedStyle}>
        The link works once and expires on {expiresAt}, 7 days after it was sent. If you have no Tablewatch login yet, you choose a
        password when you accept.
      </Text>
    </EmailLayout>
  );
}

InvitationEmail.PreviewProps = {
  inviterName: "Olga Owner",
  inviterEmail: "olga@example.com",
  accountName: "Acme Ops",
  role: "editor",
  acceptUrl: "http://localhost:3000/invite/twi_example",
  expiresAt: "2026-12-08 14:00 UTC",
} satisfies InvitationEmailProps;
