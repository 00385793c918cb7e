import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireAccount } from "~/utils/auth.server";
import { loaderCall } from "~/utils/errors.server";

/**
 * /settings/billing/invoices/<id>.pdf: an invoice's PDF as a download, for owners of the
 * session's account (another account's invoice is not found). Infakt's PDFs are fetched from
 * Infakt on each download; the local provider's are stored with the invoice.
 */
export async function loader({ request, context, params }: LoaderFunctionArgs) {
  await requireAccount(context, request);
  const match = /^([0-9a-f-]{36})\.pdf$/i.exec(params.file ?? "");
  if (!match) throw new Response("Not found", { status: 404, headers: { "Content-Type": "text/plain; charset=utf-8" } });
  const { filename, contentBase64 } = await loaderCall(() => context.trpc.invoice.pdf({ id: match[1]!.toLowerCase() }));
  const pdf = Buffer.from(contentBase64, "base64");
  return new Response(pdf, {
    headers: {
      "Content-Type": "application/pdf",
      "Content-Disposition": `attachment; filename="${filename}"`,
      "Content-Length": String(pdf.length),
      "Cache-Control": "private, no-store",
      "X-Content-Type-Options": "nosniff",
    },
  });
}
