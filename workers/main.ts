/**
 * `npm run workers`: a worker process for production, scaled apart from the web processes.
 * Validates the same configuration, runs the same migrations, and shuts down gracefully on SIGTERM.
 */
import { loadConfigOrExit } from "../app/lib/env.server";
import { createLogger } from "../app/lib/logger.server";
import { startServices } from "../app/lib/services.server";
import { startWorkers } from "./index";

async function main() {
  const config = loadConfigOrExit();
  const logger = createLogger({ level: config.logLevel });
  const services = await startServices(config, logger, { runsWorkers: true });
  const workers = await startWorkers(services);
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "worker shutting down");
    await workers.stop();
    await services.close();
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
}

void main();
