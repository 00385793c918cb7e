import cluster from "node:cluster";
import { openAppDatabase, startApp } from "./boot";
import { ConfigError, loadConfig } from "./config";

function fail(error: unknown): never {
  console.error(error instanceof ConfigError || (error instanceof Error && error.message.includes("in use by process")) ? error.message : error);
  process.exit(1);
}

async function serve() {
  const app = await startApp(loadConfig(), { quiet: cluster.isWorker && cluster.worker?.id !== 1 });
  const shutdown = (signal: string) => {
    if (!cluster.isWorker) console.log(`${signal}: shutting down`);
    app.stop().then(
      () => process.exit(0),
      (error) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.once("SIGINT", () => shutdown("SIGINT"));
  process.once("SIGTERM", () => shutdown("SIGTERM"));
}

/**
 * WEB_CONCURRENCY > 1 (PostgreSQL only) runs that many web processes sharing the port: the
 * primary migrates once, then forks; every process is stateless (sessions, counters in the DB).
 */
async function servePrimary(processes: number) {
  const database = await openAppDatabase(loadConfig());
  await database.close();
  for (let i = 0; i < processes; i++) cluster.fork();
  cluster.on("exit", (worker, code, signal) => {
    if (!stopping) {
      console.error(`web process ${worker.process.pid} exited (${signal ?? code}); starting another`);
      cluster.fork();
    }
  });
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    stopping = true;
    console.log(`${signal}: shutting down`);
    for (const worker of Object.values(cluster.workers ?? {})) worker?.kill(signal);
    setTimeout(() => process.exit(0), 5000).unref();
    cluster.on("exit", () => {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
    });
  };
  process.once("SIGINT", () => stop("SIGINT"));
  process.once("SIGTERM", () => stop("SIGTERM"));
}

try {
  const config = loadConfig();
  if (cluster.isPrimary && config.webConcurrency > 1) {
    if (!config.databaseUrl) throw new ConfigError("WEB_CONCURRENCY above 1 needs DATABASE_URL: the embedded database serves one process.");
    await servePrimary(config.webConcurrency);
  } else {
    await serve();
  }
} catch (error) {
  fail(error);
}
