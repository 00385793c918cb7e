/**
 * The PaymentProvider over SecurionPay's REST API (ADR 22): HTTP Basic auth with the secret key
 * as user name, JSON bodies, amounts in minor units, timestamps in Unix seconds, errors as
 * `{error: {type, code, message}}` (402 for a card that failed). The local sandbox processor
 * (server/payment-sandbox) speaks the same shapes, so it is this adapter pointed elsewhere.
 *
 * Webhooks: SecurionPay does not sign webhook requests; it documents taking only the event id
 * from the request and fetching the event from the API. verifyWebhook does exactly that, so a
 * forged request can at most name an event that really exists in our account.
 */
import {
  type CardFormConfig,
  type PaymentProvider,
  type ProviderCard,
  type ProviderCharge,
  type ProviderEvent,
  type ProviderPlan,
  type ProviderSubscription,
  type ProviderSubscriptionStatus,
  PaymentDeclinedError,
  WebhookVerificationError,
} from "./types";

export type SecurionPayOptions = {
  /** Stored with customers and payments: "securionpay" or "sandbox". */
  name?: string;
  apiUrl: string;
  secretKey: string;
  publicKey: string;
  /** The card form's JavaScript library (securionpay.js, or the sandbox's stand-in). */
  scriptUrl: string;
  library?: CardFormConfig["library"];
  /** Origins the card form talks to; default: the script's and the API's. */
  origins?: string[];
  /** Per request (default 15 s). */
  timeoutMs?: number;
};

/** An answer of the processor other than a card failure (bad request, bad key, 5xx). */
class ProcessorError extends Error {
  constructor(
    readonly status: number,
    readonly type: string | undefined,
    readonly code: string | undefined,
    message: string,
  ) {
    super(message);
    this.name = "ProcessorError";
  }
}

type Json = Record<string, unknown>;
type ListAnswer = { list?: Json[]; hasMore?: boolean };

const str = (v: unknown): string | null => (typeof v === "string" && v !== "" ? v : null);
const num = (v: unknown): number => (typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" ? Number(v) : NaN);
const date = (seconds: unknown): Date => new Date(num(seconds) * 1000);
const stringRecord = (v: unknown): Record<string, string> => {
  if (!v || typeof v !== "object") return {};
  return Object.fromEntries(Object.entries(v as Json).filter(([, value]) => typeof value === "string")) as Record<string, string>;
};

/** The processor's `message`, kept short and printable. */
const safeText = (v: unknown, fallback: string) => (typeof v === "string" && v.trim() ? v.replace(/[^\x20-\x7e\u00a0-\uffff]/g, " ").trim().slice(0, 300) : fallback);

function toCard(card: Json): ProviderCard {
  return {
    id: String(card.id),
    last4: String(card.last4 ?? ""),
  };
}

const subscriptionStatuses: ProviderSubscriptionStatus[] = ["active", "past_due", "canceled", "unpaid", "trialing", "incomplete"];

function toSubscription(s: Json): ProviderSubscription {
  const status = subscriptionStatuses.includes(s.status as ProviderSubscriptionStatus) ? (s.status as ProviderSubscriptionStatus) : s.deleted ? "canceled" : "incomplete";
  return {
    id: String(s.id),
    customerId: String(s.customerId),
    planId: String(s.planId),
    status,
    currentPeriodStart: date(s.currentPeriodStart),
    currentPeriodEnd: date(s.currentPeriodEnd),
    cancelAtPeriodEnd: s.cancelAtPeriodEnd === true,
  };
}

function toCharge(c: Json): ProviderCharge {
  // Newer answers carry `status` (successful|failed|pending); older ones only a failureCode.
  const status = c.status === "successful" ? "succeeded" : c.status === "failed" ? "failed" : c.status === "pending" ? "pending" : str(c.failureCode) ? "failed" : "succeeded";
  const card = c.card && typeof c.card === "object" ? (c.card as Json) : null;
  return {
    id: String(c.id),
    customerId: str(c.customerId),
    subscriptionId: str(c.subscriptionId),
    amountCents: num(c.amount),
    currency: String(c.currency ?? "").toUpperCase(),
    status,
    description: typeof c.description === "string" ? c.description : "",
    cardLast4: card ? str(card.last4) : null,
    failureCode: str(c.failureCode),
    failureMessage: str(c.failureMessage),
    metadata: stringRecord(c.metadata),
    createdAt: date(c.created),
  };
}

/** SecurionPay's event types, reduced to what billing acts on. */
export function normalizeEventType(type: string): ProviderEvent["type"] {
  switch (type) {
    case "CHARGE_SUCCEEDED":
      return "charge.succeeded";
    case "CHARGE_FAILED":
      return "charge.failed";
    case "CUSTOMER_SUBSCRIPTION_UPDATED":
      return "subscription.updated";
    case "CUSTOMER_SUBSCRIPTION_DELETED":
      return "subscription.canceled";
    default:
      return "other";
  }
}

export function createSecurionPayProvider(opts: SecurionPayOptions): PaymentProvider & { readonly apiUrl: string } {
  const apiUrl = opts.apiUrl.replace(/\/+$/, "");
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const authorization = `Basic ${Buffer.from(`${opts.secretKey}:`).toString("base64")}`;
  const originOf = (url: string) => {
    try {
      return new URL(url).origin;
    } catch {
      return null;
    }
  };
  const origins = opts.origins ?? [...new Set([originOf(opts.scriptUrl), originOf(apiUrl)].filter((o): o is string => o !== null))];
  /** Plan objects found or made, by our code, amount and currency. */
  const plans = new Map<string, string>();

  async function call(method: "GET" | "POST" | "DELETE", path: string, input?: { body?: Json; query?: Record<string, string | number | boolean | undefined> }): Promise<Json> {
    const query = new URLSearchParams();
    for (const [k, v] of Object.entries(input?.query ?? {})) if (v !== undefined) query.set(k, String(v));
    const url = `${apiUrl}${path}${query.size ? `?${query}` : ""}`;
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers: {
          authorization,
          accept: "application/json",
          "user-agent": "Tablewatch",
          ...(input?.body ? { "content-type": "application/json" } : {}),
        },
        body: input?.body ? JSON.stringify(input.body) : undefined,
        redirect: "error",
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      const timedOut = error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
      throw new Error(timedOut ? `The payment processor did not answer within ${timeoutMs / 1000} s (${method} ${path.split("/")[1]}).` : `The payment processor could not be reached (${method} ${path.split("/")[1]}).`);
    }
    let body: Json | null = null;
    try {
      body = (await res.json()) as Json;
    } catch {
      body = null;
    }
    if (res.ok && body && typeof body === "object") return body;
    const error = body && typeof body.error === "object" && body.error ? (body.error as Json) : {};
    const type = str(error.type) ?? undefined;
    const code = str(error.code) ?? undefined;
    if (res.status === 402 || type === "card_error") {
      throw new PaymentDeclinedError(code ?? "card_declined", safeText(error.message, "The card was declined."), str(error.chargeId));
    }
    if (res.ok) throw new ProcessorError(res.status, undefined, undefined, `The payment processor answered ${method} ${path.split("/")[1]} without a JSON body.`);
    const what = res.status === 401 ? "refused our API key" : res.status >= 500 ? "failed" : "refused the request";
    throw new ProcessorError(res.status, type, code, `The payment processor ${what} (HTTP ${res.status}${type ? `, ${type}` : ""}): ${safeText(error.message, "no message")}`);
  }

  async function findOrCreatePlan(plan: ProviderPlan): Promise<string> {
    const currency = plan.currency.toUpperCase();
    const key = `${plan.code}:${plan.amountCents}:${currency}`;
    const known = plans.get(key);
    if (known) return known;
    const matches = (p: Json) =>
      !p.deleted &&
      stringRecord(p.metadata).tablewatchPlan === plan.code &&
      num(p.amount) === plan.amountCents &&
      String(p.currency).toUpperCase() === currency &&
      p.interval === "month" &&
      (p.intervalCount === undefined || p.intervalCount === null || num(p.intervalCount) === 1);
    let startingAfterId: string | undefined;
    for (let page = 0; page < 20; page++) {
      const answer = (await call("GET", "/plans", { query: { limit: 100, startingAfterId } })) as ListAnswer;
      const found = (answer.list ?? []).find(matches);
      if (found) {
        plans.set(key, String(found.id));
        return String(found.id);
      }
      const last = answer.list?.at(-1);
      if (!answer.hasMore || !last) break;
      startingAfterId = String(last.id);
    }
    const created = await call("POST", "/plans", {
      body: {
        amount: plan.amountCents,
        currency,
        interval: "month",
        intervalCount: 1,
        name: `Tablewatch ${plan.name}`,
        metadata: { tablewatchPlan: plan.code },
      },
    });
    plans.set(key, String(created.id));
    return String(created.id);
  }

  return {
    name: opts.name ?? "securionpay",
    apiUrl,

    cardFormConfig: () => ({ scriptUrl: opts.scriptUrl, origins, publicKey: opts.publicKey, library: opts.library ?? "securionpay" }),

    async createCustomer(input) {
      const customer = await call("POST", "/customers", { body: { email: input.email, description: input.description, metadata: input.metadata } });
      return { id: String(customer.id) };
    },

    async attachCard(customerId, cardToken) {
      let card: Json;
      try {
        card = await call("POST", `/customers/${encodeURIComponent(customerId)}/cards`, { body: { id: cardToken } });
      } catch (error) {
        // An unknown, used or expired token: the user enters the card again.
        if (error instanceof ProcessorError && (error.status === 400 || error.status === 404) && error.code !== undefined && /token/.test(error.code)) {
          throw new PaymentDeclinedError(error.code, "The card details expired before they were saved. Please enter the card again.");
        }
        throw error;
      }
      await call("POST", `/customers/${encodeURIComponent(customerId)}`, { body: { defaultCardId: card.id } });
      return toCard(card);
    },

    async subscribe({ customerId, plan }) {
      const planId = await findOrCreatePlan(plan);
      const subscription = await call("POST", "/subscriptions", { body: { customerId, planId, metadata: { tablewatchPlan: plan.code } } });
      // The first period's charge, made with the subscription.
      const charges = (await call("GET", "/charges", { query: { customerId, limit: 10 } })) as ListAnswer;
      const charge = (charges.list ?? []).find((c) => c.subscriptionId === subscription.id);
      return { subscription: toSubscription(subscription), charge: charge ? toCharge(charge) : null };
    },

    async changePlan(subscriptionId, plan) {
      const planId = await findOrCreatePlan(plan);
      return toSubscription(await call("POST", `/subscriptions/${encodeURIComponent(subscriptionId)}`, { body: { planId, metadata: { tablewatchPlan: plan.code } } }));
    },

    async cancel(subscriptionId, { atPeriodEnd }) {
      return toSubscription(await call("DELETE", `/subscriptions/${encodeURIComponent(subscriptionId)}`, { query: atPeriodEnd ? { atPeriodEnd: true } : {} }));
    },

    async charge(input) {
      const charge = await call("POST", "/charges", {
        body: { amount: input.amountCents, currency: input.currency.toUpperCase(), customerId: input.customerId, description: input.description, metadata: input.metadata },
      });
      return toCharge(charge);
    },

    async listCharges(customerId, listOpts) {
      const answer = (await call("GET", "/charges", { query: { customerId, limit: Math.min(Math.max(listOpts?.limit ?? 100, 1), 100) } })) as ListAnswer;
      return (answer.list ?? []).map(toCharge);
    },

    async verifyWebhook(rawBody) {
      let eventId: unknown;
      try {
        eventId = (JSON.parse(rawBody.toString("utf8")) as Json)?.id;
      } catch {
        throw new WebhookVerificationError("The webhook body is not JSON.");
      }
      if (typeof eventId !== "string" || !/^[A-Za-z0-9_-]{1,100}$/.test(eventId)) throw new WebhookVerificationError("The webhook body names no event.");
      // Only the id is taken from the request: the event itself comes from the processor.
      let event: Json;
      try {
        event = await call("GET", `/events/${encodeURIComponent(eventId)}`);
      } catch (error) {
        if (error instanceof ProcessorError && error.status === 404) throw new WebhookVerificationError("The processor knows no such event.");
        throw error;
      }
      if (event.id !== eventId) throw new WebhookVerificationError("The processor answered with another event.");
      const rawType = String(event.type ?? "");
      const type = normalizeEventType(rawType);
      const data = event.data && typeof event.data === "object" ? (event.data as Json) : {};
      return {
        id: eventId,
        type,
        rawType,
        occurredAt: date(event.created),
        ...(type === "charge.succeeded" || type === "charge.failed" ? { charge: toCharge(data) } : {}),
        ...(type === "subscription.updated" || type === "subscription.canceled" ? { subscription: toSubscription(data) } : {}),
      };
    },
  };
}
