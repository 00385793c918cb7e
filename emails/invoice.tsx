import { Button, Link, Section, Text } from "@react-email/components";
import type { CSSProperties } from "react";
import { buttonStyle, EmailLayout, mutedStyle, textStyle } from "./components/layout";

export type InvoiceEmailProps = {
  name: string;
  accountName: string;
  /** e.g. "TW/2026/000001". */
  number: string;
  /** e.g. "2026-11-29". */
  issuedAt: string;
  /** The invoice's line, e.g. "Tablewatch Team plan, 2026-11-29 – 2026-12-29". */
  description: string;
  currency: string;
  netCents: number;
  vatCents: number;
  grossCents: number;
  /** e.g. "23%", "0% (reverse charge)". */
  vatRate: string;
  /** Settings → Billing → Invoices. */
  invoicesUrl: string;
};

const oneLine = (s: string) => s.replace(/\s+/g, " ").trim();

export const subject = ({ number, accountName }: Pick<InvoiceEmailProps, "number" | "accountName">) =>
  oneLine(`Your Tablewatch invoice ${number}${accountName ? ` for ${accountName}` : ""}`);

function money(cents: number, currency: string) {
  try {
    return new Intl.NumberFormat("en-IE", { style: "currency", currency }).format(cents / 100);
  } catch {
    return `${(cents / 100).toFixed(2)} ${currency}`;
  }
}

const table: CSSProperties = { width: "100%", borderCollapse: "collapse", margin: "0 0 20px", fontSize: "14px", color: "#1f2933" };
const cell: CSSProperties = { padding: "8px 0", borderBottom: "1px solid #eef0f2" };
const amount: CSSProperties = { ...cell, textAlign: "right", whiteSpace: "nowrap" };

export default function InvoiceEmail(props: InvoiceEmailProps) {
  const { name, accountName, number, issuedAt, description, currency, netCents, vatCents, grossCents, vatRate, invoicesUrl } = props;
  return (
    <EmailLayout
      preview={`Invoice ${number}: ${money(grossCents, currency)} paid`}
      footer={`You received this email because you are an owner of ${accountName || "a Tablewatch account"}: every invoice goes to the account's owners.`}
    >
      <Text style={textStyle}>Hello {name},</Text>
      <Text style={textStyle}>
        Thank you for your payment. Invoice <strong>{number}</strong> of {issuedAt} is attached to this email as a PDF.
      </Text>
      <Section>
        <table style={table} role="presentation">
          <tbody>
            <tr>
              <td style={cell}>{description}</td>
              <td style={amount} />
            </tr>
            <tr>
              <td style={cell}>Net</td>
              <td style={amount}>{money(netCents, currency)}</td>
            </tr>
            <tr>
              <td style={cell}>VAT {vatRate}</td>
              <td style={amount}>{money(vatCents, currency)}</td>
            </tr>
            <tr>
              <td style={{ ...cell, fontWeight: 700 }}>Total paid</td>
              <td style={{ ...amount, fontWeight: 700 }}>{money(grossCents, currency)}</td>
            </tr>
          </tbody>
        </table>
      </Section>
      <Button href={invoicesUrl} style={buttonStyle}>
        See all invoices
      </Button>
      <Text style={mutedStyle}>
        Your invoices are always available in Settings → Billing → Invoices: <Link href={invoicesUrl}>{invoicesUrl}</Link>
      </Text>
    </EmailLayout>
  );
}

InvoiceEmail.PreviewProps = {
  name: "Olga Owner",
  accountName: "Acme Ops",
  number: "TW/2026/000001",
  issuedAt: "2026-11-29",
  description: "Tablewatch Team plan, 2026-11-29 – 2026-12-29",
  currency: "EUR",
  netCents: 1545,
  vatCents: 355,
  grossCents: 1900,
  vatRate: "23%",
  invoicesUrl: "http://localhost:3000/settings/billing/invoices",
} satisfies InvoiceEmailProps;
