/**
 * `npm run bench:apply`: throughput of the whole web apply action — POST /apply/check with a complete
 * draft, through Express, Remix, CSRF, the draft store, the applications service and PostgreSQL —
 * against a baseline that runs the same SQL statements directly on the same database in the same run.
 *
 * The statements are captured from one real submission (postgres.js debug hook) and replayed per
 * baseline "request" inside BEGIN … ROLLBACK (so unique keys do not collide; the HTTP path commits).
 * Options: --count 1000 --concurrency 16.
 */
import { createHash, randomBytes, randomUUID } from "node:crypto";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { parseArgs } from "node:util";
import { pathToFileURL } from "node:url";
import type { ServerBuild } from "@remix-run/node";
import postgres from "postgres";
import { createApp } from "../server";
import { applyDrafts } from "../db/schema";
import { wrapPostgres } from "../db/client";
import { createLogger } from "../app/lib/logger.server";
import { loadConfig } from "../app/lib/env.server";
import { startServices, type Services } from "../app/lib/services.server";
import { createOutboxProvider } from "../app/lib/comms.server";
import { sign } from "../app/lib/csrf.server";
import type { ApplyAnswers } from "../app/domain/apply-journey";
import { withScratchDatabase, writeBenchmarkSection } from "./support";

const { values } = parseArgs({ options: { count: { type: "string", default: "1000" }, concurrency: { type: "string", default: "16" }, "no-write": { type: "boolean", default: false } } });
const COUNT = Number(values.count);
const CONCURRENCY = Number(values.concurrency);

async function pool<T>(items: T[], concurrency: number, work: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

/** A draft ready to submit, as the journey leaves it after the last question. Returns its cookie. */
async function readyDraft(services: Services, n: number): Promise<string> {
  const token = randomBytes(32).toString("base64url");
  const now = new Date();
  const answers: ApplyAnswers = {
    number: { e164: `+8131${String(n).padStart(7, "0")}` },
    applicant: { relation: "self", contactPhone: null },
    verification: { verificationId: randomUUID(), verifiedAt: now.toISOString(), method: "callback", consentAt: null },
    name: { kanji: "山田 花子", kana: "ヤマダ ハナコ" },
    address: { postalCode: "1000001", address: "東京都千代田区千代田1-1", prefecture: 13 },
    carrier: { choice: "kddi" },
    scope: { scopes: ["incoming", "outgoing"] },
  };
  await services.db.insert(applyDrafts).values({
    tokenHash: createHash("sha256").update(token).digest("base64url"),
    answersEnc: services.pii.seal(JSON.stringify({ answers })),
    createdAt: now,
    updatedAt: now,
    expiresAt: new Date(now.getTime() + 3600_000),
  });
  return token;
}

await withScratchDatabase(async (url) => {
  const config = loadConfig({
    ...process.env,
    DATABASE_URL: url,
    SESSION_SECRET: "bench-session-secret-0123456789abcdef",
    PII_ENCRYPTION_KEY: Buffer.alloc(32, 1).toString("base64"),
    PII_HASH_KEY: Buffer.alloc(32, 2).toString("base64"),
    CARRIER_SIGNING_KEY: Buffer.alloc(32, 3).toString("base64"),
    LOG_LEVEL: "silent",
  });
  let capture: { query: string; parameters: unknown[] }[] | null = null;
  const database = wrapPostgres(url, 20, { debug: (_c, query, parameters) => capture?.push({ query, parameters }) });
  const services = await startServices(config, createLogger({ level: "silent" }), { database, provider: createOutboxProvider(), runsWorkers: false });
  const build = (await import(pathToFileURL(path.resolve("build/index.js")).href)) as ServerBuild;
  const server = createApp({ config, build, services }).listen(0, "127.0.0.1");
  await new Promise<void>((r) => server.once("listening", () => r()));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const csrfValue = randomBytes(32).toString("base64url");
  const csrf = sign(config.secrets.sessionSecret, csrfValue);
  const submit = async (token: string) => {
    const response = await fetch(`${base}/apply/check`, {
      method: "POST",
      redirect: "manual",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Cookie: `csrf=${csrfValue}; apply_draft=${token}`, Origin: base },
      body: new URLSearchParams({ csrf }),
    });
    if (response.status !== 303 || response.headers.get("Location") !== "/apply/done") throw new Error(`submit answered ${response.status} ${response.headers.get("Location")}`);
  };
  const direct = postgres(url, { max: CONCURRENCY, onnotice: () => {} });
  try {
    let n = 0;
    const drafts = async (count: number) => Promise.all(Array.from({ length: count }, () => readyDraft(services, n++)));

    await pool(await drafts(100), CONCURRENCY, submit); // warm-up
    const [probe] = await drafts(1);
    capture = [];
    await submit(probe!);
    const statements = capture.filter((s) => !/^\s*(begin|commit|rollback)\b/i.test(s.query));
    capture = null;
    // The probe's own unique values get fresh ones in each replay, or the inserts would collide.
    const [probeRow] = await direct<{ reference: string; idempotency_key: string }[]>`select reference, idempotency_key from applications order by created_at desc limit 1`;
    const fresh = (parameters: unknown[], i: number) =>
      parameters.map((p) => (p === probeRow!.reference ? String(10_000_000_000 + i) : p === probeRow!.idempotency_key ? `bench:${i}` : p));

    const httpDrafts = await drafts(COUNT);
    let started = performance.now();
    await pool(httpDrafts, CONCURRENCY, submit);
    const httpSeconds = (performance.now() - started) / 1000;

    started = performance.now();
    await pool(Array.from({ length: COUNT }, (_, i) => i), CONCURRENCY, async (i) => {
      const reserved = await direct.reserve();
      try {
        await reserved.unsafe("begin");
        for (const s of statements) await reserved.unsafe(s.query, fresh(s.parameters, i) as never[]);
        await reserved.unsafe("rollback");
      } finally {
        reserved.release();
      }
    });
    const sqlSeconds = (performance.now() - started) / 1000;

    const httpRate = COUNT / httpSeconds;
    const sqlRate = COUNT / sqlSeconds;
    const table = [
      "| path | applications | seconds | per second |",
      "| --- | ---: | ---: | ---: |",
      `| same ${statements.length} SQL statements, directly (baseline) | ${COUNT} | ${sqlSeconds.toFixed(2)} | ${sqlRate.toFixed(0)} |`,
      `| POST /apply/check over HTTP | ${COUNT} | ${httpSeconds.toFixed(2)} | ${httpRate.toFixed(0)} |`,
    ].join("\n");
    const ratio = `HTTP / direct SQL throughput: ×${(httpRate / sqlRate).toFixed(2)}`;
    console.log(table);
    console.log(ratio);
    if (!values["no-write"]) {
      writeBenchmarkSection(
        "Web apply action (npm run bench:apply)",
        `Measured ${new Date().toISOString().slice(0, 10)} with \`npm run bench:apply\` (${COUNT} submissions, ${CONCURRENCY} at a time, PostgreSQL 15 at 127.0.0.1, server and load in one process on 2 cores).\n\n${table}\n\n${ratio}\n\nThe baseline replays the ${statements.length} statements one real submission sent (draft lookup, idempotency check, line upsert and lock, capability table, duplicate check, reference, insert, events, line state, audit chain, draft update) on a reserved connection inside BEGIN … ROLLBACK; the HTTP path commits, and adds Express, Remix, CSRF, opening the sealed draft and sealing the personal data.`,
      );
    }
  } finally {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
    await direct.end({ timeout: 5 });
    await services.close();
    await database.close();
  }
});
