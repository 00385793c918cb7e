import { z } from "zod";
import { describeAudit } from "../../audit/describe";
import { auditCursor, listAudit, parseAuditCursor } from "../../audit/service";
import { badRequest } from "../../errors";
import { memberProcedure, router } from "../../trpc";

const entry = z.object({
  id: z.string(),
  at: z.date(),
  actor: z.string(),
  action: z.string(),
  target: z.string().nullable(),
  /** What happened, in words, without the actor: "invited ana@example.com as editor". */
  summary: z.string(),
  ip: z.string().nullable(),
});

/** Settings → Activity: the account's audit log, newest first. Admins and owners only. */
export const auditRouter = router({
  list: memberProcedure("admin")
    .input(z.object({ before: z.string().max(100).optional(), limit: z.number().int().min(1).max(100).default(50) }).default({ limit: 50 }))
    .output(z.object({ entries: z.array(entry), next: z.string().nullable() }))
    .query(async ({ ctx, input }) => {
      const before = input.before ? parseAuditCursor(input.before) : undefined;
      if (before === null) throw badRequest("before: not a page of the activity log");
      const rows = await listAudit(ctx.db, { accountId: ctx.account.id, limit: input.limit + 1, before });
      const page = rows.slice(0, input.limit);
      return {
        entries: page.map((e) => ({ id: e.id, at: e.at, actor: e.actor, action: e.action, target: e.target, summary: describeAudit(e), ip: e.ip })),
        next: rows.length > input.limit ? auditCursor(page[page.length - 1]!) : null,
      };
    }),
});
