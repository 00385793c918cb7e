/**
 * The role × action matrix: every web procedure, called by an owner, an admin, an editor and a
 * viewer of one account, and by an outsider (the owner of another account), with valid input
 * aimed at the account's own objects. Members at or above the procedure's minimum role get an
 * answer, the others FORBIDDEN; the outsider gets what the table says (NOT_FOUND for the
 * account's objects, an answer about its own account where the call names none).
 *
 * The roles (issue 6): owner — everything; admin — everything but billing and deleting the
 * account (members, API keys, activity); editor — dashboards, tiles, alarms, reports (and sees
 * API keys); viewer — read-only, no API keys. A guard makes every procedure appear in the table,
 * so a new one has to say who may call it.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { memberships, type Role, users } from "../../db/schema";
import { createApiKey } from "../../server/api-key/service";
import { uuidv7 } from "../../server/tokens";
import { appRouter, type Caller } from "../../server/trpc/root";
import { setPlan, startTestApp, type TestApp, trpcOutcome, uniqueEmail } from "../helpers/app";
import { type Actor, accountMember, accountOwner, newKey, pushOk } from "../helpers/reports";

type Code = "OK" | "NOT_FOUND" | "BAD_REQUEST" | "CONFLICT" | "FORBIDDEN";
type Entry =
  | {
      /** The lowest role that may call it (viewer: every member; operator: no account role, only Tablewatch's own operators). */
      min: Role | "operator";
      /** What the outsider gets: NOT_FOUND when the call names the account's objects, OK when it acts on its own account. */
      outsider: Code;
      /** The call, for a caller; `role` is the caller's (fresh actors are made per call when `fresh` is set). */
      call: (c: Caller, role: Role | "outsider") => Promise<unknown>;
      /** The call changes the caller itself (leaving): each role gets a new actor of that role. */
      fresh?: boolean;
    }
  | { skip: string };

const roleOrder: Role[] = ["viewer", "editor", "admin", "owner"];
const allows = (role: Role, min: Role | "operator") => min !== "operator" && roleOrder.indexOf(role) >= roleOrder.indexOf(min);

/** A call by name with any input, for procedures refused before their input is read (operators only). */
const byName = (c: Caller, path: string, input?: unknown) => {
  const [noun, verb] = path.split(".") as [string, string];
  return (c as unknown as Record<string, Record<string, (input?: unknown) => Promise<unknown>>>)[noun]![verb]!(input);
};
const operatorOnly = (path: string, input?: unknown): Entry => ({ min: "operator", outsider: "FORBIDDEN", call: (c) => byName(c, path, input) });
const SELF = "acts only on the caller's own login (needs their password or a code; profile, sessions and two-factor tests)";

let app: TestApp;
let owner: Actor;
let actors: Record<Role | "outsider", Actor>;
let key: string;
let n = 0;
const unique = (prefix: string) => `${prefix}-${++n}`;

const DF = "Filesystem Size Used Avail Use% Mounted\n/dev/sda1 20G 12G 8G 61% /\n/dev/sda3 90G 80G 10G 91% /home\n";
const series = [{ column: 4, filterColumn: 5, op: "equals" as const, value: "/home" }];
const tileConfig = { report: "acme-df", kind: "range", draw: "line", series };

/** The account's objects, made by its owner: fixed ones for reads, fresh ones for each destructive call. */
const fixed = { dashboardId: "", tileId: "", alarmId: "", instanceId: "", shareId: "", shareDashboardId: "" };
const ownerCaller = () => app.caller({ sessionId: owner.sessionId });
const make = {
  dashboard: async () => (await (await ownerCaller()).dashboards.create({ name: unique("Board") })).id,
  tile: async () => (await (await ownerCaller()).dashboards.createTile({ dashboardId: fixed.dashboardId, config: tileConfig })).id,
  alarm: async () => (await (await ownerCaller()).alarms.create({ name: unique("Alarm"), report: "acme-df", kind: "check", code: "return false" })).alarm.id,
  key: async () => (await createApiKey(app.db, { accountId: owner.accountId, name: unique("key"), scope: "read", createdBy: owner.userId })).apiKey.id,
  instance: async () => {
    const name = unique("report");
    return { name, id: (await pushOk(app, key, name, "a b\n1 2\n")).id };
  },
  share: async () => (await (await ownerCaller()).shares.create({ dashboardId: fixed.shareDashboardId })).share.id,
  invitation: async () => (await (await ownerCaller()).team.invite({ email: uniqueEmail("invitee"), role: "viewer" })).invitation.id,
  member: async () => (await accountMember(app, owner.accountId, "viewer")).userId,
};

const PUBLIC_API = "public API: authorised by API key scopes, not roles (api-scopes, dashboards-api and alarms-api tests)";

/** procedure → who may call it. */
const matrix: Record<string, Entry> = {
  // login and registration
  "auth.register": { skip: "public: registration" },
  "auth.login": { skip: "public: login" },
  "auth.logout": { skip: "public: ends the caller's own session" },
  "auth.requestPasswordReset": { skip: "public: password reset" },
  "auth.checkResetToken": { skip: "public: password reset" },
  "auth.resetPassword": { skip: "public: password reset" },
  "auth.confirmEmail": { skip: "public: the link's token" },
  "auth.resendConfirmation": { min: "viewer", outsider: "OK", call: (c) => c.auth.resendConfirmation() },

  // the account
  "account.current": { min: "viewer", outsider: "OK", call: (c) => c.account.current() },
  "account.updatePreferences": { min: "viewer", outsider: "OK", call: (c) => c.account.updatePreferences({ timeZone: "Europe/Tallinn", hour12: false }) },
  "account.get": { skip: PUBLIC_API },

  // reports
  "reports.overview": { min: "viewer", outsider: "OK", call: (c) => c.reports.overview() },
  "reports.view": { min: "viewer", outsider: "NOT_FOUND", call: (c) => c.reports.view({ name: "acme-df" }) },
  "reports.days": { min: "viewer", outsider: "NOT_FOUND", call: (c) => c.reports.days({ name: "acme-df", month: new Date().toISOString().slice(0, 7) }) },
  "reports.tags": { min: "viewer", outsider: "NOT_FOUND", call: (c) => c.reports.tags({ name: "acme-df" }) },
  "reports.deleteInstance": { min: "editor", outsider: "NOT_FOUND", call: async (c) => c.reports.deleteInstance(await make.instance()) },
  "reports.deleteReport": { min: "editor", outsider: "NOT_FOUND", call: async (c) => c.reports.deleteReport({ name: (await make.instance()).name }) },
  "report.ingest": { skip: PUBLIC_API },
  "report.list": { skip: PUBLIC_API },
  "report.instances": { skip: PUBLIC_API },
  "report.instance": { skip: PUBLIC_API },
  "report.delete": { skip: PUBLIC_API },
  "report.deleteInstances": { skip: PUBLIC_API },
  "report.deleteInstance": { skip: PUBLIC_API },

  // API keys: editors see them, admins and owners manage them, viewers neither
  "apiKey.list": { min: "editor", outsider: "OK", call: (c) => c.apiKey.list() },
  "apiKey.create": { min: "admin", outsider: "OK", call: (c) => c.apiKey.create({ name: unique("made"), scope: "ingest" }) },
  "apiKey.revoke": { min: "admin", outsider: "NOT_FOUND", call: async (c) => c.apiKey.revoke({ id: await make.key() }) },

  // dashboards and tiles
  "dashboards.list": { min: "viewer", outsider: "OK", call: (c) => c.dashboards.list() },
  "dashboards.get": { min: "viewer", outsider: "NOT_FOUND", call: (c) => c.dashboards.get({ id: fixed.dashboardId }) },
  "dashboards.create": { min: "editor", outsider: "OK", call: (c) => c.dashboards.create({ name: unique("Created") }) },
  "dashboards.rename": { min: "editor", outsider: "NOT_FOUND", call: (c) => c.dashboards.rename({ id: fixed.dashboardId, name: unique("Renamed") }) },
  "dashboards.delete": { min: "editor", outsider: "NOT_FOUND", call: async (c) => c.dashboards.delete({ id: await make.dashboard() }) },
  "dashboards.reorder": {
    min: "editor",
    outsider: "BAD_REQUEST",
    call: async (c) => c.dashboards.reorder({ ids: (await (await ownerCaller()).dashboards.list()).map((d) => d.id) }),
  },
  "dashboards.updateSettings": { min: "editor", outsider: "NOT_FOUND", call: (c) => c.dashboards.updateSettings({ id: fixed.dashboardId, settings: { syncXAxes: true } }) },
  "dashboards.updateLayout": {
    min: "editor",
    outsider: "NOT_FOUND",
    call: async (c) => {
      const { layoutVersion } = await (await ownerCaller()).dashboards.get({ id: fixed.dashboardId });
      return c.dashboards.updateLayout({ id: fixed.dashboardId, baseVersion: layoutVersion, changes: [{ id: fixed.tileId, layout: { x: 0, y: 0, w: 6, h: 4 } }] });
    },
  },
  "dashboards.createTile": { min: "editor", outsider: "NOT_FOUND", call: (c) => c.dashboards.createTile({ dashboardId: fixed.dashboardId, config: tileConfig }) },
  "dashboards.updateTile": { min: "editor", outsider: "NOT_FOUND", call: (c) => c.dashboards.updateTile({ tileId: fixed.tileId, config: { ...tileConfig, title: unique("Title") } }) },
  "dashboards.deleteTile": { min: "editor", outsider: "NOT_FOUND", call: async (c) => c.dashboards.deleteTile({ tileId: await make.tile() }) },
  "dashboards.moveTile": { min: "editor", outsider: "NOT_FOUND", call: (c) => c.dashboards.moveTile({ tileId: fixed.tileId, dashboardId: fixed.dashboardId }) },
  "dashboards.tile": { min: "viewer", outsider: "NOT_FOUND", call: (c) => c.dashboards.tile({ tileId: fixed.tileId }) },
  "dashboards.tileData": { min: "viewer", outsider: "NOT_FOUND", call: (c) => c.dashboards.tileData({ tileId: fixed.tileId }) },
  "dashboards.guessSeries": { min: "viewer", outsider: "NOT_FOUND", call: (c) => c.dashboards.guessSeries({ report: "acme-df", row: 2, column: 4 }) },
  "dashboards.export": { min: "viewer", outsider: "NOT_FOUND", call: (c) => c.dashboards.export({ id: fixed.dashboardId }) },
  "dashboards.import": { min: "editor", outsider: "OK", call: (c) => c.dashboards.import({ model: { name: unique("Imported"), tiles: [] } }) },
  "dashboard.list": { skip: PUBLIC_API },
  "dashboard.get": { skip: PUBLIC_API },
  "dashboard.create": { skip: PUBLIC_API },
  "dashboard.replace": { skip: PUBLIC_API },
  "dashboard.delete": { skip: PUBLIC_API },
  "dashboard.tileData": { skip: PUBLIC_API },
  "dashboard.createShare": { skip: PUBLIC_API },
  "dashboard.revokeShare": { skip: PUBLIC_API },

  // alarms
  "alarms.list": { min: "viewer", outsider: "OK", call: (c) => c.alarms.list() },
  "alarms.get": { min: "viewer", outsider: "NOT_FOUND", call: (c) => c.alarms.get({ id: fixed.alarmId }) },
  "alarms.editorData": { min: "viewer", outsider: "OK", call: (c) => c.alarms.editorData({ report: "acme-df" }) },
  "alarms.create": { min: "editor", outsider: "BAD_REQUEST", call: (c) => c.alarms.create({ name: unique("New alarm"), report: "acme-df", kind: "check", code: "return false" }) },
  "alarms.update": {
    min: "editor",
    outsider: "NOT_FOUND",
    call: (c) => c.alarms.update({ id: fixed.alarmId, definition: { name: unique("Updated"), report: "acme-df", kind: "check", code: "return false", webhookUrl: "http://127.0.0.1:9/hook" } }),
  },
  "alarms.delete": { min: "editor", outsider: "NOT_FOUND", call: async (c) => c.alarms.delete({ id: await make.alarm() }) },
  "alarms.setEnabled": { min: "editor", outsider: "NOT_FOUND", call: (c) => c.alarms.setEnabled({ id: fixed.alarmId, enabled: true }) },
  "alarms.test": { min: "editor", outsider: "NOT_FOUND", call: (c) => c.alarms.test({ id: fixed.alarmId }) },
  "alarms.history": { min: "viewer", outsider: "NOT_FOUND", call: (c) => c.alarms.history({ id: fixed.alarmId }) },
  "alarms.snooze": { min: "editor", outsider: "NOT_FOUND", call: (c) => c.alarms.snooze({ id: fixed.alarmId, minutes: 5 }) },
  "alarms.endSnooze": { min: "editor", outsider: "NOT_FOUND", call: (c) => c.alarms.endSnooze({ id: fixed.alarmId }) },
  "alarms.regenerateBadge": { min: "editor", outsider: "NOT_FOUND", call: (c) => c.alarms.regenerateBadge({ id: fixed.alarmId }) },
  "alarms.regenerateWebhookSecret": { min: "editor", outsider: "NOT_FOUND", call: (c) => c.alarms.regenerateWebhookSecret({ id: fixed.alarmId }) },
  "alarms.sendTestWebhook": { min: "editor", outsider: "NOT_FOUND", call: (c) => c.alarms.sendTestWebhook({ id: fixed.alarmId }) },
  "alarms.reportStates": { min: "viewer", outsider: "OK", call: (c) => c.alarms.reportStates() },
  "alarms.badge": { skip: "public: the badge's unguessable token" },
  "alarm.list": { skip: PUBLIC_API },
  "alarm.create": { skip: PUBLIC_API },
  "alarm.get": { skip: PUBLIC_API },
  "alarm.replace": { skip: PUBLIC_API },
  "alarm.delete": { skip: PUBLIC_API },
  "alarm.test": { skip: PUBLIC_API },
  "alarm.history": { skip: PUBLIC_API },
  "alarm.snooze": { skip: PUBLIC_API },
  "alarm.endSnooze": { skip: PUBLIC_API },

  // public dashboard links: every member sees them, editors manage them
  "shares.list": { min: "viewer", outsider: "NOT_FOUND", call: (c) => c.shares.list({ dashboardId: fixed.shareDashboardId }) },
  "shares.listAll": { min: "viewer", outsider: "OK", call: (c) => c.shares.listAll() },
  "shares.create": { min: "editor", outsider: "NOT_FOUND", call: (c) => c.shares.create({ dashboardId: fixed.shareDashboardId }) },
  "shares.update": { min: "editor", outsider: "NOT_FOUND", call: (c) => c.shares.update({ id: fixed.shareId, allowTimeRange: true }) },
  "shares.pause": { min: "editor", outsider: "NOT_FOUND", call: (c) => c.shares.pause({ id: fixed.shareId }) },
  "shares.resume": { min: "editor", outsider: "NOT_FOUND", call: (c) => c.shares.resume({ id: fixed.shareId }) },
  "shares.regenerate": { min: "editor", outsider: "NOT_FOUND", call: async (c) => c.shares.regenerate({ id: await make.share() }) },
  "shares.revoke": { min: "editor", outsider: "NOT_FOUND", call: async (c) => c.shares.revoke({ id: await make.share() }) },
  "share.view": { skip: "public: a dashboard link's visitor, by the link's token" },
  "share.tiles": { skip: "public: a dashboard link's visitor, by the link's token" },

  // the team and its activity
  "team.list": { min: "viewer", outsider: "OK", call: (c) => c.team.list() },
  "team.invite": { min: "admin", outsider: "OK", call: (c) => c.team.invite({ email: uniqueEmail("matrix"), role: "viewer" }) },
  "team.resendInvitation": { min: "admin", outsider: "NOT_FOUND", call: async (c) => c.team.resendInvitation({ id: await make.invitation() }) },
  "team.cancelInvitation": { min: "admin", outsider: "NOT_FOUND", call: async (c) => c.team.cancelInvitation({ id: await make.invitation() }) },
  "team.changeRole": { min: "admin", outsider: "NOT_FOUND", call: async (c) => c.team.changeRole({ userId: await make.member(), role: "editor" }) },
  "team.removeMember": { min: "admin", outsider: "NOT_FOUND", call: async (c) => c.team.removeMember({ userId: await make.member() }) },
  // Everyone may leave; the outsider is the last owner of its own account, so it may not.
  "team.leave": { min: "viewer", outsider: "CONFLICT", call: (c) => c.team.leave(), fresh: true },
  // User-level (any login): the user's own accounts; switching only to an account of theirs.
  "team.accounts": { min: "viewer", outsider: "OK", call: (c) => c.team.accounts() },
  "team.switchAccount": { min: "viewer", outsider: "NOT_FOUND", call: (c) => c.team.switchAccount({ accountId: owner.accountId }) },
  "team.invitation": { skip: "public: the invitation link's token (team.test.ts)" },
  "team.acceptInvitation": { skip: "the invitation link's token and the invited address (team.test.ts)" },
  "team.acceptInvitationAsNewUser": { skip: "public: the invitation link's token (team.test.ts)" },
  "audit.list": { min: "admin", outsider: "OK", call: (c) => c.audit.list({ limit: 5 }) },

  // the account's lifecycle: export for admins, deletion for owners
  "accountExport.summary": { min: "admin", outsider: "OK", call: (c) => c.accountExport.summary() },
  "accountExport.archive": { min: "admin", outsider: "OK", call: (c) => c.accountExport.archive() },
  "accountDeletion.status": { min: "viewer", outsider: "OK", call: (c) => c.accountDeletion.status() },
  "accountDeletion.schedule": {
    min: "owner",
    outsider: "OK",
    call: async (c, who) => {
      const scheduled = await c.accountDeletion.schedule({ confirmName: who === "outsider" ? "Outsider" : "Acme" });
      await c.accountDeletion.cancel();
      return scheduled;
    },
  },
  "accountDeletion.cancel": {
    min: "owner",
    outsider: "OK",
    call: async (c, who) => {
      const own = who === "outsider" ? c : await ownerCaller();
      await own.accountDeletion.schedule({ confirmName: who === "outsider" ? "Outsider" : "Acme" });
      try {
        return await c.accountDeletion.cancel();
      } finally {
        await own.accountDeletion.cancel().catch(() => undefined);
      }
    },
  },

  // the user's own login: readable by the user in any account of theirs
  "profile.get": { min: "viewer", outsider: "OK", call: (c) => c.profile.get() },
  "profile.requestEmailChange": { skip: SELF },
  "profile.cancelEmailChange": { skip: SELF },
  "profile.changePassword": { skip: SELF },
  "profile.confirmEmailChange": { skip: "public: the confirmation link's token" },
  "sessions.list": { min: "viewer", outsider: "OK", call: (c) => c.sessions.list() },
  "sessions.endOthers": { min: "viewer", outsider: "OK", call: (c) => c.sessions.endOthers(), fresh: true },
  "sessions.end": { skip: SELF },
  "twoFactor.status": { min: "viewer", outsider: "OK", call: (c) => c.twoFactor.status() },
  "twoFactor.setup": { skip: SELF },
  "twoFactor.enable": { skip: SELF },
  "twoFactor.disable": { skip: SELF },
  "twoFactor.regenerateRecoveryCodes": { skip: SELF },
  "twoFactor.verifyLogin": { skip: "public: the second step of a login, by its challenge" },
  "policy.current": { skip: "public: the published terms and privacy policy" },
  "policy.notices": { min: "viewer", outsider: "OK", call: (c) => c.policy.notices() },
  "policy.dismiss": { skip: "acts only on the caller's own notices" },

  // invoices (Settings → Billing): members read, owners edit the invoice data and download PDFs
  "invoice.data": { min: "viewer", outsider: "OK", call: (c) => c.invoice.data() },
  "invoice.list": { min: "viewer", outsider: "OK", call: (c) => c.invoice.list() },
  "invoice.saveData": {
    min: "owner",
    outsider: "OK",
    call: (c) => c.invoice.saveData({ kind: "company", companyName: "Acme", addressLine1: "1 Main St", postalCode: "00-001", city: "Warszawa", country: "PL" }),
  },
  "invoice.pdf": { skip: "needs an issued invoice: owner, admin, editor, viewer and outsider in invoices.test.ts" },

  // billing (Settings → Billing): owners only; the outsider sees its own account's billing
  "billing.overview": { min: "owner", outsider: "OK", call: (c) => c.billing.overview() },
  "billing.cardForm": { min: "owner", outsider: "OK", call: (c) => c.billing.cardForm() },
  "billing.payments": { min: "owner", outsider: "OK", call: (c) => c.billing.payments({ page: 1 }) },
  "billing.previewPlan": { min: "owner", outsider: "OK", call: (c) => c.billing.previewPlan({ planCode: "team" }) },
  "billing.saveCard": { skip: "owners only; needs a card token from the sandbox processor: owner, admin, editor, viewer, outsider in billing.test.ts" },
  "billing.changePlan": { skip: "owners only; needs a card and invoice data: owner, admin, editor, viewer, outsider in billing.test.ts" },
  "billing.cancel": { skip: "owners only; needs a subscription: owner, admin, editor, viewer, outsider in billing.test.ts" },
  "billing.resume": { skip: "owners only; needs a cancelled subscription: owner, admin, editor, viewer, outsider in billing.test.ts" },

  // Tablewatch's operators (users.is_admin): no account role reaches these
  "admin.policies": operatorOnly("admin.policies"),
  "admin.policyVersion": operatorOnly("admin.policyVersion", { document: "terms", version: 1 }),
  "admin.saveDraft": operatorOnly("admin.saveDraft", { document: "terms", body: "x", summary: "x" }),
  "admin.discardDraft": operatorOnly("admin.discardDraft", { document: "terms" }),
  "admin.publish": operatorOnly("admin.publish", { document: "terms" }),
  "admin.broadcast": operatorOnly("admin.broadcast", {}),
  "admin.retryFailed": operatorOnly("admin.retryFailed", {}),
  "admin.accessLog": operatorOnly("admin.accessLog", {}),
  "admin.accounts": operatorOnly("admin.accounts", {}),
  "admin.account": operatorOnly("admin.account", { id: "00000000-0000-7000-8000-000000000000" }),
  "admin.usage": operatorOnly("admin.usage", { days: 30 }),
  "admin.emails": operatorOnly("admin.emails"),

  // plans and usage (plans.test.ts): every member sees the account's plan; operators edit plans
  "plan.list": { skip: "public: the pricing page's public plans" },
  "plan.limits": { min: "viewer", outsider: "OK", call: (c) => c.plan.limits() },
  "plan.overview": { min: "viewer", outsider: "OK", call: (c) => c.plan.overview() },
  "plan.adminList": operatorOnly("plan.adminList"),
  "plan.adminUpdate": operatorOnly("plan.adminUpdate", { code: "free" }),
};

before(async () => {
  app = await startTestApp();
  owner = await accountOwner(app, "Acme");
  // Every role creates dashboards, alarms, links and invitations here: more than Free allows.
  await setPlan(app.db, owner.accountId, "business");
  actors = {
    owner,
    admin: await accountMember(app, owner.accountId, "admin"),
    editor: await accountMember(app, owner.accountId, "editor"),
    viewer: await accountMember(app, owner.accountId, "viewer"),
    outsider: await accountOwner(app, "Outsider"),
  };
  key = await newKey(app, owner.accountId, "full", owner.userId);
  await pushOk(app, key, "acme-df", DF);
  fixed.dashboardId = await make.dashboard();
  fixed.tileId = await make.tile();
  const alarm = await (await ownerCaller()).alarms.create({ name: "Matrix", report: "acme-df", kind: "check", code: "return false", webhookUrl: "http://127.0.0.1:9/hook" });
  fixed.alarmId = alarm.alarm.id;
  fixed.shareDashboardId = await make.dashboard();
  fixed.shareId = await make.share();
});
after(() => app?.stop());

/** A new member of the owner's account with `role` (an extra owner for "owner"), for calls that change the caller. */
async function freshActor(role: Role | "outsider"): Promise<Actor> {
  if (role === "outsider") return accountOwner(app, "Fresh outsider");
  const userId = uuidv7();
  await app.db.insert(users).values({ id: userId, email: uniqueEmail(`fresh-${role}`), name: `Fresh ${role}`, passwordHash: "unused" });
  await app.db.insert(memberships).values({ accountId: owner.accountId, userId, role });
  return { userId, accountId: owner.accountId, ...(await app.sessionCookie(userId, { accountId: owner.accountId })) };
}

describe("the role × action matrix", () => {
  it("every procedure is in the table, and the table names no procedure that does not exist", () => {
    const procedures = Object.keys(appRouter._def.procedures).sort();
    assert.deepEqual(procedures.filter((p) => !(p in matrix)), [], "procedures missing from the matrix: say who may call them");
    assert.deepEqual(Object.keys(matrix).filter((p) => !procedures.includes(p)), [], "stale entries");
  });

  it("each member gets an answer at or above the procedure's minimum role and FORBIDDEN below it; the outsider as the table says", async () => {
    const callers = Object.fromEntries(
      await Promise.all(Object.entries(actors).map(async ([who, actor]) => [who, await app.caller({ sessionId: actor.sessionId })] as const)),
    ) as Record<Role | "outsider", Caller>;
    const failures: string[] = [];
    let calls = 0;
    for (const [procedure, entry] of Object.entries(matrix)) {
      if ("skip" in entry) continue;
      for (const who of ["owner", "admin", "editor", "viewer", "outsider"] as const) {
        const caller = entry.fresh ? await app.caller({ sessionId: (await freshActor(who)).sessionId }) : callers[who];
        const expected: Code = who === "outsider" ? entry.outsider : allows(who, entry.min) ? "OK" : "FORBIDDEN";
        const outcome = await trpcOutcome(() => entry.call(caller, who));
        calls++;
        if (outcome.code !== expected) failures.push(`${procedure} as ${who}: expected ${expected}, got ${outcome.code} ${outcome.message}`);
        if (outcome.code === "FORBIDDEN" && entry.min !== "operator" && who !== "outsider") {
          assert.match(outcome.message, /does not allow this/, `${procedure}: the refusal says why`);
        }
      }
    }
    assert.deepEqual(failures, []);
    assert.ok(calls > 250, `${calls} calls`);
  });

  it("every procedure that changes the account needs at least an editor: viewers are read-only", () => {
    const viewerMutations = Object.entries(matrix)
      .filter(([, e]) => "min" in e && e.min === "viewer")
      .map(([p]) => p)
      .filter((p) => (appRouter._def.procedures as unknown as Record<string, { _def: { type: string } }>)[p]!._def.type === "mutation");
    // What a viewer may still do changes only the viewer: their preferences, their session's account, leaving, a confirmation mail, their sessions.
    assert.deepEqual(viewerMutations.sort(), ["account.updatePreferences", "auth.resendConfirmation", "sessions.endOthers", "team.leave", "team.switchAccount"]);
  });

  it("the account's credentials and people are for admins and owners only", () => {
    const adminOnly = Object.entries(matrix)
      .filter(([, e]) => "min" in e && e.min === "admin")
      .map(([p]) => p)
      .sort();
    assert.deepEqual(adminOnly, [
      "accountExport.archive",
      "accountExport.summary",
      "apiKey.create",
      "apiKey.revoke",
      "audit.list",
      "team.cancelInvitation",
      "team.changeRole",
      "team.invite",
      "team.removeMember",
      "team.resendInvitation",
    ]);
    const ownerOnly = Object.entries(matrix)
      .filter(([, e]) => "min" in e && e.min === "owner")
      .map(([p]) => p)
      .sort();
    assert.deepEqual(ownerOnly, ["accountDeletion.cancel", "accountDeletion.schedule", "billing.cardForm", "billing.overview", "billing.payments", "billing.previewPlan", "invoice.saveData"], "deleting the account and billing are the owners' alone");
  });
});
