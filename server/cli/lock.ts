import fs from "node:fs";
import path from "node:path";

/**
 * Only one process may open a PGlite data folder. The holder writes its pid to
 * DATA_DIR/tablewatch.pid; a stale file (its process gone) is taken over.
 */
export function acquireDataDirLock(dataDir: string): () => void {
  fs.mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, "tablewatch.pid");
  try {
    fs.writeFileSync(file, String(process.pid), { flag: "wx" });
  } catch {
    const pid = Number(fs.readFileSync(file, "utf8"));
    if (pid && pid !== process.pid && isAlive(pid)) {
      throw new Error(
        `The embedded database in ${dataDir} is in use by process ${pid}. Stop it first, or set DATABASE_URL to use PostgreSQL.`,
      );
    }
    fs.writeFileSync(file, String(process.pid));
  }
  return () => {
    try {
      if (Number(fs.readFileSync(file, "utf8")) === process.pid) fs.rmSync(file);
    } catch {
      /* already gone */
    }
  };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
