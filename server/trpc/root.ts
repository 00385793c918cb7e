import { createCallerFactory, router } from "../trpc";
import { accountRouter } from "./routers/account";
import { authRouter } from "./routers/auth";
import { reportRouter } from "./routers/report";
import { reportsRouter } from "./routers/reports";
import { apiKeyRouter } from "./routers/api-key";
import { dashboardRouter } from "./routers/dashboard";
import { dashboardsRouter } from "./routers/dashboards";
import { alarmRouter } from "./routers/alarm";
import { alarmsRouter } from "./routers/alarms";
import { sharesRouter } from "./routers/shares";
import { shareRouter } from "./routers/share";
import { teamRouter } from "./routers/team";
import { auditRouter } from "./routers/audit";
import { profileRouter } from "./routers/profile";
import { sessionsRouter } from "./routers/sessions";
import { twoFactorRouter } from "./routers/two-factor";
import { accountExportRouter } from "./routers/account-export";
import { accountDeletionRouter } from "./routers/account-deletion";
import { adminRouter } from "./routers/admin";
import { policyRouter } from "./routers/policy";
import { planRouter } from "./routers/plan";
import { billingRouter } from "./routers/billing";
import { invoiceRouter } from "./routers/invoice";

export const appRouter = router({
  auth: authRouter,
  account: accountRouter,
  report: reportRouter,
  reports: reportsRouter,
  apiKey: apiKeyRouter,
  dashboard: dashboardRouter,
  dashboards: dashboardsRouter,
  alarm: alarmRouter,
  alarms: alarmsRouter,
  shares: sharesRouter,
  share: shareRouter,
  team: teamRouter,
  audit: auditRouter,
  profile: profileRouter,
  sessions: sessionsRouter,
  twoFactor: twoFactorRouter,
  accountExport: accountExportRouter,
  accountDeletion: accountDeletionRouter,
  admin: adminRouter,
  policy: policyRouter,
  plan: planRouter,
  billing: billingRouter,
  invoice: invoiceRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
export type Caller = ReturnType<typeof createCaller>;
