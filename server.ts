/**
 * The web process: `npm start` (after `remix build`). One process serves the portal, the back office,
 * the IVR webhooks and the carrier API; in the embedded default it also runs the workers.
 *
 * Order of work at start: validate configuration → open the database → migrate → seed → start the
 * job queue (and workers) → listen. On SIGTERM: stop listening, finish requests and jobs, close.
 */
import { randomBytes } from "node:crypto";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { createRequestHandler } from "@remix-run/express";
import type { ServerBuild } from "@remix-run/node";
import express from "express";
import { DEMO_OPERATOR_USERNAME } from "./db/seed";
import { loadConfigOrExit, type Config } from "./app/lib/env.server";
import { createLogger } from "./app/lib/logger.server";
import { startServices } from "./app/lib/services.server";
import { seedDemoData } from "./app/lib/demo-data.server";
import { startWorkers, type RunningWorkers } from "./workers/index";

/** Paths whose unsafe requests authenticate otherwise (Twilio signature, carrier API key). */
const CROSS_SITE_ALLOWED = [/^\/ivr\//, /^\/api\/carrier\//];

export function contentSecurityPolicy(nonce: string): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}'`,
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "object-src 'none'",
  ].join("; ");
}

/** Long digit runs in a path could be a phone or reference number: logs keep only their length. */
export function maskPath(pathname: string): string {
  return pathname.replace(/\d{4,}/g, (digits) => `<${digits.length}d>`);
}

export function createApp(options: { config: Config; build: ServerBuild; services: Awaited<ReturnType<typeof startServices>> }) {
  const { config, build, services } = options;
  const app = express();
  app.disable("x-powered-by");
  if (config.publicBaseUrl.startsWith("https://")) app.set("trust proxy", 1);
  const allowedOrigin = new URL(config.publicBaseUrl).origin;

  app.use((req, res, next) => {
    const nonce = randomBytes(16).toString("base64");
    res.locals.cspNonce = nonce;
    res.setHeader("Content-Security-Policy", contentSecurityPolicy(nonce));
    res.setHeader("X-Content-Type-Options", "nosniff");
    res.setHeader("X-Frame-Options", "DENY");
    res.setHeader("Referrer-Policy", "same-origin");
    res.setHeader("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()");
    res.setHeader("Cross-Origin-Opener-Policy", "same-origin");
    if (config.publicBaseUrl.startsWith("https://")) {
      res.setHeader("Strict-Transport-Security", "max-age=63072000; includeSubDomains");
    }
    const started = process.hrtime.bigint();
    res.on("finish", () => {
      services.logger.info(
        { method: req.method, path: maskPath(req.path), status: res.statusCode, ms: Number(process.hrtime.bigint() - started) / 1e6 },
        "request",
      );
    });
    next();
  });

  // CSRF layer 1: a browser says where an unsafe request comes from; refuse other sites.
  app.use((req, res, next) => {
    if (["GET", "HEAD", "OPTIONS"].includes(req.method) || CROSS_SITE_ALLOWED.some((re) => re.test(req.path))) return next();
    const origin = req.get("Origin");
    const fetchSite = req.get("Sec-Fetch-Site");
    const hostOrigin = `${req.protocol}://${req.get("Host")}`;
    const badOrigin = origin !== undefined && origin !== "null" && origin !== allowedOrigin && origin !== hostOrigin;
    if (badOrigin || fetchSite === "cross-site" || origin === "null") {
      res.status(403).type("text/plain; charset=utf-8").send("別のサイトからの送信は受け付けられません。");
      return;
    }
    next();
  });

  app.use("/build", express.static(path.resolve("public/build"), { immutable: true, maxAge: "1y" }));
  app.use(express.static(path.resolve("public"), { maxAge: "1h" }));

  app.all(
    "*",
    createRequestHandler({
      build,
      mode: config.nodeEnv === "development" ? "development" : "production",
      getLoadContext: (req, res) => ({ services, cspNonce: res.locals.cspNonce as string, clientIp: req.ip ?? "" }),
    }),
  );
  return app;
}

async function main() {
  const config = loadConfigOrExit();
  const logger = createLogger({ level: config.logLevel });
  const services = await startServices(config, logger);
  // Sample applications only on the embedded demo database: SEED_DEMO_DATA=true on PostgreSQL is
  // how the first admin account is made, and must not put made-up applications in production.
  if (config.seedDemoData && config.database.kind === "pglite") await seedDemoData(services);
  let workers: RunningWorkers | null = null;
  if (config.runWorkersInProcess) workers = await startWorkers(services);

  const buildPath = path.resolve("build/index.js");
  const build = (await import(pathToFileURL(buildPath).href)) as ServerBuild;
  const app = createApp({ config, build, services });
  const server = app.listen(config.port, config.host, () => {
    const address = server.address();
    const port = typeof address === "object" && address ? address.port : config.port;
    const url = `http://${config.host === "0.0.0.0" ? "localhost" : config.host === "127.0.0.1" ? "localhost" : config.host}:${port}`;
    const lines = [
      "",
      "  国際電話不取扱受付センター is running.",
      `  Portal:       ${url}/`,
      `  Back office:  ${url}/ops`,
      `  Database:     ${config.database.kind === "pglite" ? `embedded PGlite in ${config.database.dataDir}` : "PostgreSQL (DATABASE_URL)"}`,
      `  Workers:      ${workers ? "in this process" : "separate (npm run workers)"}`,
      `  Messages:     ${config.twilio ? "Twilio" : `outbox (read them at ${url}/ops/outbox)`}`,
    ];
    if (config.seedDemoData && config.demoOperatorPassword) {
      lines.push(`  Demo login:   username ${DEMO_OPERATOR_USERNAME}  password ${config.demoOperatorPassword}`);
    }
    process.stdout.write(`${lines.join("\n")}\n\n`);
    logger.info({ port, host: config.host }, "listening");
  });

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "shutting down");
    const force = setTimeout(() => process.exit(1), 25_000);
    force.unref();
    server.close(async () => {
      await workers?.stop();
      await services.close();
      process.exit(0);
    });
    server.closeIdleConnections?.();
  };
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) void main();
