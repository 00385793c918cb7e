import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/** A random secret with `bytes` of entropy, URL-safe. */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString("base64url");
}

/** Secrets (API keys, reset and confirmation links) are stored only as this hash. */
export function sha256(value: string): string {
  return createHash("sha256").update(value).digest("hex");
}

export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

/** Time-ordered UUIDv7 (RFC 9562), as ids for rows that are listed by time. */
export { v7 as uuidv7 } from "uuid";
