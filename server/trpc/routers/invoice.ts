import { z } from "zod";
import * as invoice from "../../invoice/service";
import { authedProcedure, memberProcedure, router } from "../../trpc";

/**
 * Settings → Billing → Invoice data and Invoices (ADR 23). Billing is the owners': they edit the
 * invoice data and download the PDFs; other members see both, read-only. Saving the data sends
 * it nowhere: it goes to the accounting service only when an invoice is generated.
 */
const dataView = z.object({
  kind: z.enum(["company", "person"]),
  companyName: z.string().nullable(),
  firstName: z.string().nullable(),
  lastName: z.string().nullable(),
  addressLine1: z.string(),
  addressLine2: z.string().nullable(),
  postalCode: z.string(),
  city: z.string(),
  country: z.string(),
  vatId: z.string().nullable(),
  updatedAt: z.date(),
});

const listItem = z.object({
  id: z.string(),
  number: z.string(),
  issuedAt: z.date(),
  planCode: z.string().nullable(),
  planName: z.string().nullable(),
  periodStart: z.date().nullable(),
  periodEnd: z.date().nullable(),
  currency: z.string(),
  netCents: z.number(),
  vatCents: z.number(),
  grossCents: z.number(),
  vatRate: z.string(),
  status: z.enum(["pending", "issued", "failed"]),
  emailed: z.boolean(),
});

export const invoiceRouter = router({
  /** The account's invoice data (null until saved), and whether the caller may edit it. */
  data: authedProcedure
    .input(z.void())
    .output(z.object({ data: dataView.nullable(), canEdit: z.boolean() }))
    .query(async ({ ctx }) => ({ data: await invoice.getInvoiceData(ctx.db, ctx.account.id), canEdit: ctx.role === "owner" })),

  saveData: memberProcedure("owner")
    .input(invoice.invoiceDataInput)
    .output(dataView)
    .mutation(({ ctx, input }) => invoice.saveInvoiceData(ctx.db, ctx.account.id, input)),

  /** The account's invoices, newest first, and whether the caller may download their PDFs. */
  list: authedProcedure
    .input(z.void())
    .output(z.object({ invoices: z.array(listItem), canDownload: z.boolean() }))
    .query(async ({ ctx }) => ({ invoices: await invoice.listInvoices(ctx.db, ctx.account.id), canDownload: ctx.role === "owner" })),

  /** An invoice's PDF (base64), for the download route /settings/billing/invoices/<id>.pdf. */
  pdf: memberProcedure("owner")
    .input(z.object({ id: z.uuid({ message: "Unknown invoice" }) }))
    .output(z.object({ filename: z.string(), contentBase64: z.string() }))
    .query(async ({ ctx, input }) => {
      const { filename, pdf } = await invoice.invoicePdf(ctx, ctx.account.id, input.id);
      return { filename, contentBase64: pdf.toString("base64") };
    }),
});
