/**
 * The payment processor (ADR 22):
 * (a) the SecurionPay adapter against a fake SecurionPay written here, which implements the
 *     documented request/response shapes and records what the adapter sent;
 * (b) the sandbox processor end to end through the same adapter: card tokens made over HTTP as
 *     the browser makes them, the test cards, renewals by its clock, webhooks delivered (with a
 *     retry) and verified, state kept across a restart without any card number in it;
 * (c) the app starting its sandbox and building deps.payments from it.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import vm from "node:vm";
import { after, before, describe, it } from "node:test";
import { createPaymentProvider } from "../../server/billing/provider";
import { createSecurionPayProvider } from "../../server/billing/provider/securionpay";
import { PaymentDeclinedError, type PaymentProvider, WebhookVerificationError } from "../../server/billing/provider/types";
import { loadConfig } from "../../server/config";
import { advancePaymentSandbox, SANDBOX_PUBLIC_KEY } from "../../server/payment-sandbox/client";
import { type PaymentSandbox, startPaymentSandbox } from "../../server/payment-sandbox/server";
import { startTestApp } from "../helpers/app";

type Recorded = { method: string; path: string; query: URLSearchParams; authorization?: string; contentType?: string; body: Record<string, unknown> | null };

function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ server: Server; url: string }> {
  return new Promise((resolve) => {
    const server = createServer(handler);
    server.listen(0, "127.0.0.1", () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }));
  });
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

const close = (server: Server) =>
  new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });

// ---------------------------------------------------------------- (a) the adapter vs a fake SecurionPay

describe("SecurionPay adapter against a fake SecurionPay", () => {
  const SECRET = "sk_test_fakeSecretKey123";
  const requests: Recorded[] = [];
  let fake: { server: Server; url: string };
  let provider: PaymentProvider;
  const now = 1_790_000_000;
  const subscription = (over: Record<string, unknown> = {}) => ({
    id: "sub_1",
    created: now,
    objectType: "subscription",
    planId: "plan_team",
    customerId: "cust_1",
    quantity: 1,
    status: "active",
    start: now,
    currentPeriodStart: now,
    currentPeriodEnd: now + 30 * 86_400,
    cancelAtPeriodEnd: false,
    metadata: {},
    ...over,
  });
  const charge = (over: Record<string, unknown> = {}) => ({
    id: "char_1",
    created: now,
    objectType: "charge",
    amount: 1900,
    currency: "EUR",
    description: "Tablewatch Team",
    status: "successful",
    card: { id: "card_1", objectType: "card", last4: "4242", brand: "Visa", expMonth: "12", expYear: "2030" },
    customerId: "cust_1",
    subscriptionId: "sub_1",
    captured: true,
    metadata: {},
    failureCode: null,
    failureMessage: null,
    ...over,
  });

  before(async () => {
    fake = await listen(async (req, res) => {
      const url = new URL(req.url!, "http://fake");
      const raw = await readBody(req);
      const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : null;
      requests.push({ method: req.method!, path: url.pathname, query: url.searchParams, authorization: req.headers.authorization, contentType: req.headers["content-type"], body });
      const send = (status: number, value: unknown) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(value));
      };
      if (req.headers.authorization !== `Basic ${Buffer.from(`${SECRET}:`).toString("base64")}`) {
        return send(401, { error: { type: "invalid_request", message: "Provided API key is invalid" } });
      }
      const route = `${req.method} ${url.pathname}`;
      switch (true) {
        case route === "POST /customers":
          return send(200, { id: "cust_1", created: now, objectType: "customer", email: body?.email, metadata: body?.metadata });
        case route === "POST /customers/cust_1/cards":
          if (body?.id === "tok_used") return send(400, { error: { type: "invalid_request", code: "expired_token", message: "Token has already been used." } });
          return send(200, { id: "card_1", created: now, objectType: "card", last4: "4242", brand: "Visa", expMonth: "04", expYear: "2031", customerId: "cust_1" });
        case route === "POST /customers/cust_1":
          return send(200, { id: "cust_1", objectType: "customer", defaultCardId: body?.defaultCardId });
        case route === "GET /plans":
          // Two pages: an unrelated plan, then ours (found on the second page).
          if (!url.searchParams.get("startingAfterId")) {
            return send(200, { list: [{ id: "plan_other", amount: 1900, currency: "EUR", interval: "year", metadata: { tablewatchPlan: "team" } }], hasMore: true });
          }
          return send(200, { list: [{ id: "plan_team", amount: 1900, currency: "EUR", interval: "month", intervalCount: 1, metadata: { tablewatchPlan: "team" } }], hasMore: false });
        case route === "POST /plans":
          return send(200, { id: "plan_business", created: now, objectType: "plan", ...body });
        case route === "POST /subscriptions":
          if (body?.customerId === "cust_poor") {
            return send(402, { error: { type: "card_error", code: "card_declined", message: "Your card was declined.", chargeId: "char_declined" } });
          }
          return send(200, subscription({ planId: body?.planId, customerId: body?.customerId }));
        case route === "GET /charges":
          return send(200, { list: [charge({ id: "char_other", subscriptionId: null }), charge()], hasMore: false });
        case route === "POST /subscriptions/sub_1":
          return send(200, subscription({ planId: body?.planId }));
        case route === "DELETE /subscriptions/sub_1":
          return send(200, subscription({ cancelAtPeriodEnd: url.searchParams.get("atPeriodEnd") === "true" }));
        case route === "POST /charges":
          if (body?.customerId === "cust_poor") return send(402, { error: { type: "card_error", code: "insufficient_funds", message: "Insufficient funds.", chargeId: "char_f" } });
          return send(200, charge({ id: "char_2", amount: body?.amount, description: body?.description, metadata: body?.metadata, subscriptionId: null }));
        case route === "GET /events/evt_known":
          return send(200, { id: "evt_known", created: now + 60, objectType: "event", type: "CHARGE_SUCCEEDED", data: charge() });
        case route === "GET /events/evt_sub":
          return send(200, { id: "evt_sub", created: now, type: "CUSTOMER_SUBSCRIPTION_DELETED", data: subscription({ status: "canceled" }) });
        case route === "GET /events/evt_other":
          return send(200, { id: "evt_mismatch", created: now, type: "CHARGE_SUCCEEDED", data: charge() });
        case route.startsWith("GET /events/"):
          return send(404, { error: { type: "invalid_request", message: "Event does not exist." } });
        case url.pathname.startsWith("/slow/"):
          return; // never answers
        default:
          return send(500, { error: { type: "gateway_error", message: "Something went wrong" } });
      }
    });
    provider = createSecurionPayProvider({
      apiUrl: fake.url,
      secretKey: SECRET,
      publicKey: "pk_test_fakePublic",
      scriptUrl: "https://securionpay.com/js/securionpay.js",
      timeoutMs: 2000,
    });
  });
  after(() => close(fake.server));

  const last = () => requests.at(-1)!;

  it("sends the secret key by HTTP Basic auth and JSON bodies; creates a customer", async () => {
    const customer = await provider.createCustomer({ email: "owner@example.test", description: "Acme", metadata: { accountId: "a1" } });
    assert.equal(customer.id, "cust_1");
    const req = last();
    assert.equal(req.method, "POST");
    assert.equal(req.path, "/customers");
    assert.equal(req.authorization, `Basic ${Buffer.from(`${SECRET}:`).toString("base64")}`);
    assert.equal(req.contentType, "application/json");
    assert.deepEqual(req.body, { email: "owner@example.test", description: "Acme", metadata: { accountId: "a1" } });
  });

  it("describes the card form: securionpay.js, its origins and the public key", () => {
    assert.deepEqual(provider.cardFormConfig(), {
      scriptUrl: "https://securionpay.com/js/securionpay.js",
      origins: ["https://securionpay.com", fake.url],
      publicKey: "pk_test_fakePublic",
      library: "securionpay",
    });
    assert.equal(provider.name, "securionpay");
  });

  it("attaches a card from a token and makes it the default", async () => {
    requests.length = 0;
    const card = await provider.attachCard("cust_1", "tok_ok");
    assert.deepEqual(card, { id: "card_1", last4: "4242" }, "only the card's id and last 4 digits are taken from the processor");
    assert.deepEqual(
      requests.map((r) => [r.method, r.path, r.body]),
      [
        ["POST", "/customers/cust_1/cards", { id: "tok_ok" }],
        ["POST", "/customers/cust_1", { defaultCardId: "card_1" }],
      ],
    );
    await assert.rejects(provider.attachCard("cust_1", "tok_used"), (e: unknown) => e instanceof PaymentDeclinedError && e.code === "expired_token" && /enter the card again/.test(e.message));
  });

  it("subscribes: finds the plan object (paging), creates the subscription, returns its first charge", async () => {
    requests.length = 0;
    const { subscription: sub, charge: first } = await provider.subscribe({ customerId: "cust_1", plan: { code: "team", name: "Team", amountCents: 1900, currency: "eur" } });
    assert.deepEqual(
      requests.map((r) => `${r.method} ${r.path}${r.query.size ? `?${r.query}` : ""}`),
      ["GET /plans?limit=100", "GET /plans?limit=100&startingAfterId=plan_other", "POST /subscriptions", "GET /charges?customerId=cust_1&limit=10"],
    );
    assert.deepEqual(requests[2]!.body, { customerId: "cust_1", planId: "plan_team", metadata: { tablewatchPlan: "team" } });
    assert.equal(sub.id, "sub_1");
    assert.equal(sub.status, "active");
    assert.equal(sub.currentPeriodStart.getTime(), now * 1000);
    assert.equal(sub.currentPeriodEnd.getTime(), (now + 30 * 86_400) * 1000);
    assert.equal(first?.id, "char_1");
    assert.equal(first?.status, "succeeded");
    assert.equal(first?.amountCents, 1900);
    assert.equal(first?.cardLast4, "4242");
    // The plan object is remembered: a second subscribe lists no plans.
    requests.length = 0;
    await provider.subscribe({ customerId: "cust_1", plan: { code: "team", name: "Team", amountCents: 1900, currency: "EUR" } });
    assert.equal(requests.filter((r) => r.path === "/plans").length, 0);
  });

  it("a 402 card error on subscribe is a PaymentDeclinedError with the processor's message", async () => {
    await assert.rejects(
      provider.subscribe({ customerId: "cust_poor", plan: { code: "team", name: "Team", amountCents: 1900, currency: "EUR" } }),
      (e: unknown) => e instanceof PaymentDeclinedError && e.code === "card_declined" && e.message === "Your card was declined." && e.chargeId === "char_declined",
    );
  });

  it("changes plan (creating the plan object it lacks) and cancels at period end", async () => {
    requests.length = 0;
    const changed = await provider.changePlan("sub_1", { code: "business", name: "Business", amountCents: 4900, currency: "EUR" });
    assert.equal(changed.planId, "plan_business");
    const create = requests.find((r) => r.method === "POST" && r.path === "/plans")!;
    assert.deepEqual(create.body, { amount: 4900, currency: "EUR", interval: "month", intervalCount: 1, name: "Tablewatch Business", metadata: { tablewatchPlan: "business" } });
    assert.deepEqual(last().body, { planId: "plan_business", metadata: { tablewatchPlan: "business" } });
    assert.equal(last().path, "/subscriptions/sub_1");

    const canceled = await provider.cancel("sub_1", { atPeriodEnd: true });
    assert.equal(last().method, "DELETE");
    assert.equal(last().query.get("atPeriodEnd"), "true");
    assert.equal(canceled.cancelAtPeriodEnd, true);
  });

  it("charges once and lists charges", async () => {
    const c = await provider.charge({ customerId: "cust_1", amountCents: 3000, currency: "eur", description: "Upgrade to Business", metadata: { kind: "proration" } });
    assert.deepEqual(last().body, { amount: 3000, currency: "EUR", customerId: "cust_1", description: "Upgrade to Business", metadata: { kind: "proration" } });
    assert.equal(c.id, "char_2");
    assert.equal(c.amountCents, 3000);
    assert.deepEqual(c.metadata, { kind: "proration" });
    await assert.rejects(
      provider.charge({ customerId: "cust_poor", amountCents: 100, currency: "EUR", description: "x", metadata: {} }),
      (e: unknown) => e instanceof PaymentDeclinedError && e.code === "insufficient_funds" && e.chargeId === "char_f",
    );
    const list = await provider.listCharges("cust_1", { limit: 5 });
    assert.equal(last().query.get("customerId"), "cust_1");
    assert.equal(last().query.get("limit"), "5");
    assert.deepEqual(
      list.map((x) => x.id),
      ["char_other", "char_1"],
    );
  });

  it("verifies a webhook by fetching the event: the request's own data is ignored, unknown or mismatched events refused", async () => {
    // A request claiming a failed charge for the known event id: what counts is the fetched event.
    const event = await provider.verifyWebhook(Buffer.from(JSON.stringify({ id: "evt_known", type: "CHARGE_FAILED", data: { id: "char_forged", amount: 1 } })), {});
    assert.equal(last().path, "/events/evt_known");
    assert.equal(event.type, "charge.succeeded");
    assert.equal(event.rawType, "CHARGE_SUCCEEDED");
    assert.equal(event.charge?.id, "char_1");
    assert.equal(event.charge?.amountCents, 1900);
    assert.equal(event.occurredAt.getTime(), (now + 60) * 1000);

    const canceled = await provider.verifyWebhook(Buffer.from(JSON.stringify({ id: "evt_sub" })), {});
    assert.equal(canceled.type, "subscription.canceled");
    assert.equal(canceled.subscription?.status, "canceled");

    for (const body of [JSON.stringify({ id: "evt_forged", type: "CHARGE_SUCCEEDED" }), JSON.stringify({ id: "evt_other" }), "not json", JSON.stringify({ type: "CHARGE_SUCCEEDED" }), JSON.stringify({ id: "../charges" })]) {
      await assert.rejects(provider.verifyWebhook(Buffer.from(body), {}), WebhookVerificationError, body);
    }
  });

  it("other failures are plain errors with a safe message: bad key, 5xx, timeout", async () => {
    const wrongKey = createSecurionPayProvider({ apiUrl: fake.url, secretKey: "sk_test_wrongKeyXYZ", publicKey: "pk", scriptUrl: "https://securionpay.com/js/securionpay.js" });
    await assert.rejects(wrongKey.createCustomer({ email: "a@b.c", description: "", metadata: {} }), (e: unknown) => {
      assert.ok(e instanceof Error && !(e instanceof PaymentDeclinedError));
      assert.match(e.message, /refused our API key \(HTTP 401/);
      assert.ok(!e.message.includes("sk_test_wrongKeyXYZ"));
      return true;
    });
    await assert.rejects(provider.cancel("sub_unknown", { atPeriodEnd: false }), (e: unknown) => e instanceof Error && /failed \(HTTP 500, gateway_error\): Something went wrong/.test(e.message) && !e.message.includes(SECRET));
    const slow = createSecurionPayProvider({ apiUrl: `${fake.url}/slow`, secretKey: SECRET, publicKey: "pk", scriptUrl: "https://x.test/s.js", timeoutMs: 300 });
    const started = Date.now();
    await assert.rejects(slow.listCharges("c"), (e: unknown) => e instanceof Error && /did not answer within 0.3 s/.test(e.message));
    assert.ok(Date.now() - started < 2000);
  });
});

// ---------------------------------------------------------------- (b) the sandbox end to end

describe("the sandbox processor through the SecurionPay adapter", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tw-payment-sandbox-"));
  const stateFile = path.join(dir, "payment-sandbox.json");
  let sandbox: PaymentSandbox;
  let provider: PaymentProvider;
  let receiver: { server: Server; url: string };
  /** Raw webhook bodies received, in order; `attempts` counts every request. */
  const received: { raw: string; headers: IncomingMessage["headers"] }[] = [];
  let attempts = 0;
  let failNext = 1;
  const team = { code: "team", name: "Team", amountCents: 1900, currency: "EUR" };
  const business = { code: "business", name: "Business", amountCents: 4900, currency: "EUR" };

  before(async () => {
    receiver = await listen(async (req, res) => {
      const raw = await readBody(req);
      attempts++;
      if (failNext > 0) {
        failNext--;
        res.writeHead(503).end();
        return;
      }
      received.push({ raw, headers: req.headers });
      res.writeHead(200).end("ok");
    });
    sandbox = await startPaymentSandbox({ port: 0, stateFile, webhookUrl: () => `${receiver.url}/billing/webhook`, retryDelaysMs: [30, 60], log: () => {} });
    provider = createPaymentProvider(loadConfig({ PAYMENT_PROVIDER: "sandbox" }), { sandboxUrl: sandbox.url });
  });
  after(async () => {
    await sandbox.close();
    await close(receiver.server);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** What the card form's script does: the card fields straight to the sandbox, with the public key. */
  async function tokenize(number: string, over: Record<string, string> = {}) {
    const res = await fetch(`${sandbox.url}/tokens`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Basic ${Buffer.from(`${SANDBOX_PUBLIC_KEY}:`).toString("base64")}`, origin: "http://localhost:3000" },
      body: JSON.stringify({ number, expMonth: "12", expYear: String(new Date().getUTCFullYear() + 3), cvc: "123", cardholderName: "Ada Owner", ...over }),
    });
    assert.equal(res.headers.get("access-control-allow-origin"), "*");
    return { status: res.status, body: (await res.json()) as { id: string; last4: string; brand: string; expMonth: string; error?: { code: string; message: string } } };
  }

  const eventsOf = () => received.map((r) => JSON.parse(r.raw) as { id: string; type: string; data: { id: string; subscriptionId?: string } });

  it("serves the card-form script, its CORS preflight and an index page with the test cards", async () => {
    assert.equal(provider.name, "sandbox");
    const form = provider.cardFormConfig();
    assert.deepEqual(form, { scriptUrl: `${sandbox.url}/v1/sandbox.js`, origins: [new URL(sandbox.url).origin], publicKey: "pk_test_sandbox", library: "sandbox" });
    const script = await fetch(form.scriptUrl);
    assert.match(script.headers.get("content-type")!, /javascript/);
    const text = await script.text();
    for (const s of ["setPublicKey", "createCardToken", 'data-securionpay="', "/tokens"]) assert.ok(text.includes(s), s);
    const preflight = await fetch(`${sandbox.url}/tokens`, { method: "OPTIONS", headers: { origin: "http://localhost:3000", "access-control-request-method": "POST", "access-control-request-headers": "authorization,content-type" } });
    assert.equal(preflight.status, 204);
    assert.match(preflight.headers.get("access-control-allow-headers")!, /Authorization/);
    // The script's calls, run as a page runs them (a form whose inputs carry data-securionpay).
    const values: Record<string, string> = { number: "4242 4242 4242 4242", expMonth: "12", expYear: "2031", cvc: "123" };
    const formElement = { querySelector: (selector: string) => ({ value: values[/data-securionpay="(\w+)"/.exec(selector)![1]!] }) };
    const page: Record<string, unknown> = { fetch, btoa, URL, setTimeout, document: { currentScript: { src: form.scriptUrl } } };
    page.window = page;
    vm.runInNewContext(text, page);
    const lib = page.Securionpay as { setPublicKey(key: string): void; createCardToken(form: unknown, cb: (r: unknown) => void): void };
    assert.equal(page.SecurionPay, lib);
    const call = (f: unknown) => new Promise<{ id?: string; last4?: string; error?: { message: string } }>((resolve) => lib.createCardToken(f, resolve as (r: unknown) => void));
    assert.match((await call(formElement)).error!.message, /not set up/);
    lib.setPublicKey(form.publicKey);
    const made = await call(formElement);
    assert.match(made.id!, /^tok_/);
    assert.equal(made.last4, "4242");
    assert.equal((await call({ number: "1234", expMonth: "1", expYear: "2031", cvc: "123" })).error?.message, "The card number is not a valid card number.");

    const index = await (await fetch(`${sandbox.url}/`)).text();
    for (const card of ["4242 4242 4242 4242", "4000 0000 0000 0002", "4000 0000 0000 0341"]) assert.ok(index.includes(card), card);
  });

  it("refuses invalid numbers, past expiry dates and bad CVCs at tokenization, with a clear message", async () => {
    const luhn = await tokenize("4242 4242 4242 4241");
    assert.equal(luhn.status, 400);
    assert.equal(luhn.body.error?.code, "invalid_number");
    assert.equal(luhn.body.error?.message, "The card number is not a valid card number.");
    const expired = await tokenize("4242424242424242", { expMonth: "01", expYear: "2020" });
    assert.equal(expired.body.error?.code, "expired_card");
    assert.equal(expired.body.error?.message, "The card has expired.");
    assert.equal((await tokenize("4242424242424242", { cvc: "1" })).body.error?.code, "invalid_cvc");
    const noKey = await fetch(`${sandbox.url}/tokens`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    assert.equal(noKey.status, 401);
    // A body that is not JSON is refused without being echoed.
    const broken = await fetch(`${sandbox.url}/tokens`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Basic ${Buffer.from(`${SANDBOX_PUBLIC_KEY}:`).toString("base64")}` },
      body: '{"number": "4242424242424242", ',
    });
    assert.equal(broken.status, 400);
    assert.ok(!(await broken.text()).includes("4242"));
  });

  let customerId: string;
  let subscriptionId: string;

  it("4242: attaches, subscribes (first period paid), renews by the clock with a delivered, verifiable webhook", async () => {
    customerId = (await provider.createCustomer({ email: "owner@example.test", description: "Acme", metadata: { accountId: "acc_1" } })).id;
    const token = await tokenize("4242 4242 4242 4242");
    assert.equal(token.status, 200);
    assert.match(token.body.id, /^tok_/);
    assert.equal(token.body.last4, "4242");
    assert.equal(token.body.brand, "Visa");
    const card = await provider.attachCard(customerId, token.body.id);
    assert.deepEqual(card, { id: card.id, last4: "4242" });
    // A token is good once.
    await assert.rejects(provider.attachCard(customerId, token.body.id), PaymentDeclinedError);

    const { subscription, charge } = await provider.subscribe({ customerId, plan: team });
    subscriptionId = subscription.id;
    assert.equal(subscription.status, "active");
    assert.equal(subscription.cancelAtPeriodEnd, false);
    assert.ok(subscription.currentPeriodEnd.getTime() - subscription.currentPeriodStart.getTime() >= 28 * 86_400_000);
    assert.equal(charge?.status, "succeeded");
    assert.equal(charge?.amountCents, 1900);
    assert.equal(charge?.subscriptionId, subscriptionId);
    assert.equal(charge?.cardLast4, "4242");

    const result = await advancePaymentSandbox(sandbox.url, { subscriptionId });
    assert.equal(result.renewals.length, 1);
    assert.equal(result.renewals[0]!.status, "succeeded");
    assert.ok(result.now * 1000 >= subscription.currentPeriodEnd.getTime());
    // `wait` (the default): its webhooks were delivered before the answer, the first after a retry.
    assert.ok(attempts > received.length, "the first delivery failed and was retried");
    const renewalEvent = eventsOf().find((e) => e.type === "CHARGE_SUCCEEDED" && e.data.id === result.renewals[0]!.chargeId);
    assert.ok(renewalEvent, "the renewal's CHARGE_SUCCEEDED was delivered");
    // Events arrive in the order they were made.
    const ids = eventsOf().map((e) => e.id);
    assert.ok(ids.indexOf(renewalEvent.id) > ids.indexOf(eventsOf().find((e) => e.type === "CUSTOMER_SUBSCRIPTION_CREATED")!.id));

    const raw = received.find((r) => r.raw.includes(renewalEvent.id))!;
    const verified = await provider.verifyWebhook(Buffer.from(raw.raw), raw.headers);
    assert.equal(verified.type, "charge.succeeded");
    assert.equal(verified.charge?.subscriptionId, subscriptionId);
    assert.equal(verified.charge?.amountCents, 1900);
    assert.ok(verified.charge!.createdAt.getTime() >= subscription.currentPeriodEnd.getTime());
    // A forged event (an id the sandbox never made) is refused.
    await assert.rejects(provider.verifyWebhook(Buffer.from(JSON.stringify({ ...JSON.parse(raw.raw), id: "evt_forged" })), {}), WebhookVerificationError);
  });

  it("a plan change applies from the next renewal; cancel at period end ends it at the next period end", async () => {
    const changed = await provider.changePlan(subscriptionId, business);
    assert.equal(changed.status, "active");
    const renewed = await advancePaymentSandbox(sandbox.url, { subscriptionId });
    const charges = await provider.listCharges(customerId);
    assert.equal(charges[0]!.id, renewed.renewals[0]!.chargeId);
    assert.equal(charges[0]!.amountCents, 4900);
    assert.deepEqual(
      charges.map((c) => c.amountCents),
      [4900, 1900, 1900],
    );

    const canceled = await provider.cancel(subscriptionId, { atPeriodEnd: true });
    assert.equal(canceled.cancelAtPeriodEnd, true);
    assert.equal(canceled.status, "active");
    const ended = await advancePaymentSandbox(sandbox.url, { days: 40 });
    assert.deepEqual(ended.ended, [subscriptionId]);
    assert.equal(ended.renewals.length, 0);
    const deleted = eventsOf().find((e) => e.type === "CUSTOMER_SUBSCRIPTION_DELETED")!;
    const verified = await provider.verifyWebhook(Buffer.from(JSON.stringify({ id: deleted.id })), {});
    assert.equal(verified.type, "subscription.canceled");
    assert.equal(verified.subscription?.status, "canceled");
  });

  it("0002 is declined with the processor's message", async () => {
    const customer = await provider.createCustomer({ email: "poor@example.test", description: "", metadata: {} });
    const token = await tokenize("4000000000000002");
    assert.equal(token.status, 200);
    await assert.rejects(
      provider.attachCard(customer.id, token.body.id),
      (e: unknown) => e instanceof PaymentDeclinedError && e.code === "card_declined" && e.message === "Your card was declined.",
    );
    // Nothing to subscribe with: the customer has no card.
    await assert.rejects(provider.subscribe({ customerId: customer.id, plan: team }), (e: unknown) => e instanceof Error && !(e instanceof PaymentDeclinedError));
  });

  it("0341 pays the first period, then every later charge fails (renewal webhook, one-off retry)", async () => {
    const customer = await provider.createCustomer({ email: "later@example.test", description: "", metadata: {} });
    await provider.attachCard(customer.id, (await tokenize("4000 0000 0000 0341")).body.id);
    const { subscription, charge } = await provider.subscribe({ customerId: customer.id, plan: team });
    assert.equal(charge?.status, "succeeded");

    const result = await advancePaymentSandbox(sandbox.url, { subscriptionId: subscription.id });
    assert.deepEqual(
      result.renewals.map((r) => [r.subscriptionId, r.status]),
      [[subscription.id, "failed"]],
    );
    const failed = eventsOf().find((e) => e.type === "CHARGE_FAILED" && e.data.id === result.renewals[0]!.chargeId)!;
    const verified = await provider.verifyWebhook(Buffer.from(JSON.stringify({ id: failed.id })), {});
    assert.equal(verified.type, "charge.failed");
    assert.equal(verified.charge?.failureCode, "card_declined");
    assert.equal(verified.charge?.failureMessage, "Your card was declined.");
    assert.equal(verified.charge?.subscriptionId, subscription.id);
    const updated = eventsOf().filter((e) => e.type === "CUSTOMER_SUBSCRIPTION_UPDATED" && e.data.id === subscription.id).at(-1)!;
    assert.equal((await provider.verifyWebhook(Buffer.from(JSON.stringify({ id: updated.id })), {})).subscription?.status, "past_due");

    await assert.rejects(
      provider.charge({ customerId: customer.id, amountCents: 1900, currency: "EUR", description: "retry 1", metadata: { kind: "retry" } }),
      (e: unknown) => e instanceof PaymentDeclinedError && e.code === "card_declined" && typeof e.chargeId === "string",
    );
    assert.deepEqual(
      (await provider.listCharges(customer.id)).map((c) => c.status),
      ["failed", "failed", "succeeded"],
    );
  });

  it("keeps its state across a restart, and never a card number", async () => {
    await sandbox.close();
    const saved = fs.readFileSync(stateFile, "utf8");
    for (const number of ["4242424242424242", "4000000000000002", "4000000000000341"]) {
      assert.ok(!saved.includes(number), `${number} in the state file`);
      assert.ok(!saved.includes(number.replace(/(\d{4})(?=\d)/g, "$1 ")), `${number} (spaced) in the state file`);
    }
    sandbox = await startPaymentSandbox({ port: 0, stateFile, webhookUrl: () => undefined, log: () => {} });
    provider = createPaymentProvider(loadConfig({ PAYMENT_PROVIDER: "sandbox" }), { sandboxUrl: sandbox.url });
    assert.equal((await provider.listCharges(customerId)).length, 3);
  });
});

// ---------------------------------------------------------------- (c) the app's own sandbox

describe("the app with PAYMENT_PROVIDER=sandbox", () => {
  it("starts a sandbox on its own port, builds deps.payments on it, and stops it", async () => {
    const app = await startTestApp();
    let sandboxUrl: string;
    try {
      assert.equal(app.deps.payments.name, "sandbox");
      sandboxUrl = app.deps.paymentSandboxUrl!;
      assert.notEqual(new URL(sandboxUrl).port, new URL(app.url).port);
      const form = app.deps.payments.cardFormConfig();
      assert.equal(form.scriptUrl, `${sandboxUrl}/v1/sandbox.js`);
      assert.equal((await fetch(form.scriptUrl)).status, 200);
      const customer = await app.deps.payments.createCustomer({ email: "x@example.test", description: "", metadata: {} });
      assert.match(customer.id, /^cust_/);
    } finally {
      await app.stop();
    }
    await assert.rejects(fetch(`${sandboxUrl}/`), "the sandbox stopped with the app");
  });
});
