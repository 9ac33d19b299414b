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
import { Transform, type TransformCallback } from "node:stream";
import {
  createReadableStreamFromReadable,
  createRequestHandler as createRemixHandler,
  writeReadableStreamToWritable,
  type AppLoadContext,
  type ServerBuild,
} from "@remix-run/node";
import express, { type Request as ExpressRequest, type Response as ExpressResponse } from "express";
import { BodyTooLargeError, bodyLimitFor, tooLargeBody } from "./app/lib/body-limit.server";
import { DEMO_AUDITOR_USERNAME, DEMO_OPERATOR_USERNAME } from "./db/seed";
import { loadConfigOrExit, type Config } from "./app/lib/env.server";
import { createLogger } from "./app/lib/logger.server";
import { startServices } from "./app/lib/services.server";
import { answerTwilioWebhook, twilioWebhookFor } from "./app/lib/twilio-webhooks.server";
import { seedDemoData } from "./app/lib/demo-data.server";
import { startWorkers, type RunningWorkers } from "./workers/index";

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

/** Encoded separators ("%2F", "%5C") have no use in our paths and would be decoded after the checks. */
function checkedPath(url: URL): string | null {
  if (/%2f|%5c|%00/i.test(url.pathname)) return null;
  return `${url.pathname}${url.search}`;
}

/**
 * The path every later check and Remix itself see: dot segments ("/ivr/../ops"), their encoded
 * forms ("%2e%2e") and backslashes resolved as a browser's URL parser would. Returns null for a
 * request target that is not a path.
 */
export function normaliseRequestTarget(target: string): string | null {
  try {
    if (target.startsWith("/")) {
      const url = new URL(`http://localhost${target}`);
      return checkedPath(url);
    }
    if (/^https?:\/\//i.test(target)) {
      return checkedPath(new URL(target));
    }
    return null;
  } catch {
    /* falls through */
  }
  return null;
}

function sendTooLarge(req: ExpressRequest, res: ExpressResponse, limit: number) {
  const answer = tooLargeBody(req.path, limit);
  // Close the connection after the answer, so the rest of the body is never read.
  res.status(413).set({ "Content-Type": answer.contentType, "Cache-Control": "no-store", Connection: "close" }).send(answer.body);
}

/** Passes at most `limit` bytes of a request body, then fails with BodyTooLargeError. */
class BodyLimiter extends Transform {
  private seen = 0;
  overflowed = false;
  constructor(private readonly limit: number) {
    super();
  }
  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
    this.seen += chunk.length;
    if (this.seen > this.limit) {
      this.overflowed = true;
      callback(new BodyTooLargeError(this.limit));
      return;
    }
    callback(null, chunk);
  }
}

/**
 * Remix's Express adapter, with the request body read through this route's limiter: a route that
 * reads more than its limit gets an error from the stream (readLimitedBody turns it into 413), and
 * whatever the route answered, the client gets 413 and the connection is closed.
 */
function remixHandler(options: {
  build: ServerBuild;
  mode: string;
  getLoadContext: (req: ExpressRequest, res: ExpressResponse) => AppLoadContext;
}): express.RequestHandler {
  const handleRequest = createRemixHandler(options.build, options.mode);
  return async (req, res, next) => {
    try {
      const controller = new AbortController();
      let finished = false;
      res.on("finish", () => (finished = true));
      res.on("close", () => {
        if (!finished) controller.abort();
      });
      const headers = new Headers();
      for (const [key, values] of Object.entries(req.headers)) {
        if (values === undefined) continue;
        for (const value of Array.isArray(values) ? values : [values]) headers.append(key, value);
      }
      const host = req.get("X-Forwarded-Host") ?? req.get("Host") ?? "localhost";
      const port = host.split(":")[1];
      const url = new URL(`${req.protocol}://${req.hostname}${port ? `:${port}` : ""}${req.originalUrl}`);
      const init: RequestInit & { duplex?: "half" } = { method: req.method, headers, signal: controller.signal };
      let limiter: BodyLimiter | null = null;
      if (req.method !== "GET" && req.method !== "HEAD") {
        const limit = bodyLimitFor(req.path);
        limiter = new BodyLimiter(limit);
        req.pipe(limiter);
        limiter.on("error", () => req.unpipe(limiter!));
        init.body = createReadableStreamFromReadable(limiter);
        init.duplex = "half";
        // An answer sent before the body was read to its end: drop the connection, not the rest of
        // the body into memory.
        res.on("finish", () => {
          if (!req.complete) req.socket.destroySoon();
        });
      }
      const response = await handleRequest(new Request(url.href, init), options.getLoadContext(req, res));
      if (limiter?.overflowed) {
        await response.body?.cancel().catch(() => {});
        sendTooLarge(req, res, bodyLimitFor(req.path));
        return;
      }
      res.statusMessage = response.statusText;
      res.status(response.status);
      for (const [key, value] of response.headers.entries()) res.append(key, value);
      if (response.status === 413) res.set("Connection", "close");
      if (response.headers.get("Content-Type")?.match(/text\/event-stream/i)) res.flushHeaders();
      if (response.body) await writeReadableStreamToWritable(response.body, res);
      else res.end();
    } catch (error) {
      next(error);
    }
  };
}

/** The request body as text, or "too_large" past `limit` (reading stops there), or "aborted". */
function readLimitedText(req: ExpressRequest, limit: number): Promise<string | "too_large" | "aborted"> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (value: string | "too_large" | "aborted") => {
      if (settled) return;
      settled = true;
      resolve(value);
    };
    req.on("data", (chunk: Buffer) => {
      if (settled) return;
      size += chunk.length;
      if (size > limit) {
        req.pause();
        settle("too_large");
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => settle(Buffer.concat(chunks, size).toString("utf8")));
    req.on("close", () => settle("aborted"));
    req.on("error", () => settle("aborted"));
  });
}

/**
 * The Twilio webhooks (/ivr/*), answered before the Remix handler (ADR 026): read the form within the
 * route's body limit, check the signature over the public URL Twilio called, call the IVR's service
 * function, send its TwiML. Every middleware above (path normalisation, security headers, request
 * log, CSRF origin check, declared body size) has run as for any request.
 */
function twilioWebhooks(services: Awaited<ReturnType<typeof startServices>>): express.RequestHandler {
  return (req, res, next) => {
    if (req.method !== "POST" || !/^\/ivr\//i.test(req.path)) return next();
    const webhook = twilioWebhookFor(req.path);
    if (!webhook) return next();
    const limit = bodyLimitFor(req.path);
    void (async () => {
      const body = await readLimitedText(req, limit);
      if (body === "aborted") return;
      if (body === "too_large") {
        res.on("finish", () => {
          if (!req.complete) req.socket.destroySoon();
        });
        sendTooLarge(req, res, limit);
        return;
      }
      const answer = await answerTwilioWebhook(services, webhook, req.originalUrl, req.get("X-Twilio-Signature"), body);
      const headers: Record<string, string | number> = { "Cache-Control": "no-store" };
      if (answer.status !== 204) {
        headers["Content-Type"] = answer.contentType;
        headers["Content-Length"] = Buffer.byteLength(answer.body);
      }
      res.writeHead(answer.status, headers);
      res.end(answer.status === 204 ? undefined : answer.body);
    })().catch((error: unknown) => {
      // As entry.server.tsx's handleError: the error's name, code and file positions, never its message.
      const stack = ((error as Error)?.stack ?? "").split("\n").slice(1, 6).map((line) => line.trim());
      services.logger.error({ error: (error as Error)?.name, code: (error as { code?: unknown })?.code, stack, path: maskPath(req.path) }, "unhandled");
      if (res.headersSent) {
        res.destroy();
        return;
      }
      res.status(500).type("text/plain; charset=utf-8").send("Internal Server Error");
    });
  };
}

export function createApp(options: { config: Config; build: ServerBuild; services: Awaited<ReturnType<typeof startServices>> }) {
  const { config, build, services } = options;
  const app = express();
  app.disable("x-powered-by");
  // Nothing reads req.query (Remix and the webhooks parse the URL themselves): no qs parse per request.
  app.set("query parser", false);
  if (config.publicBaseUrl.startsWith("https://")) app.set("trust proxy", 1);
  const allowedOrigin = new URL(config.publicBaseUrl).origin;

  // Paths are normalised before any security check: "/ivr/../ops/login" is "/ops/login" for the
  // CSRF check below, the body limits and Remix alike.
  app.use((req, res, next) => {
    const normalised = normaliseRequestTarget(req.url);
    if (normalised === null) {
      res.status(400).type("text/plain; charset=utf-8").send("ページのアドレスが正しくありません。");
      return;
    }
    if (normalised !== req.url) {
      req.url = normalised;
      req.originalUrl = normalised;
    }
    next();
  });

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

  // CSRF layer 1: a browser says where an unsafe request comes from; refuse other sites. This holds
  // for every path: the machine callers of /ivr (Twilio, signed) and /api/carrier (API key) send no
  // Origin or Sec-Fetch-Site, and a browser of another site has no business posting there either
  // (Remix itself would throw on a foreign Origin and answer 500).
  app.use((req, res, next) => {
    if (["GET", "HEAD", "OPTIONS"].includes(req.method)) return next();
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

  // Bodies are capped per route (app/lib/body-limit.server.ts): a larger declared length is refused
  // before anything is read; a body without one is cut while it streams (remixHandler).
  app.use((req, res, next) => {
    if (["GET", "HEAD", "OPTIONS"].includes(req.method)) return next();
    const limit = bodyLimitFor(req.path);
    const declared = req.get("Content-Length");
    if (declared !== undefined && Number(declared) > limit) {
      sendTooLarge(req, res, limit);
      return;
    }
    next();
  });

  // Twilio's webhooks: a signed form in, TwiML out; no page, so no Remix (ADR 026).
  app.use(twilioWebhooks(services));

  app.use("/build", express.static(path.resolve("public/build"), { immutable: true, maxAge: "1y" }));
  app.use(express.static(path.resolve("public"), { maxAge: "1h" }));

  app.all(
    "*",
    remixHandler({
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
      lines.push(`  Audit log:    username ${DEMO_AUDITOR_USERNAME}  (same password; the auditor role reads /ops/audit)`);
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
