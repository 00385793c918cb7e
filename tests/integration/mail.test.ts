import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { caughtMail } from "../../db/schema";
import { sessionCookieOf, startTestApp, type TestApp, TEST_PASSWORD, uniqueEmail } from "../helpers/app";
import { mimeParts, startSmtpSink, waitFor } from "../helpers/smtp";

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
