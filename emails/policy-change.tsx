import { Button, Link, Section, Text } from "@react-email/components";
import { buttonStyle, EmailLayout, mutedStyle, textStyle } from "./components/layout";

export type PolicyChangeEmailProps = {
  /** "Privacy Policy" or "Terms of Service". */
  documentTitle: string;
  /** What changed, in the admin's words (plain text; line breaks are kept). */
  summary: string;
  /** The policy's public page, e.g. https://tablewatch.example/privacy. */
  url: string;
  /** The new version's "Last modified" date, e.g. "29 November 2026". */
  lastModified: string;
};

export const subject = ({ documentTitle }: Pick<PolicyChangeEmailProps, "documentTitle">) => `We updated our ${documentTitle}`;

const summaryStyle = {
  ...textStyle,
  backgroundColor: "#f4f5f7",
  borderLeft: "3px solid #0f766e",
  borderRadius: "4px",
  padding: "12px 16px",
  whiteSpace: "pre-line" as const,
};

/**
 * Sent once to every user when an admin publishes a new version of a policy (one rendering for
 * every recipient: it names nobody, so the broadcast renders it once per version).
 */
export default function PolicyChangeEmail({ documentTitle, summary, url, lastModified }: PolicyChangeEmailProps) {
  return (
    <EmailLayout
      preview={`Our ${documentTitle} changed on ${lastModified}: what is new`}
      footer={`You received this email because you have a Tablewatch login, and we tell every user when the ${documentTitle} changes. It is sent once for each new version.`}
    >
      <Text style={textStyle}>Hello,</Text>
      <Text style={textStyle}>
        We published a new version of our {documentTitle}, last modified on {lastModified}. In short, this is what changed:
      </Text>
      <Section>
        <Text style={summaryStyle}>{summary}</Text>
      </Section>
      <Button href={url} style={buttonStyle}>
        Read the {documentTitle}
      </Button>
      <Text style={mutedStyle}>
        Or paste this link into your browser: <Link href={url}>{url}</Link>
      </Text>
      <Text style={mutedStyle}>There is nothing you need to do. If you have a question about the change, write to the contact address given in the {documentTitle}.</Text>
    </EmailLayout>
  );
}

PolicyChangeEmail.PreviewProps = {
  documentTitle: "Privacy Policy",
  summary:
    "We now name the accounting service that issues our invoices, and we keep the access log for 14 days instead of 30.\nNothing else changed.",
  url: "http://localhost:3000/privacy",
  lastModified: "1 March 2027",
} satisfies PolicyChangeEmailProps;
