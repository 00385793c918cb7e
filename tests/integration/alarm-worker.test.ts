/**
 * `npm run tw -- worker`: an alarm worker in a process of its own evaluates what the web process
 * stores and emails through SMTP, and stops cleanly on SIGTERM. PostgreSQL only: the embedded
 * database belongs to one process (the web app's in-process worker covers it).
 */
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { after, before, describe, it } from "node:test";
import { eq } from "drizzle-orm";
import { users } from "../../db/schema";
import { databaseKind, startTestApp, type TestApp } from "../helpers/app";
import { accountOwner, newKey, pushOk, type Actor } from "../helpers/reports";
import { decodeHeader, headerOf, startSmtpSink, waitFor, type SmtpSink } from "../helpers/smtp";

const root = fileURLToPath(new URL("../../", import.meta.url));
const skip = databaseKind === "pglite" ? "PGlite is an embedded, single-process database: a separate worker cannot open it" : false;

const df = (home: number) =>
  [
    ["Filesystem", "Size", "Used", "Avail", "Use%", "Mounted on"],
    ["/dev/sda3", "90G", "80G", "10G", `${home}%`, "/home"],
  ]
    .map((row) => row.map((cell, i) => (i === 0 ? cell.padEnd(10) : cell.padStart(i === 5 ? 0 : 5))).join(" "))
    .join("\n") + "\n";

describe("npm run tw -- worker", { skip }, () => {
  let app: TestApp;
  let sink: SmtpSink;
  let owner: Actor;
  let worker: ChildProcess | undefined;
  let output = "";

  before(async () => {
    if (skip) return;
    app = await startTestApp();
    sink = await startSmtpSink();
    owner = await accountOwner(app, "Worker Owner");
    await app.db.update(users).set({ emailConfirmedAt: new Date() }).where(eq(users.id, owner.userId));
  });
  after(async () => {
    worker?.kill("SIGKILL");
    await sink?.close();
    await app?.stop();
  });

  it("evaluates pushed instances and emails the alarm on its own, then stops on SIGTERM", { timeout: 60_000 }, async () => {
    const key = await newKey(app, owner.accountId, "full", owner.userId);
    await pushOk(app, key, "disks", df(40));
    const caller = await app.caller({ sessionId: owner.sessionId });
    await caller.alarms.create({
      name: "Disk space",
      report: "disks",
      kind: "check",
      code: "for (const r of table(instance)) if (num(r['Use%']) > 90) return `${r['Mounted on']} is ${r['Use%']} full`;",
    });

    worker = spawn(process.execPath, ["--import", "tsx", "server/cli.ts", "worker"], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: app.config.databaseUrl!, SMTP_URL: sink.url, APP_URL: app.url, LOG_REQUESTS: "false" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    worker.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    worker.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    await waitFor(() => (output.includes("alarm worker running") ? true : undefined), 20_000, `the worker to start: ${output}`);

    await pushOk(app, key, "disks", df(95));
    const mail = await waitFor(() => sink.messages.find((m) => /Disk space/.test(decodeHeader(headerOf(m.raw, "subject") ?? ""))), 20_000, "the alarm email");
    assert.match(decodeHeader(headerOf(mail.raw, "subject") ?? ""), /ALARM/);
    const [state] = (await caller.alarms.list()).map((a) => a.worst);
    assert.equal(state, "alarm");

    const exited = new Promise<number | null>((resolve) => worker!.once("exit", (code) => resolve(code)));
    worker.kill("SIGTERM");
    assert.equal(await exited, 0, output);
    worker = undefined;
  });
});
