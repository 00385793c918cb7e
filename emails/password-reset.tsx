import { Button, Link, Text } from "@react-email/components";
import { buttonStyle, EmailLayout, mutedStyle, textStyle } from "./components/layout";

export type PasswordResetEmailProps = { name: string; resetUrl: string };

export const subject = "Reset your Tablewatch password";

export default function PasswordResetEmail({ name, resetUrl }: PasswordResetEmailProps) {
  return (
    <EmailLayout preview="A link to choose a new password, valid for one hour">
      <Text style={textStyle}>Hi {name},</Text>
      <Text style={textStyle}>
        Someone asked to reset the password of your Tablewatch login. If it was you, choose a new password
        with the button below. The link works once and expires in one hour.
      </Text>
      <Button href={resetUrl} style={buttonStyle}>
        Choose a new password
      </Button>
      <Text style={mutedStyle}>
        Or paste this link into your browser: <Link href={resetUrl}>{resetUrl}</Link>
      </Text>
      <Text style={mutedStyle}>Resetting your password logs you out everywhere else.</Text>
    </EmailLayout>
  );
}

PasswordResetEmail.PreviewProps = {
  name: "Jane",
  resetUrl: "http://localhost:3000/reset-password?token=example",
} satisfies PasswordResetEmailProps;
