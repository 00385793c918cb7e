import { z } from "zod";
import * as profileService from "../../profile/service";
import { authedProcedure, router } from "../../trpc";

const sessionId = z.string().regex(/^[0-9a-f]{24}$/, "Unknown session");

/** Settings → Profile → Sessions: the user's own logins (never another user's). */
export const sessionsRouter = router({
  list: authedProcedure
    .input(z.void())
    .output(
      z.array(
        z.object({
          id: z.string(),
          device: z.string(),
          userAgent: z.string().nullable(),
          createdAt: z.date(),
          lastSeenAt: z.date().nullable(),
          current: z.boolean(),
        }),
      ),
    )
    .query(({ ctx }) => profileService.listSessions(ctx.db, { userId: ctx.user.id, currentSessionId: ctx.session.id })),

  end: authedProcedure
    .input(z.object({ id: sessionId }))
    .output(z.void())
    .mutation(({ ctx, input }) => profileService.endSession(ctx.db, { userId: ctx.user.id, currentSessionId: ctx.session.id, id: input.id })),

  endOthers: authedProcedure
    .input(z.void())
    .output(z.object({ endedSessions: z.number() }))
    .mutation(({ ctx }) => profileService.endOtherSessions(ctx.db, { userId: ctx.user.id, currentSessionId: ctx.session.id })),
});
