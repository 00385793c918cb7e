/**
 * The payment processor, behind one interface (ADR 22). Two implementations:
 * - securionpay.ts: SecurionPay's REST API (https://api.securionpay.com), card tokens made in the
 *   browser by its JavaScript library;
 * - the local sandbox processor (server/payment-sandbox/*), a separate small HTTP service that
 *   speaks the same REST shapes, used in development and tests.
 * Card numbers never pass through this interface: the browser turns them into a token at the
 * processor's origin, and we only ever see the token id and the last 4 digits.
 */

/** What the browser needs to render the card form: the processor's script and public key. */
export type CardFormConfig = {
  /** The processor's JavaScript library, loaded from its origin. */
  scriptUrl: string;
  /** The origin(s) the form's script talks to (for the page's Content-Security-Policy). */
  origins: string[];
  publicKey: string;
  /** "securionpay" or "sandbox": which browser library API the page's glue code calls. */
  library: "securionpay" | "sandbox";
};

/** The card as we keep it: the processor's card id and the last 4 digits, nothing else (the Privacy Policy's promise). */
export type ProviderCard = {
  id: string;
  last4: string;
};

export type ProviderSubscriptionStatus = "active" | "past_due" | "canceled" | "unpaid" | "trialing" | "incomplete";

export type ProviderSubscription = {
  id: string;
  customerId: string;
  planId: string;
  status: ProviderSubscriptionStatus;
  currentPeriodStart: Date;
  currentPeriodEnd: Date;
  cancelAtPeriodEnd: boolean;
};

export type ProviderCharge = {
  id: string;
  customerId: string | null;
  subscriptionId: string | null;
  amountCents: number;
  currency: string;
  status: "succeeded" | "failed" | "pending";
  description: string;
  cardLast4: string | null;
  failureCode: string | null;
  failureMessage: string | null;
  metadata: Record<string, string>;
  createdAt: Date;
};

/** A verified webhook event, reduced to what billing acts on. */
export type ProviderEvent = {
  id: string;
  type: "charge.succeeded" | "charge.failed" | "subscription.updated" | "subscription.canceled" | "other";
  /** The processor's own name for the type (e.g. CHARGE_SUCCEEDED). */
  rawType: string;
  occurredAt: Date;
  charge?: ProviderCharge;
  subscription?: ProviderSubscription;
};

/**
 * A refusal by the processor that the user can act on (card declined, expired card, invalid
 * token): its message is safe to show. Anything else (network, 5xx, bad credentials) is a plain
 * Error, shown as "the payment processor is unavailable, nothing was charged, try again".
 */
export class PaymentDeclinedError extends Error {
  readonly code: string;
  /** The failed charge the processor recorded, when it made one (SecurionPay's `error.chargeId`). */
  readonly chargeId: string | null;
  constructor(code: string, message: string, chargeId: string | null = null) {
    super(message);
    this.name = "PaymentDeclinedError";
    this.code = code;
    this.chargeId = chargeId;
  }
}

export interface PaymentProvider {
  /** "securionpay" or "sandbox" — stored with customers and payments. */
  readonly name: string;
  cardFormConfig(): CardFormConfig;
  createCustomer(input: { email: string; description: string; metadata: Record<string, string> }): Promise<{ id: string }>;
  /** Attaches the card behind a browser-made token and makes it the customer's default. */
  attachCard(customerId: string, cardToken: string): Promise<ProviderCard>;
  /**
   * Subscribes the customer to the plan (monthly, amount in cents, currency): the processor
   * charges the first period at once — a decline throws PaymentDeclinedError and leaves no
   * subscription — and each following period itself, reporting each charge by webhook.
   */
  subscribe(input: { customerId: string; plan: ProviderPlan }): Promise<{ subscription: ProviderSubscription; charge: ProviderCharge | null }>;
  /** Moves the subscription to another plan from the next period on (no proration by the processor). */
  changePlan(subscriptionId: string, plan: ProviderPlan): Promise<ProviderSubscription>;
  /** Cancels at period end (`atPeriodEnd`) or at once. */
  cancel(subscriptionId: string, opts: { atPeriodEnd: boolean }): Promise<ProviderSubscription>;
  /** A one-off charge of the default card (an upgrade's prorated difference, a dunning retry). */
  charge(input: { customerId: string; amountCents: number; currency: string; description: string; metadata: Record<string, string> }): Promise<ProviderCharge>;
  listCharges(customerId: string, opts?: { limit?: number }): Promise<ProviderCharge[]>;
  /**
   * Verifies a webhook request (raw body and headers) and returns the event, or throws
   * WebhookVerificationError for a bad signature, a forged or unknown event.
   */
  verifyWebhook(rawBody: Buffer, headers: Record<string, string | string[] | undefined>): Promise<ProviderEvent>;
}

/** A plan as the processor knows it: the adapter finds or creates its own plan object. */
export type ProviderPlan = { code: string; name: string; amountCents: number; currency: string };

export class WebhookVerificationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "WebhookVerificationError";
  }
}
