/**
 * VAT for invoices (ADR 23): EU VAT ID formats, and how a charged (gross) amount splits into
 * net + VAT for a buyer. Pure functions: no database, no network.
 *
 * `plans.price_cents` is what the card is charged, so the gross is fixed and the invoice splits
 * it: VAT = round-half-up(gross × rate / (100 % + rate)), net = gross − VAT (the "from gross"
 * method), in integer cents, so net + VAT = gross exactly.
 */
import { checkVAT, countries as vatCountries } from "jsvat";

/** The 27 EU member states (ISO 3166-1 alpha-2). */
export const euCountries = [
  "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT",
  "RO", "SK", "SI", "ES", "SE",
] as const;
const euSet = new Set<string>(euCountries);

export const isEuCountry = (country: string) => euSet.has(country.toUpperCase());

/** The VAT ID prefix of an EU country: its ISO code, except Greece (EL). */
export const vatPrefixOf = (country: string) => (country.toUpperCase() === "GR" ? "EL" : country.toUpperCase());
const countryOfPrefix = (prefix: string) => (prefix === "EL" ? "GR" : prefix);
const euPrefixes = new Set<string>(euCountries.map(vatPrefixOf));

/**
 * Standard VAT rates of the EU states, in basis points (2300 = 23 %), used as the seller's rate.
 * Rates change (FI 25.5 % since 2024-09, EE 24 % since 2025-07, RO 21 % since 2025-08, SK 23 %
 * since 2025): check this table when a seller's country changes its rate.
 */
export const standardRates: Record<string, number> = {
  AT: 2000, BE: 2100, BG: 2000, HR: 2500, CY: 1900, CZ: 2100, DK: 2500, EE: 2400, FI: 2550, FR: 2000, DE: 1900, GR: 2400, HU: 2700,
  IE: 2300, IT: 2200, LV: 2100, LT: 2100, LU: 1700, MT: 1800, NL: 2100, PL: 2300, PT: 2300, RO: 2100, SK: 2300, SI: 2200, ES: 2100,
  SE: 2500,
};

export type VatIdCheck = { ok: true; vatId: string } | { ok: false; message: string };

/** Spaces, dots, dashes and slashes removed, upper case: how VAT IDs are compared and stored. */
export const compactVatId = (raw: string) => raw.replace(/[\s.\-/]+/g, "").toUpperCase();

/**
 * Checks a VAT ID for the buyer's country. EU countries: the format of that state (jsvat's
 * per-country rules), with the country's prefix (added when the number was typed without it;
 * a different EU prefix is refused). Other countries: free text of letters and digits (tax
 * numbers outside the EU have no one format, and do not change the VAT treatment).
 */
export function checkVatId(raw: string, country: string): VatIdCheck {
  const value = compactVatId(raw);
  const c = country.toUpperCase();
  if (!value) return { ok: false, message: "Enter the VAT ID, or leave it empty." };
  if (!isEuCountry(c)) {
    if (!/^[A-Z0-9]{2,20}$/.test(value)) return { ok: false, message: "Use letters and digits only (at most 20)." };
    return { ok: true, vatId: value };
  }
  const expected = vatPrefixOf(c);
  const typed = value.slice(0, 2);
  let vatId = value;
  if (euPrefixes.has(typed) || typed === "GR") {
    if (typed !== expected) {
      const hint = typed === "GR" ? " (Greek VAT IDs start with EL)" : "";
      return {
        ok: false,
        message: `This VAT ID starts with ${typed}, which does not match the country you chose (${expected} for ${countryName(c)})${hint}.`,
      };
    }
  } else {
    vatId = expected + value;
  }
  const rules = vatCountries.find((r) => r.codes[0] === countryOfPrefix(expected));
  const result = rules ? checkVAT(vatId, [rules]) : null;
  if (!result?.isValidFormat) {
    return { ok: false, message: `This is not a valid ${countryName(c)} VAT ID (${expected} followed by the number, e.g. ${exampleOf(expected)}).` };
  }
  return { ok: true, vatId };
}

const examples: Record<string, string> = {
  AT: "ATU12345678", BE: "BE0123456789", BG: "BG123456789", HR: "HR12345678901", CY: "CY12345678X", CZ: "CZ12345678", DK: "DK12345678",
  EE: "EE123456789", FI: "FI12345678", FR: "FRXX123456789", DE: "DE123456789", EL: "EL123456789", HU: "HU12345678", IE: "IE1234567X",
  IT: "IT12345678901", LV: "LV12345678901", LT: "LT123456789", LU: "LU12345678", MT: "MT12345678", NL: "NL123456789B01",
  PL: "PL1234567890", PT: "PT123456789", RO: "RO1234567890", SK: "SK1234567890", SI: "SI12345678", ES: "ESX1234567X", SE: "SE123456789012",
};
const exampleOf = (prefix: string) => examples[prefix] ?? `${prefix}…`;

const regionNames = new Intl.DisplayNames(["en"], { type: "region" });
/** A country's English name ("Poland"), or the code itself when unknown. */
export function countryName(code: string): string {
  try {
    return regionNames.of(code.toUpperCase()) ?? code;
  } catch {
    return code;
  }
}

export type VatTreatment = "domestic" | "reverse_charge" | "eu_consumer" | "outside_eu";

export type VatSplit = {
  treatment: VatTreatment;
  /** Basis points (2300 = 23 %); 0 when no VAT is charged. */
  rateBasisPoints: number;
  /** As printed: "23%", "0% (reverse charge)", "0% (not subject to VAT in Poland)". */
  rateLabel: string;
  netCents: number;
  vatCents: number;
  grossCents: number;
  /** The legal note printed on the invoice, or "" */
  note: string;
};

/** `a / b` rounded half up, for non-negative integers. */
function divRoundHalfUp(a: number, b: number): number {
  return Math.floor((2 * a + b) / (2 * b));
}

const formatRate = (bp: number) => `${bp % 100 === 0 ? bp / 100 : (bp / 100).toFixed(1)}%`;

/**
 * How a charged amount splits for this buyer:
 * - buyer in the seller's country → the seller's standard rate, extracted from the gross;
 * - EU business (a VAT ID) in another EU state → reverse charge, 0 %, net = gross;
 * - EU consumer (no VAT ID) in another EU state → the seller's rate (OSS simplification, ADR 23);
 * - outside the EU → 0 %, not subject to VAT in the seller's country, net = gross.
 * A seller outside the EU charges no VAT (0 %) except at home, where its rate table has none
 * either: such a seller gets 0 % everywhere.
 */
export function splitGross(grossCents: number, seller: { country: string }, buyer: { country: string; vatId?: string | null }): VatSplit {
  if (!Number.isInteger(grossCents) || grossCents < 0) throw new Error(`gross must be a non-negative integer number of cents, got ${grossCents}`);
  const sellerCountry = seller.country.toUpperCase();
  const buyerCountry = buyer.country.toUpperCase();
  const sellerRate = standardRates[sellerCountry] ?? 0;
  const hasVatId = Boolean(buyer.vatId && buyer.vatId.trim());
  const taxed = (treatment: VatTreatment): VatSplit => {
    const vatCents = divRoundHalfUp(grossCents * sellerRate, 10000 + sellerRate);
    return { treatment, rateBasisPoints: sellerRate, rateLabel: formatRate(sellerRate), netCents: grossCents - vatCents, vatCents, grossCents, note: "" };
  };
  const untaxed = (treatment: VatTreatment, rateLabel: string, note: string): VatSplit => ({
    treatment,
    rateBasisPoints: 0,
    rateLabel,
    netCents: grossCents,
    vatCents: 0,
    grossCents,
    note,
  });
  if (buyerCountry === sellerCountry) return taxed("domestic");
  if (isEuCountry(buyerCountry) && isEuCountry(sellerCountry)) {
    if (hasVatId) {
      return untaxed(
        "reverse_charge",
        "0% (reverse charge)",
        "Reverse charge: VAT to be accounted for by the recipient (Article 196 of Council Directive 2006/112/EC).",
      );
    }
    return taxed("eu_consumer");
  }
  const sellerName = countryName(sellerCountry);
  return untaxed(
    "outside_eu",
    `0% (not subject to VAT in ${sellerName})`,
    `Not subject to VAT in ${sellerName}: the place of supply of the service is outside the EU.`,
  );
}
