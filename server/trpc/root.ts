import { createCallerFactory, router } from "../trpc";
import { accountRouter } from "./routers/account";
import { authRouter } from "./routers/auth";
import { reportRouter } from "./routers/report";
import { reportsRouter } from "./routers/reports";
import { apiKeyRouter } from "./routers/api-key";

export const appRouter = router({
  auth: authRouter,
  account: accountRouter,
  report: reportRouter,
  reports: reportsRouter,
  apiKey: apiKeyRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
export type Caller = ReturnType<typeof createCaller>;
