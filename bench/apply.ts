/**
 * `npm run bench:apply`: throughput of the whole web apply action — POST /apply/check with a complete
 * sealed draft, through Express, Remix, CSRF, the draft store, the applications service and
 * PostgreSQL — against a baseline that does the same work without the web in the same run (ratio).
 *
 * Three processes, as production runs: the app compiled (server.ts bundled exactly as
 * scripts/build-server.mjs does, NODE_ENV=production, no workers) on a scratch PostgreSQL database;
 * this process, which prepares the drafts before anything is timed and is the HTTP load generator;
 * and the baseline, this same file compiled and started with --role baseline, which calls the
 * functions the route's action calls (requireDraft, guardStep, submitDraft — the applications
 * service, markSubmitted) directly, with no HTTP, Remix or CSRF. Every submission on both sides has
 * its own draft, number, idempotency key and reference, and commits; both sides run --concurrency
 * submissions at a time on the same database with the same pool size (DATABASE_POOL_SIZE default).
 *
 * The build goes to .cache/bench-apply-<pid>/ (gitignored, under the checkout so node_modules
 * resolves), not dist/, which other benchmarks may be running from. BENCH_PROFILE_DIR=<dir>: the
 * app process (and the baseline) write V8 CPU profiles there.
 * The two sides alternate for --rounds rounds (the figures are their sums), so both see the same
 * background load. Options: --count 1000 --concurrency 16 --rounds 2 --no-write.
 */
import { spawn } from "node:child_process";
import { createHash, randomBytes, randomUUID } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import type { AppLoadContext } from "@remix-run/node";
import { applyDrafts } from "../db/schema";
import { wrapPostgres } from "../db/client";
import { createLogger } from "../app/lib/logger.server";
import { loadConfig } from "../app/lib/env.server";
import { createPiiCipher, type PiiCipher } from "../app/lib/pii.server";
import { startServices } from "../app/lib/services.server";
import { guardStep, requireDraft } from "../app/lib/apply-draft.server";
import { submitDraft } from "../app/lib/apply-submit.server";
import { sign } from "../app/lib/csrf.server";
import type { ApplyAnswers } from "../app/domain/apply-journey";
import { productionBuildOptions } from "../scripts/production-build-options.mjs";
import { productionBenchEnv, startServerProcess, withScratchDatabase, writeBenchmarkSection } from "./support";

const { values } = parseArgs({
  options: {
    count: { type: "string", default: "1000" },
    concurrency: { type: "string", default: "16" },
    rounds: { type: "string", default: "2" },
    "no-write": { type: "boolean", default: false },
    // Internal: the baseline process (started by this bench, compiled).
    role: { type: "string", default: "bench" },
    tokens: { type: "string" },
  },
});
const COUNT = Number(values.count);
const CONCURRENCY = Number(values.concurrency);
const ROUNDS = Number(values.rounds);
const WARM_UP = 100;

async function pool<T>(items: T[], concurrency: number, work: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}


/** The baseline process: the route action's own functions, called directly, committing each. */
async function baseline() {
  const config = loadConfig(process.env);
  if (config.database.kind !== "postgres") throw new Error("the baseline runs on PostgreSQL");
  // The same pool the server opens from this configuration, with a counter of the statements sent.
  let statements = 0;
  const database = wrapPostgres(config.database.url, config.database.poolSize, { debug: () => statements++ });
  const services = await startServices(config, createLogger({ level: "silent" }), { database, runsWorkers: false });
  const context = { services, cspNonce: "", clientIp: "127.0.0.1" } as AppLoadContext;
  const { warmUp, measured } = JSON.parse(fs.readFileSync(values.tokens!, "utf8")) as { warmUp: string[]; measured: string[] };
  // What app/routes/apply.check.tsx's action does, without readForm (the CSRF check of the HTTP body).
  const submit = async (token: string) => {
    const request = new Request("http://127.0.0.1/apply/check", { method: "POST", headers: { Cookie: `apply_draft=${token}` } });
    const draft = await requireDraft(request, context);
    guardStep(draft, "check");
    const result = await submitDraft(context, draft);
    if (result.kind !== "created") throw new Error(`baseline submission: ${result.kind}`);
  };
  try {
    await pool(warmUp, CONCURRENCY, submit);
    const cpuBefore = process.cpuUsage();
    statements = 0;
    const started = performance.now();
    await pool(measured, CONCURRENCY, submit);
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    process.stdout.write(`${JSON.stringify({ seconds, cpu: (cpu.user + cpu.system) / 1e6, statements })}\n`);
  } finally {
    await services.close();
    await database.close();
  }
}

/** Drafts ready to submit, as the journey leaves them after the last question; returns their tokens. */
async function readyDrafts(db: ReturnType<typeof wrapPostgres>["db"], pii: PiiCipher, first: number, count: number): Promise<string[]> {
  const now = new Date();
  const rows = Array.from({ length: count }, (_, i) => {
    const token = randomBytes(32).toString("base64url");
    const answers: ApplyAnswers = {
      number: { e164: `+8131${String(first + i).padStart(7, "0")}` },
      applicant: { relation: "self", contactPhone: null },
      verification: { verificationId: randomUUID(), verifiedAt: now.toISOString(), method: "callback", consentAt: null },
      name: { kanji: "山田 花子", kana: "ヤマダ ハナコ" },
      address: { postalCode: "1000001", address: "東京都千代田区千代田1-1", prefecture: 13 },
      carrier: { choice: "kddi" },
      scope: { scopes: ["incoming", "outgoing"] },
    };
    return {
      token,
      row: {
        tokenHash: createHash("sha256").update(token).digest("base64url"),
        answersEnc: pii.seal(JSON.stringify({ answers })),
        createdAt: now,
        updatedAt: now,
        expiresAt: new Date(now.getTime() + 3600_000),
      },
    };
  });
  for (let i = 0; i < rows.length; i += 500) await db.insert(applyDrafts).values(rows.slice(i, i + 500).map((r) => r.row));
  return rows.map((r) => r.token);
}

/** Bundles server.ts and this file as scripts/build-server.mjs bundles the production entries. */
async function compile(): Promise<string> {
  const { buildSync } = await import("esbuild");
  const outdir = path.resolve(".cache", `bench-apply-${process.pid}`);
  fs.rmSync(outdir, { recursive: true, force: true });
  buildSync({
    entryPoints: ["server.ts", path.relative(process.cwd(), fileURLToPath(import.meta.url))],
    outdir,
    outbase: ".",
    ...productionBuildOptions,
  });
  fs.cpSync("db/migrations", path.join(outdir, "db", "migrations"), { recursive: true });
  return outdir;
}

/** Runs the compiled baseline process to its end; returns the seconds and CPU seconds it measured. */
async function runBaseline(args: string[], env: NodeJS.ProcessEnv, logFile: string): Promise<{ seconds: number; cpu: number; statements: number }> {
  const log = fs.openSync(logFile, "a");
  const child = spawn(process.execPath, args, { env, stdio: ["ignore", "pipe", log] });
  fs.closeSync(log);
  let out = "";
  child.stdout!.on("data", (chunk: Buffer) => (out += chunk.toString()));
  const code = await new Promise<number | null>((r) => child.once("exit", r));
  if (code !== 0) throw new Error(`baseline exited (${code}); see ${logFile}`);
  return JSON.parse(out.trim().split("\n").at(-1)!) as { seconds: number; cpu: number; statements: number };
}

/** CPU seconds (user + system) a process has used so far, from /proc. */
function processCpuSeconds(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ 100)
}

async function main() {
  const outdir = await compile();
  const logDir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-apply-"));
  const profile = process.env.BENCH_PROFILE_DIR ? ["--cpu-prof", `--cpu-prof-dir=${path.resolve(process.env.BENCH_PROFILE_DIR)}`] : [];
  try {
    await withScratchDatabase(async (url) => {
      const env = productionBenchEnv(url);
      const config = loadConfig(env);
      const app = await startServerProcess([...profile, path.join(outdir, "server.js")], env, path.join(logDir, "web.log"));
      const database = wrapPostgres(url, 4);
      const pii = createPiiCipher(config.secrets.piiEncryptionKey, config.secrets.piiHashKey);
      try {
        const csrfValue = randomBytes(32).toString("base64url");
        const csrf = sign(config.secrets.sessionSecret, csrfValue);
        // The load generator: node:http with keep-alive connections (lighter than fetch, so less of the
        // two cores goes to the client; the server sees the same requests a browser's form post sends).
        const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
        const body = new URLSearchParams({ csrf }).toString();
        const { port } = new URL(app.url);
        const submit = (token: string) =>
          new Promise<void>((resolve, reject) => {
            const request = http.request(
              {
                host: "127.0.0.1",
                port,
                path: "/apply/check",
                method: "POST",
                agent,
                headers: { "Content-Type": "application/x-www-form-urlencoded", "Content-Length": Buffer.byteLength(body), Cookie: `csrf=${csrfValue}; apply_draft=${token}`, Origin: app.url },
              },
              (response) => {
                response.resume();
                response.on("end", () =>
                  response.statusCode === 303 && response.headers.location === "/apply/done"
                    ? resolve()
                    : reject(new Error(`submit answered ${response.statusCode} ${response.headers.location}`)),
                );
              },
            );
            request.on("error", reject);
            request.end(body);
          });
        // Every draft prepared before anything is timed; numbers never repeat across the run.
        const httpWarmUp = await readyDrafts(database.db, pii, 0, WARM_UP);
        const rounds = [];
        for (let round = 0; round < ROUNDS; round++) {
          const first = 1_000_000 * (round + 1);
          const tokensFile = path.join(logDir, `baseline-tokens-${round}.json`);
          fs.writeFileSync(tokensFile, JSON.stringify({ warmUp: await readyDrafts(database.db, pii, first, WARM_UP), measured: await readyDrafts(database.db, pii, first + 100_000, COUNT) }));
          rounds.push({ http: await readyDrafts(database.db, pii, first + 500_000, COUNT), tokensFile });
        }
        await pool(httpWarmUp, CONCURRENCY, submit);

        // The two sides alternate (baseline, HTTP, baseline, HTTP …) so both see the same background load.
        let httpSeconds = 0;
        let baseSeconds = 0;
        let serverCpu = 0;
        let driverCpu = 0;
        let baseCpu = 0;
        let baseStatements = 0;
        for (const round of rounds) {
          const base = await runBaseline(
            [...profile, path.join(outdir, "bench", "apply.js"), "--role", "baseline", "--tokens", round.tokensFile, "--concurrency", String(CONCURRENCY)],
            env,
            path.join(logDir, "baseline.log"),
          );
          baseSeconds += base.seconds;
          baseCpu += base.cpu;
          baseStatements += base.statements;
          const serverBefore = processCpuSeconds(app.pid);
          const driverBefore = process.cpuUsage();
          const started = performance.now();
          await pool(round.http, CONCURRENCY, submit);
          httpSeconds += (performance.now() - started) / 1000;
          const driver = process.cpuUsage(driverBefore);
          driverCpu += (driver.user + driver.system) / 1e6;
          serverCpu += processCpuSeconds(app.pid) - serverBefore;
        }
        await app.stop();
        const total = ROUNDS * COUNT;
        const expected = WARM_UP + ROUNDS * (WARM_UP + 2 * COUNT);
        const [check] = await database.sql<{ n: number }>("select count(*)::int as n from applications");
        if (Number(check!.n) !== expected) throw new Error(`expected ${expected} applications, found ${check!.n}`);

        const httpRate = total / httpSeconds;
        const baseRate = total / baseSeconds;
        const ms = (seconds: number) => ((seconds / total) * 1000).toFixed(1);
        const table = [
          "| path | applications | seconds | per second | Node CPU ms per submission |",
          "| --- | ---: | ---: | ---: | ---: |",
          `| the action's service functions, called directly, committing (baseline) | ${total} | ${baseSeconds.toFixed(2)} | ${baseRate.toFixed(0)} | ${ms(baseCpu)} |`,
          `| POST /apply/check over HTTP (compiled server) | ${total} | ${httpSeconds.toFixed(2)} | ${httpRate.toFixed(0)} | ${ms(serverCpu)} server + ${ms(driverCpu)} load generator |`,
        ].join("\n");
        const ratio = `HTTP / baseline throughput: ×${(httpRate / baseRate).toFixed(2)}`;
        const roundTrips = `SQL round trips per submission (counted in the baseline, BEGIN and COMMIT included): ${(baseStatements / total).toFixed(1)}.`;
        console.log(table);
        console.log(ratio);
        console.log(roundTrips);
        if (!values["no-write"]) {
          writeBenchmarkSection(
            "Web apply action (npm run bench:apply)",
            [
              `Measured ${new Date().toISOString().slice(0, 10)} with \`npm run bench:apply -- --count ${COUNT} --concurrency ${CONCURRENCY} --rounds ${ROUNDS}\`: ${ROUNDS} rounds of ${COUNT} submissions on each side, alternating (baseline, HTTP, …) after ${WARM_UP} warm-up submissions per process, ${CONCURRENCY} at a time, on a PostgreSQL 15 scratch database at 127.0.0.1. Machine: 2 cores, shared with PostgreSQL and with another long benchmark that was running at the same time, so the absolute figures are low and noisy.`,
              table,
              ratio,
              roundTrips,
              `Both sides are compiled (server.ts and bench/apply.ts bundled into .cache/ as scripts/build-server.mjs bundles dist/), run with NODE_ENV=production, the same configuration and the same pool size (DATABASE_POOL_SIZE default, 10), each in its own process. HTTP path: the app server (\`server.js\`, no workers) driven over HTTP by the bench's main process (node:http, keep-alive connections, each request a form post with its draft cookie and CSRF token): Express, Remix's action for /apply/check, CSRF, the draft store and the applications service. Baseline: a process that calls what that action calls — requireDraft (draft lookup, opening the sealed draft), guardStep, submitDraft (region check, submitApplication's transaction, markSubmitted) — directly, with no HTTP, Remix or CSRF; its load is its own ${CONCURRENCY} concurrent calls. Every submission on both sides has its own draft, number, idempotency key and reference, and commits: each runs the statements of a real submission with its own values. Drafts are written before the timed part; the bench checks at the end that all ${expected} applications exist. "Node CPU" is user + system time of each process over the timed part.`,
              `Round trips (issue 18): a submission was 20 round trips in 3 transactions (draft read; the application's transaction with a separate SELECT … FOR UPDATE of the line, a reference look-up, an insert then a status update, one event insert each, one line update per scope and one more for what it learned; the draft's mark in its own commit). It is now 12 in 2: the line's upsert is its lock, the reference is drawn again only on a unique-index clash, the application is inserted with its first status and both events in one insert, the line takes one update, and the draft's mark is in the application's commit (app/lib/applications.server.ts, apply-submit.server.ts, apply-draft.server.ts). In runs of this bench the same day that took the baseline from about 100 to 180–210 submissions/s and the HTTP path from about 60 to 100–115/s, and lowered the ratio (×0.64 before, ×0.48–0.56 after, with fetch as the load generator; node:http then freed a millisecond of the shared CPU per request): what separates the two sides is per-request Node work outside those files. Profiled (BENCH_PROFILE_DIR=<dir>, 2026-12-01), the server's extra time is mostly Remix's route matching (@remix-run/router flattens and ranks all 97 routes on every match, about a third of the extra), the Fetch Request and Headers built for Remix, and the HTTP response writes.`,
            ].join("\n\n"),
          );
        }
        agent.destroy();
      } finally {
        await app.stop();
        await database.close();
      }
    });
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

if (values.role === "baseline") await baseline();
else await main();
