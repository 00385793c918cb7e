import { render } from "@react-email/render";
import nodemailer, { type Transporter } from "nodemailer";
import type { ReactElement } from "react";
import type { Db } from "../../db/client";
import { caughtMail } from "../../db/schema";

export type OutgoingMail = {
  to: string;
  subject: string;
  /** The template to render; or `rendered`, HTML and text rendered once for many recipients (broadcasts). */
  react?: ReactElement;
  rendered?: { html: string; text: string };
  /** The Message-ID header, `<…@…>` (nodemailer makes a random one otherwise). SMTP only. */
  messageId?: string;
  /** Extra headers (e.g. Auto-Submitted). SMTP only: the caught-mail path ignores both. */
  headers?: Record<string, string>;
  /** Files attached (e.g. an invoice PDF): sent over SMTP, kept with caught mail for /dev/mail. */
  attachments?: MailAttachment[];
};
export type MailAttachment = { filename: string; contentType: string; content: Buffer };
export type RenderedMail = { to: string; subject: string; html: string; text: string };

export type Mailer = {
  send(mail: OutgoingMail): Promise<void>;
  close(): void;
};

/** Renders a React Email template to HTML and plain text. */
export async function renderMail(mail: OutgoingMail): Promise<RenderedMail> {
  if (mail.rendered) return { to: mail.to, subject: mail.subject, html: mail.rendered.html, text: mail.rendered.text };
  if (!mail.react) throw new Error("A mail needs a template (react) or its rendered HTML and text");
  const [html, text] = await Promise.all([render(mail.react), render(mail.react, { plainText: true })]);
  return { to: mail.to, subject: mail.subject, html, text };
}

/**
 * SMTP through nodemailer when `smtpUrl` is set; otherwise mail is caught in the database
 * (table caught_mail) and shown at /dev/mail, so flows that email work out of the box.
 */
export function createMailer(opts: { db: Db; smtpUrl?: string; from: string }): Mailer {
  let transport: Transporter | undefined;
  if (opts.smtpUrl) transport = nodemailer.createTransport(opts.smtpUrl);
  return {
    async send(mail) {
      const rendered = await renderMail(mail);
      if (transport) {
        await transport.sendMail({
          from: opts.from,
          ...rendered,
          messageId: mail.messageId,
          headers: mail.headers,
          attachments: mail.attachments?.map((a) => ({ filename: a.filename, contentType: a.contentType, content: a.content })),
        });
      } else {
        const attachments = mail.attachments?.length
          ? mail.attachments.map((a) => ({ filename: a.filename, contentType: a.contentType, size: a.content.length, contentBase64: a.content.toString("base64") }))
          : null;
        await opts.db.insert(caughtMail).values({ ...rendered, attachments });
      }
    },
    close() {
      transport?.close();
    },
  };
}
