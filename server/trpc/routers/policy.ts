/**
 * Policies for everyone: the current Privacy Policy and Terms (public pages /privacy and
 * /terms), and the one-time "We updated our …" banner of a logged-in user.
 */
import { z } from "zod";
import { policyDocuments } from "../../../db/schema";
import * as policy from "../../policy/service";
import { publicProcedure, router, userProcedure } from "../../trpc";

/** A logged-in user, whatever their accounts (the banner is the user's, not an account's). */
const documentInput = z.enum(policyDocuments, { message: "Choose privacy or terms" });

export const policyRouter = router({
  /** The newest published version of a document. */
  current: publicProcedure.input(z.object({ document: documentInput })).query(({ ctx, input }) => policy.currentPolicy(ctx.db, input.document)),

  /** The policies changed since the user last saw them (the banner). */
  notices: userProcedure.input(z.void()).query(({ ctx }) => policy.pendingNotices(ctx.db, ctx.user.id)),

  /** The banner is closed (or the policy opened): not shown again until the next version. */
  dismiss: userProcedure
    .input(z.object({ document: documentInput.optional() }))
    .mutation(({ ctx, input }) => policy.markNoticesSeen(ctx.db, ctx.user.id, input.document)),
});
