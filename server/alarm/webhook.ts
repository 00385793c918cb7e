/**
 * Alarm webhooks (alarms.md "Channels"): a JSON POST signed with HMAC-SHA256.
 *
 * What a receiver sees:
 *
 *     POST <url>
 *     Content-Type: application/json
 *     User-Agent: Tablewatch-Webhook/1
 *     X-Tablewatch-Delivery: <id, the same on every retry of one notification>
 *     X-Tablewatch-Timestamp: <unix seconds when this attempt was made>
 *     X-Tablewatch-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>", keyed with the secret>
 *
 *     <AlarmNotificationPayload as JSON>
 *
 * The key is the whole secret as shown in the UI, `whsec_` prefix included. A receiver should
 * check the signature over the raw body bytes, refuse old timestamps (replays), and use the
 * delivery id to drop a repeated delivery. Any 2xx answer counts as delivered; anything else,
 * a redirect, a network error or no answer within the timeout is retried with backoff.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { BlockList, isIP } from "node:net";

export const WEBHOOK_USER_AGENT = "Tablewatch-Webhook/1";
export const SIGNATURE_HEADER = "X-Tablewatch-Signature";
export const TIMESTAMP_HEADER = "X-Tablewatch-Timestamp";
export const DELIVERY_HEADER = "X-Tablewatch-Delivery";

/** A new signing secret: "whsec_" and 32 random bytes, base64url. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString("base64url")}`;
}

/** The hex HMAC-SHA256 of "<timestamp>.<body>" keyed with the secret. */
export function signWebhook(secret: string, timestamp: number | string, body: string): string {
  return createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex");
}

/** Request headers, as a fetch `Headers` or a Node-style object (IncomingHttpHeaders). */
export type WebhookHeaders = Headers | Record<string, string | string[] | undefined>;

function header(headers: WebhookHeaders, name: string): string | undefined {
  if (typeof (headers as Headers).get === "function") return (headers as Headers).get(name) ?? undefined;
  const lower = name.toLowerCase();
  for (const [key, value] of Object.entries(headers as Record<string, string | string[] | undefined>)) {
    if (key.toLowerCase() === lower) return Array.isArray(value) ? value[0] : value;
  }
  return undefined;
}

/**
 * Whether a received webhook is genuine: the signature matches the raw body and the timestamp is
 * within `toleranceSeconds` (default 5 minutes) of now. For receivers (and our tests):
 *
 *     if (!verifyWebhook(secret, req.headers, rawBody)) return res.status(400).end();
 */
export function verifyWebhook(
  secret: string,
  headers: WebhookHeaders,
  body: string,
  opts: { toleranceSeconds?: number; now?: Date } = {},
): boolean {
  const timestamp = header(headers, TIMESTAMP_HEADER);
  const signatures = header(headers, SIGNATURE_HEADER);
  if (!timestamp || !signatures || !/^\d{1,12}$/.test(timestamp)) return false;
  const now = Math.floor((opts.now ?? new Date()).getTime() / 1000);
  if (Math.abs(now - Number(timestamp)) > (opts.toleranceSeconds ?? 300)) return false;
  const expected = Buffer.from(signWebhook(secret, timestamp, body), "hex");
  // Several signatures, comma separated, would allow a secret rotation; one is enough.
  return signatures.split(",").some((part) => {
    const match = /^\s*sha256=([0-9a-f]{64})\s*$/i.exec(part);
    return match ? timingSafeEqual(Buffer.from(match[1]!.toLowerCase(), "hex"), expected) : false;
  });
}

/** An error that retrying cannot fix (the outbox gives up at once). */
export class PermanentDeliveryError extends Error {
  override name = "PermanentDeliveryError";
}

/** Checks that a webhook URL is an absolute http(s) URL; throws a readable error otherwise. */
export function parseWebhookUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new PermanentDeliveryError("The webhook URL is not a valid URL");
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new PermanentDeliveryError("The webhook URL must start with http:// or https://");
  }
  return parsed;
}

const seconds = (ms: number) => `${Number((ms / 1000).toFixed(1))} s`;
const oneLine = (s: string, max: number) => {
  const line = s.replace(/\s+/g, " ").trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
};

/**
 * POSTs `payload` as signed JSON to `url`. Resolves on a 2xx answer; throws an Error with a
 * readable message otherwise ("Webhook answered 500", "Webhook timed out after 10 s", "Webhook
 * could not be reached: …"). Redirects are not followed (they count as failures).
 */
export async function postWebhook(
  url: string,
  payload: unknown,
  secret: string,
  opts: { deliveryId: string; fetch?: typeof fetch; timeoutMs?: number; now?: () => Date },
): Promise<{ status: number }> {
  const target = parseWebhookUrl(url);
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const body = JSON.stringify(payload);
  const timestamp = Math.floor((opts.now?.() ?? new Date()).getTime() / 1000);
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  try {
    let res: Response;
    try {
      res = await (opts.fetch ?? fetch)(target, {
        method: "POST",
        headers: {
          "Content-Type": "application/json",
          "User-Agent": WEBHOOK_USER_AGENT,
          [DELIVERY_HEADER]: opts.deliveryId,
          [TIMESTAMP_HEADER]: String(timestamp),
          [SIGNATURE_HEADER]: `sha256=${signWebhook(secret, timestamp, body)}`,
        },
        body,
        redirect: "manual",
        signal: controller.signal,
      });
    } catch (error) {
      if (timedOut) throw new Error(`Webhook timed out after ${seconds(timeoutMs)}`);
      const cause = (error as { cause?: { message?: string } }).cause;
      throw new Error(`Webhook could not be reached: ${oneLine(cause?.message ?? (error as Error).message ?? String(error), 200)}`);
    }
    if (res.status >= 200 && res.status < 300) {
      await res.body?.cancel().catch(() => {});
      return { status: res.status };
    }
    let snippet = "";
    try {
      snippet = oneLine(await res.text(), 200);
    } catch {
      // The status says enough.
    }
    const redirect = res.status >= 300 && res.status < 400 ? " (redirects are not followed)" : "";
    throw new Error(`Webhook answered ${res.status}${redirect}${snippet ? `: ${snippet}` : ""}`);
  } catch (error) {
    if (timedOut && !(error instanceof Error && error.message.startsWith("Webhook timed out"))) {
      throw new Error(`Webhook timed out after ${seconds(timeoutMs)}`);
    }
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

const privateRanges = (() => {
  const list = new BlockList();
  for (const [net, bits] of [
    ["0.0.0.0", 8],
    ["10.0.0.0", 8],
    ["100.64.0.0", 10],
    ["127.0.0.0", 8],
    ["169.254.0.0", 16],
    ["172.16.0.0", 12],
    ["192.168.0.0", 16],
  ] as const)
    list.addSubnet(net, bits, "ipv4");
  for (const [net, bits] of [
    ["::", 128],
    ["::1", 128],
    ["fc00::", 7],
    ["fe80::", 10],
  ] as const)
    list.addSubnet(net, bits, "ipv6");
  return list;
})();

/**
 * Whether a webhook URL points at this machine or a private network by its name or literal
 * address (localhost, 10/8, 127/8, 169.254/16 — cloud metadata —, 172.16/12, 192.168/16, fc00::/7…).
 * Hosted instances refuse such webhooks (WEBHOOK_ALLOW_PRIVATE=false in production) so a
 * customer cannot make our servers call internal services. Names resolving to private
 * addresses are not caught here.
 */
export function isPrivateWebhookTarget(url: string): boolean {
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase().replace(/^\[|\]$/g, "");
  } catch {
    return false;
  }
  if (host === "localhost" || host.endsWith(".localhost") || host.endsWith(".internal")) return true;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(host)?.[1];
  const address = mapped ?? host;
  const kind = isIP(address);
  if (!kind) return false;
  return privateRanges.check(address, kind === 4 ? "ipv4" : "ipv6");
}
