import { createCallerFactory, router } from "../trpc";
import { accountRouter } from "./routers/account";
import { authRouter } from "./routers/auth";

export const appRouter = router({
  auth: authRouter,
  account: accountRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
export type Caller = ReturnType<typeof createCaller>;
