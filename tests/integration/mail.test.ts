import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { SMTPServer } from "smtp-server";
import { caughtMail } from "../../db/schema";
import { sessionCookieOf, startTestApp, type TestApp, TEST_PASSWORD, uniqueEmail } from "../helpers/app";

type Received = { from: string; to: string[]; raw: string };

/** A local SMTP sink: accepts every message, without auth or TLS, and keeps it. */
async function startSmtpSink(): Promise<{ port: number; messages: Received[]; close(): Promise<void> }> {
  const messages: Received[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        messages.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString("utf8"),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.server.address() as AddressInfo;
  return { port, messages, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** The decoded text/plain and text/html parts of a MIME message (enough MIME for our mail). */
function mimeParts(raw: string): { headers: string; parts: Record<string, string> } {
  const [headers = "", body = ""] = raw.split(/\r?\n\r?\n([\s\S]*)/);
  const boundary = /boundary="?([^";\r\n]+)"?/i.exec(headers)?.[1];
  assert.ok(boundary, "the message is multipart");
  const parts: Record<string, string> = {};
  for (const part of body.split(`--${boundary}`)) {
    const [partHeaders = "", partBody = ""] = part.split(/\r?\n\r?\n([\s\S]*)/);
    const type = /content-type:\s*([^;\r\n]+)/i.exec(partHeaders)?.[1]?.trim().toLowerCase();
    if (!type) continue;
    const encoding = /content-transfer-encoding:\s*(\S+)/i.exec(partHeaders)?.[1]?.toLowerCase();
    parts[type] =
      encoding === "base64"
        ? Buffer.from(partBody.replace(/\s+/g, ""), "base64").toString("utf8")
        : encoding === "quoted-printable"
          ? Buffer.from(
              partBody.replace(/=\r?\n/g, "").replace(/=([0-9A-F]{2})/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16))),
              "latin1",
            ).toString("utf8")
          : partBody;
  }
  return { headers, parts };
}

async function waitFor<T>(get: () => T | undefined, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = get();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe("mail over SMTP (SMTP_URL set)", () => {
  let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
  let app: TestApp;

  before(async () => {
    smtp = await startSmtpSink();
    app = await startTestApp({ env: { SMTP_URL: `smtp://127.0.0.1:${smtp.port}`, MAIL_FROM: "Tablewatch <robot@tablewatch.test>" } });
  });
  after(async () => {
    await app?.stop();
    await smtp?.close();
  });

  it("a new user's confirmation email arrives over SMTP with an HTML and a plain-text part", async () => {
    const email = uniqueEmail("smtp");
    const res = await app.postForm("/register", { name: "Sam Smtp", email, password: TEST_PASSWORD });
    assert.equal(res.status, 302);
    assert.ok(sessionCookieOf(res));

    const message = await waitFor(() => smtp.messages.find((m) => m.to.includes(email)));
    assert.equal(message.from, "robot@tablewatch.test");
    const { headers, parts } = mimeParts(message.raw);
    assert.match(headers, /^Subject: Confirm your email address for Tablewatch/im);
    assert.match(headers, new RegExp(`^To: ${email.replace(/[.+]/g, "\\$&")}`, "im"));
    assert.match(headers, /multipart\/alternative/i);

    const link = new RegExp(`${app.url.replace(/[.:/]/g, "\\$&")}/confirm-email\\?token=[A-Za-z0-9_-]{20,}`);
    assert.match(parts["text/plain"] ?? "", /Sam Smtp/);
    assert.match(parts["text/plain"] ?? "", link);
    assert.match(parts["text/html"] ?? "", /<html/i);
    assert.match(parts["text/html"] ?? "", link);
  });

  it("the emailed confirmation link from SMTP works", async () => {
    const email = uniqueEmail("smtp-link");
    await app.postForm("/register", { name: "Lina Link", email, password: TEST_PASSWORD });
    const message = await waitFor(() => smtp.messages.find((m) => m.to.includes(email)));
    const url = new URL(/https?:\/\/\S+\/confirm-email\?token=[A-Za-z0-9_-]+/.exec(mimeParts(message.raw).parts["text/plain"]!)![0]);
    const page = await app.request(url.pathname + url.search);
    assert.match(await page.text(), /Email confirmed/);
  });

  it("a password reset email is sent over SMTP in the background", async () => {
    const user = await app.createUser();
    const res = await app.postForm("/forgot-password", { email: user.email });
    assert.equal(res.status, 200);
    const message = await waitFor(() => smtp.messages.find((m) => m.to.includes(user.email)));
    assert.match(mimeParts(message.raw).parts["text/plain"] ?? "", /\/reset-password\?token=[A-Za-z0-9_-]{20,}/);
  });

  it("with SMTP set up, nothing is caught in the development mailbox", async () => {
    assert.deepEqual(await app.db.select().from(caughtMail), []);
  });
});
