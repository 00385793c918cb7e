/**
 * Billing over real HTTP against the app and its sandbox processor (ADR 24): the card (token only),
 * subscribing, declines, upgrade proration, downgrade and cancellation at period end, resume,
 * webhooks (bad signature, replay, out of order), failed payments with a moving clock, and who may
 * call each billing procedure.
 */
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { and, count, eq } from "drizzle-orm";
import { queryRows } from "../../db/client";
import { accounts, billingEvents, invoices, payments, plans, subscriptions, type Role } from "../../db/schema";
import { runBillingTasks } from "../../server/billing/dunning";
import { prorate } from "../../server/billing/service";
import { saveInvoiceData } from "../../server/invoice/service";
import { advancePaymentSandbox, SANDBOX_PUBLIC_KEY, SANDBOX_SECRET_KEY } from "../../server/payment-sandbox";
import { appRouter } from "../../server/trpc/root";
import { startTestApp, type TestApp } from "../helpers/app";
import { type Actor, accountMember, accountOwner, basicAuth } from "../helpers/reports";
import { sql } from "drizzle-orm";

const CARD_OK = "4242 4242 4242 4242";
const CARD_DECLINED = "4000 0000 0000 0002";
const CARD_FAILS_LATER = "4000 0000 0000 0341";
const DAY = 24 * 60 * 60 * 1000;

/** What the processor's script does in the browser: the card fields go to the sandbox, a token comes back. */
async function cardToken(app: TestApp, number: string): Promise<string> {
  const res = await fetch(`${app.deps.paymentSandboxUrl}/tokens`, {
    method: "POST",
    headers: { authorization: basicAuth(SANDBOX_PUBLIC_KEY, ""), "content-type": "application/json" },
    body: JSON.stringify({ number, expMonth: "12", expYear: String(new Date().getUTCFullYear() + 3), cvc: "123" }),
  });
  const body = (await res.json()) as { id?: string; error?: { message: string } };
  if (!body.id) throw new Error(`no token: ${body.error?.message}`);
  return body.id;
}

const sandboxGet = async <T>(app: TestApp, path: string): Promise<T> =>
  (await (await fetch(`${app.deps.paymentSandboxUrl}${path}`, { headers: { authorization: basicAuth(SANDBOX_SECRET_KEY, "") } })).json()) as T;

async function addInvoiceData(app: TestApp, accountId: string) {
  await saveInvoiceData(app.db, accountId, { kind: "company", companyName: "Acme Sp. z o.o.", addressLine1: "ul. Testowa 1", postalCode: "00-950", city: "Warszawa", country: "PL" });
}

type Reply = Awaited<ReturnType<TestApp["trpc"]>>;
const call = (app: TestApp, actor: Actor, kind: "query" | "mutation", path: string, input?: unknown) => app.trpc(kind, `billing.${path}`, input, actor.cookie);
function ok<T = Record<string, unknown>>(reply: Reply): T {
  assert.equal(reply.status, 200, `expected 200, got ${reply.status}: ${reply.body.error?.message}`);
  return reply.body.result!.data as T;
}
const errorOf = (reply: Reply) => ({ status: reply.status, code: reply.body.error?.data.code, message: reply.body.error?.message ?? "" });

async function sub(app: TestApp, accountId: string) {
  const [row] = await app.db.select().from(subscriptions).where(eq(subscriptions.accountId, accountId));
  return row!;
}
async function planOf(app: TestApp, accountId: string) {
  const [row] = await app.db.select({ plan: accounts.plan, graceUntil: accounts.planGraceUntil }).from(accounts).where(eq(accounts.id, accountId));
  return row!;
}
const paymentsOf = (app: TestApp, accountId: string) => app.db.select().from(payments).where(eq(payments.accountId, accountId)).orderBy(payments.chargedAt);
async function price(app: TestApp, code: string) {
  const [p] = await app.db.select().from(plans).where(eq(plans.code, code));
  return p!.priceCents;
}

/** An owner with invoice data and a saved card, on a paid plan when `plan` is given. */
async function customer(app: TestApp, opts: { card?: string; plan?: string; name?: string } = {}): Promise<Actor> {
  const owner = await accountOwner(app, opts.name ?? "Billing Co");
  await addInvoiceData(app, owner.accountId);
  ok(await call(app, owner, "mutation", "saveCard", { token: await cardToken(app, opts.card ?? CARD_OK) }));
  if (opts.plan) ok(await call(app, owner, "mutation", "changePlan", { planCode: opts.plan }));
  return owner;
}

/** A local endpoint that answers 200 to everything: the sandbox's deliveries go nowhere while it is used. */
async function swallowWebhooks<T>(app: TestApp, run: () => Promise<T>): Promise<T> {
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on("end", () => res.writeHead(200).end("{}"));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const appUrl = app.config.appUrl;
  app.config.appUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    return await run();
  } finally {
    app.config.appUrl = appUrl;
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

const postWebhook = (app: TestApp, body: string) =>
  app.request("/billing/webhook", { method: "POST", body, headers: { "content-type": "application/json" }, origin: null });

describe("billing", () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp();
  });
  after(() => app?.stop());

  describe("the card", () => {
    it("is saved from a processor token: the card's last 4 digits, never its number, brand or expiry", async () => {
      const owner = await accountOwner(app, "Card Co");
      const card = ok<{ last4: string }>(await call(app, owner, "mutation", "saveCard", { token: await cardToken(app, CARD_OK) }));
      assert.deepEqual(card, { last4: "4242", retry: null });
      const row = await sub(app, owner.accountId);
      assert.equal(row.cardLast4, "4242");
      assert.match(row.customerId ?? "", /^cust_/);
      assert.match(row.cardId ?? "", /^card_/);
      const overview = ok<{ card: { last4: string } }>(await call(app, owner, "query", "overview"));
      assert.equal(overview.card.last4, "4242");
      // The processor customer carries the owner's email and the account.
      const cust = await sandboxGet<{ email: string; description: string }>(app, `/customers/${row.customerId}`);
      assert.match(cust.description, new RegExp(owner.accountId));
    });

    it("refuses anything that looks like a card number, in the token or in any other field, and stores nothing", async () => {
      const owner = await accountOwner(app, "Sneaky Co");
      for (const input of [{ token: "4242424242424242" }, { token: "tok_abc", extra: { number: "4242 4242 4242 4242" } }, { token: "4242 4242 4242 4242" }]) {
        const reply = errorOf(await call(app, owner, "mutation", "saveCard", input));
        assert.equal(reply.status, 400, JSON.stringify(input));
        assert.doesNotMatch(reply.message, /4242/);
      }
      const rows = await app.db.select().from(subscriptions).where(eq(subscriptions.accountId, owner.accountId));
      assert.ok(rows.every((r) => r.cardId === null && r.customerId === null));
    });

    it("a declining card is refused with the processor's message and nothing is stored", async () => {
      const owner = await accountOwner(app, "Declined Co");
      const reply = errorOf(await call(app, owner, "mutation", "saveCard", { token: await cardToken(app, CARD_DECLINED) }));
      assert.equal(reply.status, 422);
      assert.equal(reply.message, "Your card was declined.");
      assert.equal((await sub(app, owner.accountId)).cardId, null);
      const again = errorOf(await call(app, owner, "mutation", "saveCard", { token: "tok_doesnotexist" }));
      assert.equal(again.status, 422);
    });
  });

  describe("changing plan", () => {
    it("needs a card and invoice data, and says where to add them", async () => {
      const owner = await accountOwner(app, "Early Co");
      const preview = ok<{ missing: string[] }>(await call(app, owner, "query", "previewPlan", { planCode: "team" }));
      assert.deepEqual(preview.missing.sort(), ["card", "invoiceData"]);
      ok(await call(app, owner, "mutation", "saveCard", { token: await cardToken(app, CARD_OK) }));
      const reply = errorOf(await call(app, owner, "mutation", "changePlan", { planCode: "team" }));
      assert.equal(reply.status, 400);
      assert.match(reply.message, /Settings → Billing → Invoice data/);
      assert.equal((await planOf(app, owner.accountId)).plan, "free");
    });

    it("Free → Team subscribes: the first month is charged and recorded, the plan changes at once, the invoice is issued", async () => {
      const owner = await customer(app);
      const preview = ok<{ kind: string; amountCents: number }>(await call(app, owner, "query", "previewPlan", { planCode: "team" }));
      assert.equal(preview.kind, "subscribe");
      assert.equal(preview.amountCents, await price(app, "team"));
      const result = ok<{ kind: string; chargedCents: number; paymentId: string }>(
        await call(app, owner, "mutation", "changePlan", { planCode: "team", expectedAmountCents: preview.amountCents }),
      );
      assert.equal(result.kind, "subscribe");
      assert.equal((await planOf(app, owner.accountId)).plan, "team");
      const row = await sub(app, owner.accountId);
      assert.equal(row.status, "active");
      assert.equal(row.planCode, "team");
      assert.ok(row.currentPeriodEnd! > new Date());
      const paid = await paymentsOf(app, owner.accountId);
      assert.equal(paid.length, 1);
      assert.deepEqual([paid[0]!.status, paid[0]!.kind, paid[0]!.amountCents, paid[0]!.planCode], ["succeeded", "subscription", await price(app, "team"), "team"]);
      const [invoice] = await app.db.select().from(invoices).where(eq(invoices.paymentId, paid[0]!.id));
      assert.ok(invoice, "an invoice for the payment");
      assert.equal(invoice.grossCents, paid[0]!.amountCents);
      // The charge's webhook (delivered meanwhile) made no second payment.
      await new Promise((r) => setTimeout(r, 300));
      assert.equal((await paymentsOf(app, owner.accountId)).length, 1);
      const overview = ok<{ plan: { code: string }; subscription: { status: string }; payments: { total: number } }>(await call(app, owner, "query", "overview"));
      assert.deepEqual([overview.plan.code, overview.subscription.status, overview.payments.total], ["team", "active", 1]);
    });

    it("refuses a confirmation whose amount is not the one to pay now", async () => {
      const owner = await customer(app);
      const reply = errorOf(await call(app, owner, "mutation", "changePlan", { planCode: "team", expectedAmountCents: 1 }));
      assert.equal(reply.status, 409);
      assert.match(reply.message, /The amount to pay is now/);
      assert.equal((await planOf(app, owner.accountId)).plan, "free");
    });

    it("upgrade Team → Business: at once, the prorated difference charged now (formula of ADR 24), the processor moves from the next period", async () => {
      const owner = await customer(app, { plan: "team" });
      const row = await sub(app, owner.accountId);
      const preview = ok<{ kind: string; amountCents: number; proration: { remainingDays: number; totalDays: number }; summary: string }>(
        await call(app, owner, "query", "previewPlan", { planCode: "business" }),
      );
      const [team, business] = [await price(app, "team"), await price(app, "business")];
      const expected = prorate({ oldPriceCents: team, newPriceCents: business, periodStart: row.currentPeriodStart!, periodEnd: row.currentPeriodEnd!, now: new Date() });
      assert.equal(preview.kind, "upgrade");
      assert.equal(preview.amountCents, expected.amountCents);
      // Just subscribed: (nearly) the whole period is left.
      assert.equal(preview.proration.remainingDays, preview.proration.totalDays);
      assert.equal(preview.amountCents, business - team);
      assert.match(preview.summary, /charged now/);
      const result = ok<{ chargedCents: number }>(await call(app, owner, "mutation", "changePlan", { planCode: "business", expectedAmountCents: preview.amountCents }));
      assert.equal(result.chargedCents, expected.amountCents);
      assert.equal((await planOf(app, owner.accountId)).plan, "business");
      const after = await sub(app, owner.accountId);
      assert.equal(after.planCode, "business");
      assert.equal(after.currentPeriodEnd!.getTime(), row.currentPeriodEnd!.getTime(), "the period does not change");
      const proration = (await paymentsOf(app, owner.accountId)).find((p) => p.kind === "proration")!;
      assert.equal(proration.amountCents, expected.amountCents);
      const [invoice] = await app.db.select().from(invoices).where(eq(invoices.paymentId, proration.id));
      assert.ok(invoice, "the proration has its invoice");
      const processorSub = await sandboxGet<{ planId: string; metadata: Record<string, string> }>(app, `/subscriptions/${after.providerSubscriptionId}`);
      assert.equal(processorSub.metadata.tablewatchPlan, "business");
    });

    it("the proration formula: days left (a started day counts) × difference ÷ days in the period, to the nearest cent", () => {
      const periodStart = new Date("2026-03-01T00:00:00Z");
      const periodEnd = new Date("2026-03-31T00:00:00Z");
      assert.deepEqual(prorate({ oldPriceCents: 1900, newPriceCents: 4900, periodStart, periodEnd, now: new Date("2026-03-14T12:00:00Z") }), {
        amountCents: 1700,
        remainingDays: 17,
        totalDays: 30,
      });
      // 1000 × 1 / 3 = 333.33 → 333; 2000 × 1 / 3 = 666.67 → 667; halves go up (500 × 1 / 2… see 0.5 below)
      const three = { periodStart, periodEnd: new Date("2026-03-04T00:00:00Z") };
      assert.equal(prorate({ oldPriceCents: 0, newPriceCents: 1000, ...three, now: new Date("2026-03-03T01:00:00Z") }).amountCents, 333);
      assert.equal(prorate({ oldPriceCents: 0, newPriceCents: 2000, ...three, now: new Date("2026-03-03T01:00:00Z") }).amountCents, 667);
      const two = { periodStart, periodEnd: new Date("2026-03-03T00:00:00Z") };
      assert.equal(prorate({ oldPriceCents: 0, newPriceCents: 1, ...two, now: new Date("2026-03-02T01:00:00Z") }).amountCents, 1);
      assert.equal(prorate({ oldPriceCents: 0, newPriceCents: 1000, ...three, now: periodEnd }).amountCents, 0);
    });

    it("a card that fails on the upgrade's charge: the processor's message, nothing changes", async () => {
      const owner = await customer(app, { card: CARD_FAILS_LATER, plan: "team" });
      const before = await sub(app, owner.accountId);
      const preview = ok<{ amountCents: number }>(await call(app, owner, "query", "previewPlan", { planCode: "business" }));
      const reply = errorOf(await call(app, owner, "mutation", "changePlan", { planCode: "business", expectedAmountCents: preview.amountCents }));
      assert.equal(reply.status, 422);
      assert.equal(reply.message, "Your card was declined.");
      assert.equal((await planOf(app, owner.accountId)).plan, "team");
      const row = await sub(app, owner.accountId);
      assert.deepEqual([row.planCode, row.pendingPlanCode, row.status], ["team", null, "active"]);
      assert.equal(row.currentPeriodEnd!.getTime(), before.currentPeriodEnd!.getTime());
      const processorSub = await sandboxGet<{ metadata: Record<string, string> }>(app, `/subscriptions/${row.providerSubscriptionId}`);
      assert.equal(processorSub.metadata.tablewatchPlan, "team", "the processor's plan is switched back");
      assert.equal((await paymentsOf(app, owner.accountId)).filter((p) => p.status === "succeeded").length, 1);
    });

    it("downgrade Business → Team takes effect at the end of the period; the renewal is charged at the Team price", async () => {
      const owner = await customer(app, { plan: "business" });
      const preview = ok<{ kind: string; amountCents: number; effectiveAt: string; summary: string }>(await call(app, owner, "query", "previewPlan", { planCode: "team" }));
      const row = await sub(app, owner.accountId);
      assert.equal(preview.kind, "downgrade");
      assert.equal(preview.amountCents, 0);
      assert.equal(new Date(preview.effectiveAt).getTime(), row.currentPeriodEnd!.getTime());
      assert.match(preview.summary, /Nothing is charged now/);
      ok(await call(app, owner, "mutation", "changePlan", { planCode: "team", expectedAmountCents: 0 }));
      assert.equal((await planOf(app, owner.accountId)).plan, "business", "still Business until the period ends");
      assert.equal((await sub(app, owner.accountId)).pendingPlanCode, "team");
      const overview = ok<{ subscription: { pendingPlan: { code: string } } }>(await call(app, owner, "query", "overview"));
      assert.equal(overview.subscription.pendingPlan.code, "team");

      await advancePaymentSandbox(app.deps.paymentSandboxUrl!, { subscriptionId: row.providerSubscriptionId! });
      const renewed = await sub(app, owner.accountId);
      assert.equal((await planOf(app, owner.accountId)).plan, "team");
      assert.deepEqual([renewed.planCode, renewed.pendingPlanCode, renewed.status], ["team", null, "active"]);
      assert.equal(renewed.currentPeriodStart!.getTime(), row.currentPeriodEnd!.getTime());
      const renewal = (await paymentsOf(app, owner.accountId)).at(-1)!;
      assert.deepEqual([renewal.amountCents, renewal.planCode, renewal.status], [await price(app, "team"), "team", "succeeded"]);
      assert.equal(renewal.periodStart!.getTime(), row.currentPeriodEnd!.getTime());
      const [invoice] = await app.db.select().from(invoices).where(eq(invoices.paymentId, renewal.id));
      assert.ok(invoice, "the renewal has its invoice");
    });

    it("cancel: back to Free at the end of the period (the processor ends it), with an email; a second cancel is refused", async () => {
      const owner = await customer(app, { plan: "team", name: "Leaving Co" });
      const row = await sub(app, owner.accountId);
      const preview = ok<{ kind: string; effectiveAt: string }>(await call(app, owner, "query", "previewPlan", { planCode: "free" }));
      assert.equal(preview.kind, "cancel");
      ok(await call(app, owner, "mutation", "cancel"));
      assert.equal(errorOf(await call(app, owner, "mutation", "cancel")).status, 409);
      assert.equal((await planOf(app, owner.accountId)).plan, "team");
      assert.equal((await sub(app, owner.accountId)).cancelAtPeriodEnd, true);
      const processorSub = await sandboxGet<{ cancelAtPeriodEnd: boolean }>(app, `/subscriptions/${row.providerSubscriptionId}`);
      assert.equal(processorSub.cancelAtPeriodEnd, true);

      const moved = await advancePaymentSandbox(app.deps.paymentSandboxUrl!, { subscriptionId: row.providerSubscriptionId! });
      assert.ok(moved.ended.includes(row.providerSubscriptionId!));
      assert.equal((await planOf(app, owner.accountId)).plan, "free");
      assert.equal((await sub(app, owner.accountId)).status, "canceled");
      assert.equal((await paymentsOf(app, owner.accountId)).length, 1, "not charged again");
      await app.waitForMail((m) => m.subject === "Billing Co is now on the Free plan" || m.subject === "Leaving Co is now on the Free plan");
    });

    it("cancel then resume: the plan goes on; at the period's end the billing job subscribes again and charges the next month", async () => {
      const owner = await customer(app, { plan: "team" });
      const row = await sub(app, owner.accountId);
      ok(await call(app, owner, "mutation", "cancel"));
      ok(await call(app, owner, "mutation", "resume"));
      assert.equal(errorOf(await call(app, owner, "mutation", "resume")).status, 409);
      const resumed = await sub(app, owner.accountId);
      assert.equal(resumed.cancelAtPeriodEnd, false);
      const overview = ok<{ subscription: { cancelAtPeriodEnd: boolean; plan: { code: string } } }>(await call(app, owner, "query", "overview"));
      assert.deepEqual([overview.subscription.cancelAtPeriodEnd, overview.subscription.plan.code], [false, "team"]);

      // The processor's subscription ends with the period; ours goes on.
      const moved = await advancePaymentSandbox(app.deps.paymentSandboxUrl!, { subscriptionId: row.providerSubscriptionId! });
      assert.equal((await planOf(app, owner.accountId)).plan, "team");
      await runBillingTasks(app.deps, { now: new Date(moved.now * 1000) });
      const renewed = await sub(app, owner.accountId);
      assert.equal(renewed.status, "active");
      assert.notEqual(renewed.providerSubscriptionId, null);
      assert.notEqual(renewed.providerSubscriptionId, row.providerSubscriptionId);
      assert.ok(renewed.currentPeriodEnd! > row.currentPeriodEnd!);
      const paid = (await paymentsOf(app, owner.accountId)).filter((p) => p.status === "succeeded");
      assert.equal(paid.length, 2);
      assert.equal((await planOf(app, owner.accountId)).plan, "team");
    });
  });

  describe("webhooks", () => {
    it("a forged event, an unknown event id or a body that is not JSON is refused with 400 and changes nothing", async () => {
      const before = Number((await app.db.select({ n: count() }).from(billingEvents))[0]!.n);
      for (const body of [
        JSON.stringify({ id: "evt_forged000000000000", type: "CHARGE_SUCCEEDED", data: { id: "char_x", amount: 100, customerId: "cust_x" } }),
        "not json",
        JSON.stringify({ type: "CHARGE_SUCCEEDED" }),
        "",
      ]) {
        const res = await postWebhook(app, body);
        assert.equal(res.status, 400, body);
        await res.body?.cancel();
      }
      assert.equal(Number((await app.db.select({ n: count() }).from(billingEvents))[0]!.n), before);
    });

    it("replays are idempotent, and events out of order never move the subscription back", async () => {
      const owner = await customer(app, { plan: "team", name: "Webhook Co" });
      const start = await sub(app, owner.accountId);
      // Two renewals at the processor whose webhooks go elsewhere; we then deliver them ourselves, newest first.
      const { first, second } = await swallowWebhooks(app, async () => {
        const first = await advancePaymentSandbox(app.deps.paymentSandboxUrl!, { subscriptionId: start.providerSubscriptionId! });
        const second = await advancePaymentSandbox(app.deps.paymentSandboxUrl!, { subscriptionId: start.providerSubscriptionId! });
        return { first, second };
      });
      type Ev = { id: string; type: string; data: { subscriptionId?: string; id: string } };
      const events = async (ids: string[]) => (await Promise.all(ids.map((id) => sandboxGet<Ev>(app, `/events/${id}`)))).filter((e) => e.data.subscriptionId === start.providerSubscriptionId || e.data.id === start.providerSubscriptionId);
      const older = await events(first.events);
      const newer = await events(second.events);
      const charge = (list: Ev[]) => list.find((e) => e.type === "CHARGE_SUCCEEDED")!;
      assert.ok(charge(older) && charge(newer));
      assert.equal((await paymentsOf(app, owner.accountId)).length, 1, "nothing delivered yet");

      // The newer renewal first: the period moves to the newest one.
      for (const e of newer) assert.equal((await postWebhook(app, JSON.stringify({ id: e.id }))).status, 200);
      const afterNewer = await sub(app, owner.accountId);
      assert.ok(afterNewer.currentPeriodStart! > start.currentPeriodEnd!, "moved past the older period");
      // Then the older one: recorded in the history, the period stays.
      for (const e of older) assert.equal((await postWebhook(app, JSON.stringify({ id: e.id }))).status, 200);
      const afterOlder = await sub(app, owner.accountId);
      assert.equal(afterOlder.currentPeriodStart!.getTime(), afterNewer.currentPeriodStart!.getTime());
      assert.equal(afterOlder.currentPeriodEnd!.getTime(), afterNewer.currentPeriodEnd!.getTime());
      assert.equal(afterOlder.status, "active");
      const history = await paymentsOf(app, owner.accountId);
      assert.equal(history.length, 3);
      // The late one has its period (the month from its charge) and its invoice, like the others.
      const late = history.find((p) => p.providerChargeId === charge(older).data.id)!;
      assert.equal(late.periodStart!.getTime(), start.currentPeriodEnd!.getTime());

      // Replays: 200, nothing applied twice.
      const replay = await postWebhook(app, JSON.stringify({ id: charge(newer).id }));
      assert.equal(replay.status, 200);
      assert.deepEqual(await replay.json(), { received: true, applied: false });
      for (const e of [...older, ...newer]) await (await postWebhook(app, JSON.stringify({ id: e.id }))).body?.cancel();
      assert.equal((await paymentsOf(app, owner.accountId)).length, 3);
      const invoiced = await app.db.select({ n: count() }).from(invoices).where(eq(invoices.accountId, owner.accountId));
      assert.equal(Number(invoiced[0]!.n), 3);
      assert.equal((await sub(app, owner.accountId)).currentPeriodEnd!.getTime(), afterNewer.currentPeriodEnd!.getTime());
    });
  });

  describe("the pages", () => {
    it("Overview: the plan, the card, the confirmation for ?plan= with the amount charged now; members see only the plan", async () => {
      const owner = await customer(app, { name: "Pages Co" });
      const page = await (await app.request("/settings/billing?plan=team", { cookie: owner.cookie })).text();
      assert.match(page, /data-testid="plan-in-effect">Free</);
      assert.match(page, /•••• <!-- -->4242|•••• 4242/);
      assert.match(page, /Subscribe to Team/);
      assert.match(page, new RegExp(`data-testid="charge-now">€${(await price(app, "team")) / 100}\\.00<`));
      const viewer = await accountMember(app, owner.accountId, "viewer");
      const viewerPage = await (await app.request("/settings/billing", { cookie: viewer.cookie })).text();
      assert.match(viewerPage, /Only owners manage billing/);
      assert.doesNotMatch(viewerPage, /4242/);
    });

    it("Credit card details: the processor's script allowed by the CSP, card inputs without names, a note for browsers without JavaScript", async () => {
      const owner = await accountOwner(app, "Form Co");
      const res = await app.request("/settings/billing/card", { cookie: owner.cookie });
      assert.equal(res.status, 200);
      const csp = res.headers.get("content-security-policy") ?? "";
      const origin = new URL(app.deps.paymentSandboxUrl!).origin;
      assert.match(csp, new RegExp(`script-src [^;]*${origin}`));
      assert.match(csp, new RegExp(`connect-src [^;]*${origin}`));
      const html = await res.text();
      const inputs = html.match(/<input[^>]*data-securionpay="[^"]+"[^>]*>/g) ?? [];
      assert.equal(inputs.length, 5);
      for (const input of inputs) assert.doesNotMatch(input, /\sname=/, input);
      assert.match(html, /JavaScript is needed to enter a card/);
      assert.match(html, /4242 4242 4242 4242/, "the sandbox's test cards are listed");
      // A form post with a card number in any field is refused, and the number is not echoed.
      const posted = await app.postForm("/settings/billing/card", { token: "tok_x", number: "4242424242424242" }, { cookie: owner.cookie });
      assert.equal(posted.status, 400);
      assert.doesNotMatch(await posted.text(), /4242424242424242/);
    });
  });

  describe("who may call billing", () => {
    const procedures = ["overview", "cardForm", "saveCard", "previewPlan", "changePlan", "cancel", "resume", "payments"] as const;
    const callOf = async (actor: Actor, p: (typeof procedures)[number]): Promise<Reply> => {
      switch (p) {
        case "overview":
        case "cardForm":
          return call(app, actor, "query", p);
        case "payments":
          return call(app, actor, "query", p, { page: 1 });
        case "previewPlan":
          return call(app, actor, "query", p, { planCode: "team" });
        case "saveCard":
          return call(app, actor, "mutation", p, { token: await cardToken(app, CARD_OK) });
        case "changePlan":
          return call(app, actor, "mutation", p, { planCode: "business" });
        case "cancel":
        case "resume":
          return call(app, actor, "mutation", p);
      }
    };

    it("the tests here cover every billing procedure", () => {
      const billingProcedures = Object.keys(appRouter._def.procedures).filter((p) => p.startsWith("billing.")).map((p) => p.slice(8)).sort();
      assert.deepEqual(billingProcedures, [...procedures].sort());
    });

    it("admins, editors and viewers get FORBIDDEN with a clear message; anonymous UNAUTHORIZED; nothing of the account leaks", async () => {
      const owner = await customer(app, { plan: "team", name: "Guarded Co" });
      const members: Record<Exclude<Role, "owner">, Actor> = {
        admin: await accountMember(app, owner.accountId, "admin"),
        editor: await accountMember(app, owner.accountId, "editor"),
        viewer: await accountMember(app, owner.accountId, "viewer"),
      };
      for (const p of procedures) {
        for (const [role, actor] of Object.entries(members)) {
          const reply = errorOf(await callOf(actor, p));
          assert.equal(reply.code, "FORBIDDEN", `${role} ${p}`);
          assert.match(reply.message, /only owners manage billing/i);
        }
        const anonymous = errorOf(await callOf({ ...owner, cookie: "" }, p));
        assert.equal(anonymous.code, "UNAUTHORIZED", `anonymous ${p}`);
      }
      assert.equal((await planOf(app, owner.accountId)).plan, "team");
      assert.equal((await sub(app, owner.accountId)).cancelAtPeriodEnd, false);
    });

    it("an outsider (owner of another account) only ever reaches their own account", async () => {
      const victim = await customer(app, { plan: "team", name: "Victim Co" });
      const outsider = await accountOwner(app, "Outsider Co");
      const overview = ok<{ card: unknown; subscription: unknown; payments: { total: number }; accountName: string }>(await callOf(outsider, "overview"));
      assert.deepEqual([overview.card, overview.subscription, overview.payments.total, overview.accountName], [null, null, 0, "Outsider Co"]);
      assert.equal(ok<{ total: number }>(await callOf(outsider, "payments")).total, 0);
      assert.equal(errorOf(await callOf(outsider, "cancel")).status, 409);
      assert.equal(errorOf(await callOf(outsider, "resume")).status, 409);
      assert.equal(errorOf(await callOf(outsider, "changePlan")).status, 400, "needs its own card and invoice data");
      ok(await callOf(outsider, "saveCard"));
      const victimRow = await sub(app, victim.accountId);
      assert.equal(victimRow.status, "active");
      assert.equal(victimRow.cancelAtPeriodEnd, false);
      assert.equal((await sub(app, outsider.accountId)).customerId === victimRow.customerId, false);
    });

    it("the owner gets each of them (the matrix's OK row)", async () => {
      const owner = await customer(app, { name: "Owner Co" });
      for (const p of ["overview", "cardForm", "payments", "previewPlan", "saveCard"] as const) ok(await callOf(owner, p));
      ok(await callOf(owner, "changePlan"));
      ok(await callOf(owner, "cancel"));
      ok(await callOf(owner, "resume"));
    });
  });
});

describe("failed payments (own sandbox clock)", () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp();
  });
  after(() => app?.stop());

  it("a renewal that fails → past due, emails; retries on days 1, 3 and 7 with a moving clock → Free with an email", async () => {
    const owner = await customer(app, { card: CARD_FAILS_LATER, plan: "business", name: "Dunning Co" });
    const start = await sub(app, owner.accountId);
    const moved = await advancePaymentSandbox(app.deps.paymentSandboxUrl!, { subscriptionId: start.providerSubscriptionId! });
    assert.equal(moved.renewals.find((r) => r.subscriptionId === start.providerSubscriptionId)?.status, "failed");

    const failed = await sub(app, owner.accountId);
    assert.equal(failed.status, "past_due");
    assert.ok(failed.failedAt);
    const failedAt = failed.failedAt!.getTime();
    assert.equal(failed.nextRetryAt!.getTime(), failedAt + DAY);
    assert.equal((await planOf(app, owner.accountId)).plan, "business", "the plan stays while retrying");
    const firstMail = await app.waitForMail((m) => m.subject.startsWith("Payment of") && m.text.includes("0341"));
    assert.match(firstMail.text, /Your card was declined\./);
    assert.match(firstMail.text, /\/settings\/billing\/card/);
    const overview = ok<{ subscription: { status: string; lastFailureMessage: string } }>(await call(app, owner, "query", "overview"));
    assert.deepEqual([overview.subscription.status, overview.subscription.lastFailureMessage], ["past_due", "Your card was declined."]);
    assert.equal(errorOf(await call(app, owner, "mutation", "changePlan", { planCode: "team" })).status, 409, "no plan change while a payment is due");

    const run = (days: number) => runBillingTasks(app.deps, { now: new Date(failedAt + days * DAY + 60_000) });
    assert.equal((await runBillingTasks(app.deps, { now: new Date(failedAt + DAY - 60_000) })).retried, 0, "not before day 1");
    assert.equal((await run(1)).retried, 1);
    let row = await sub(app, owner.accountId);
    assert.deepEqual([row.status, row.retryCount, row.nextRetryAt!.getTime()], ["past_due", 1, failedAt + 3 * DAY]);
    assert.equal((await run(2)).retried, 0, "nothing on day 2");
    assert.equal((await run(3)).retried, 1);
    row = await sub(app, owner.accountId);
    assert.deepEqual([row.retryCount, row.nextRetryAt!.getTime()], [2, failedAt + 7 * DAY]);
    const failedMails = (await app.mail()).filter((m) => m.subject.startsWith("Payment of") && m.subject.includes("Dunning Co"));
    assert.equal(failedMails.length, 3, "one email per failure");

    const last = await run(7);
    assert.deepEqual([last.retried, last.downgraded], [1, 1]);
    row = await sub(app, owner.accountId);
    assert.equal(row.status, "canceled");
    const plan = await planOf(app, owner.accountId);
    assert.equal(plan.plan, "free");
    assert.ok(plan.graceUntil && plan.graceUntil.getTime() > failedAt + 30 * DAY, "30 days read-only");
    const processorSub = await sandboxGet<{ status: string }>(app, `/subscriptions/${start.providerSubscriptionId}`);
    assert.equal(processorSub.status, "canceled");
    const downgraded = await app.waitForMail((m) => m.subject === "Dunning Co is now on the Free plan");
    assert.match(downgraded.text, /four times/);
    assert.match(downgraded.text, /read-only|readable/);
    assert.match(downgraded.text, /\/settings\/billing/);
    await new Promise((r) => setTimeout(r, 300));
    const history = await paymentsOf(app, owner.accountId);
    assert.equal(history.filter((p) => p.status === "failed").length, 4, "the renewal and three retries, each once");
    assert.equal((await run(8)).retried, 0, "done");
  });

  it("a new card while past due is charged at once: the subscription is active again, with an invoice", async () => {
    const owner = await customer(app, { card: CARD_FAILS_LATER, plan: "team", name: "Recovering Co" });
    const start = await sub(app, owner.accountId);
    await advancePaymentSandbox(app.deps.paymentSandboxUrl!, { subscriptionId: start.providerSubscriptionId! });
    const failed = await sub(app, owner.accountId);
    assert.equal(failed.status, "past_due");
    // A fresh card (this one pays its first charge): the due payment is tried at once with it.
    const again = ok<{ retry: string }>(await call(app, owner, "mutation", "saveCard", { token: await cardToken(app, CARD_FAILS_LATER) }));
    assert.equal(again.retry, "recovered", "a fresh 0341 card pays its first charge");
    const row0 = await sub(app, owner.accountId);
    assert.equal(row0.status, "active");
    // Its next renewal fails; a 4242 card saved then pays at once, and the job has nothing left to retry.
    await advancePaymentSandbox(app.deps.paymentSandboxUrl!, { subscriptionId: start.providerSubscriptionId! });
    const failed2 = await sub(app, owner.accountId);
    assert.equal(failed2.status, "past_due");
    const newCard = ok<{ retry: string; last4: string }>(await call(app, owner, "mutation", "saveCard", { token: await cardToken(app, CARD_OK) }));
    assert.deepEqual([newCard.retry, newCard.last4], ["recovered", "4242"]);
    assert.equal((await runBillingTasks(app.deps, { now: new Date(failed2.failedAt!.getTime() + DAY + 1000) })).retried, 0, "nothing left to retry");
    const row = await sub(app, owner.accountId);
    assert.deepEqual([row.status, row.retryCount, row.nextRetryAt, row.failedAt], ["active", 0, null, null]);
    const retries = (await paymentsOf(app, owner.accountId)).filter((p) => p.kind === "retry" && p.status === "succeeded");
    assert.equal(retries.length, 2);
    const retry = retries.at(-1)!;
    assert.equal(retry.cardLast4, "4242");
    const [invoice] = await app.db.select().from(invoices).where(and(eq(invoices.paymentId, retry.id)));
    assert.ok(invoice);
    assert.equal((await planOf(app, owner.accountId)).plan, "team");
  });

  it("no table holds a card number after all of this", async () => {
    const tables = await queryRows<{ table_name: string }>(app.db, sql`select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'`);
    for (const { table_name } of tables) {
      const rows = await queryRows<{ t: string }>(app.db, sql.raw(`select t::text as t from "${table_name}" t`));
      for (const { t } of rows) {
        for (const number of [CARD_OK, CARD_DECLINED, CARD_FAILS_LATER]) {
          assert.ok(!t.includes(number) && !t.includes(number.replace(/ /g, "")), `${table_name} holds a card number`);
        }
      }
    }
  });
});
