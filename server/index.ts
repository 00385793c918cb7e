import { startApp } from "./boot";
import { ConfigError, loadConfig } from "./config";

try {
  const app = await startApp(loadConfig());
  const shutdown = (signal: string) => {
    console.log(`${signal}: shutting down`);
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
} catch (error) {
  console.error(error instanceof ConfigError || (error instanceof Error && error.message.includes("in use by process")) ? error.message : error);
  process.exit(1);
}
