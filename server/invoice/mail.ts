import { createElement } from "react";
import InvoiceEmail, { type InvoiceEmailProps, subject as invoiceSubject } from "../../emails/invoice";
import type { Mailer } from "../mail/mailer";

/** An issued invoice to one owner of the account, its PDF attached. */
export function sendInvoiceEmail(mailer: Mailer, to: string, props: InvoiceEmailProps & { pdf: { filename: string; content: Buffer } }) {
  const { pdf, ...template } = props;
  return mailer.send({
    to,
    subject: invoiceSubject(template),
    react: createElement(InvoiceEmail, template),
    attachments: [{ filename: pdf.filename, contentType: "application/pdf", content: pdf.content }],
  });
}
