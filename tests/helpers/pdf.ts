/**
 * Reads a PDF's text with Mozilla's PDF.js (pdfjs-dist, legacy build for Node), for tests that
 * check what an invoice PDF says (tests/integration/invoices.test.ts, the billing e2e).
 */
import { getDocument } from "pdfjs-dist/legacy/build/pdf.mjs";

export type PdfText = { pages: number; text: string; title: string | null };

/** The text of every page (items joined by spaces, pages by newlines), and the document's title. */
export async function pdfText(bytes: Uint8Array | Buffer): Promise<PdfText> {
  const data = new Uint8Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const doc = await getDocument({ data, useSystemFonts: false, isEvalSupported: false, verbosity: 0 }).promise;
  try {
    const pages: string[] = [];
    for (let i = 1; i <= doc.numPages; i++) {
      const page = await doc.getPage(i);
      const content = await page.getTextContent();
      pages.push(
        content.items
          .map((item) => ("str" in item ? item.str + (item.hasEOL ? "\n" : " ") : ""))
          .join("")
          .replace(/[ \t]+/g, " "),
      );
    }
    const meta = await doc.getMetadata();
    const title = (meta.info as { Title?: string } | undefined)?.Title ?? null;
    return { pages: doc.numPages, text: pages.join("\n"), title };
  } finally {
    await doc.destroy();
  }
}
