import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { roles } from "../../../db/schema";
import * as team from "../../team/service";
import { authedProcedure, memberProcedure, publicProcedure, router, userProcedure } from "../../trpc";
import { emailInput, newPasswordInput } from "./auth";
import { notePlanUsage } from "../../plan/mail";

/**
 * Settings → Team (session-authenticated). Every member sees the members; admins and owners
 * invite, re-role and remove (the service adds: only owners touch the owner role, the last owner
 * stays); anyone may leave. The user's accounts and switching between them need only a login,
 * so that a user whose current account went away can still switch. Accepting an invitation is
 * authorised by its link's token.
 */

/** A logged-in user, whatever the session's current account (which may be gone). */
const role = z.enum(roles, { message: "Choose owner, admin, editor or viewer" });
const userId = z.string().min(1).max(100);
const invitationId = z.uuid({ message: "Unknown invitation" });
const token = z.string().max(200);

const member = z.object({ userId: z.string(), name: z.string(), email: z.string(), role: z.enum(roles), joinedAt: z.date() });
const invitation = z.object({
  id: z.string(),
  email: z.string(),
  role: z.enum(roles),
  invitedBy: z.string().nullable(),
  lastSentAt: z.date(),
  expiresAt: z.date(),
  createdAt: z.date(),
  expired: z.boolean(),
});
const userAccount = z.object({ id: z.string(), name: z.string(), role: z.enum(roles) });

const actorOf = (ctx: { user: { id: string; email: string; name: string }; role: (typeof roles)[number]; ip: string }): team.TeamActor => ({
  userId: ctx.user.id,
  label: ctx.user.email,
  name: ctx.user.name,
  ip: ctx.ip,
  role: ctx.role,
});

export const teamRouter = router({
  /** The members, and for admins and owners the pending invitations (others get none). */
  list: authedProcedure
    .input(z.void())
    .output(z.object({ members: z.array(member), invitations: z.array(invitation), canManage: z.boolean() }))
    .query(async ({ ctx }) => {
      const canManage = ctx.role === "owner" || ctx.role === "admin";
      const { members, invitations } = await team.listTeam(ctx.db, ctx.account.id);
      return { members, invitations: canManage ? invitations : [], canManage };
    }),

  invite: memberProcedure("admin")
    .input(z.object({ email: emailInput, role }))
    .output(z.object({ invitation, resent: z.boolean(), emailSent: z.boolean() }))
    .mutation(async ({ ctx, input }) => {
      const result = await team.inviteMember(ctx, { accountId: ctx.account.id, actor: actorOf(ctx), email: input.email, role: input.role, baseUrl: ctx.baseUrl });
      if (!result.resent) notePlanUsage(ctx, ctx.account.id, "members"); // the 80 % / 100 % email, off the request
      return result;
    }),

  resendInvitation: memberProcedure("admin")
    .input(z.object({ id: invitationId }))
    .output(z.object({ email: z.string(), emailSent: z.boolean() }))
    .mutation(({ ctx, input }) => team.resendInvitation(ctx, { accountId: ctx.account.id, id: input.id, actor: actorOf(ctx), baseUrl: ctx.baseUrl })),

  cancelInvitation: memberProcedure("admin")
    .input(z.object({ id: invitationId }))
    .output(z.object({ email: z.string() }))
    .mutation(({ ctx, input }) => team.cancelInvitation(ctx.db, { accountId: ctx.account.id, id: input.id, actor: actorOf(ctx) })),

  changeRole: memberProcedure("admin")
    .input(z.object({ userId, role }))
    .output(member)
    .mutation(({ ctx, input }) => team.changeRole(ctx.db, { accountId: ctx.account.id, userId: input.userId, role: input.role, actor: actorOf(ctx) })),

  removeMember: memberProcedure("admin")
    .input(z.object({ userId }))
    .output(member)
    .mutation(async ({ ctx, input }) => {
      const removed = await team.removeMember(ctx.db, { accountId: ctx.account.id, userId: input.userId, actor: actorOf(ctx) });
      if (input.userId === ctx.user.id) await team.moveSessionsAfterLeaving(ctx.db, { userId: ctx.user.id, accountId: ctx.account.id });
      return removed;
    }),

  /** The caller leaves the current account; their sessions move to another of their accounts (null: none left). */
  leave: authedProcedure
    .input(z.void())
    .output(z.object({ accountId: z.string().nullable() }))
    .mutation(async ({ ctx }) => {
      await team.leaveAccount(ctx.db, { accountId: ctx.account.id, actor: actorOf(ctx) });
      return { accountId: await team.moveSessionsAfterLeaving(ctx.db, { userId: ctx.user.id, accountId: ctx.account.id }) };
    }),

  /** The accounts the user belongs to (the header's switcher), with the session's current one. */
  accounts: userProcedure
    .input(z.void())
    .output(z.object({ accounts: z.array(userAccount), currentId: z.string().nullable() }))
    .query(async ({ ctx }) => ({ accounts: await team.listUserAccounts(ctx.db, ctx.user.id), currentId: ctx.session.accountId })),

  /** Makes another of the user's accounts the session's current one. */
  switchAccount: userProcedure
    .input(z.object({ accountId: z.uuid({ message: "Unknown account" }) }))
    .output(userAccount)
    .mutation(({ ctx, input }) => team.switchAccount(ctx.db, { userId: ctx.user.id, sessionId: ctx.session.id, accountId: input.accountId })),

  /** The invitation page: the account, role and address of a link, or why it does not work; and who is logged in. */
  invitation: publicProcedure
    .input(z.object({ token }))
    .output(
      z.object({
        status: z.enum(["pending", "expired", "cancelled", "accepted", "unknown"]),
        accountName: z.string().nullable(),
        email: z.string().nullable(),
        role: z.enum(roles).nullable(),
        inviterName: z.string().nullable(),
        expiresAt: z.date().nullable(),
        hasLogin: z.boolean(),
        loggedInAs: z.string().nullable(),
      }),
    )
    .query(async ({ ctx, input }) => {
      const info = await team.invitationInfo(ctx.db, input.token);
      const loggedInAs = ctx.user?.email ?? null;
      if (info.status === "unknown") {
        return { status: info.status, accountName: null, email: null, role: null, inviterName: null, expiresAt: null, hasLogin: false, loggedInAs };
      }
      return { ...info, loggedInAs };
    }),

  /** The logged-in user accepts (they must be the invited address); the session switches to the account. */
  acceptInvitation: userProcedure
    .input(z.object({ token }))
    .output(z.object({ accountId: z.string(), accountName: z.string(), role: z.enum(roles) }))
    .mutation(({ ctx, input }) =>
      team.acceptInvitation(ctx.db, { token: input.token, user: ctx.user, sessionId: ctx.session.id, ip: ctx.ip }),
    ),

  /** Someone without a login accepts: creates their login (the invited address) and a session. */
  acceptInvitationAsNewUser: publicProcedure
    .input(
      z.object({
        token,
        name: z.string().trim().min(1, "Enter your name").max(100, "Use at most 100 characters for the name"),
        password: newPasswordInput,
      }),
    )
    .output(z.object({ sessionId: z.string(), remember: z.boolean(), accountId: z.string() }))
    .mutation(({ ctx, input }) => {
      if (ctx.user) throw new TRPCError({ code: "FORBIDDEN", message: `You are logged in as ${ctx.user.email} — log out and open the link again.` });
      return team.acceptInvitationAsNewUser(ctx, { token: input.token, name: input.name, password: input.password, ip: ctx.ip, userAgent: ctx.userAgent });
    }),
});
