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
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
export type Caller = ReturnType<typeof createCaller>;
