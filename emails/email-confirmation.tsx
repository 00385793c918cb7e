import { Button, Link, Text } from "@react-email/components";
import { buttonStyle, EmailLayout, mutedStyle, textStyle } from "./components/layout";

export type EmailConfirmationEmailProps = { name: string; confirmUrl: string };

export const subject = "Confirm your email address for Tablewatch";

export default function EmailConfirmationEmail({ name, confirmUrl }: EmailConfirmationEmailProps) {
  return (
    <EmailLayout preview="Confirm your address so Tablewatch can send you alarms">
      <Text style={textStyle}>Hi {name},</Text>
      <Text style={textStyle}>
        Welcome to Tablewatch. Please confirm that this address is yours. Your account already works; alarm
        emails and other notifications go only to confirmed addresses.
      </Text>
      <Button href={confirmUrl} style={buttonStyle}>
        Confirm my email address
      </Button>
      <Text style={mutedStyle}>
        Or paste this link into your browser: <Link href={confirmUrl}>{confirmUrl}</Link>
      </Text>
      <Text style={mutedStyle}>The link is valid for 7 days.</Text>
    </EmailLayout>
  );
}

EmailConfirmationEmail.PreviewProps = {
  name: "Jane",
  confirmUrl: "http://localhost:3000/confirm-email?token=example",
} satisfies EmailConfirmationEmailProps;
