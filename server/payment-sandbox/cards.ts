/**
 * Card numbers in the sandbox processor: validation, brand, and the test behaviour a number
 * stands for. The number itself is used only inside `readCard` and never kept: what leaves this
 * module is last4, brand, expiry and the behaviour (ADR 22).
 */

export type CardBehaviour = "succeeds" | "declines" | "fails_later";

/** The documented test cards (README, the sandbox's index page, the card form page). */
export const testCards: { number: string; behaviour: CardBehaviour; description: string }[] = [
  { number: "4242 4242 4242 4242", behaviour: "succeeds", description: "succeeds: every charge is paid" },
  { number: "4000 0000 0000 0002", behaviour: "declines", description: "is declined (card_declined, “Your card was declined.”) when added and on every charge" },
  { number: "4000 0000 0000 0341", behaviour: "fails_later", description: "is added and pays the first charge; every later charge (renewals, retries) fails" },
];

const behaviourByNumber = new Map(testCards.map((c) => [c.number.replace(/ /g, ""), c.behaviour]));

export type CardError = { code: "invalid_number" | "invalid_expiry_month" | "invalid_expiry_year" | "expired_card" | "invalid_cvc"; message: string };

export type ReadCard = { last4: string; brand: string; expMonth: number; expYear: number; behaviour: CardBehaviour };

export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

function brandOf(digits: string): string {
  if (/^4/.test(digits)) return "Visa";
  if (/^(5[1-5]|2(2[2-9]|[3-6]\d|7[01]|720))/.test(digits)) return "MasterCard";
  if (/^3[47]/.test(digits)) return "American Express";
  if (/^(6011|65|64[4-9])/.test(digits)) return "Discover";
  if (/^35(2[89]|[3-8])/.test(digits)) return "JCB";
  if (/^3(0[0-5]|[689])/.test(digits)) return "Diners Club";
  if (/^(5[06-9]|6)/.test(digits)) return "Maestro";
  return "Unknown";
}

/**
 * Validates the card fields of a tokenization request at `now` and returns what the sandbox
 * keeps, or the error the card form shows. Any other number passing the Luhn check succeeds.
 */
export function readCard(input: { number?: unknown; expMonth?: unknown; expYear?: unknown; cvc?: unknown }, now: Date): ReadCard | CardError {
  const digits = typeof input.number === "string" || typeof input.number === "number" ? String(input.number).replace(/[\s-]/g, "") : "";
  if (!/^\d{12,19}$/.test(digits) || !luhnValid(digits)) {
    return { code: "invalid_number", message: "The card number is not a valid card number." };
  }
  const month = Number(String(input.expMonth ?? "").trim());
  if (!Number.isInteger(month) || month < 1 || month > 12) {
    return { code: "invalid_expiry_month", message: "The card's expiration month is invalid." };
  }
  const yearText = String(input.expYear ?? "").trim();
  let year = /^\d{2}$/.test(yearText) ? 2000 + Number(yearText) : /^\d{4}$/.test(yearText) ? Number(yearText) : NaN;
  if (!Number.isInteger(year) || year > now.getUTCFullYear() + 50) {
    return { code: "invalid_expiry_year", message: "The card's expiration year is invalid." };
  }
  if (isExpired({ expMonth: month, expYear: year }, now)) {
    return { code: "expired_card", message: "The card has expired." };
  }
  const cvc = String(input.cvc ?? "").trim();
  if (!/^\d{3,4}$/.test(cvc)) {
    return { code: "invalid_cvc", message: "The card's security code (CVC) is invalid." };
  }
  year = Math.trunc(year);
  return { last4: digits.slice(-4), brand: brandOf(digits), expMonth: month, expYear: year, behaviour: behaviourByNumber.get(digits) ?? "succeeds" };
}

/** A card is valid through the last day of its expiry month. */
export function isExpired(card: { expMonth: number; expYear: number }, now: Date): boolean {
  return now.getUTCFullYear() * 12 + now.getUTCMonth() > card.expYear * 12 + (card.expMonth - 1);
}
