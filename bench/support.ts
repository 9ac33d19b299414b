/** Shared pieces of the benchmarks: a throwaway PostgreSQL database, percentiles, BENCHMARKS.md. */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import postgres from "postgres";
import { randomBytes } from "node:crypto";

export const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

export async function withScratchDatabase<T>(run: (url: string) => Promise<T>): Promise<T> {
  const name = `kokusai_bench_${randomBytes(4).toString("hex")}`;
  const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${name}"`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  try {
    return await run(url.toString());
  } finally {
    await admin.unsafe(`drop database if exists "${name}" with (force)`);
    await admin.end({ timeout: 5 });
  }
}

/** A TCP port on 127.0.0.1 that was free a moment ago (for a server process the bench starts). */
/**
 * The environment of a production server process under a bench: compiled code runs with
 * NODE_ENV=production on `databaseUrl`, no workers in the process, no demo data, logs silent. The
 * keys are fixed per bench (`keyBase`, keyBase + 1, keyBase + 2 fill the PII sealing, PII hash and
 * carrier signing keys), because a bench that seeds sealed rows itself must seal them with the keys
 * the server opens them with.
 */
export function productionBenchEnv(databaseUrl: string, keyBase = 1): NodeJS.ProcessEnv {
  return {
    ...process.env,
    NODE_ENV: "production",
    DATABASE_URL: databaseUrl,
    RUN_WORKERS: "false",
    SEED_DEMO_DATA: "false",
    SESSION_SECRET: "bench-session-secret-0123456789abcdef",
    PII_ENCRYPTION_KEY: Buffer.alloc(32, keyBase).toString("base64"),
    PII_HASH_KEY: Buffer.alloc(32, keyBase + 1).toString("base64"),
    CARRIER_SIGNING_KEY: Buffer.alloc(32, keyBase + 2).toString("base64"),
    PUBLIC_BASE_URL: "https://centre.example.jp",
    LOG_LEVEL: "silent",
  };
}

export async function freePort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

export function summarise(latenciesMs: number[], elapsedMs: number) {
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  return {
    requests: sorted.length,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    throughput: (sorted.length / elapsedMs) * 1000,
  };
}

/** Replaces (or appends) the "## <title>" section of BENCHMARKS.md, leaving the others alone. */
export function writeBenchmarkSection(title: string, body: string) {
  const file = path.resolve("BENCHMARKS.md");
  const current = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "# Benchmarks\n";
  const heading = `## ${title}`;
  const section = `${heading}\n\n${body.trim()}\n`;
  const start = current.indexOf(heading);
  if (start === -1) {
    fs.writeFileSync(file, `${current.trimEnd()}\n\n${section}`);
    return;
  }
  const next = current.indexOf("\n## ", start + heading.length);
  fs.writeFileSync(file, `${current.slice(0, start)}${section}${next === -1 ? "" : `\n${current.slice(next + 1)}`}`);
}

/**
 * Starts a server process (the compiled app, or a baseline) on a free port of 127.0.0.1 and waits
 * for its /healthz (the app migrates the database first); its output goes to `logFile`.
 */
export async function startServerProcess(args: string[], env: NodeJS.ProcessEnv, logFile: string): Promise<{ url: string; pid: number; stop: () => Promise<void> }> {
  const port = await freePort();
  const out = fs.openSync(logFile, "w");
  const child: ChildProcess = spawn(process.execPath, args, { env: { ...env, PORT: String(port), HOST: "127.0.0.1" }, stdio: ["ignore", out, out] });
  fs.closeSync(out);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${args.join(" ")} exited (${child.exitCode}); see ${logFile}`);
    const ok = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) }).then((r) => r.ok, () => false);
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`${args.join(" ")} did not answer /healthz; see ${logFile}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    url,
    pid: child.pid!,
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill("SIGTERM");
      await new Promise((r) => child.once("exit", r));
    },
  };
}
