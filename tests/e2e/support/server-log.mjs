/**
 * Preloaded into the e2e web server (playwright.config.ts: NODE_OPTIONS=--import …) when
 * TW_SERVER_LOG is set: everything the server writes to stdout and stderr is also appended to
 * that file, so a test can read the server's log (tests/e2e/billing.spec.ts greps it for card
 * numbers). Playwright still gets the output through its pipe.
 */
import fs from "node:fs";

const file = process.env.TW_SERVER_LOG;
if (file) {
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream);
    stream.write = (chunk, ...rest) => {
      try {
        fs.appendFileSync(file, typeof chunk === "string" ? chunk : Buffer.from(chunk));
      } catch {
        // The log copy is best effort; the real output below is what matters.
      }
      return write(chunk, ...rest);
    };
  }
}
