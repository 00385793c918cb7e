/**
 * The local sandbox payment processor (ADR 22): a small HTTP service on its own port that speaks
 * the same REST shapes as SecurionPay's API (https://api.securionpay.com), so the SecurionPay
 * adapter talks to it unchanged. It also serves the card form's script (`/v1/sandbox.js`, the
 * stand-in for securionpay.js), keeps a simulated clock for renewals (`POST /v1/sandbox/advance`)
 * and calls our webhook with every event, as SecurionPay does.
 *
 * Card numbers: a tokenization request's number lives only in that request; the sandbox keeps
 * last4, brand, expiry and the test behaviour. Request bodies are never logged, and a body that
 * cannot be parsed is answered without echoing it.
 */
import fs from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { randomBytes, timingSafeEqual } from "node:crypto";
import express, { type NextFunction, type Request, type Response } from "express";
import { z } from "zod";
import { type CardBehaviour, isExpired, readCard } from "./cards";
import { SANDBOX_PUBLIC_KEY, SANDBOX_SCRIPT_PATH, SANDBOX_SECRET_KEY, type AdvanceResult } from "./client";
import { indexPage, sandboxScript } from "./browser";

type Metadata = Record<string, string>;
type Interval = "day" | "week" | "month" | "year";

type TokenRow = {
  id: string;
  created: number;
  last4: string;
  brand: string;
  expMonth: number;
  expYear: number;
  cardholderName: string | null;
  behaviour: CardBehaviour;
  used: boolean;
};
type CardRow = Omit<TokenRow, "used"> & { customerId: string; successfulCharges: number; deleted: boolean };
type CustomerRow = { id: string; created: number; email: string | null; description: string | null; metadata: Metadata; defaultCardId: string | null; deleted: boolean };
type PlanRow = { id: string; created: number; amount: number; currency: string; interval: Interval; intervalCount: number; name: string; metadata: Metadata; deleted: boolean };
type SubscriptionStatus = "active" | "past_due" | "canceled";
type SubscriptionRow = {
  id: string;
  created: number;
  planId: string;
  customerId: string;
  status: SubscriptionStatus;
  start: number;
  /** Periods started since `start` (0 for the first). */
  periodIndex: number;
  currentPeriodStart: number;
  currentPeriodEnd: number;
  cancelAtPeriodEnd: boolean;
  canceledAt: number | null;
  endedAt: number | null;
  metadata: Metadata;
};
type ChargeRow = {
  id: string;
  created: number;
  amount: number;
  currency: string;
  description: string | null;
  customerId: string | null;
  subscriptionId: string | null;
  cardId: string | null;
  card: ReturnType<typeof cardJson> | null;
  status: "successful" | "failed";
  failureCode: string | null;
  failureMessage: string | null;
  metadata: Metadata;
};
type EventRow = { id: string; created: number; type: string; data: unknown };

type State = {
  version: 1;
  /** Seconds the simulated clock is ahead of the real one. */
  clockOffset: number;
  tokens: Record<string, TokenRow>;
  customers: Record<string, CustomerRow>;
  cards: Record<string, CardRow>;
  plans: Record<string, PlanRow>;
  subscriptions: Record<string, SubscriptionRow>;
  charges: Record<string, ChargeRow>;
  events: Record<string, EventRow>;
  /** Event ids still to deliver to the webhook, oldest first. */
  pending: string[];
};

const emptyState = (): State => ({
  version: 1,
  clockOffset: 0,
  tokens: {},
  customers: {},
  cards: {},
  plans: {},
  subscriptions: {},
  charges: {},
  events: {},
  pending: [],
});

export type PaymentSandboxOptions = {
  /** 0: any free port. */
  port: number;
  /** Where state is kept between restarts; null keeps it in memory only. */
  stateFile: string | null;
  /** The webhook to call with each event, read at each delivery; undefined: events are not delivered. */
  webhookUrl: () => string | undefined;
  /** Waits between delivery attempts of one event (ms); after the last, the event is given up. */
  retryDelaysMs?: number[];
  /** The interface to listen on (default: all, like the app). */
  host?: string;
  /** The base URL the sandbox announces (default http://localhost:<port>). */
  publicUrl?: string;
  /** Warnings (a failed delivery, an unreadable state file). Never given a card number. */
  log?: (line: string) => void;
};

export type PaymentSandbox = {
  url: string;
  port: number;
  /** Moves the clock and renews what fell due (what `POST /v1/sandbox/advance` does). */
  advance(input: { days?: number; subscriptionId?: string; wait?: boolean }): Promise<AdvanceResult>;
  /** Resolves once no webhook delivery is pending or running. */
  idle(): Promise<void>;
  close(): Promise<void>;
};

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly type: "invalid_request" | "card_error" | "gateway_error",
    message: string,
    readonly code?: string,
    readonly extra: Record<string, string> = {},
  ) {
    super(message);
  }
}

const notFound = (what: string, id: string) => new ApiError(404, "invalid_request", `${what} '${id.slice(0, 64)}' does not exist.`);

const id = (prefix: string) => `${prefix}_${randomBytes(12).toString("base64url").replace(/[-_]/g, "x")}`;

/** `start` plus `count` intervals, calendar-aware for months and years (day clamped: Jan 31 + 1 month = Feb 28/29). */
export function addInterval(start: number, interval: Interval, count: number): number {
  const d = new Date(start * 1000);
  if (interval === "day" || interval === "week") return start + count * (interval === "day" ? 86_400 : 7 * 86_400);
  const months = interval === "month" ? count : count * 12;
  const target = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, 1, d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()));
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(d.getUTCDate(), lastDay));
  return Math.floor(target.getTime() / 1000);
}

const pad2 = (n: number) => String(n).padStart(2, "0");

function cardJson(c: CardRow) {
  return {
    id: c.id,
    created: c.created,
    objectType: "card",
    last4: c.last4,
    expMonth: pad2(c.expMonth),
    expYear: String(c.expYear),
    brand: c.brand,
    type: "Credit Card",
    cardholderName: c.cardholderName,
    customerId: c.customerId,
    ...(c.deleted ? { deleted: true } : {}),
  };
}

function tokenJson(t: TokenRow) {
  return {
    id: t.id,
    created: t.created,
    objectType: "token",
    last4: t.last4,
    expMonth: pad2(t.expMonth),
    expYear: String(t.expYear),
    brand: t.brand,
    type: "Credit Card",
    cardholderName: t.cardholderName,
    used: t.used,
  };
}

function planJson(p: PlanRow) {
  return {
    id: p.id,
    created: p.created,
    objectType: "plan",
    amount: p.amount,
    currency: p.currency,
    interval: p.interval,
    intervalCount: p.intervalCount,
    name: p.name,
    metadata: p.metadata,
    ...(p.deleted ? { deleted: true } : {}),
  };
}

function subscriptionJson(s: SubscriptionRow) {
  return {
    id: s.id,
    created: s.created,
    objectType: "subscription",
    planId: s.planId,
    customerId: s.customerId,
    quantity: 1,
    captureCharges: true,
    status: s.status,
    remainingBillingCycles: null,
    start: s.start,
    currentPeriodStart: s.currentPeriodStart,
    currentPeriodEnd: s.currentPeriodEnd,
    canceledAt: s.canceledAt,
    endedAt: s.endedAt,
    trialStart: null,
    trialEnd: null,
    cancelAtPeriodEnd: s.cancelAtPeriodEnd,
    metadata: s.metadata,
    ...(s.status === "canceled" ? { deleted: true } : {}),
  };
}

function chargeJson(c: ChargeRow) {
  return {
    id: c.id,
    created: c.created,
    objectType: "charge",
    amount: c.amount,
    amountRefunded: 0,
    currency: c.currency,
    description: c.description,
    status: c.status,
    card: c.card,
    customerId: c.customerId,
    subscriptionId: c.subscriptionId,
    captured: c.status === "successful",
    refunded: false,
    disputed: false,
    metadata: c.metadata,
    failureCode: c.failureCode,
    failureMessage: c.failureMessage,
  };
}

const eventJson = (e: EventRow) => ({ id: e.id, created: e.created, objectType: "event", type: e.type, data: e.data });

function list<T extends { id: string; created: number }>(rows: T[], query: Request["query"], toJson: (row: T) => unknown) {
  const limit = Math.min(Math.max(Number(query.limit) || 10, 1), 100);
  // Newest first, as SecurionPay lists; ties (same second) by creation order.
  let sorted = rows.map((row, index) => ({ row, index })).sort((a, b) => b.row.created - a.row.created || b.index - a.index).map((x) => x.row);
  const after = typeof query.startingAfterId === "string" ? sorted.findIndex((r) => r.id === query.startingAfterId) : -1;
  if (after >= 0) sorted = sorted.slice(after + 1);
  return { list: sorted.slice(0, limit).map(toJson), hasMore: sorted.length > limit };
}

const metadataInput = z.record(z.string().max(100), z.string().max(500)).optional();
const currencyInput = z.string().regex(/^[A-Za-z]{3}$/, "must be a three-letter currency code").transform((v) => v.toUpperCase());

function parseBody<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  const parsed = schema.safeParse(body ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ApiError(400, "invalid_request", `${issue.path.join(".") || "body"}: ${issue.message}`);
  }
  return parsed.data;
}

function loadState(file: string | null, log: (line: string) => void): State {
  if (!file || !fs.existsSync(file)) return emptyState();
  try {
    const parsed = JSON.parse(fs.readFileSync(file, "utf8")) as State;
    if (parsed?.version !== 1) throw new Error("unknown version");
    return { ...emptyState(), ...parsed };
  } catch (error) {
    const aside = `${file}.unreadable-${Date.now()}`;
    fs.renameSync(file, aside);
    log(`payment sandbox: ${file} could not be read (${error instanceof Error ? error.message : "error"}); moved it to ${aside} and started empty`);
    return emptyState();
  }
}

function keyOf(req: Request): string | null {
  const header = req.headers.authorization;
  if (!header?.startsWith("Basic ")) return null;
  const decoded = Buffer.from(header.slice(6), "base64").toString("utf8");
  return decoded.split(":")[0] ?? null;
}

const sameKey = (a: string | null, b: string) => a !== null && a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

export async function startPaymentSandbox(opts: PaymentSandboxOptions): Promise<PaymentSandbox> {
  const log = opts.log ?? ((line: string) => console.warn(line));
  const retryDelays = opts.retryDelaysMs ?? [1000, 2000, 4000, 8000];
  const state = loadState(opts.stateFile, log);
  if (opts.stateFile) fs.mkdirSync(path.dirname(opts.stateFile), { recursive: true });

  // --- persistence: one small JSON file, written shortly after each change (atomically) ---
  let saveTimer: NodeJS.Timeout | null = null;
  const writeNow = () => {
    if (saveTimer) clearTimeout(saveTimer);
    saveTimer = null;
    if (!opts.stateFile) return;
    const tmp = `${opts.stateFile}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(state), { mode: 0o600 });
    fs.renameSync(tmp, opts.stateFile);
  };
  const save = () => {
    if (!opts.stateFile || saveTimer) return;
    saveTimer = setTimeout(() => {
      try {
        writeNow();
      } catch (error) {
        log(`payment sandbox: could not save its state: ${error instanceof Error ? error.message : "error"}`);
      }
    }, 50);
  };

  const now = () => Math.floor(Date.now() / 1000) + state.clockOffset;

  // --- events and webhook delivery (in creation order, one at a time, with retries) ---
  let closed = false;
  let delivering: Promise<void> | null = null;
  let attempt: AbortController | null = null;

  function emit(type: string, data: unknown): string {
    const event: EventRow = { id: id("evt"), created: now(), type, data };
    state.events[event.id] = event;
    if (opts.webhookUrl()) state.pending.push(event.id);
    save();
    return event.id;
  }

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      timer.unref();
    });

  async function deliverOne(event: EventRow, url: string): Promise<void> {
    const body = JSON.stringify(eventJson(event));
    let last = "";
    for (let i = 0; i <= retryDelays.length && !closed; i++) {
      if (i > 0) await sleep(retryDelays[i - 1]!);
      if (closed) return;
      attempt = new AbortController();
      const timeout = setTimeout(() => attempt?.abort(), 10_000);
      try {
        const res = await fetch(url, {
          method: "POST",
          headers: { "content-type": "application/json", "user-agent": "Tablewatch-Payment-Sandbox" },
          body,
          redirect: "manual",
          signal: attempt.signal,
        });
        await res.arrayBuffer().catch(() => undefined);
        if (res.status >= 200 && res.status < 300) return;
        last = `HTTP ${res.status}`;
      } catch (error) {
        last = error instanceof Error ? error.message : "network error";
      } finally {
        clearTimeout(timeout);
        attempt = null;
      }
    }
    if (!closed) log(`payment sandbox: gave up delivering ${event.type} ${event.id} to ${url} after ${retryDelays.length + 1} attempts (${last})`);
  }

  function kick() {
    if (delivering || closed) return;
    delivering = (async () => {
      while (!closed && state.pending.length > 0) {
        const eventId = state.pending[0]!;
        const event = state.events[eventId];
        const url = opts.webhookUrl();
        if (event && url) await deliverOne(event, url);
        if (closed) return;
        state.pending.shift();
        save();
      }
    })().finally(() => {
      delivering = null;
    });
  }

  async function idle() {
    kick();
    while (delivering) await delivering;
  }

  // --- the processor ---
  function tokenize(body: unknown) {
    const b = (body ?? {}) as Record<string, unknown>;
    const card = readCard(b, new Date(now() * 1000));
    if ("code" in card) throw new ApiError(400, "card_error", card.message, card.code);
    const name = typeof b.cardholderName === "string" ? b.cardholderName.trim().slice(0, 100) || null : null;
    const token: TokenRow = { id: id("tok"), created: now(), ...card, cardholderName: name, used: false };
    state.tokens[token.id] = token;
    save();
    return token;
  }

  function useToken(tokenId: string): TokenRow {
    const token = state.tokens[tokenId];
    if (!token) throw new ApiError(400, "invalid_request", `Token '${tokenId.slice(0, 64)}' does not exist.`, "invalid_token");
    if (token.used) throw new ApiError(400, "invalid_request", "Token has already been used.", "expired_token");
    token.used = true;
    return token;
  }

  function customerOf(customerId: string): CustomerRow {
    const customer = state.customers[customerId];
    if (!customer || customer.deleted) throw notFound("Customer", customerId);
    return customer;
  }

  function customerJson(c: CustomerRow) {
    const cards = Object.values(state.cards).filter((card) => card.customerId === c.id && !card.deleted);
    return {
      id: c.id,
      created: c.created,
      objectType: "customer",
      email: c.email,
      description: c.description,
      defaultCardId: c.defaultCardId,
      cards: cards.map(cardJson),
      metadata: c.metadata,
      ...(c.deleted ? { deleted: true } : {}),
    };
  }

  /** Charges a card (or fails it, per its test behaviour) and records the charge and its event. */
  function chargeCard(input: {
    card: CardRow | null;
    customerId: string | null;
    subscriptionId: string | null;
    amount: number;
    currency: string;
    description: string | null;
    metadata: Metadata;
    /** The first charge of a new subscription: on a decline there is no subscription to name. */
    subscriptionOnlyIfPaid?: boolean;
  }): ChargeRow {
    const { card } = input;
    let failure: { code: string; message: string } | null = null;
    if (!card) failure = { code: "card_declined", message: "The customer has no card to charge." };
    else if (card.behaviour === "declines") failure = { code: "card_declined", message: "Your card was declined." };
    else if (card.behaviour === "fails_later" && card.successfulCharges > 0) failure = { code: "card_declined", message: "Your card was declined." };
    else if (isExpired(card, new Date(now() * 1000))) failure = { code: "expired_card", message: "The card has expired." };
    const charge: ChargeRow = {
      id: id("char"),
      created: now(),
      amount: input.amount,
      currency: input.currency,
      description: input.description,
      customerId: input.customerId,
      subscriptionId: failure && input.subscriptionOnlyIfPaid ? null : input.subscriptionId,
      cardId: card?.id ?? null,
      card: card ? cardJson(card) : null,
      status: failure ? "failed" : "successful",
      failureCode: failure?.code ?? null,
      failureMessage: failure?.message ?? null,
      metadata: input.metadata,
    };
    if (card && !failure) card.successfulCharges++;
    state.charges[charge.id] = charge;
    emit(failure ? "CHARGE_FAILED" : "CHARGE_SUCCEEDED", chargeJson(charge));
    return charge;
  }

  const declined = (charge: ChargeRow) =>
    new ApiError(402, "card_error", charge.failureMessage ?? "Your card was declined.", charge.failureCode ?? "card_declined", { chargeId: charge.id });

  function defaultCard(customer: CustomerRow): CardRow | null {
    const card = customer.defaultCardId ? state.cards[customer.defaultCardId] : undefined;
    return card && !card.deleted ? card : null;
  }

  function endSubscription(sub: SubscriptionRow, at: number) {
    sub.status = "canceled";
    sub.canceledAt ??= at;
    sub.endedAt = at;
    emit("CUSTOMER_SUBSCRIPTION_DELETED", subscriptionJson(sub));
  }

  /** Renews every subscription whose period ended by the clock's now, period by period. */
  function renewDue(result: AdvanceResult) {
    for (const sub of Object.values(state.subscriptions)) {
      while (sub.status !== "canceled" && sub.currentPeriodEnd <= now()) {
        if (sub.cancelAtPeriodEnd) {
          endSubscription(sub, sub.currentPeriodEnd);
          result.ended.push(sub.id);
          break;
        }
        const plan = state.plans[sub.planId]!;
        const customer = state.customers[sub.customerId];
        sub.periodIndex++;
        sub.currentPeriodStart = sub.currentPeriodEnd;
        sub.currentPeriodEnd = addInterval(sub.start, plan.interval, plan.intervalCount * (sub.periodIndex + 1));
        const charge = chargeCard({
          card: customer ? defaultCard(customer) : null,
          customerId: sub.customerId,
          subscriptionId: sub.id,
          amount: plan.amount,
          currency: plan.currency,
          description: plan.name,
          metadata: sub.metadata,
        });
        sub.status = charge.status === "successful" ? "active" : "past_due";
        emit("CUSTOMER_SUBSCRIPTION_UPDATED", subscriptionJson(sub));
        result.renewals.push({ subscriptionId: sub.id, chargeId: charge.id, status: charge.status === "successful" ? "succeeded" : "failed" });
      }
    }
  }

  async function advance(input: { days?: number; subscriptionId?: string; wait?: boolean }): Promise<AdvanceResult> {
    const before = new Set(Object.keys(state.events));
    if (input.subscriptionId !== undefined) {
      const sub = state.subscriptions[input.subscriptionId];
      if (!sub) throw notFound("Subscription", input.subscriptionId);
      if (sub.status !== "canceled" && sub.currentPeriodEnd > now()) state.clockOffset += sub.currentPeriodEnd - now();
    }
    if (input.days !== undefined) state.clockOffset += Math.round(input.days * 86_400);
    const result: AdvanceResult = { now: 0, renewals: [], ended: [], events: [] };
    renewDue(result);
    result.now = now();
    result.events = Object.keys(state.events).filter((e) => !before.has(e));
    save();
    if (input.wait !== false) await idle();
    return result;
  }

  // --- HTTP ---
  const app = express();
  app.disable("x-powered-by");
  app.set("etag", false);

  app.get("/", (_req, res) => {
    res.type("html").send(indexPage(url));
  });
  app.get(SANDBOX_SCRIPT_PATH, (_req, res) => {
    res.set({ "cache-control": "no-cache", "cross-origin-resource-policy": "cross-origin", "access-control-allow-origin": "*" });
    res.type("application/javascript").send(sandboxScript);
  });

  // The browser's card form posts here with the public key (CORS: any origin, no credentials).
  const tokenCors = (_req: Request, res: Response, next: NextFunction) => {
    res.set({
      "access-control-allow-origin": "*",
      "access-control-allow-methods": "POST, OPTIONS",
      "access-control-allow-headers": "Authorization, Content-Type",
      "access-control-max-age": "600",
    });
    next();
  };
  app.options("/tokens", tokenCors, (_req, res) => {
    res.status(204).end();
  });

  const parseJson = express.json({ limit: "64kb" });
  const parseForm = express.urlencoded({ extended: false, limit: "64kb" });
  const json = (req: Request, res: Response, next: NextFunction) => parseJson(req, res, (error?: unknown) => (error ? next(error) : parseForm(req, res, next)));
  const requireKey = (keys: string[]) => (req: Request, _res: Response, next: NextFunction) => {
    const key = keyOf(req);
    if (!keys.some((k) => sameKey(key, k))) return next(new ApiError(401, "invalid_request", "Provided API key is missing or invalid."));
    next();
  };
  const secret = requireKey([SANDBOX_SECRET_KEY]);

  app.post("/tokens", tokenCors, requireKey([SANDBOX_PUBLIC_KEY, SANDBOX_SECRET_KEY]), json, (req, res) => {
    res.json(tokenJson(tokenize(req.body)));
  });
  app.get("/tokens/:id", secret, (req, res) => {
    const token = state.tokens[req.params.id!];
    if (!token) throw notFound("Token", req.params.id!);
    res.json(tokenJson(token));
  });

  app.post("/customers", secret, json, (req, res) => {
    const input = parseBody(z.object({ email: z.string().max(320).optional(), description: z.string().max(500).optional(), metadata: metadataInput }), req.body);
    const customer: CustomerRow = {
      id: id("cust"),
      created: now(),
      email: input.email ?? null,
      description: input.description ?? null,
      metadata: input.metadata ?? {},
      defaultCardId: null,
      deleted: false,
    };
    state.customers[customer.id] = customer;
    emit("CUSTOMER_CREATED", customerJson(customer));
    res.json(customerJson(customer));
  });
  app.get("/customers/:id", secret, (req, res) => {
    res.json(customerJson(customerOf(req.params.id!)));
  });
  app.post("/customers/:id", secret, json, (req, res) => {
    const customer = customerOf(req.params.id!);
    const input = parseBody(
      z.object({ email: z.string().max(320).optional(), description: z.string().max(500).optional(), metadata: metadataInput, defaultCardId: z.string().optional() }),
      req.body,
    );
    if (input.defaultCardId !== undefined) {
      const card = state.cards[input.defaultCardId];
      if (!card || card.deleted || card.customerId !== customer.id) throw notFound("Card", input.defaultCardId);
      customer.defaultCardId = card.id;
    }
    if (input.email !== undefined) customer.email = input.email;
    if (input.description !== undefined) customer.description = input.description;
    if (input.metadata !== undefined) customer.metadata = input.metadata;
    emit("CUSTOMER_UPDATED", customerJson(customer));
    res.json(customerJson(customer));
  });
  app.post("/customers/:id/cards", secret, json, (req, res) => {
    const customer = customerOf(req.params.id!);
    const input = parseBody(z.object({ id: z.string({ error: "is required (a token id)" }).min(1) }), req.body);
    const token = useToken(input.id);
    save();
    // Adding a card verifies it, as processors do: a declining card is refused here already.
    if (token.behaviour === "declines") throw new ApiError(402, "card_error", "Your card was declined.", "card_declined");
    if (isExpired(token, new Date(now() * 1000))) throw new ApiError(402, "card_error", "The card has expired.", "expired_card");
    const { used: _used, ...rest } = token;
    const card: CardRow = { ...rest, id: id("card"), created: now(), customerId: customer.id, successfulCharges: 0, deleted: false };
    state.cards[card.id] = card;
    if (!defaultCard(customer)) customer.defaultCardId = card.id;
    emit("CUSTOMER_CARD_CREATED", cardJson(card));
    res.json(cardJson(card));
  });
  app.get("/customers/:id/cards", secret, (req, res) => {
    const customer = customerOf(req.params.id!);
    res.json(list(Object.values(state.cards).filter((c) => c.customerId === customer.id && !c.deleted), req.query, cardJson));
  });
  app.get("/customers/:id/cards/:cardId", secret, (req, res) => {
    const card = state.cards[req.params.cardId!];
    if (!card || card.customerId !== req.params.id) throw notFound("Card", req.params.cardId!);
    res.json(cardJson(card));
  });

  app.post("/plans", secret, json, (req, res) => {
    const input = parseBody(
      z.object({
        amount: z.coerce.number().int().min(1).max(100_000_000),
        currency: currencyInput,
        interval: z.enum(["day", "week", "month", "year"]),
        intervalCount: z.coerce.number().int().min(1).max(365).optional(),
        name: z.string().min(1).max(200),
        metadata: metadataInput,
      }),
      req.body,
    );
    const plan: PlanRow = { id: id("plan"), created: now(), ...input, intervalCount: input.intervalCount ?? 1, metadata: input.metadata ?? {}, deleted: false };
    state.plans[plan.id] = plan;
    emit("PLAN_CREATED", planJson(plan));
    res.json(planJson(plan));
  });
  app.get("/plans", secret, (req, res) => {
    res.json(list(Object.values(state.plans).filter((p) => !p.deleted), req.query, planJson));
  });
  app.get("/plans/:id", secret, (req, res) => {
    const plan = state.plans[req.params.id!];
    if (!plan) throw notFound("Plan", req.params.id!);
    res.json(planJson(plan));
  });

  app.post("/charges", secret, json, (req, res) => {
    const input = parseBody(
      z.object({
        amount: z.coerce.number().int().min(1).max(100_000_000),
        currency: currencyInput,
        customerId: z.string().optional(),
        card: z.string().optional(),
        description: z.string().max(500).optional(),
        metadata: metadataInput,
      }),
      req.body,
    );
    let card: CardRow | null = null;
    if (input.card !== undefined) {
      const existing = state.cards[input.card];
      if (existing && !existing.deleted && (!input.customerId || existing.customerId === input.customerId)) card = existing;
      else {
        // A token charged once: a card that belongs to no customer.
        const { used: _used, ...rest } = useToken(input.card);
        card = { ...rest, customerId: "", successfulCharges: 0, deleted: false };
      }
    } else if (input.customerId !== undefined) {
      card = defaultCard(customerOf(input.customerId));
      if (!card) throw new ApiError(400, "invalid_request", "The customer has no card.");
    } else {
      throw new ApiError(400, "invalid_request", "customerId or card is required.");
    }
    if (input.customerId !== undefined) customerOf(input.customerId);
    const charge = chargeCard({
      card,
      customerId: input.customerId ?? null,
      subscriptionId: null,
      amount: input.amount,
      currency: input.currency,
      description: input.description ?? null,
      metadata: input.metadata ?? {},
    });
    if (charge.status === "failed") throw declined(charge);
    res.json(chargeJson(charge));
  });
  app.get("/charges", secret, (req, res) => {
    const rows = Object.values(state.charges).filter(
      (c) => (typeof req.query.customerId !== "string" || c.customerId === req.query.customerId) && (typeof req.query.subscriptionId !== "string" || c.subscriptionId === req.query.subscriptionId),
    );
    res.json(list(rows, req.query, chargeJson));
  });
  app.get("/charges/:id", secret, (req, res) => {
    const charge = state.charges[req.params.id!];
    if (!charge) throw notFound("Charge", req.params.id!);
    res.json(chargeJson(charge));
  });

  app.post("/subscriptions", secret, json, (req, res) => {
    const input = parseBody(z.object({ customerId: z.string().min(1), planId: z.string().min(1), metadata: metadataInput }), req.body);
    const customer = customerOf(input.customerId);
    const plan = state.plans[input.planId];
    if (!plan || plan.deleted) throw notFound("Plan", input.planId);
    const card = defaultCard(customer);
    if (!card) throw new ApiError(400, "invalid_request", "The customer has no card.");
    const start = now();
    const subId = id("sub");
    // The first period is charged at once; a decline leaves no subscription.
    const charge = chargeCard({
      card,
      customerId: customer.id,
      subscriptionId: subId,
      amount: plan.amount,
      currency: plan.currency,
      description: plan.name,
      metadata: input.metadata ?? {},
      subscriptionOnlyIfPaid: true,
    });
    if (charge.status === "failed") throw declined(charge);
    const sub: SubscriptionRow = {
      id: subId,
      created: start,
      planId: plan.id,
      customerId: customer.id,
      status: "active",
      start,
      periodIndex: 0,
      currentPeriodStart: start,
      currentPeriodEnd: addInterval(start, plan.interval, plan.intervalCount),
      cancelAtPeriodEnd: false,
      canceledAt: null,
      endedAt: null,
      metadata: input.metadata ?? {},
    };
    state.subscriptions[sub.id] = sub;
    emit("CUSTOMER_SUBSCRIPTION_CREATED", subscriptionJson(sub));
    res.json(subscriptionJson(sub));
  });
  const subscriptionOf = (subId: string) => {
    const sub = state.subscriptions[subId];
    if (!sub) throw notFound("Subscription", subId);
    return sub;
  };
  app.get("/subscriptions", secret, (req, res) => {
    const deleted = req.query.deleted === "true";
    const rows = Object.values(state.subscriptions).filter(
      (s) => (typeof req.query.customerId !== "string" || s.customerId === req.query.customerId) && (s.status === "canceled") === deleted,
    );
    res.json(list(rows, req.query, subscriptionJson));
  });
  app.get("/subscriptions/:id", secret, (req, res) => {
    res.json(subscriptionJson(subscriptionOf(req.params.id!)));
  });
  // A new plan applies from the next period on: the sandbox charges no proration.
  app.post("/subscriptions/:id", secret, json, (req, res) => {
    const sub = subscriptionOf(req.params.id!);
    const input = parseBody(z.object({ planId: z.string().min(1).optional(), metadata: metadataInput }), req.body);
    if (sub.status === "canceled") throw new ApiError(400, "invalid_request", "The subscription is canceled.");
    if (input.planId !== undefined) {
      const plan = state.plans[input.planId];
      if (!plan || plan.deleted) throw notFound("Plan", input.planId);
      sub.planId = plan.id;
    }
    if (input.metadata !== undefined) sub.metadata = input.metadata;
    emit("CUSTOMER_SUBSCRIPTION_UPDATED", subscriptionJson(sub));
    res.json(subscriptionJson(sub));
  });
  app.delete("/subscriptions/:id", secret, (req, res) => {
    const sub = subscriptionOf(req.params.id!);
    if (sub.status !== "canceled") {
      if (req.query.atPeriodEnd === "true") {
        if (!sub.cancelAtPeriodEnd) {
          sub.cancelAtPeriodEnd = true;
          sub.canceledAt = now();
          emit("CUSTOMER_SUBSCRIPTION_UPDATED", subscriptionJson(sub));
        }
      } else {
        endSubscription(sub, now());
      }
    }
    res.json(subscriptionJson(sub));
  });

  app.get("/events", secret, (req, res) => {
    res.json(list(Object.values(state.events), req.query, eventJson));
  });
  app.get("/events/:id", secret, (req, res) => {
    const event = state.events[req.params.id!];
    if (!event) throw notFound("Event", req.params.id!);
    res.json(eventJson(event));
  });

  // Sandbox-only: the simulated clock.
  app.get("/v1/sandbox/clock", secret, (_req, res) => {
    res.json({ now: now(), offsetSeconds: state.clockOffset });
  });
  app.post("/v1/sandbox/advance", secret, json, async (req, res, next) => {
    try {
      const input = parseBody(
        z
          .object({ days: z.coerce.number().min(0).max(3650).optional(), subscriptionId: z.string().min(1).optional(), wait: z.boolean().optional() })
          .refine((v) => v.days !== undefined || v.subscriptionId !== undefined, "give days or subscriptionId"),
        req.body,
      );
      res.json(await advance(input));
    } catch (error) {
      next(error);
    }
  });

  app.use((req, _res, next) => next(new ApiError(404, "invalid_request", `Unknown endpoint ${req.method} ${req.path.slice(0, 100)}.`)));
  // Errors never echo a request body (a JSON parse error's message quotes it) and are not logged
  // with it.
  app.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    save();
    if (error instanceof ApiError) {
      res.status(error.status).json({ error: { type: error.type, ...(error.code ? { code: error.code } : {}), message: error.message, ...error.extra } });
      return;
    }
    const status = typeof (error as { status?: unknown })?.status === "number" ? (error as { status: number }).status : 500;
    if (status >= 400 && status < 500) {
      res.status(status).json({ error: { type: "invalid_request", message: status === 413 ? "The request body is too large." : "The request body could not be read." } });
      return;
    }
    log(`payment sandbox: internal error on ${req.method} ${req.path.slice(0, 100)}: ${error instanceof Error ? error.name : "error"}`);
    res.status(500).json({ error: { type: "gateway_error", message: "The sandbox processor failed." } });
  });

  const server = await new Promise<Server>((resolve, reject) => {
    const s = opts.host ? app.listen(opts.port, opts.host, () => resolve(s)) : app.listen(opts.port, () => resolve(s));
    s.once("error", reject);
  });
  const port = (server.address() as AddressInfo).port;
  const url = (opts.publicUrl ?? `http://${opts.host === "127.0.0.1" ? "127.0.0.1" : "localhost"}:${port}`).replace(/\/+$/, "");
  kick();

  return {
    url,
    port,
    advance,
    idle,
    async close() {
      if (closed) return;
      closed = true;
      attempt?.abort();
      await delivering?.catch(() => undefined);
      const done = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await done;
      writeNow();
    },
  };
}
