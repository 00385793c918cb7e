import { Button, Link, Text } from "@react-email/components";
import { buttonStyle, EmailLayout, mutedStyle, textStyle } from "./components/layout";

export type EmailChangeEmailProps = { name: string; oldEmail: string; confirmUrl: string };

export const subject = "Confirm your new email address for Tablewatch";

/** Sent to the NEW address: opening the link makes it the login's email. */
export default function EmailChangeEmail({ name, oldEmail, confirmUrl }: EmailChangeEmailProps) {
  return (
    <EmailLayout
      preview="Confirm this address to make it your Tablewatch login"
      footer="You received this email because someone asked to move a Tablewatch login to this address. If it was not you, ignore it: nothing changes unless the link is opened."
    >
      <Text style={textStyle}>Hi {name},</Text>
      <Text style={textStyle}>
        You asked to change the email of your Tablewatch login from <strong>{oldEmail}</strong> to this address. Confirm it with the
        button below; until then you keep logging in with {oldEmail}.
      </Text>
      <Button href={confirmUrl} style={buttonStyle}>
        Use this address
      </Button>
      <Text style={mutedStyle}>
        Or paste this link into your browser: <Link href={confirmUrl}>{confirmUrl}</Link>
      </Text>
      <Text style={mutedStyle}>The link works once and expires in 24 hours.</Text>
    </EmailLayout>
  );
}

EmailChangeEmail.PreviewProps = {
  name: "Jane",
  oldEmail: "jane@old.example.com",
  confirmUrl: "http://localhost:3000/confirm-new-email?token=example",
} satisfies EmailChangeEmailProps;
