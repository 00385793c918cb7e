import { desc, eq } from "drizzle-orm";
import { type Response, Router } from "express";
import { caughtMail } from "../../db/schema";
import type { CaughtAttachment } from "../../db/schema/caught-mail";
import type { Deps } from "../deps";

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

function page(res: Response, title: string, body: string) {
  res.type("html").send(`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex"><title>${escapeHtml(title)} · Tablewatch</title>
<style>
body{font-family:-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;margin:0;background:#f4f5f7;color:#1f2933}
header{background:#0f172a;color:#fff;padding:14px 24px;display:flex;gap:12px;align-items:baseline}
header b{font-size:16px}header span{color:#94a3b8;font-size:13px}
main{max-width:960px;margin:24px auto;padding:0 24px}
table{width:100%;border-collapse:collapse;background:#fff;border:1px solid #e3e5e8;border-radius:8px;overflow:hidden}
th,td{text-align:left;padding:10px 14px;border-bottom:1px solid #eef0f2;font-size:14px}
th{background:#f8fafc;color:#52606d;font-weight:600}
a{color:#0f766e}.empty{background:#fff;border:1px dashed #cbd2d9;border-radius:8px;padding:32px;text-align:center;color:#52606d}
iframe{width:100%;height:70vh;border:1px solid #e3e5e8;border-radius:8px;background:#fff}
pre{white-space:pre-wrap;background:#fff;border:1px solid #e3e5e8;border-radius:8px;padding:16px;font-size:13px}
</style></head><body><header><b>▦ Tablewatch mailbox</b><span>development only: mail caught because SMTP_URL is not set</span></header><main>${body}</main></body></html>`);
}

/** /dev/mail: the mail caught when no SMTP_URL is set. Mounted only outside production. */
export function devMailRouter(deps: Deps): Router {
  const router = Router();
  // Attachments are listed by name, type and size; their bytes only at their download link.
  const list = async () => {
    const rows = await deps.db.select().from(caughtMail).orderBy(desc(caughtMail.id)).limit(100);
    return rows.map(({ attachments, ...m }) => ({ ...m, attachments: (attachments ?? []).map(({ filename, contentType, size }) => ({ filename, contentType, size })) }));
  };

  router.get("/", async (_req, res, next) => {
    try {
      const mails = await list();
      const rows = mails
        .map(
          (m) =>
            `<tr><td>${m.createdAt.toISOString().replace("T", " ").slice(0, 19)}</td><td>${escapeHtml(m.to)}</td><td><a href="/dev/mail/${m.id}">${escapeHtml(m.subject)}</a>${m.attachments.length ? ` <span title="${escapeHtml(m.attachments.map((a) => a.filename).join(", "))}">📎 ${m.attachments.length}</span>` : ""}</td></tr>`,
        )
        .join("");
      page(
        res,
        "Mailbox",
        mails.length
          ? `<table><thead><tr><th>Sent (UTC)</th><th>To</th><th>Subject</th></tr></thead><tbody>${rows}</tbody></table>`
          : `<div class="empty">No mail yet. Register or ask for a password reset, and the email shows up here.</div>`,
      );
    } catch (error) {
      next(error);
    }
  });

  router.get("/messages.json", async (_req, res, next) => {
    try {
      res.json(await list());
    } catch (error) {
      next(error);
    }
  });

  router.get("/:id(\\d+)", async (req, res, next) => {
    try {
      const [mail] = await deps.db.select().from(caughtMail).where(eq(caughtMail.id, Number(req.params.id)));
      if (!mail) return page(res.status(404), "Not found", `<div class="empty">No such message. <a href="/dev/mail">Back to the mailbox</a></div>`);
      page(
        res,
        mail.subject,
        `<p><a href="/dev/mail">← Mailbox</a></p><h2>${escapeHtml(mail.subject)}</h2><p>To: ${escapeHtml(mail.to)}</p>
${attachmentList(mail.id, mail.attachments ?? [])}
<iframe sandbox="allow-popups allow-popups-to-escape-sandbox allow-top-navigation-by-user-activation" srcdoc="${escapeHtml(mail.html)}"></iframe>
<h3>Plain text</h3><pre>${escapeHtml(mail.text)}</pre>`,
      );
    } catch (error) {
      next(error);
    }
  });
  router.get("/:id(\\d+)/attachments/:index(\\d+)", async (req, res, next) => {
    try {
      const [mail] = await deps.db.select({ attachments: caughtMail.attachments }).from(caughtMail).where(eq(caughtMail.id, Number(req.params.id)));
      const attachment = mail?.attachments?.[Number(req.params.index)];
      if (!attachment) return page(res.status(404), "Not found", `<div class="empty">No such attachment. <a href="/dev/mail">Back to the mailbox</a></div>`);
      res
        .type(attachment.contentType)
        .set("Content-Disposition", `attachment; filename="${attachment.filename.replace(/[^\w.-]+/g, "_")}"`)
        .send(Buffer.from(attachment.contentBase64, "base64"));
    } catch (error) {
      next(error);
    }
  });
  return router;
}

function attachmentList(id: number, attachments: CaughtAttachment[]): string {
  if (!attachments.length) return "";
  const items = attachments
    .map((a, i) => `<li><a href="/dev/mail/${id}/attachments/${i}">${escapeHtml(a.filename)}</a> <span style="color:#52606d">(${escapeHtml(a.contentType)}, ${Math.ceil(a.size / 1024)} KB)</span></li>`)
    .join("");
  return `<p>Attachments:</p><ul>${items}</ul>`;
}
