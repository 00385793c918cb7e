/**
 * The Infakt adapter (inFakt API v3; ADR 23 records the shapes relied on):
 * - every request carries `X-inFakt-ApiKey: <key>`; JSON bodies with `Content-Type: application/json`;
 * - an invoice is created through the asynchronous task API: `POST {api}/async/invoices.json`
 *   with `{"invoice": {...}}` answers `{invoice_task_reference_number, processing_code: 100}`,
 *   then `GET {api}/async/invoices/status/{ref}.json` answers processing_code 100/120/140 while
 *   pending, 201 with `invoice_uuid` when created, 4xx (422) with `invoice_errors` when refused;
 * - `GET {api}/invoices/{uuid}.json` gives the invoice (its `number`);
 * - `GET {api}/invoices/{uuid}/pdf.json?document_type=original&locale=en` answers the PDF bytes.
 * Amounts are integers in the currency's minor unit ("grosze"). We send OUR number as the
 * invoice's `number` (with `check_duplicate_number`), so that a retry after a timeout first looks
 * the number up (`GET {api}/invoices.json?q[number_eq]=…`) instead of issuing the invoice twice.
 * Errors never carry the API key or the buyer's data, only the status and Infakt's message.
 */
import type { AccountingProvider, InvoiceDraft, IssuedInvoice } from "./types";
import { isoDate } from "./local";

export type InfaktOptions = {
  apiKey: string;
  /** e.g. https://api.infakt.pl/api/v3 (no trailing slash). */
  apiUrl: string;
  /** Per request (default 15 s). */
  timeoutMs?: number;
  /** Between status polls (default 1 s), and how long to wait for the task in all (default 30 s). */
  pollIntervalMs?: number;
  pollTimeoutMs?: number;
};

export class InfaktError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = "InfaktError";
  }
}

/** The VAT rate as Infakt's `tax_symbol`: "23" for 23 %, "np" (not subject: reverse charge or outside the EU) for 0 %. */
export function infaktTaxSymbol(vatRate: string, vatCents: number): string {
  if (vatCents === 0 && !/^[1-9]/.test(vatRate)) return "np";
  const m = /^(\d+(?:[.,]\d+)?)%/.exec(vatRate);
  if (!m) throw new InfaktError(`Unsupported VAT rate for Infakt: ${vatRate}`);
  return m[1]!.replace(",", ".").replace(/\.0+$/, "");
}

/** Our draft as Infakt's invoice object. The buyer's data goes in the client_* fields. */
export function infaktInvoiceBody(draft: InvoiceDraft): Record<string, unknown> {
  const b = draft.buyer;
  const isPerson = b.kind === "person";
  return {
    kind: "vat",
    number: draft.number,
    check_duplicate_number: true,
    currency: draft.currency,
    invoice_date: isoDate(draft.issuedAt),
    sale_date: isoDate(draft.saleDate),
    payment_method: "card",
    paid_date: isoDate(draft.saleDate),
    paid_price: draft.grossCents,
    notes: draft.notes,
    sale_type: "service",
    ...(isPerson
      ? { client_first_name: b.firstName ?? b.name, client_last_name: b.lastName ?? "", client_business_activity_kind: "private_person" }
      : { client_company_name: b.name, client_business_activity_kind: "other_business" }),
    client_street: [b.addressLine1, b.addressLine2].filter(Boolean).join(", "),
    client_post_code: b.postalCode,
    client_city: b.city,
    client_country: b.country,
    // A Polish NIP is sent as its 10 digits; other VAT IDs keep their country prefix.
    ...(b.vatId ? { client_tax_code: b.country === "PL" ? b.vatId.replace(/^PL/i, "") : b.vatId } : {}),
    // From gross: Infakt computes the net from `gross_price` (the amount the card was charged).
    services: draft.lines.map((line) => ({
      name: line.description,
      quantity: line.quantity,
      unit: "usł.",
      tax_symbol: infaktTaxSymbol(line.vatRate, line.vatCents),
      gross_price: line.grossCents,
    })),
  };
}

type TaskStatus = { processing_code?: number; processing_description?: string; invoice_uuid?: string; invoice_errors?: unknown };

export function createInfaktAccounting(opts: InfaktOptions): AccountingProvider {
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const pollIntervalMs = opts.pollIntervalMs ?? 1000;
  const pollTimeoutMs = opts.pollTimeoutMs ?? 30_000;
  const base = opts.apiUrl.replace(/\/+$/, "");

  async function call(method: "GET" | "POST", path: string, body?: unknown): Promise<Response> {
    let res: Response;
    try {
      res = await fetch(`${base}${path}`, {
        method,
        headers: {
          "X-inFakt-ApiKey": opts.apiKey,
          Accept: "application/json",
          ...(body === undefined ? {} : { "Content-Type": "application/json" }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
        redirect: "error",
      });
    } catch (error) {
      const reason = error instanceof Error && error.name === "TimeoutError" ? `timed out after ${timeoutMs} ms` : "could not connect";
      throw new InfaktError(`Infakt ${method} ${path.split("?")[0]}: ${reason}`);
    }
    if (!res.ok) {
      const text = (await res.text().catch(() => "")).slice(0, 300).replace(/\s+/g, " ");
      throw new InfaktError(`Infakt ${method} ${path.split("?")[0]} answered ${res.status}${text ? `: ${text}` : ""}`, res.status);
    }
    return res;
  }
  const json = async <T>(method: "GET" | "POST", path: string, body?: unknown) => (await (await call(method, path, body)).json()) as T;

  async function findByNumber(number: string): Promise<string | null> {
    const list = await json<{ entities?: { uuid?: string; number?: string }[] }>("GET", `/invoices.json?q[number_eq]=${encodeURIComponent(number)}`);
    const found = list.entities?.find((e) => e.number === number && e.uuid);
    return found?.uuid ?? null;
  }

  async function awaitTask(reference: string): Promise<string> {
    const deadline = Date.now() + pollTimeoutMs;
    for (;;) {
      const status = await json<TaskStatus>("GET", `/async/invoices/status/${encodeURIComponent(reference)}.json`);
      const code = Number(status.processing_code ?? 0);
      if (code === 201 && status.invoice_uuid) return status.invoice_uuid;
      if (code >= 400) {
        const details = status.invoice_errors ? ` ${JSON.stringify(status.invoice_errors).slice(0, 300)}` : "";
        throw new InfaktError(`Infakt refused the invoice (${code} ${status.processing_description ?? ""}).${details}`.trim(), code);
      }
      if (Date.now() > deadline) throw new InfaktError(`Infakt did not create the invoice within ${pollTimeoutMs} ms (task ${reference}, code ${code}).`);
      await new Promise((resolve) => setTimeout(resolve, pollIntervalMs));
    }
  }

  return {
    name: "infakt",
    async issueInvoice(draft: InvoiceDraft): Promise<IssuedInvoice> {
      // A retry after a timeout: the invoice may exist already under our number.
      let uuid = await findByNumber(draft.number);
      if (!uuid) {
        const task = await json<{ invoice_task_reference_number?: string }>("POST", "/async/invoices.json", { invoice: infaktInvoiceBody(draft) });
        if (!task.invoice_task_reference_number) throw new InfaktError("Infakt answered without a task reference number.");
        uuid = await awaitTask(task.invoice_task_reference_number);
      }
      const invoice = await json<{ uuid?: string; number?: string }>("GET", `/invoices/${encodeURIComponent(uuid)}.json`);
      return { number: invoice.number || draft.number, providerInvoiceId: uuid, pdf: null };
    },
    async fetchPdf(providerInvoiceId: string): Promise<Buffer> {
      const res = await call("GET", `/invoices/${encodeURIComponent(providerInvoiceId)}/pdf.json?document_type=original&locale=en`);
      const bytes = Buffer.from(await res.arrayBuffer());
      if (bytes.subarray(0, 5).toString("latin1") !== "%PDF-") throw new InfaktError("Infakt's answer for the PDF is not a PDF.");
      return bytes;
    },
  };
}
