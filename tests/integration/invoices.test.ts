/**
 * Invoices (ADR 23): invoice data (validation, owners only, sent nowhere when saved), one invoice
 * per successful payment (numbered per year without gaps under concurrency, VAT split, idempotent,
 * retried after a failure), the local provider's PDF (its text read back), Infakt's adapter
 * against a fake Infakt server implementing the documented request/response shapes, the invoice
 * email with the PDF attached (over SMTP, and in /dev/mail), the invoices list and PDF download,
 * and every invoice.* procedure for owner, admin, editor, viewer and an outsider.
 */
import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { eq } from "drizzle-orm";
import { invoiceData, invoices, payments, type Role } from "../../db/schema";
import { renderInvoicePdf } from "../../server/invoice/accounting/local";
import { issueInvoiceForPayment, retryPendingInvoices } from "../../server/invoice/service";
import { uuidv7 } from "../../server/tokens";
import { appRouter, type Caller } from "../../server/trpc/root";
import { databaseKind, startTestApp, type TestApp, trpcOutcome } from "../helpers/app";
import { pdfText } from "../helpers/pdf";
import { type Actor, accountMember, accountOwner } from "../helpers/reports";
import { headerOf, mimeParts, type SmtpSink, startSmtpSink, waitFor } from "../helpers/smtp";

const API_KEY = "test-infakt-key-0123456789";

// ---------------------------------------------------------------- a fake Infakt (inFakt API v3)

type Recorded = { method: string; path: string; query: URLSearchParams; headers: IncomingMessage["headers"]; body: unknown };

type FakeInfakt = {
  url: string;
  requests: Recorded[];
  /** Answers the next N task creations with this HTTP status (e.g. 503). */
  failNextCreates: number;
  /** Status polls that answer "still processing" (140) before the task is done. */
  pendingPolls: number;
  invoices: Map<string, { uuid: string; number: string; body: Record<string, unknown> }>;
  close(): Promise<void>;
};

async function startFakeInfakt(): Promise<FakeInfakt> {
  const tasks = new Map<string, { uuid: string; polls: number }>();
  const fake: FakeInfakt = {
    url: "",
    requests: [],
    failNextCreates: 0,
    pendingPolls: 0,
    invoices: new Map(),
    close: async () => {},
  };
  const json = (res: import("node:http").ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { "Content-Type": "application/json; charset=utf-8" });
    res.end(JSON.stringify(body));
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      void (async () => {
        const url = new URL(req.url ?? "/", "http://fake");
        const raw = Buffer.concat(chunks).toString("utf8");
        const body = raw ? (JSON.parse(raw) as unknown) : undefined;
        const rec: Recorded = { method: req.method ?? "", path: url.pathname, query: url.searchParams, headers: req.headers, body };
        fake.requests.push(rec);
        if (req.headers["x-infakt-apikey"] !== API_KEY) return json(res, 401, { error: "Unauthorized" });
        const p = url.pathname.replace(/^\/api\/v3/, "");
        if (req.method === "GET" && p === "/invoices.json") {
          const number = url.searchParams.get("q[number_eq]");
          const entities = [...fake.invoices.values()].filter((i) => !number || i.number === number).map((i) => ({ uuid: i.uuid, number: i.number }));
          return json(res, 200, { metainfo: { count: entities.length, total_count: entities.length }, entities });
        }
        if (req.method === "POST" && p === "/async/invoices.json") {
          if (fake.failNextCreates > 0) {
            fake.failNextCreates--;
            return json(res, 503, { error: "Service unavailable" });
          }
          const invoice = (body as { invoice?: Record<string, unknown> }).invoice;
          if (!invoice || !Array.isArray(invoice.services)) return json(res, 422, { errors: { services: ["required"] } });
          const uuid = crypto.randomUUID();
          fake.invoices.set(uuid, { uuid, number: String(invoice.number ?? `${fake.invoices.size + 1}/11/2026`), body: invoice });
          const ref = crypto.randomUUID();
          tasks.set(ref, { uuid, polls: 0 });
          return json(res, 201, {
            invoice_task_reference_number: ref,
            processing_code: 100,
            processing_description: "Zlecenie przyjęte",
            timestamps: { task_created_at: "2026-11-29 10:00:00 +0100" },
          });
        }
        const status = /^\/async\/invoices\/status\/([^/]+)\.json$/.exec(p);
        if (req.method === "GET" && status) {
          const task = tasks.get(status[1]!);
          if (!task) return json(res, 404, { error: "Not found" });
          if (task.polls++ < fake.pendingPolls) return json(res, 200, { processing_code: 140, processing_description: "Zlecenie jest w trakcie przetwarzania" });
          return json(res, 200, { processing_code: 201, processing_description: "Faktura utworzona", invoice_uuid: task.uuid });
        }
        const pdf = /^\/invoices\/([^/]+)\/pdf\.json$/.exec(p);
        if (req.method === "GET" && pdf) {
          const inv = fake.invoices.get(pdf[1]!);
          if (!inv || !url.searchParams.get("document_type")) return json(res, 404, { error: "Not found" });
          const b = inv.body;
          const bytes = await renderInvoicePdf({
            number: inv.number,
            issuedAt: new Date(String(b.invoice_date)),
            saleDate: new Date(String(b.sale_date)),
            seller: { name: "Infakt seller", addressLine1: "ul. Infaktowa 1", postalCode: "00-001", city: "Kraków", country: "PL" },
            buyer: {
              name: String(b.client_company_name ?? `${b.client_first_name} ${b.client_last_name}`),
              addressLine1: String(b.client_street),
              postalCode: String(b.client_post_code),
              city: String(b.client_city),
              country: String(b.client_country),
            },
            currency: String(b.currency),
            lines: [],
            netCents: 0,
            vatCents: 0,
            grossCents: Number(b.paid_price),
            vatRate: "",
            notes: "Rendered by the fake Infakt",
          });
          res.writeHead(200, { "Content-Type": "application/pdf" });
          return res.end(bytes);
        }
        const one = /^\/invoices\/([^/]+)\.json$/.exec(p);
        if (req.method === "GET" && one) {
          const inv = fake.invoices.get(one[1]!);
          if (!inv) return json(res, 404, { error: "Not found" });
          return json(res, 200, { uuid: inv.uuid, number: inv.number, status: "draft", gross_price: inv.body.paid_price });
        }
        return json(res, 404, { error: "No such endpoint" });
      })().catch((error: unknown) => json(res, 500, { error: String(error) }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v3`;
  fake.close = () => new Promise((resolve) => server.close(() => resolve()));
  return fake;
}

// ---------------------------------------------------------------- set-up

let local: TestApp; // local provider, mail over SMTP to `sink`
let infaktApp: TestApp; // Infakt provider against `infakt`, mail caught at /dev/mail
let sink: SmtpSink;
let infakt: FakeInfakt;
let owner: Actor;
let actors: Record<Role | "outsider", Actor>;
let ownerInvoiceId = "";

const validData = {
  kind: "company" as const,
  companyName: "Przykładowa Spółka z o.o.",
  addressLine1: "ul. Łąkowa 7",
  addressLine2: "lok. 3",
  postalCode: "90-001",
  city: "Łódź",
  country: "PL",
  vatId: "526-025-09-95",
};

let chargeCounter = 0;
async function insertPayment(
  app: TestApp,
  accountId: string,
  opts: { amountCents?: number; status?: "succeeded" | "failed"; chargedAt?: Date; planCode?: string; kind?: string } = {},
): Promise<string> {
  const id = uuidv7();
  const chargedAt = opts.chargedAt ?? new Date("2026-11-29T09:30:00Z");
  await app.db.insert(payments).values({
    id,
    accountId,
    provider: "sandbox",
    providerChargeId: `ch_test_${++chargeCounter}_${id.slice(-6)}`,
    amountCents: opts.amountCents ?? 1900,
    currency: "EUR",
    status: opts.status ?? "succeeded",
    kind: opts.kind ?? "subscription",
    planCode: opts.planCode ?? "team",
    periodStart: chargedAt,
    periodEnd: new Date(chargedAt.getTime() + 30 * 86_400_000),
    cardLast4: "4242",
    chargedAt,
  });
  return id;
}

const callerOf = (app: TestApp, actor: Actor) => app.caller({ sessionId: actor.sessionId });

before(async () => {
  sink = await startSmtpSink();
  infakt = await startFakeInfakt();
  [local, infaktApp] = await Promise.all([
    startTestApp({ env: { SMTP_URL: sink.url } }),
    startTestApp({ env: { ACCOUNTING_PROVIDER: "infakt", INFAKT_API_KEY: API_KEY, INFAKT_API_URL: infakt.url } }),
  ]);
  owner = await accountOwner(local, "Olga Owner");
  actors = {
    owner,
    admin: await accountMember(local, owner.accountId, "admin"),
    editor: await accountMember(local, owner.accountId, "editor"),
    viewer: await accountMember(local, owner.accountId, "viewer"),
    outsider: await accountOwner(local, "Outsider"),
  };
  await (await callerOf(local, owner)).invoice.saveData(validData);
  const invoice = await issueInvoiceForPayment(local.deps, await insertPayment(local, owner.accountId));
  ownerInvoiceId = invoice!.id;
});

after(async () => {
  await Promise.all([local?.stop(), infaktApp?.stop()]);
  await Promise.all([sink?.close(), infakt?.close()]);
});

// ---------------------------------------------------------------- invoice data

describe("invoice data", () => {
  it("saves a company's data, with the VAT ID normalised (prefix added, separators removed)", async () => {
    const data = await (await callerOf(local, owner)).invoice.data();
    assert.equal(data.canEdit, true);
    assert.equal(data.data?.companyName, "Przykładowa Spółka z o.o.");
    assert.equal(data.data?.vatId, "PL5260250995");
    assert.equal(data.data?.addressLine2, "lok. 3");
  });

  it("refuses a missing name, a missing address, an unknown country, and VAT IDs of the wrong format or country, per field", async () => {
    const other = await accountOwner(local, "Validator");
    const c = await callerOf(local, other);
    const fieldOf = async (input: Record<string, unknown>) => {
      try {
        await c.invoice.saveData(input as never);
        return "saved";
      } catch (error) {
        const issues = (error as { cause?: { issues?: { path: PropertyKey[]; message: string }[] } }).cause?.issues ?? [];
        return issues.map((i) => `${String(i.path[0])}: ${i.message}`).join(" | ");
      }
    };
    assert.match(await fieldOf({ ...validData, companyName: "  " }), /^companyName: Enter the company name\./);
    assert.match(await fieldOf({ ...validData, kind: "person", companyName: "", firstName: "Jan", lastName: "" }), /^lastName: Enter the last name\./);
    assert.match(await fieldOf({ ...validData, addressLine1: "" }), /addressLine1: Enter the street address\./);
    assert.match(await fieldOf({ ...validData, country: "XX" }), /country: Choose a country\./);
    assert.match(await fieldOf({ ...validData, kind: "sole trader" }), /kind: Choose company or person\./);
    assert.match(await fieldOf({ ...validData, vatId: "DE136695976" }), /vatId: This VAT ID starts with DE, which does not match the country you chose \(PL for Poland\)/);
    assert.match(await fieldOf({ ...validData, country: "DE", vatId: "DE12345678" }), /vatId: This is not a valid Germany VAT ID/);
    assert.match(await fieldOf({ ...validData, country: "GR", vatId: "GR094259216" }), /Greek VAT IDs start with EL/);
    assert.equal(await fieldOf({ ...validData, country: "GR", vatId: "094259216" }), "saved");
    assert.equal((await c.invoice.data()).data?.vatId, "EL094259216");
    assert.equal(await fieldOf({ ...validData, country: "US", vatId: "12-3456789" }), "saved");
    assert.equal(await fieldOf({ kind: "person", firstName: "Ana", lastName: "Ñúñez", addressLine1: "Calle 1", postalCode: "28001", city: "Madrid", country: "ES" }), "saved");
    const saved = (await c.invoice.data()).data!;
    assert.deepEqual([saved.kind, saved.companyName, saved.firstName, saved.vatId], ["person", null, "Ana", null]);
  });

  it("saving sends the data nowhere: the accounting service gets no request", async () => {
    const o = await accountOwner(infaktApp, "Private Person");
    const before = infakt.requests.length;
    await (await callerOf(infaktApp, o)).invoice.saveData({ ...validData, companyName: "Sekretna Firma" });
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(infakt.requests.length, before, "no request to Infakt at save time");
    assert.ok(!JSON.stringify(infakt.requests).includes("Sekretna Firma"));
  });
});

// ---------------------------------------------------------------- issuing with the local provider

describe("issuing invoices with the local provider", () => {
  it("copies seller and buyer, splits the VAT (PL buyer: 23 % of the gross), numbers it and renders a PDF that says so", async () => {
    const [row] = await local.db.select().from(invoices).where(eq(invoices.id, ownerInvoiceId));
    assert.ok(row);
    assert.equal(row.status, "issued");
    assert.match(row.number, /^TW\/\d{4}\/\d{6}$/);
    assert.deepEqual([row.netCents, row.vatCents, row.grossCents, row.vatRate], [1545, 355, 1900, "23%"]);
    assert.equal((row.buyer as { name: string }).name, "Przykładowa Spółka z o.o.");
    assert.equal((row.seller as { name: string }).name, local.config.accounting.seller.name);
    assert.equal(row.accountingProvider, "local");
    const text = (await pdfText(row.pdf!)).text;
    for (const expected of [row.number, local.config.accounting.seller.name, "ul. Przykładowa 1", "Przykładowa Spółka z o.o.", "ul. Łąkowa 7", "90-001 Łódź", "VAT ID: PL5260250995", "Tablewatch Team plan", "€15.45", "€3.55", "€19.00", "23%", "Paid by card ending 4242 on 2026-11-29"]) {
      assert.ok(text.includes(expected), `the PDF says ${expected}:\n${text}`);
    }
  });

  it("a second call for the same payment does nothing (one invoice, one email)", async () => {
    const paymentId = await insertPayment(local, owner.accountId);
    const first = await issueInvoiceForPayment(local.deps, paymentId);
    const mails = sink.messages.length;
    const again = await issueInvoiceForPayment(local.deps, paymentId);
    assert.equal(again!.id, first!.id);
    assert.equal(again!.number, first!.number);
    assert.equal((await local.db.select().from(invoices).where(eq(invoices.paymentId, paymentId))).length, 1);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(sink.messages.length, mails);
  });

  it("numbers sequentially per year, starting again at 1 in a new year", async () => {
    const o = await accountOwner(local, "Rollover");
    const issue = async (now: string) => (await issueInvoiceForPayment(local.deps, await insertPayment(local, o.accountId), { now: new Date(now) }))!.number;
    assert.equal(await issue("2031-12-31T23:59:00Z"), "TW/2031/000001");
    assert.equal(await issue("2031-12-31T23:59:30Z"), "TW/2031/000002");
    assert.equal(await issue("2032-01-01T00:00:10Z"), "TW/2032/000001");
    assert.equal(await issue("2031-12-31T23:59:59Z"), "TW/2031/000003");
  });

  it(`numbers concurrent invoices without gaps or duplicates (${databaseKind}), and a payment raced twice gets one`, async () => {
    const accountsUsed = await Promise.all([1, 2, 3].map((i) => accountOwner(local, `Parallel ${i}`)));
    const paymentIds = await Promise.all(Array.from({ length: 12 }, (_, i) => insertPayment(local, accountsUsed[i % 3]!.accountId)));
    const now = new Date("2033-06-01T12:00:00Z");
    // Each payment twice, all at once.
    const results = await Promise.all([...paymentIds, ...paymentIds].map((id) => issueInvoiceForPayment(local.deps, id, { now })));
    const rows = await local.db.select().from(invoices).where(eq(invoices.year, 2033));
    assert.equal(rows.length, 12, "one invoice per payment");
    assert.deepEqual(rows.map((r) => r.sequence).sort((a, b) => a - b), Array.from({ length: 12 }, (_, i) => i + 1), "1..12, no gap");
    assert.equal(new Set(rows.map((r) => r.number)).size, 12);
    for (const id of paymentIds) {
      const mine = results.filter((r) => r?.paymentId === id);
      assert.equal(new Set(mine.map((r) => r!.id)).size, 1, "both calls answer the same invoice");
    }
  });

  it("invoices no failed payment and no zero charge", async () => {
    assert.equal(await issueInvoiceForPayment(local.deps, await insertPayment(local, owner.accountId, { status: "failed" })), null);
    assert.equal(await issueInvoiceForPayment(local.deps, await insertPayment(local, owner.accountId, { amountCents: 0 })), null);
    await assert.rejects(() => issueInvoiceForPayment(local.deps, uuidv7()), /No such payment/);
  });

  it("a successful payment left without an invoice (the process stopped in between) is invoiced by the billing job's retry", async () => {
    const paymentId = await insertPayment(local, owner.accountId);
    const soon = new Date(Date.now() + 60_000);
    await retryPendingInvoices(local.deps, { now: soon });
    assert.equal((await local.db.select().from(invoices).where(eq(invoices.paymentId, paymentId))).length, 0, "not while the payment is fresh");
    await retryPendingInvoices(local.deps, { now: new Date(Date.now() + 5 * 60_000) });
    const [row] = await local.db.select().from(invoices).where(eq(invoices.paymentId, paymentId));
    assert.equal(row?.status, "issued");
  });

  it("without invoice data: addressed to the account's name, taxed at home, and says so", async () => {
    const o = await accountOwner(local, "No Data Owner");
    const row = (await issueInvoiceForPayment(local.deps, await insertPayment(local, o.accountId)))!;
    assert.equal(row.status, "issued");
    assert.equal(row.vatRate, "23%");
    const buyer = row.buyer as { name: string; missingInvoiceData?: boolean };
    assert.equal(buyer.missingInvoiceData, true);
    assert.match((await pdfText(row.pdf!)).text, /No invoice data had been entered/);
  });

  it("an EU business abroad gets a reverse-charge invoice; a buyer outside the EU one not subject to VAT", async () => {
    const de = await accountOwner(local, "Berlin GmbH");
    await (await callerOf(local, de)).invoice.saveData({ ...validData, companyName: "Beispiel GmbH", city: "Berlin", postalCode: "10115", country: "DE", vatId: "DE136695976" });
    const r = (await issueInvoiceForPayment(local.deps, await insertPayment(local, de.accountId, { amountCents: 7900, planCode: "business" })))!;
    assert.deepEqual([r.netCents, r.vatCents, r.grossCents, r.vatRate], [7900, 0, 7900, "0% (reverse charge)"]);
    assert.match((await pdfText(r.pdf!)).text, /Reverse charge/);
    const us = await accountOwner(local, "US Inc");
    await (await callerOf(local, us)).invoice.saveData({ ...validData, companyName: "Example Inc", city: "Austin", postalCode: "73301", country: "US", vatId: "" });
    const u = (await issueInvoiceForPayment(local.deps, await insertPayment(local, us.accountId)))!;
    assert.deepEqual([u.netCents, u.vatCents, u.vatRate], [1900, 0, "0% (not subject to VAT in Poland)"]);
  });

  it("emails the owners once over SMTP, with the PDF attached", async () => {
    const message = await waitFor(() => sink.messages.find((m) => m.raw.includes("application/pdf")), 5000, "the invoice email");
    const [row] = await local.db.select().from(invoices).where(eq(invoices.id, ownerInvoiceId));
    const filename = row!.number.replace(/\//g, "-") + ".pdf";
    const mine = sink.messages.filter((m) => m.raw.includes(`filename=${filename}`) || m.raw.includes(`filename="${filename}"`));
    assert.equal(mine.length, 1, `one email with ${filename}`);
    const raw = mine[0]!.raw;
    assert.match(headerOf(raw, "Subject") ?? "", /invoice/i);
    assert.ok(row!.emailedAt, "emailed_at is set");
    // The attachment part: application/pdf, base64, the invoice's own PDF.
    const boundary = /boundary="?([^";\r\n]+)"?/i.exec(raw.split(/\r?\n\r?\n/)[0]!.replace(/\r?\n[ \t]+/g, " "))![1]!;
    const part = raw.split(`--${boundary}`).find((p) => /content-type:\s*application\/pdf/i.test(p));
    assert.ok(part, "an application/pdf part");
    assert.match(part, /content-disposition:\s*attachment/i);
    const bytes = Buffer.from(part.split(/\r?\n\r?\n/).slice(1).join("\n").replace(/\s+/g, ""), "base64");
    assert.equal(bytes.subarray(0, 5).toString(), "%PDF-");
    assert.ok((await pdfText(bytes)).text.includes(row!.number));
    assert.ok(message);
    // The text part names the number and the amount.
    const alternative = raw.split(`--${boundary}`).find((p) => /multipart\/alternative/i.test(p));
    const body = alternative ? mimeParts(alternative.replace(/^\r?\n/, "")).parts["text/plain"] ?? "" : raw;
    assert.match(body, new RegExp(row!.number.replace(/\//g, "\\/")));
  });
});

// ---------------------------------------------------------------- the Infakt adapter

describe("the Infakt adapter against a fake Infakt", () => {
  let buyer: Actor;
  before(async () => {
    buyer = await accountOwner(infaktApp, "Infakt Buyer");
    await (await callerOf(infaktApp, buyer)).invoice.saveData({ ...validData, companyName: "Beispiel GmbH", addressLine1: "Hauptstraße 5", city: "München", postalCode: "80331", country: "DE", vatId: "DE136695976" });
  });

  it("creates the invoice once, with the auth header and the buyer's data, polls the task, and stores Infakt's id and number", async () => {
    infakt.pendingPolls = 1;
    const start = infakt.requests.length;
    const paymentId = await insertPayment(infaktApp, buyer.accountId, { amountCents: 7900, planCode: "business" });
    const row = (await issueInvoiceForPayment(infaktApp.deps, paymentId))!;
    infakt.pendingPolls = 0;
    assert.equal(row.status, "issued", row.lastError ?? "");
    assert.equal(row.accountingProvider, "infakt");
    assert.equal(row.pdf, null, "Infakt keeps the PDF");
    const calls = infakt.requests.slice(start);
    assert.ok(calls.every((c) => c.headers["x-infakt-apikey"] === API_KEY), "every request carries X-inFakt-ApiKey");
    const creates = calls.filter((c) => c.method === "POST");
    assert.equal(creates.length, 1);
    assert.equal(creates[0]!.path, "/api/v3/async/invoices.json");
    assert.match(String(creates[0]!.headers["content-type"]), /application\/json/);
    const body = (creates[0]!.body as { invoice: Record<string, unknown> }).invoice;
    assert.equal(body.number, row.number);
    assert.equal(body.kind, "vat");
    assert.equal(body.payment_method, "card");
    assert.equal(body.currency, "EUR");
    assert.equal(body.sale_date, "2026-11-29");
    assert.equal(body.client_company_name, "Beispiel GmbH");
    assert.equal(body.client_street, "Hauptstraße 5, lok. 3");
    assert.equal(body.client_city, "München");
    assert.equal(body.client_post_code, "80331");
    assert.equal(body.client_country, "DE");
    assert.equal(body.client_tax_code, "DE136695976");
    assert.equal(body.paid_price, 7900);
    assert.deepEqual(body.services, [{ name: body.services && (body.services as { name: string }[])[0]!.name, quantity: 1, unit: "usł.", tax_symbol: "np", gross_price: 7900 }]);
    assert.match(String(body.notes), /Reverse charge/);
    assert.equal(calls.filter((c) => c.path.startsWith("/api/v3/async/invoices/status/")).length, 2, "polled until created");
    const uuid = [...infakt.invoices.values()].find((i) => i.number === row.number)!.uuid;
    assert.equal(row.providerInvoiceId, uuid);

    const before2 = infakt.requests.length;
    await issueInvoiceForPayment(infaktApp.deps, paymentId);
    assert.equal(infakt.requests.length, before2, "a second call sends nothing");
  });

  it("a failed issue is kept with a safe error and retried: one invoice at Infakt in the end", async () => {
    infakt.failNextCreates = 1;
    const paymentId = await insertPayment(infaktApp, buyer.accountId);
    const failed = (await issueInvoiceForPayment(infaktApp.deps, paymentId))!;
    assert.equal(failed.status, "failed");
    assert.match(failed.lastError ?? "", /Infakt POST \/async\/invoices\.json answered 503/);
    assert.ok(!(failed.lastError ?? "").includes(API_KEY), "no API key in the error");
    assert.equal(failed.emailedAt, null);
    const result = await retryPendingInvoices(infaktApp.deps);
    assert.ok(result.issued >= 1);
    const [row] = await infaktApp.db.select().from(invoices).where(eq(invoices.paymentId, paymentId));
    assert.equal(row!.status, "issued");
    assert.equal(row!.lastError, null);
    assert.ok(row!.emailedAt);
    assert.equal([...infakt.invoices.values()].filter((i) => i.number === row!.number).length, 1);
    // Nothing left to do.
    assert.deepEqual(await retryPendingInvoices(infaktApp.deps), { issued: 0, failed: 0, emailed: 0 });
  });

  it("a retry after Infakt created the invoice but we never heard back reuses it (looked up by number)", async () => {
    const paymentId = await insertPayment(infaktApp, buyer.accountId);
    const row = (await issueInvoiceForPayment(infaktApp.deps, paymentId))!;
    // As if the answer had been lost: back to failed, then retried.
    await infaktApp.db.update(invoices).set({ status: "failed", lastError: "timed out" }).where(eq(invoices.id, row.id));
    const creates = infakt.requests.filter((r) => r.method === "POST").length;
    await retryPendingInvoices(infaktApp.deps);
    assert.equal(infakt.requests.filter((r) => r.method === "POST").length, creates, "no second creation");
    const [again] = await infaktApp.db.select().from(invoices).where(eq(invoices.id, row.id));
    assert.equal(again!.status, "issued");
    assert.equal(again!.providerInvoiceId, row.providerInvoiceId);
  });

  it("the email is caught with its PDF (fetched from Infakt), listed and downloadable at /dev/mail", async () => {
    const [row] = await infaktApp.db.select().from(invoices).where(eq(invoices.accountId, buyer.accountId)).limit(1);
    const filename = row!.number.replace(/\//g, "-") + ".pdf";
    const mail = await infaktApp.waitForMail((m) => m.subject.includes(row!.number));
    const listed = (mail as unknown as { attachments: { filename: string; contentType: string; size: number }[] }).attachments;
    assert.deepEqual(listed.map((a) => [a.filename, a.contentType]), [[filename, "application/pdf"]]);
    assert.ok(!JSON.stringify(mail).includes("contentBase64"), "messages.json lists attachments without their bytes");
    const page = await infaktApp.request(`/dev/mail/${mail.id}`);
    assert.match(await page.text(), new RegExp(`/dev/mail/${mail.id}/attachments/0`));
    const download = await infaktApp.request(`/dev/mail/${mail.id}/attachments/0`);
    assert.equal(download.status, 200);
    assert.equal(download.headers.get("content-type"), "application/pdf");
    assert.match((await pdfText(Buffer.from(await download.arrayBuffer()))).text, /Rendered by the fake Infakt/);
  });

  it("downloads Infakt's PDF through the invoices route, from Infakt (document_type=original)", async () => {
    const [row] = await infaktApp.db.select().from(invoices).where(eq(invoices.accountId, buyer.accountId)).limit(1);
    const start = infakt.requests.length;
    const res = await infaktApp.request(`/settings/billing/invoices/${row!.id}.pdf`, { cookie: buyer.cookie });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "application/pdf");
    const pdfCall = infakt.requests.slice(start).find((r) => r.path === `/api/v3/invoices/${row!.providerInvoiceId}/pdf.json`);
    assert.ok(pdfCall);
    assert.equal(pdfCall.query.get("document_type"), "original");
    assert.match((await pdfText(Buffer.from(await res.arrayBuffer()))).text, new RegExp(row!.number.replace(/\//g, "\\/")));
  });
});

// ---------------------------------------------------------------- the list, the download and who may do what

describe("the invoices list, the PDF download and the roles", () => {
  it("lists the account's invoices only, newest first, with plan, period and amounts", async () => {
    const { invoices: list, canDownload } = await (await callerOf(local, owner)).invoice.list();
    assert.equal(canDownload, true);
    assert.ok(list.length >= 2);
    const first = list.find((i) => i.id === ownerInvoiceId)!;
    assert.deepEqual([first.planName, first.netCents, first.vatCents, first.grossCents, first.status, first.emailed], ["Team", 1545, 355, 1900, "issued", true]);
    const outsiderList = await (await callerOf(local, actors.outsider)).invoice.list();
    assert.ok(!outsiderList.invoices.some((i) => i.id === ownerInvoiceId));
  });

  it("downloads the PDF as an attachment named after the number, for owners; 403 for other members, 404 for outsiders and unknown ids", async () => {
    const [row] = await local.db.select().from(invoices).where(eq(invoices.id, ownerInvoiceId));
    const res = await local.request(`/settings/billing/invoices/${ownerInvoiceId}.pdf`, { cookie: owner.cookie });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "application/pdf");
    assert.equal(res.headers.get("content-disposition"), `attachment; filename="${row!.number.replace(/\//g, "-")}.pdf"`);
    assert.ok((await pdfText(Buffer.from(await res.arrayBuffer()))).text.includes(row!.number));
    for (const who of ["admin", "editor", "viewer"] as const) {
      const r = await local.request(`/settings/billing/invoices/${ownerInvoiceId}.pdf`, { cookie: actors[who].cookie });
      assert.equal(r.status, 403, who);
      await r.arrayBuffer();
    }
    const outsider = await local.request(`/settings/billing/invoices/${ownerInvoiceId}.pdf`, { cookie: actors.outsider.cookie });
    assert.equal(outsider.status, 404);
    await outsider.arrayBuffer();
    for (const path of [`/settings/billing/invoices/${uuidv7()}.pdf`, `/settings/billing/invoices/not-an-id.pdf`, `/settings/billing/invoices/${ownerInvoiceId}.txt`]) {
      const r = await local.request(path, { cookie: owner.cookie });
      assert.equal(r.status, 404, path);
      await r.arrayBuffer();
    }
    const anonymous = await local.request(`/settings/billing/invoices/${ownerInvoiceId}.pdf`);
    assert.equal(anonymous.status, 302);
    assert.match(anonymous.headers.get("location") ?? "", /\/login/);
  });

  it("the pages: the invoice data form (with its privacy note and per-field errors), read-only for members, and the invoices list", async () => {
    const page = await local.request("/settings/billing/invoice-data", { cookie: owner.cookie });
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.match(html, /sent to our accounting service only when an invoice is generated/);
    assert.match(html, /name="vatId"[^>]*value="PL5260250995"/);
    const bad = await local.postForm("/settings/billing/invoice-data", { ...validData, vatId: "DE136695976" }, { cookie: owner.cookie });
    assert.equal(bad.status, 400);
    assert.match(await bad.text(), /This VAT ID starts with DE, which does not match the country you chose/);
    const viewer = await local.request("/settings/billing/invoice-data", { cookie: actors.viewer.cookie });
    const viewerHtml = await viewer.text();
    assert.match(viewerHtml, /Read-only: only owners can change them/);
    assert.doesNotMatch(viewerHtml, /name="companyName"/);
    const denied = await local.postForm("/settings/billing/invoice-data", validData, { cookie: actors.admin.cookie });
    assert.equal(denied.status, 403);
    await denied.arrayBuffer();
    const [row] = await local.db.select().from(invoices).where(eq(invoices.id, ownerInvoiceId));
    const list = await (await local.request("/settings/billing/invoices", { cookie: owner.cookie })).text();
    assert.ok(list.includes(row!.number));
    assert.ok(list.includes(`/settings/billing/invoices/${ownerInvoiceId}.pdf`));
    const empty = await (await local.request("/settings/billing/invoices", { cookie: actors.outsider.cookie })).text();
    assert.match(empty, /No invoices yet/);
  });

  const matrix: Record<string, { min: Role; outsider: string; call: (c: Caller) => Promise<unknown> }> = {
    "invoice.data": { min: "viewer", outsider: "OK", call: (c) => c.invoice.data() },
    "invoice.list": { min: "viewer", outsider: "OK", call: (c) => c.invoice.list() },
    "invoice.saveData": { min: "owner", outsider: "OK", call: (c) => c.invoice.saveData(validData) },
    "invoice.pdf": { min: "owner", outsider: "NOT_FOUND", call: (c) => c.invoice.pdf({ id: ownerInvoiceId }) },
  };

  it("covers every invoice.* procedure", () => {
    const procedures = Object.keys(appRouter._def.procedures).filter((p) => p.startsWith("invoice."));
    assert.deepEqual(procedures.sort(), Object.keys(matrix).sort());
  });

  it("owners do everything; admins, editors and viewers read but neither edit nor download; the outsider reaches only its own account", async () => {
    const order: Role[] = ["viewer", "editor", "admin", "owner"];
    const failures: string[] = [];
    for (const [name, entry] of Object.entries(matrix)) {
      for (const who of ["owner", "admin", "editor", "viewer", "outsider"] as const) {
        const expected = who === "outsider" ? entry.outsider : order.indexOf(who) >= order.indexOf(entry.min) ? "OK" : "FORBIDDEN";
        const outcome = await trpcOutcome(async () => entry.call(await callerOf(local, actors[who])));
        if (outcome.code !== expected) failures.push(`${name} as ${who}: expected ${expected}, got ${outcome.code} ${outcome.message}`);
      }
    }
    assert.deepEqual(failures, []);
    // Members read the account's data, read-only; the outsider's save went to its own account.
    const viewer = await (await callerOf(local, actors.viewer)).invoice.data();
    assert.deepEqual([viewer.canEdit, viewer.data?.companyName], [false, "Przykładowa Spółka z o.o."]);
    const [outsiderRow] = await local.db.select().from(invoiceData).where(eq(invoiceData.accountId, actors.outsider.accountId));
    assert.ok(outsiderRow, "the outsider saved its own account's data");
  });

  it("over HTTP: anonymous calls are refused, bad ids are a 400, not a 500", async () => {
    const anon = await local.trpc("query", "invoice.list");
    assert.equal(anon.status, 401);
    const bad = await local.trpc("query", "invoice.pdf", { id: "nope" }, owner.cookie);
    assert.equal(bad.status, 400);
    const save = await local.trpc("mutation", "invoice.saveData", { kind: "company" }, owner.cookie);
    assert.equal(save.status, 400);
  });
});
