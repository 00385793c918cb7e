import { z } from "zod";
import { recordAudit } from "../../audit/service";
import { exportAccount, exportSummary } from "../../account/export";
import { memberProcedure, router } from "../../trpc";

/**
 * Export (Settings → Account): owners and admins only — the archive holds every raw input the
 * account's machines sent, which is more than a viewer or editor needs to take away.
 */
export const accountExportRouter = router({
  /** What the archive will hold, shown before the download. */
  summary: memberProcedure("admin")
    .input(z.void())
    .output(
      z.object({ reports: z.number(), instances: z.number(), inputBytes: z.number(), dashboards: z.number(), tiles: z.number(), alarms: z.number() }),
    )
    .query(({ ctx }) => exportSummary(ctx.db, ctx.account.id)),

  /**
   * The archive as chunks of JSON text (an async iterable: the download route pipes it to the
   * response with backpressure; server/account/export-route.ts). Recorded in the audit log.
   */
  archive: memberProcedure("admin")
    .input(z.void())
    .query(({ ctx }) =>
      (async function* () {
        // Recorded when the download starts (the first chunk is asked for), not before.
        await recordAudit(ctx.db, { accountId: ctx.account.id, actor: { userId: ctx.user.id, label: ctx.user.email, ip: ctx.ip }, action: "account.exported" });
        yield* exportAccount(ctx.db, ctx.account.id);
      })(),
    ),
});
