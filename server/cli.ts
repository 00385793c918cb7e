import { openAppDatabase } from "./boot";
import { runCommand, UsageError } from "./cli/commands";
import { sendCommand } from "./cli/control";
import { ConfigError, loadConfig } from "./config";

/** `npm run tw -- <command>`: operator commands, run by the same code as the app. */
async function main(argv: string[]): Promise<number> {
  const config = loadConfig();
  if (!config.databaseUrl) {
    // The app may hold the embedded database: hand it the command.
    const reply = await sendCommand(config.dataDir, argv);
    if (reply) {
      (reply.ok ? console.log : console.error)(reply.output);
      return reply.ok ? 0 : 1;
    }
  }
  const database = await openAppDatabase(config);
  try {
    console.log(await runCommand(database.db, argv, { appUrl: config.appUrl }));
    return 0;
  } finally {
    await database.close();
    database.release();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    console.error(error instanceof UsageError || error instanceof ConfigError || (error instanceof Error && error.message.includes("in use by process")) ? error.message : error);
    process.exit(error instanceof UsageError ? 2 : 1);
  },
);
