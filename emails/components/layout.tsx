import { Body, Container, Head, Hr, Html, Preview, Section, Text } from "@react-email/components";
import type { ReactNode } from "react";

const styles = {
  body: { backgroundColor: "#f4f5f7", fontFamily: "-apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif", margin: 0, padding: "24px 0" },
  container: { backgroundColor: "#ffffff", border: "1px solid #e3e5e8", borderRadius: "8px", margin: "0 auto", maxWidth: "560px", padding: "32px" },
  brand: { color: "#0f766e", fontSize: "18px", fontWeight: 700, margin: "0 0 24px" },
  footer: { color: "#8a9099", fontSize: "12px", lineHeight: "18px", margin: 0 },
};

/** The frame every Tablewatch email shares: brand, content, footer. */
export function EmailLayout({ preview, children, footer }: { preview: string; children: ReactNode; footer?: ReactNode }) {
  return (
    <Html lang="en">
      <Head />
      <Preview>{preview}</Preview>
      <Body style={styles.body}>
        <Container style={styles.container}>
          <Text style={styles.brand}>▦ Tablewatch</Text>
          <Section>{children}</Section>
          <Hr style={{ borderColor: "#e3e5e8", margin: "28px 0 16px" }} />
          <Text style={styles.footer}>
            {footer ?? "You received this email because of an action on your Tablewatch account. If it was not you, you can ignore it safely."}
          </Text>
        </Container>
      </Body>
    </Html>
  );
}

export const textStyle = { color: "#1f2933", fontSize: "15px", lineHeight: "24px", margin: "0 0 16px" };
export const buttonStyle = {
  backgroundColor: "#0f766e",
  borderRadius: "6px",
  color: "#ffffff",
  display: "inline-block",
  fontSize: "15px",
  fontWeight: 600,
  padding: "12px 20px",
  textDecoration: "none",
};
export const mutedStyle = { color: "#52606d", fontSize: "13px", lineHeight: "20px", margin: "16px 0 0", wordBreak: "break-all" as const };
