/**
 * Policies (issue 8): version 1 seeded from server/policy/v1-*.md and served at /privacy and
 * /terms; publishing from /admin/policies; the broadcast of the policy-change email to 10,000
 * users through a local SMTP sink — exactly one each across a restart (and, on PostgreSQL, a
 * SIGKILL of the sending process), at a configurable rate, failures listed and retried — with
 * the admin page's progress matching; and the one-time banner.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { sql } from "drizzle-orm";
import { queryRows } from "../../db/client";
import { runCommand } from "../../server/cli/commands";
import { createMailer } from "../../server/mail/mailer";
import { createPolicyBroadcast, policyMessageId, rateWindow } from "../../server/policy/broadcast";
import { databaseKind, startTestApp, type TestApp, trpcOutcome } from "../helpers/app";
import { headerOf, mimeParts, type SmtpSink, smtpError, startSmtpSink } from "../helpers/smtp";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls (every 100 ms) until `done` holds. */
async function until(done: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

type Actor = { userId: string; accountId: string; email: string; cookie: string; sessionId: string };

let app: TestApp;
let admin: Actor;

before(async () => {
  app = await startTestApp();
  const a = await app.createUser({ name: "Ada Admin" });
  await runCommand(app.db, ["make-admin", "--email", a.email], { appUrl: app.url });
  admin = { ...a, ...(await app.sessionCookie(a.userId)) };
});
after(() => app?.stop());

const adminCaller = () => app.caller({ sessionId: admin.sessionId });

async function currentVersion(document: "privacy" | "terms") {
  return (await (await app.caller()).policy.current({ document })).version;
}

async function publish(document: "privacy" | "terms", summary: string, body?: string) {
  const c = await adminCaller();
  const expectedVersion = await currentVersion(document);
  return c.admin.publish({ document, summary, body: body ?? `# ${document} v${expectedVersion + 1}\n\n${summary}`, expectedVersion });
}

/** Delivery rows of a version by status. */
async function statuses(versionId: string): Promise<Record<string, number>> {
  const rows = await queryRows<{ status: string; n: number }>(
    app.db,
    sql`select status, count(*)::int as n from policy_deliveries where version_id = ${versionId}::uuid group by status`,
  );
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}

describe("the seeded versions (privacy v1 and v2, terms v1)", () => {
  it("are the text of server/policy/v1-privacy.md, v2-privacy.md (migration 0006: plans and payments) and v1-terms.md", async () => {
    for (const [document, version] of [["privacy", 1], ["privacy", 2], ["terms", 1]] as const) {
      const [row] = await queryRows<{ body: string; version: number }>(app.db, sql`select body, version from policy_versions where document = ${document} and version = ${version}`);
      assert.equal(row?.body, fs.readFileSync(path.join(root, `server/policy/v${version}-${document}.md`), "utf8"), `${document} v${version}`);
    }
  });

  it("privacy v2 says what plans and payments add: retention by plan, usage counts, payment history, invoices, the owner's email at the processor", async () => {
    const body = (await (await app.caller()).policy.current({ document: "privacy" })).body;
    for (const phrase of [/history retention/, /Plan usage/, /Payment history/, /\*\*Invoices\.\*\*/, /email address of the owner who added the card/, /never reach our servers/]) {
      assert.match(body, phrase);
    }
  });

  it("is served at /privacy and /terms with its Last modified date, to anyone", async () => {
    for (const [url, title] of [
      ["/privacy", "Privacy Policy"],
      ["/terms", "Terms of Service"],
    ]) {
      const res = await app.request(url!);
      assert.equal(res.status, 200, url);
      const html = await res.text();
      assert.match(html, new RegExp(`<h1 id="policy-title">${title}</h1>`));
      // Terms v1: seeded with its date; privacy v2: published when migration 0006 ran.
      assert.match(html, url === "/terms" ? /Last modified <time dateTime="2026-11-29T00:00:00.000Z">29 November 2026<\/time>/ : /Last modified <time dateTime="[^"]+">[^<]+<\/time>/);
      assert.match(html, /<h2[^>]*>Cookies<\/h2>|<h2[^>]*>Changes to these terms<\/h2>/);
    }
  });

  it("the policies are linked from the marketing, auth and register pages (app pages: see the banner test)", async () => {
    for (const url of ["/", "/login", "/register", "/privacy"]) {
      const html = await (await app.request(url)).text();
      assert.match(html, /href="\/privacy"/, url);
      assert.match(html, /href="\/terms"/, url);
    }
    assert.match(await (await app.request("/register")).text(), /By creating an account you agree to the/);
  });

  it("policy.current validates its input; policy.notices and policy.dismiss need a login", async () => {
    const anonymous = await app.caller();
    assert.equal((await trpcOutcome(() => anonymous.policy.current({ document: "cookies" as never }))).code, "BAD_REQUEST");
    assert.equal((await trpcOutcome(() => anonymous.policy.notices())).code, "UNAUTHORIZED");
    assert.equal((await trpcOutcome(() => anonymous.policy.dismiss({}))).code, "UNAUTHORIZED");
    assert.equal((await app.trpc("mutation", "policy.dismiss", {})).status, 401);
  });
});

describe("publishing and the banner", () => {
  it("drafts are saved and discarded; publishing needs a summary and the version it was edited on", async () => {
    const c = await adminCaller();
    await c.admin.saveDraft({ document: "terms", body: "# Draft terms", summary: "Draft summary" });
    assert.equal((await c.admin.policies()).drafts.terms?.body, "# Draft terms");
    await c.admin.discardDraft({ document: "terms" });
    assert.equal((await c.admin.policies()).drafts.terms, null);
    const v = await currentVersion("terms");
    assert.equal((await trpcOutcome(() => c.admin.publish({ document: "terms", body: "x", summary: " ", expectedVersion: v }))).code, "BAD_REQUEST");
    const stale = await trpcOutcome(() => c.admin.publish({ document: "terms", body: "x", summary: "y", expectedVersion: v - 1 }));
    assert.equal(stale.code, "BAD_REQUEST");
    assert.match(stale.message, /was published while you were editing/);
    assert.equal(await currentVersion("terms"), v);
  });

  it("a user who registered before a new version sees the banner once; a newer user never does", async () => {
    const before = await app.createUser({ name: "Bea Before" });
    const beforeSession = await app.sessionCookie(before.userId);
    // Version 1 is the first version, not a change: no banner.
    assert.deepEqual(await (await app.caller({ sessionId: beforeSession.sessionId })).policy.notices(), []);
    await sleep(5);
    const published = await publish("privacy", "We keep the access log for 14 days.");
    const after = await app.createUser({ name: "Abe After" });
    const afterSession = await app.sessionCookie(after.userId);

    const page = async (cookie: string) => (await app.request("/reports", { cookie })).text();
    const banner = /We updated our <a href="\/privacy">Privacy Policy<\/a> on <strong>/;
    assert.match(await page(beforeSession.cookie), banner, "shown after the publish");
    assert.match(await page(beforeSession.cookie), banner, "shown until closed");
    assert.doesNotMatch(await page(afterSession.cookie), banner, "a user who registered later agreed to the new version");

    // Closing it: a same-site POST (the Origin check applies: a cross-site one is refused).
    const crossSite = await app.postForm("/policy-notice", { js: "1" }, { cookie: beforeSession.cookie, origin: "https://evil.example" });
    assert.equal(crossSite.status, 403);
    assert.match(await page(beforeSession.cookie), banner);
    const closed = await app.postForm("/policy-notice", { redirectTo: "/reports" }, { cookie: beforeSession.cookie });
    assert.equal(closed.status, 302);
    assert.equal(closed.headers.get("location"), "/reports");
    assert.doesNotMatch(await page(beforeSession.cookie), banner, "closed for good");

    // Opening the policy also counts as seeing it.
    const other = await app.createUser({ name: "Olga Other" });
    await queryRows(app.db, sql`update users set created_at = created_at - interval '1 hour' where id = ${other.userId}`);
    const otherSession = await app.sessionCookie(other.userId);
    assert.match(await page(otherSession.cookie), banner);
    const privacy = await (await app.request("/privacy", { cookie: otherSession.cookie })).text();
    assert.match(privacy, new RegExp(`Version ${published.version}`));
    assert.doesNotMatch(await page(otherSession.cookie), banner);
  });

  it("/privacy shows the new version and its Last modified date at once", async () => {
    const html = await (await app.request("/privacy")).text();
    const v = await currentVersion("privacy");
    assert.ok(v >= 2);
    const today = new Date().toLocaleDateString("en-GB", { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });
    assert.match(html, new RegExp(`>${today}</time>`));
    assert.match(html, new RegExp(`Version ${v}`));
  });
});

describe("the broadcast", () => {
  let sink: SmtpSink;
  let refuse = new Set<string>();
  before(async () => {
    sink = await startSmtpSink({ beforeReply: (m) => (m.to.some((t) => refuse.has(t)) ? smtpError(550, "mailbox unavailable") : undefined) });
  });
  after(() => sink?.close());

  it("sends one email per user with the summary and a link; a refused address fails and is retried on request", async () => {
    // Clean slate: earlier publishes queued rows for the users of the tests above.
    await queryRows(app.db, sql`delete from policy_deliveries`);
    const users = await queryRows<{ id: string; email: string }>(app.db, sql`select id, email from users`);
    const refused = users[users.length - 1]!.email;
    refuse = new Set([refused]);
    const published = await publish("terms", "Clearer words on acceptable use.\nNothing else changed.");
    assert.equal(published.queued, users.length);
    const mailer = createMailer({ db: app.db, smtpUrl: sink.url, from: "Tablewatch <policy@tablewatch.test>" });
    const broadcast = createPolicyBroadcast({ db: app.db, mailer, appUrl: "https://tablewatch.example", perMinute: 100_000, log: () => {} });
    try {
      while ((await statuses(published.id)).pending) await broadcast.runOnce();
      assert.deepEqual(await statuses(published.id), { sent: users.length - 1, failed: 1 });
      const mail = sink.messages.find((m) => m.to[0] === users[0]!.email)!;
      assert.equal(mail.messageId, policyMessageId(published.id, users[0]!.id));
      const { parts } = mimeParts(mail.raw);
      assert.match(parts["text/plain"]!, /Clearer words on acceptable use\.\s+Nothing else changed\./);
      assert.match(parts["text/plain"]!, /https:\/\/tablewatch\.example\/terms/);
      assert.match(parts["text/html"]!, /href="https:\/\/tablewatch\.example\/terms"/);
      assert.equal(headerOf(mail.raw, "Subject"), "We updated our Terms of Service");

      const c = await adminCaller();
      const { progress, failures } = await c.admin.broadcast({ versionId: published.id });
      assert.deepEqual(progress, { total: users.length, sent: users.length - 1, failed: 1, remaining: 0 });
      assert.deepEqual(
        failures.map((f) => [f.email, f.attempts]),
        [[refused, 1]],
      );
      assert.match(failures[0]!.lastError!, /550/);
      const html = await (await app.request("/admin/policies?doc=terms", { cookie: admin.cookie })).text();
      assert.match(html, /Retry failed/);
      assert.ok(html.includes(refused));

      // The address works again: "Retry failed" sends it, and only it.
      refuse = new Set();
      const before = sink.messages.length;
      assert.deepEqual(await c.admin.retryFailed({ versionId: published.id }), { retried: 1 });
      while ((await statuses(published.id)).pending) await broadcast.runOnce();
      assert.deepEqual(await statuses(published.id), { sent: users.length });
      assert.deepEqual(
        sink.messages.slice(before).map((m) => m.to[0]),
        [refused],
      );
    } finally {
      await broadcast.stop();
      mailer.close();
    }
  });

  it("a temporary failure is retried later, up to three attempts", async () => {
    await queryRows(app.db, sql`delete from policy_deliveries`);
    const temp = await startSmtpSink({ beforeReply: () => smtpError(451, "try again later") });
    const mailer = createMailer({ db: app.db, smtpUrl: temp.url, from: "Tablewatch <policy@tablewatch.test>" });
    const broadcast = createPolicyBroadcast({ db: app.db, mailer, appUrl: app.url, perMinute: 100_000, log: () => {} });
    try {
      const published = await publish("terms", "Temporary failures");
      const due = () => queryRows(app.db, sql`update policy_deliveries set next_attempt_at = now() where version_id = ${published.id}::uuid and status = 'pending'`);
      await broadcast.runOnce();
      const [first] = await queryRows<{ status: string; attempts: number; later: boolean }>(
        app.db,
        sql`select status, attempts, next_attempt_at > now() + interval '30 seconds' as later from policy_deliveries where version_id = ${published.id}::uuid limit 1`,
      );
      assert.deepEqual({ ...first, attempts: Number(first!.attempts) }, { status: "pending", attempts: 1, later: true });
      await due();
      await broadcast.runOnce();
      await due();
      await broadcast.runOnce();
      const counts = await statuses(published.id);
      assert.equal(counts.failed, published.queued, "given up after the third attempt");
    } finally {
      await broadcast.stop();
      mailer.close();
      await temp.close();
    }
  });

  it("keeps to the configured rate: at most one window's budget per window, for all senders together", async () => {
    await queryRows(app.db, sql`delete from policy_deliveries`);
    assert.deepEqual(rateWindow(600), { windowSeconds: 1, budget: 10 });
    assert.deepEqual(rateWindow(30), { windowSeconds: 2, budget: 1 });
    assert.deepEqual(rateWindow(90), { windowSeconds: 1, budget: 1 });
    const published = await publish("privacy", "Rate test");
    assert.ok(published.queued >= 3);
    const mailer = createMailer({ db: app.db, smtpUrl: sink.url, from: "Tablewatch <policy@tablewatch.test>" });
    const a = createPolicyBroadcast({ db: app.db, mailer, appUrl: app.url, perMinute: 120, log: () => {} });
    const b = createPolicyBroadcast({ db: app.db, mailer, appUrl: app.url, perMinute: 120, log: () => {} });
    try {
      const results = await Promise.all([a.runOnce(), b.runOnce(), a.runOnce(), b.runOnce()]);
      assert.equal(results.reduce((n, r) => n + r.claimed, 0), 2, "120 a minute: 2 in a one-second window, whoever claims");
      await sleep(1100);
      assert.equal((await a.runOnce()).claimed, 2, "the next window has room again");
    } finally {
      await a.stop();
      await b.stop();
      mailer.close();
      await queryRows(app.db, sql`delete from policy_deliveries`);
    }
  });

  describe("10,000 users", () => {
    const USERS = 10_000;
    let big: SmtpSink;
    /** After this many messages arrived, hold every further reply (the crash test). */
    let holdAfter = Number.POSITIVE_INFINITY;
    let held = 0;

    before(async () => {
      big = await startSmtpSink({
        keepRaw: false,
        async beforeReply(message, { closed }) {
          if (big.received.length > holdAfter) {
            held++;
            await closed;
            return smtpError(421, "held until the connection closed");
          }
        },
      });
      await queryRows(
        app.db,
        sql`insert into users (id, email, name, password_hash, created_at)
            select 'bulk-' || g, 'bulk-' || g || '@example.test', 'Bulk ' || g, 'x', now() - interval '1 day'
            from generate_series(1, ${USERS}::int) g`,
      );
    });
    after(() => big?.close());

    /** Every user got exactly one accepted email for the version (by recipient and Message-ID). */
    async function assertExactlyOnce(versionId: string) {
      const users = await queryRows<{ id: string; email: string }>(app.db, sql`select id, email from users`);
      const byRecipient = new Map<string, number>();
      for (const m of big.messages) byRecipient.set(m.to[0]!, (byRecipient.get(m.to[0]!) ?? 0) + 1);
      const twice = [...byRecipient].filter(([, n]) => n > 1);
      assert.deepEqual(twice, [], "nobody got two");
      const missing = users.filter((u) => !byRecipient.has(u.email)).map((u) => u.email);
      assert.deepEqual(missing.slice(0, 5), [], `nobody missed it (${missing.length} did)`);
      assert.equal(big.messages.length, users.length);
      const ids = new Set(big.messages.map((m) => m.messageId));
      assert.equal(ids.size, users.length, "one Message-ID per user");
      assert.ok(ids.has(policyMessageId(versionId, users[0]!.id)));
      return users.length;
    }

    /** The admin page's numbers, as shown. */
    async function pageNumbers(version: number) {
      const html = await (await app.request(`/admin/policies?doc=privacy`, { cookie: admin.cookie })).text();
      const read = (what: string) => {
        const match = new RegExp(`data-testid="broadcast-v${version}-${what}">([\\d,]+)<`).exec(html);
        assert.ok(match, `the page shows ${what} of version ${version}`);
        return Number(match[1]!.replace(/,/g, ""));
      };
      return { sent: read("sent"), failed: read("failed"), remaining: read("remaining") };
    }

    it(
      databaseKind === "postgres"
        ? "every user gets exactly one email, though the sending process is killed half-way and another takes over"
        : "every user gets exactly one email, though the sender stops half-way and another takes over (and a crashed claim is taken over)",
      { timeout: 600_000 },
      async () => {
        await queryRows(app.db, sql`delete from policy_deliveries`);
        const published = await publish("privacy", "Ten thousand readers.");
        const total = published.queued;
        assert.ok(total >= USERS);
        const progress = async () => (await (await adminCaller()).admin.broadcast({ versionId: published.id })).progress;

        if (databaseKind === "postgres") {
          const children: ChildProcess[] = [];
          const startChild = (lease: number) => {
            const child = spawn(process.execPath, ["--import", "tsx", "tests/helpers/broadcast-child.ts"], {
              cwd: root,
              env: {
                ...process.env,
                BROADCAST_DATABASE_URL: app.config.databaseUrl!,
                BROADCAST_SMTP_URL: `${big.url}?pool=true&maxConnections=8`,
                BROADCAST_APP_URL: app.url,
                BROADCAST_PER_MINUTE: "6000000",
                BROADCAST_LEASE_SECONDS: String(lease),
                BROADCAST_SEND_TIMEOUT_MS: "4000",
                BROADCAST_BATCH_SIZE: "200",
                BROADCAST_CONCURRENCY: "8",
                BROADCAST_RETRY_SECONDS: "1",
              },
              stdio: ["ignore", "pipe", "pipe"],
            });
            let output = "";
            child.stdout!.on("data", (c: Buffer) => (output += c.toString()));
            child.stderr!.on("data", (c: Buffer) => (output += c.toString()));
            children.push(child);
            return { child, output: () => output };
          };
          try {
            holdAfter = Math.floor(total * 0.4);
            const first = startChild(6);
            // Once replies are held, the messages already accepted get marked sent; then kill.
            await until(async () => held > 0 && (await statuses(published.id)).sent === big.messages.length, 120_000, "replies held, the accepted ones marked sent");
            await sleep(300);
            assert.equal((await statuses(published.id)).sent, big.messages.length);
            first.child.kill("SIGKILL");
            await new Promise((resolve) => first.child.once("exit", resolve));
            const sentAtKill = big.messages.length;
            assert.ok(sentAtKill >= holdAfter - 50 && sentAtKill < total, `killed half-way (${sentAtKill} of ${total})`);
            // The admin page, mid-way: its numbers are the database's, and match the sink.
            const mid = await progress();
            assert.deepEqual(mid, { total, sent: sentAtKill, failed: 0, remaining: total - sentAtKill });
            assert.deepEqual(await pageNumbers(published.version), { sent: sentAtKill, failed: 0, remaining: total - sentAtKill });

            holdAfter = Number.POSITIVE_INFINITY;
            const second = startChild(6);
            await until(async () => (await statuses(published.id)).sent === total, 240_000, "every email sent");
            second.child.kill("SIGTERM");
            await new Promise((resolve) => second.child.once("exit", resolve));
            assert.doesNotMatch(second.output(), /Error|failed/i, second.output());
          } finally {
            for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
          }
        } else {
          const mailer = createMailer({ db: app.db, smtpUrl: `${big.url}?pool=true&maxConnections=8`, from: "Tablewatch <policy@tablewatch.test>" });
          const options = { db: app.db, mailer, appUrl: app.url, perMinute: 6_000_000, batchSize: 200, concurrency: 8, log: () => {} };
          try {
            const first = createPolicyBroadcast(options);
            first.start(10);
            await until(() => big.messages.length >= total * 0.4, 240_000, "4 in 10 sent");
            await first.stop();
            const sentAtStop = big.messages.length;
            assert.ok(sentAtStop < total, "stopped half-way");
            assert.deepEqual(await progress(), { total, sent: sentAtStop, failed: 0, remaining: total - sentAtStop });
            assert.deepEqual(await pageNumbers(published.version), { sent: sentAtStop, failed: 0, remaining: total - sentAtStop });
            // A sender that crashed right after claiming left 50 rows leased (claimed, not sent):
            // they are taken over once the lease has run out.
            await queryRows(
              app.db,
              sql`update policy_deliveries set locked_until = now() - interval '1 second', attempts = attempts + 1, attempted_at = now() - interval '1 minute'
                  where (version_id, user_id) in (select version_id, user_id from policy_deliveries where version_id = ${published.id}::uuid and status = 'pending' limit 50)`,
            );
            const second = createPolicyBroadcast(options);
            second.start(10);
            await until(async () => (await statuses(published.id)).sent === total, 300_000, "every email sent");
            await second.stop();
          } finally {
            mailer.close();
          }
        }

        await assertExactlyOnce(published.id);
        assert.deepEqual(await progress(), { total, sent: total, failed: 0, remaining: 0 });
        assert.deepEqual(await pageNumbers(published.version), { sent: total, failed: 0, remaining: 0 });
      },
    );
  });
});
