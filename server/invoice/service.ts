/**
 * Invoices (ADR 23): the account's invoice data (Settings → Billing → Invoice data), and one
 * invoice per successful payment — numbered sequentially per year, VAT split from the charged
 * gross, issued through the accounting service (deps.accounting), emailed to the owners with the
 * PDF attached.
 *
 * The buyer's invoice data is stored here and leaves the server only in issueInvoiceForPayment,
 * when an invoice is generated (the Privacy Policy promises that).
 */
import { and, asc, desc, eq, inArray, isNull, lt, or, sql } from "drizzle-orm";
import { z } from "zod";
import { type Db, queryRows } from "../../db/client";
import { accounts, type Invoice, invoiceCounters, invoiceData, invoices, memberships, payments, plans, users } from "../../db/schema";
import type { Config } from "../config";
import type { Deps } from "../deps";
import { conflict, notFound } from "../errors";
import { uuidv7 } from "../tokens";
import type { AccountingProvider, InvoiceDraft, InvoiceParty } from "./accounting/types";
import { isCountryCode } from "./countries";
import { sendInvoiceEmail } from "./mail";
import { checkVatId, splitGross } from "./vat";

// ---------------------------------------------------------------- invoice data

const trimmed = (max: number, message: string) =>
  z
    .string({ message })
    .transform((s) => s.replace(/\s+/g, " ").trim())
    .pipe(z.string().min(1, message).max(max, `At most ${max} characters.`));
const optionalTrimmed = (max: number) =>
  z
    .string()
    .max(max * 2)
    .optional()
    .nullable()
    .transform((s) => (s ?? "").replace(/\s+/g, " ").trim())
    .pipe(z.string().max(max, `At most ${max} characters.`));

/**
 * The invoice data form: a company name, or a first and a last name; the billing address; the
 * country (ISO 3166-1 alpha-2); a VAT ID (optional; EU formats checked for the chosen country).
 */
export const invoiceDataInput = z
  .object({
    kind: z.enum(["company", "person"], { message: "Choose company or person." }),
    companyName: optionalTrimmed(200),
    firstName: optionalTrimmed(100),
    lastName: optionalTrimmed(100),
    addressLine1: trimmed(200, "Enter the street address."),
    addressLine2: optionalTrimmed(200),
    postalCode: trimmed(20, "Enter the postal code."),
    city: trimmed(100, "Enter the city."),
    country: z
      .string({ message: "Choose a country." })
      .transform((s) => s.trim().toUpperCase())
      .refine(isCountryCode, "Choose a country."),
    vatId: optionalTrimmed(40),
  })
  .superRefine((v, ctx) => {
    if (v.kind === "company" && !v.companyName) ctx.addIssue({ code: "custom", path: ["companyName"], message: "Enter the company name." });
    if (v.kind === "person") {
      if (!v.firstName) ctx.addIssue({ code: "custom", path: ["firstName"], message: "Enter the first name." });
      if (!v.lastName) ctx.addIssue({ code: "custom", path: ["lastName"], message: "Enter the last name." });
    }
    if (v.vatId && isCountryCode(v.country)) {
      const check = checkVatId(v.vatId, v.country);
      if (!check.ok) ctx.addIssue({ code: "custom", path: ["vatId"], message: check.message });
    }
  });
export type InvoiceDataInput = z.input<typeof invoiceDataInput>;

export type InvoiceDataView = {
  kind: "company" | "person";
  companyName: string | null;
  firstName: string | null;
  lastName: string | null;
  addressLine1: string;
  addressLine2: string | null;
  postalCode: string;
  city: string;
  country: string;
  vatId: string | null;
  updatedAt: Date;
};

const view = (row: typeof invoiceData.$inferSelect): InvoiceDataView => ({
  kind: row.kind,
  companyName: row.companyName,
  firstName: row.firstName,
  lastName: row.lastName,
  addressLine1: row.addressLine1,
  addressLine2: row.addressLine2,
  postalCode: row.postalCode,
  city: row.city,
  country: row.country,
  vatId: row.vatId,
  updatedAt: row.updatedAt,
});

export async function getInvoiceData(db: Db, accountId: string): Promise<InvoiceDataView | null> {
  const [row] = await db.select().from(invoiceData).where(eq(invoiceData.accountId, accountId));
  return row ? view(row) : null;
}

/** Stores the invoice data (nothing is sent anywhere: it is used when an invoice is generated). */
export async function saveInvoiceData(db: Db, accountId: string, raw: InvoiceDataInput): Promise<InvoiceDataView> {
  const input = invoiceDataInput.parse(raw);
  const vat = input.vatId ? checkVatId(input.vatId, input.country) : null;
  const values = {
    kind: input.kind,
    companyName: input.kind === "company" ? input.companyName : null,
    firstName: input.kind === "person" ? input.firstName : null,
    lastName: input.kind === "person" ? input.lastName : null,
    addressLine1: input.addressLine1,
    addressLine2: input.addressLine2 || null,
    postalCode: input.postalCode,
    city: input.city,
    country: input.country,
    vatId: vat && vat.ok ? vat.vatId : null,
    updatedAt: new Date(),
  };
  const [row] = await db
    .insert(invoiceData)
    .values({ accountId, ...values })
    .onConflictDoUpdate({ target: invoiceData.accountId, set: values })
    .returning();
  return view(row!);
}

// ---------------------------------------------------------------- the invoices list and PDFs

export type InvoiceListItem = {
  id: string;
  number: string;
  issuedAt: Date;
  planCode: string | null;
  planName: string | null;
  periodStart: Date | null;
  periodEnd: Date | null;
  currency: string;
  netCents: number;
  vatCents: number;
  grossCents: number;
  vatRate: string;
  status: Invoice["status"];
  emailed: boolean;
};

export async function listInvoices(db: Db, accountId: string): Promise<InvoiceListItem[]> {
  const rows = await db
    .select({
      id: invoices.id,
      number: invoices.number,
      issuedAt: invoices.issuedAt,
      planCode: invoices.planCode,
      planName: plans.name,
      periodStart: invoices.periodStart,
      periodEnd: invoices.periodEnd,
      currency: invoices.currency,
      netCents: invoices.netCents,
      vatCents: invoices.vatCents,
      grossCents: invoices.grossCents,
      vatRate: invoices.vatRate,
      status: invoices.status,
      emailedAt: invoices.emailedAt,
    })
    .from(invoices)
    .leftJoin(plans, eq(plans.code, invoices.planCode))
    .where(eq(invoices.accountId, accountId))
    .orderBy(desc(invoices.issuedAt), desc(invoices.sequence));
  return rows.map(({ emailedAt, ...r }) => ({ ...r, emailed: emailedAt !== null }));
}

/** "TW/2026/000001" → "TW-2026-000001.pdf". */
export const pdfFilename = (number: string) => `${number.replace(/[^A-Za-z0-9_.-]+/g, "-")}.pdf`;

async function pdfOf(accounting: AccountingProvider, row: Pick<Invoice, "pdf" | "accountingProvider" | "providerInvoiceId">): Promise<Buffer> {
  if (row.pdf) return row.pdf;
  if (row.accountingProvider !== accounting.name || !row.providerInvoiceId) {
    throw conflict(`This invoice's PDF is kept by the accounting service "${row.accountingProvider}", which is not configured now.`);
  }
  return accounting.fetchPdf(row.providerInvoiceId);
}

/** An issued invoice's PDF, for the account's own invoice only (others: not found). */
export async function invoicePdf(deps: Pick<Deps, "db" | "accounting">, accountId: string, invoiceId: string): Promise<{ filename: string; pdf: Buffer }> {
  const [row] = await deps.db
    .select({
      number: invoices.number,
      status: invoices.status,
      pdf: invoices.pdf,
      accountingProvider: invoices.accountingProvider,
      providerInvoiceId: invoices.providerInvoiceId,
    })
    .from(invoices)
    .where(and(eq(invoices.id, invoiceId), eq(invoices.accountId, accountId)));
  if (!row) throw notFound("No such invoice.");
  if (row.status !== "issued") throw conflict("This invoice is still being issued: its PDF is not ready yet. Try again in a few minutes.");
  return { filename: pdfFilename(row.number), pdf: await pdfOf(deps.accounting, row) };
}

// ---------------------------------------------------------------- issuing

type IssueDeps = Pick<Deps, "db" | "accounting" | "mailer"> & { config: Pick<Config, "accounting" | "appUrl"> };

/** The buyer as stored on an invoice (a copy: later changes of the invoice data do not alter it). */
type StoredBuyer = InvoiceParty & { missingInvoiceData?: boolean };

const PREFIX = "TW";
export const formatInvoiceNumber = (year: number, sequence: number) => `${PREFIX}/${year}/${String(sequence).padStart(6, "0")}`;

const day = (d: Date) => d.toISOString().slice(0, 10);

function lineDescription(planName: string | null, kind: string, start: Date | null, end: Date | null): string {
  const plan = planName ? `Tablewatch ${planName} plan` : "Tablewatch subscription";
  const what = kind === "proration" ? `${plan} (upgrade, prorated)` : plan;
  return start && end ? `${what}, ${day(start)} – ${day(end)}` : what;
}

/** What the invoice says, from its row and its payment (recomputed identically on a retry). */
function draftOf(row: Invoice, payment: typeof payments.$inferSelect, planName: string | null): InvoiceDraft {
  const seller = row.seller as InvoiceParty;
  const buyer = row.buyer as StoredBuyer;
  const split = splitGross(row.grossCents, seller, buyer);
  const notes = [
    split.note,
    `Paid by card${payment.cardLast4 ? ` ending ${payment.cardLast4}` : ""} on ${day(payment.chargedAt)}.`,
    buyer.missingInvoiceData ? "No invoice data had been entered for this account: the invoice is addressed to the account's name." : "",
  ].filter(Boolean);
  return {
    number: row.number,
    issuedAt: row.issuedAt,
    saleDate: payment.chargedAt,
    seller,
    buyer,
    currency: row.currency,
    lines: [
      {
        description: lineDescription(planName, payment.kind, row.periodStart, row.periodEnd),
        quantity: 1,
        netCents: row.netCents,
        vatRate: row.vatRate,
        vatCents: row.vatCents,
        grossCents: row.grossCents,
      },
    ],
    netCents: row.netCents,
    vatCents: row.vatCents,
    grossCents: row.grossCents,
    vatRate: row.vatRate,
    notes: notes.join("\n"),
  };
}

async function buyerOf(db: Db, accountId: string, sellerCountry: string): Promise<StoredBuyer> {
  const [data] = await db.select().from(invoiceData).where(eq(invoiceData.accountId, accountId));
  if (data) {
    const name = data.kind === "company" ? data.companyName! : `${data.firstName} ${data.lastName}`;
    return {
      name,
      kind: data.kind,
      firstName: data.firstName,
      lastName: data.lastName,
      addressLine1: data.addressLine1,
      addressLine2: data.addressLine2,
      postalCode: data.postalCode,
      city: data.city,
      country: data.country,
      vatId: data.vatId,
    };
  }
  // No invoice data (Billing refuses paid plans without it, so this is an edge case): the invoice
  // is addressed to the account's name and taxed as a consumer in the seller's country.
  const [account] = await db.select({ name: accounts.name }).from(accounts).where(eq(accounts.id, accountId));
  return {
    name: account?.name ?? "Tablewatch customer",
    kind: "company",
    addressLine1: "",
    postalCode: "",
    city: "",
    country: sellerCountry,
    vatId: null,
    missingInvoiceData: true,
  };
}

class AlreadyInvoiced extends Error {}

/**
 * Creates the invoice row of a successful payment: the buyer's data copied in, the VAT split, the
 * next number of the year taken from invoice_counters in the same transaction (the upsert locks
 * the year's row until commit, so concurrent invoices wait and get consecutive numbers; a
 * transaction that fails rolls its number back: no gaps). Null when the payment has one already.
 */
async function createInvoiceRow(deps: IssueDeps, payment: typeof payments.$inferSelect, now: Date): Promise<Invoice | null> {
  const sellerConfig = deps.config.accounting.seller;
  const seller: InvoiceParty = {
    name: sellerConfig.name,
    kind: "company",
    addressLine1: sellerConfig.addressLine1,
    postalCode: sellerConfig.postalCode,
    city: sellerConfig.city,
    country: sellerConfig.country,
    vatId: sellerConfig.vatId,
  };
  const buyer = await buyerOf(deps.db, payment.accountId, seller.country);
  const split = splitGross(payment.amountCents, seller, buyer);
  const year = now.getUTCFullYear();
  try {
    return await deps.db.transaction(async (tx) => {
      const [next] = await tx
        .insert(invoiceCounters)
        .values({ year, last: 1 })
        .onConflictDoUpdate({ target: invoiceCounters.year, set: { last: sql`invoice_counters.last + 1` } })
        .returning({ last: invoiceCounters.last });
      const sequence = Number(next!.last);
      const [row] = await tx
        .insert(invoices)
        .values({
          id: uuidv7(),
          accountId: payment.accountId,
          paymentId: payment.id,
          number: formatInvoiceNumber(year, sequence),
          year,
          sequence,
          issuedAt: now,
          planCode: payment.planCode,
          periodStart: payment.periodStart,
          periodEnd: payment.periodEnd,
          currency: payment.currency,
          netCents: split.netCents,
          vatCents: split.vatCents,
          grossCents: split.grossCents,
          vatRate: split.rateLabel,
          seller,
          buyer,
          accountingProvider: deps.accounting.name,
          status: "pending",
        })
        .onConflictDoNothing({ target: invoices.paymentId })
        .returning();
      // Another call invoiced this payment first: roll the number back.
      if (!row) throw new AlreadyInvoiced();
      return row;
    });
  } catch (error) {
    if (error instanceof AlreadyInvoiced) return null;
    throw error;
  }
}

/** A provider's error as stored in last_error: its message, one line, without secrets (the adapters put none in). */
const safeError = (error: unknown) => (error instanceof Error ? error.message : String(error)).replace(/\s+/g, " ").slice(0, 500);

async function paymentAndPlan(db: Db, paymentId: string) {
  const [found] = await db
    .select({ payment: payments, planName: plans.name })
    .from(payments)
    .leftJoin(plans, eq(plans.code, payments.planCode))
    .where(eq(payments.id, paymentId));
  return found ?? null;
}

/**
 * Issues a pending or failed invoice at the accounting service — the one place where the buyer's
 * invoice data leaves this server — and stores its number, id and (local) PDF; a failure is kept
 * in last_error with status failed, for retryPendingInvoices.
 */
async function issueAtProvider(deps: IssueDeps, row: Invoice): Promise<Invoice> {
  const found = await paymentAndPlan(deps.db, row.paymentId);
  if (!found) throw notFound("The invoice's payment is gone.");
  const draft = draftOf(row, found.payment, found.planName);
  try {
    if (row.accountingProvider !== deps.accounting.name) {
      throw new Error(`This invoice belongs to the accounting service "${row.accountingProvider}", but "${deps.accounting.name}" is configured.`);
    }
    const issued = await deps.accounting.issueInvoice(draft);
    const [updated] = await deps.db
      .update(invoices)
      .set({ number: issued.number, providerInvoiceId: issued.providerInvoiceId, pdf: issued.pdf, status: "issued", lastError: null })
      .where(eq(invoices.id, row.id))
      .returning();
    return updated!;
  } catch (error) {
    const [updated] = await deps.db
      .update(invoices)
      .set({ status: "failed", lastError: safeError(error) })
      .where(eq(invoices.id, row.id))
      .returning();
    return updated!;
  }
}

/**
 * Emails an issued invoice to the account's owners, PDF attached, once: emailed_at is claimed
 * before sending and released again if the mail could not be sent (the next retry sends it).
 */
async function emailInvoice(deps: IssueDeps, row: Invoice): Promise<Invoice> {
  if (row.status !== "issued" || row.emailedAt) return row;
  const [claimed] = await deps.db
    .update(invoices)
    .set({ emailedAt: new Date() })
    .where(and(eq(invoices.id, row.id), isNull(invoices.emailedAt)))
    .returning();
  if (!claimed) return row;
  try {
    const owners = await deps.db
      .select({ email: users.email, name: users.name })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(and(eq(memberships.accountId, row.accountId), eq(memberships.role, "owner")))
      .orderBy(asc(users.email));
    const [account] = await deps.db.select({ name: accounts.name }).from(accounts).where(eq(accounts.id, row.accountId));
    const found = await paymentAndPlan(deps.db, row.paymentId);
    const pdf = await pdfOf(deps.accounting, claimed);
    for (const owner of owners) {
      await sendInvoiceEmail(deps.mailer, owner.email, {
        name: owner.name,
        accountName: account?.name ?? "",
        number: claimed.number,
        issuedAt: day(claimed.issuedAt),
        description: lineDescription(found?.planName ?? null, found?.payment.kind ?? "subscription", claimed.periodStart, claimed.periodEnd),
        currency: claimed.currency,
        netCents: claimed.netCents,
        vatCents: claimed.vatCents,
        grossCents: claimed.grossCents,
        vatRate: claimed.vatRate,
        invoicesUrl: `${deps.config.appUrl}/settings/billing/invoices`,
        pdf: { filename: pdfFilename(claimed.number), content: pdf },
      });
    }
    return claimed;
  } catch (error) {
    await deps.db.update(invoices).set({ emailedAt: null }).where(eq(invoices.id, row.id));
    console.error(`invoice ${row.number}: the email could not be sent: ${safeError(error)}`);
    return { ...claimed, emailedAt: null };
  }
}

/**
 * Billing calls this after each SUCCESSFUL payment: creates the payment's invoice (once: a
 * second call for the same payment creates nothing), issues it at the accounting service and
 * emails it to the owners. Returns the invoice, or null for a payment that is not invoiced (not
 * succeeded, or nothing charged). Never throws for the accounting service's or the mail's
 * failures: the invoice is then `failed` (or not yet emailed) and retryPendingInvoices goes on.
 */
export async function issueInvoiceForPayment(deps: IssueDeps, paymentId: string, opts: { now?: Date } = {}): Promise<Invoice | null> {
  const found = await paymentAndPlan(deps.db, paymentId);
  if (!found) throw notFound("No such payment.");
  const { payment } = found;
  if (payment.status !== "succeeded" || payment.amountCents <= 0) return null;
  const [existing] = await deps.db.select().from(invoices).where(eq(invoices.paymentId, paymentId));
  if (existing) return existing;
  const row = await createInvoiceRow(deps, payment, opts.now ?? new Date());
  if (!row) {
    const [other] = await deps.db.select().from(invoices).where(eq(invoices.paymentId, paymentId));
    return other ?? null;
  }
  const issued = await issueAtProvider(deps, row);
  return emailInvoice(deps, issued);
}

/**
 * For the billing job (every few minutes): issues again the invoices whose issuing failed, or
 * that stayed pending for over 2 minutes (a process that died mid-way), issues those of
 * successful payments that have no invoice row at all (the process died right after the
 * payment was written), and emails the issued
 * ones not emailed yet. Each failed invoice is claimed (failed → pending) by one caller only.
 */
export async function retryPendingInvoices(deps: IssueDeps, opts: { now?: Date; limit?: number } = {}): Promise<{ issued: number; failed: number; emailed: number }> {
  const now = opts.now ?? new Date();
  const stale = new Date(now.getTime() - 2 * 60_000);
  const candidates = await deps.db
    .select({ id: invoices.id })
    .from(invoices)
    .where(
      or(
        eq(invoices.status, "failed"),
        and(eq(invoices.status, "pending"), lt(invoices.createdAt, stale)),
        and(eq(invoices.status, "issued"), isNull(invoices.emailedAt)),
      ),
    )
    .orderBy(asc(invoices.createdAt))
    .limit(opts.limit ?? 50);
  const result = { issued: 0, failed: 0, emailed: 0 };
  // A successful payment whose invoice row was never written (the process stopped between the
  // payment's commit and issueInvoiceForPayment): issue it now.
  const missing = await queryRows<{ id: string }>(
    deps.db,
    sql`select p.id from payments p
        where p.status = 'succeeded' and p.amount_cents > 0 and p.created_at < ${stale.toISOString()}::timestamptz
          and not exists (select 1 from invoices i where i.payment_id = p.id)
        order by p.created_at limit ${opts.limit ?? 50}`,
  );
  for (const { id } of missing) {
    const issued = await issueInvoiceForPayment(deps, id, { now });
    if (issued?.status === "issued") result.issued++;
    else if (issued) result.failed++;
  }
  for (const { id } of candidates) {
    const [claimed] = await deps.db
      .update(invoices)
      .set({ status: "pending" })
      .where(and(eq(invoices.id, id), or(eq(invoices.status, "failed"), and(eq(invoices.status, "pending"), lt(invoices.createdAt, stale)))))
      .returning();
    let row = claimed;
    if (claimed) {
      row = await issueAtProvider(deps, claimed);
      if (row.status === "issued") result.issued++;
      else result.failed++;
    } else {
      [row] = await deps.db.select().from(invoices).where(and(eq(invoices.id, id), inArray(invoices.status, ["issued"])));
    }
    if (row && row.status === "issued" && !row.emailedAt) {
      const mailed = await emailInvoice(deps, row);
      if (mailed.emailedAt) result.emailed++;
    }
  }
  return result;
}

