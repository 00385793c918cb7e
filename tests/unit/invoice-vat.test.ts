import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { checkVatId, euCountries, splitGross, standardRates, vatPrefixOf } from "../../server/invoice/vat";
import { infaktInvoiceBody, infaktTaxSymbol } from "../../server/invoice/accounting/infakt";

const PL = { country: "PL" };

describe("splitGross: the charged amount split into net + VAT", () => {
  it("a buyer in the seller's country pays the seller's rate, extracted from the gross", () => {
    const s = splitGross(1900, PL, { country: "PL", vatId: "PL5260250995" });
    assert.deepEqual(
      { treatment: s.treatment, net: s.netCents, vat: s.vatCents, gross: s.grossCents, rate: s.rateLabel, note: s.note },
      { treatment: "domestic", net: 1545, vat: 355, gross: 1900, rate: "23%", note: "" },
    );
    // 7900 × 23/123 = 1477.24… → 1477
    assert.deepEqual([splitGross(7900, PL, { country: "PL" }).netCents, splitGross(7900, PL, { country: "PL" }).vatCents], [6423, 1477]);
  });

  it("an EU business with a VAT ID in another EU state: reverse charge, 0 %, net = gross", () => {
    const s = splitGross(1900, PL, { country: "DE", vatId: "DE136695976" });
    assert.equal(s.treatment, "reverse_charge");
    assert.deepEqual([s.netCents, s.vatCents, s.grossCents], [1900, 0, 1900]);
    assert.equal(s.rateLabel, "0% (reverse charge)");
    assert.match(s.note, /^Reverse charge/);
  });

  it("an EU consumer (no VAT ID) in another EU state pays the seller's rate (OSS simplification)", () => {
    const s = splitGross(1900, PL, { country: "FR", vatId: null });
    assert.equal(s.treatment, "eu_consumer");
    assert.deepEqual([s.netCents, s.vatCents, s.rateLabel], [1545, 355, "23%"]);
    assert.equal(splitGross(1900, PL, { country: "FR", vatId: "  " }).treatment, "eu_consumer", "a blank VAT ID is no VAT ID");
  });

  it("outside the EU: 0 %, not subject to VAT in the seller's country, whether or not a tax number is given", () => {
    for (const vatId of [null, "123456789"]) {
      const s = splitGross(1900, PL, { country: "US", vatId });
      assert.equal(s.treatment, "outside_eu");
      assert.deepEqual([s.netCents, s.vatCents], [1900, 0]);
      assert.equal(s.rateLabel, "0% (not subject to VAT in Poland)");
      assert.match(s.note, /Not subject to VAT in Poland/);
    }
    assert.equal(splitGross(1900, PL, { country: "GB" }).treatment, "outside_eu", "the UK is outside the EU");
    assert.equal(splitGross(1900, PL, { country: "CH", vatId: "CHE123456789" }).treatment, "outside_eu");
  });

  it("uses the seller's own rate when the seller is elsewhere in the EU (DE 19 %, FI 25.5 %)", () => {
    const de = splitGross(1190, { country: "DE" }, { country: "DE" });
    assert.deepEqual([de.netCents, de.vatCents, de.rateLabel], [1000, 190, "19%"]);
    const fi = splitGross(12550, { country: "FI" }, { country: "FI" });
    assert.deepEqual([fi.netCents, fi.vatCents, fi.rateLabel], [10000, 2550, "25.5%"]);
  });

  it("rounds the VAT half up to the cent: 23 % of a gross of 123 cents is 23 cents, of 6 cents is 1 cent", () => {
    assert.equal(splitGross(123, PL, PL).vatCents, 23);
    // 6 × 23/123 = 1.12 → 1; 8 × 23/123 = 1.496 → 1; 3 × 23/123 = 0.56 → 1
    assert.deepEqual([6, 8, 3, 0].map((g) => splitGross(g, PL, PL).vatCents), [1, 1, 1, 0]);
    for (const g of [1, 2, 50, 99, 1000, 1901]) {
      const exact = (g * 2300) / 12300;
      assert.equal(splitGross(g, PL, PL).vatCents, Math.floor(exact + 0.5), `gross ${g}`);
    }
  });

  it("net + VAT = gross exactly, for every amount and every seller country (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 100_000_000 }),
        fc.constantFrom(...euCountries),
        fc.constantFrom("PL", "DE", "FR", "US", "JP", ...euCountries),
        fc.option(fc.constant("X123"), { nil: null }),
        (gross, seller, buyer, vatId) => {
          const s = splitGross(gross, { country: seller }, { country: buyer, vatId });
          assert.equal(s.netCents + s.vatCents, gross);
          assert.ok(Number.isInteger(s.netCents) && Number.isInteger(s.vatCents) && s.vatCents >= 0 && s.netCents >= 0);
          if (s.vatCents > 0) assert.ok(s.rateBasisPoints === standardRates[seller]);
        },
      ),
    );
  });

  it("refuses a negative or fractional gross", () => {
    assert.throws(() => splitGross(-1, PL, PL));
    assert.throws(() => splitGross(1.5, PL, PL));
  });
});

describe("checkVatId: EU VAT ID formats for the buyer's country", () => {
  const valid: [string, string, string][] = [
    ["AT", "ATU13585627", "ATU13585627"],
    ["BE", "BE0776091951", "BE0776091951"],
    ["DE", "DE 136 695 976", "DE136695976"],
    ["FR", "FR40303265045", "FR40303265045"],
    ["GR", "EL094259216", "EL094259216"],
    ["IE", "IE6388047V", "IE6388047V"],
    ["IT", "IT00743110157", "IT00743110157"],
    ["NL", "NL004495445B01", "NL004495445B01"],
    ["PL", "PL526-025-09-95", "PL5260250995"],
    ["ES", "ESA28015865", "ESA28015865"],
    ["SE", "SE556188840401", "SE556188840401"],
  ];
  for (const [country, input, stored] of valid) {
    it(`accepts ${input} for ${country} (stored as ${stored})`, () => {
      assert.deepEqual(checkVatId(input, country), { ok: true, vatId: stored });
    });
  }

  it("adds the country's prefix to a number typed without it (a Polish NIP, a Greek number)", () => {
    assert.deepEqual(checkVatId("526 025 09 95", "PL"), { ok: true, vatId: "PL5260250995" });
    assert.deepEqual(checkVatId("094259216", "GR"), { ok: true, vatId: "EL094259216" });
  });

  it("refuses a prefix of another EU country, naming the expected one", () => {
    const r = checkVatId("DE136695976", "PL");
    assert.equal(r.ok, false);
    assert.match(!r.ok ? r.message : "", /starts with DE.*PL for Poland/);
    const gr = checkVatId("GR094259216", "GR");
    assert.equal(gr.ok, false);
    assert.match(!gr.ok ? gr.message : "", /Greek VAT IDs start with EL/);
  });

  it("refuses a wrong format for the country", () => {
    for (const [input, country] of [["DE12345678", "DE"], ["PL123", "PL"], ["ATU1234", "AT"], ["FR1234", "FR"], ["NL123456789", "NL"]] as const) {
      const r = checkVatId(input, country);
      assert.equal(r.ok, false, `${input} for ${country}`);
      assert.match(!r.ok ? r.message : "", /not a valid .* VAT ID/);
    }
  });

  it("every EU state has format rules, and a prefix (Greece: EL)", () => {
    assert.equal(euCountries.length, 27);
    for (const c of euCountries) {
      const r = checkVatId(`${vatPrefixOf(c)}0`, c);
      assert.equal(r.ok, false);
      assert.match(!r.ok ? r.message : "", /not a valid/, `${c} has rules`);
      assert.ok(standardRates[c]! > 0, `${c} has a standard rate`);
    }
  });

  it("outside the EU takes any letters and digits (no one format), and refuses other characters", () => {
    assert.deepEqual(checkVatId("che-123.456.789", "CH"), { ok: true, vatId: "CHE123456789" });
    assert.equal(checkVatId("12#34", "US").ok, false);
  });
});

describe("the Infakt mapping of VAT", () => {
  it("tax_symbol: the rate's number, np for 0 % (reverse charge, outside the EU)", () => {
    assert.equal(infaktTaxSymbol("23%", 355), "23");
    assert.equal(infaktTaxSymbol("0% (reverse charge)", 0), "np");
    assert.equal(infaktTaxSymbol("0% (not subject to VAT in Poland)", 0), "np");
    assert.equal(infaktTaxSymbol("25.5%", 10), "25.5");
  });

  it("sends the gross of each line (the amount charged), the buyer's data and our number", () => {
    const body = infaktInvoiceBody({
      number: "TW/2026/000007",
      issuedAt: new Date("2026-11-29T10:00:00Z"),
      saleDate: new Date("2026-11-28T23:30:00Z"),
      seller: { name: "S", addressLine1: "a", postalCode: "p", city: "c", country: "PL", vatId: "PL1" },
      buyer: { name: "Jan Kowalski", kind: "person", firstName: "Jan", lastName: "Kowalski", addressLine1: "ul. Długa 1", addressLine2: "m. 2", postalCode: "00-950", city: "Gdańsk", country: "PL", vatId: null },
      currency: "EUR",
      lines: [{ description: "Team", quantity: 1, netCents: 1545, vatRate: "23%", vatCents: 355, grossCents: 1900 }],
      netCents: 1545,
      vatCents: 355,
      grossCents: 1900,
      vatRate: "23%",
      notes: "n",
    });
    assert.equal(body.number, "TW/2026/000007");
    assert.equal(body.sale_date, "2026-11-28");
    assert.equal(body.client_first_name, "Jan");
    assert.equal(body.client_business_activity_kind, "private_person");
    assert.equal(body.client_street, "ul. Długa 1, m. 2");
    assert.equal(body.client_tax_code, undefined);
    assert.deepEqual(body.services, [{ name: "Team", quantity: 1, unit: "usł.", tax_symbol: "23", gross_price: 1900 }]);
  });
});
