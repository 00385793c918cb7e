/**
 * The local accounting provider (ADR 23): keeps our own number (sequential per year, from
 * invoice_counters) and renders the invoice PDF itself with pdfkit. Text is set in DejaVu Sans
 * (TrueType, from the dejavu-fonts-ttf package), embedded as a subset, because the 14 standard
 * PDF fonts cover only WinAnsi: "ł", "ő" or "č" in a Polish, Hungarian or Czech address would
 * not print.
 */
import { createRequire } from "node:module";
import PDFDocument from "pdfkit";
import { countryName } from "../vat";
import type { AccountingProvider, InvoiceDraft, InvoiceParty, IssuedInvoice } from "./types";

const require = createRequire(import.meta.url);
const fonts = {
  regular: require.resolve("dejavu-fonts-ttf/ttf/DejaVuSans.ttf"),
  bold: require.resolve("dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf"),
};

export function createLocalAccounting(): AccountingProvider {
  return {
    name: "local",
    async issueInvoice(draft: InvoiceDraft): Promise<IssuedInvoice> {
      return { number: draft.number, providerInvoiceId: draft.number, pdf: await renderInvoicePdf(draft) };
    },
    async fetchPdf(): Promise<Buffer> {
      // Local PDFs are rendered once, at issue, and kept with the invoice row (invoices.pdf).
      throw new Error("The local accounting provider keeps no PDFs: they are stored with the invoice.");
    },
  };
}

/** "2026-11-29" (UTC). */
export const isoDate = (d: Date) => d.toISOString().slice(0, 10);

/** 1900 EUR cents → "€19.00". */
export function formatMoney(cents: number, currency: string): string {
  try {
    return new Intl.NumberFormat("en-IE", { style: "currency", currency }).format(cents / 100);
  } catch {
    return `${(cents / 100).toFixed(2)} ${currency}`;
  }
}

function partyLines(p: InvoiceParty): string[] {
  return [
    p.addressLine1,
    ...(p.addressLine2 ? [p.addressLine2] : []),
    `${p.postalCode} ${p.city}`.trim(),
    countryName(p.country),
    ...(p.vatId ? [`VAT ID: ${p.vatId}`] : []),
  ].filter(Boolean);
}

const INK = "#1f2933";
const MUTED = "#616e7c";
const LINE = "#d9dee3";
const ACCENT = "#0f766e";

/** The invoice as an A4 PDF: seller and buyer, number, dates, the lines, the totals and the notes. */
export function renderInvoicePdf(draft: InvoiceDraft): Promise<Buffer> {
  const doc = new PDFDocument({
    size: "A4",
    margin: 50,
    info: { Title: `Invoice ${draft.number}`, Author: draft.seller.name, Subject: `Invoice ${draft.number} for ${draft.buyer.name}` },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on("data", (c: Buffer) => chunks.push(c));
    doc.on("end", () => resolve(Buffer.concat(chunks)));
    doc.on("error", reject);
  });
  doc.registerFont("regular", fonts.regular);
  doc.registerFont("bold", fonts.bold);
  const left = 50;
  const right = doc.page.width - 50;
  const width = right - left;
  const money = (c: number) => formatMoney(c, draft.currency);

  // Header: the seller's name as the brand on the left, "Invoice" and its number on the right.
  doc.font("bold").fontSize(16).fillColor(ACCENT).text(draft.seller.name, left, 50, { width: width / 2 });
  doc.font("bold").fontSize(22).fillColor(INK).text("Invoice", left + width / 2, 46, { width: width / 2, align: "right" });
  doc.font("regular").fontSize(11).fillColor(MUTED).text(`No. ${draft.number}`, left + width / 2, 74, { width: width / 2, align: "right" });

  // Dates and payment.
  let y = 112;
  doc.moveTo(left, y).lineTo(right, y).lineWidth(0.8).strokeColor(LINE).stroke();
  y += 12;
  const facts: [string, string][] = [
    ["Issue date", isoDate(draft.issuedAt)],
    ["Date of sale", isoDate(draft.saleDate)],
    ["Payment", "Paid by card"],
    ["Currency", draft.currency],
  ];
  const factWidth = width / facts.length;
  facts.forEach(([label, value], i) => {
    doc.font("regular").fontSize(8).fillColor(MUTED).text(label.toUpperCase(), left + i * factWidth, y, { width: factWidth - 8 });
    doc.font("bold").fontSize(10).fillColor(INK).text(value, left + i * factWidth, y + 12, { width: factWidth - 8 });
  });
  y += 38;
  doc.moveTo(left, y).lineTo(right, y).lineWidth(0.8).strokeColor(LINE).stroke();

  // Seller and buyer.
  y += 16;
  const colWidth = width / 2 - 10;
  const party = (title: string, p: InvoiceParty, x: number) => {
    doc.font("regular").fontSize(8).fillColor(MUTED).text(title.toUpperCase(), x, y, { width: colWidth });
    doc.font("bold").fontSize(11).fillColor(INK).text(p.name, x, y + 13, { width: colWidth });
    doc.font("regular").fontSize(10).fillColor(INK).text(partyLines(p).join("\n"), { width: colWidth, lineGap: 1.5 });
    return doc.y;
  };
  const sellerEnd = party("Seller", draft.seller, left);
  const buyerEnd = party("Buyer", draft.buyer, left + width / 2 + 10);
  y = Math.max(sellerEnd, buyerEnd) + 24;

  // Lines.
  const cols = [
    { title: "#", width: 22, align: "left" as const },
    { title: "Description", width: width - 22 - 34 - 66 - 54 - 60 - 70, align: "left" as const },
    { title: "Qty", width: 34, align: "right" as const },
    { title: "Net", width: 66, align: "right" as const },
    { title: "VAT rate", width: 54, align: "right" as const },
    { title: "VAT", width: 60, align: "right" as const },
    { title: "Gross", width: 70, align: "right" as const },
  ];
  const row = (cells: string[], font: "regular" | "bold", color: string, size = 9.5) => {
    let x = left;
    let bottom = y;
    cells.forEach((cell, i) => {
      const col = cols[i]!;
      doc.font(font).fontSize(size).fillColor(color).text(cell, x + (col.align === "right" ? 0 : 4), y, {
        width: col.width - 4,
        align: col.align,
      });
      bottom = Math.max(bottom, doc.y);
      x += col.width;
    });
    y = bottom;
  };
  doc.rect(left, y - 5, width, 20).fill("#f3f5f7");
  row(cols.map((c) => c.title), "bold", MUTED, 8.5);
  y += 8;
  draft.lines.forEach((line, i) => {
    row(
      [String(i + 1), line.description, String(line.quantity), money(line.netCents), line.vatRate.replace(/ \(.*\)$/, ""), money(line.vatCents), money(line.grossCents)],
      "regular",
      INK,
    );
    y += 8;
    doc.moveTo(left, y).lineTo(right, y).lineWidth(0.5).strokeColor(LINE).stroke();
    y += 8;
  });

  // Totals, right-aligned.
  y += 6;
  const labelX = right - 250;
  const total = (label: string, value: string, bold = false) => {
    doc.font(bold ? "bold" : "regular").fontSize(bold ? 12 : 10).fillColor(bold ? INK : MUTED).text(label, labelX, y, { width: 140 });
    doc.font(bold ? "bold" : "regular").fontSize(bold ? 12 : 10).fillColor(INK).text(value, labelX + 140, y, { width: 110, align: "right" });
    y = doc.y + 6;
  };
  total("Total net", money(draft.netCents));
  total(`VAT ${draft.vatRate}`, money(draft.vatCents));
  doc.moveTo(labelX, y).lineTo(right, y).lineWidth(0.8).strokeColor(INK).stroke();
  y += 6;
  total("Total (gross)", money(draft.grossCents), true);
  doc.font("regular").fontSize(9).fillColor(ACCENT).text(`Paid: ${money(draft.grossCents)}. Amount due: ${money(0)}.`, labelX, y, { width: 250, align: "right" });
  y = doc.y + 24;

  // Notes (VAT treatment, payment).
  if (draft.notes.trim()) {
    doc.font("regular").fontSize(8).fillColor(MUTED).text("NOTES", left, y, { width });
    doc.font("regular").fontSize(9.5).fillColor(INK).text(draft.notes, left, y + 12, { width, lineGap: 2 });
  }

  // Footer.
  const footer = `${draft.seller.name} · ${[draft.seller.addressLine1, `${draft.seller.postalCode} ${draft.seller.city}`, countryName(draft.seller.country)].join(", ")}${draft.seller.vatId ? ` · VAT ID ${draft.seller.vatId}` : ""}`;
  doc.font("regular").fontSize(7.5).fillColor(MUTED).text(footer, left, doc.page.height - 70, { width, align: "center", lineBreak: false });
  doc.end();
  return done;
}
