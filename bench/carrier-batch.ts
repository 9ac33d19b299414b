/**
 * npm run bench:carriers [-- --sizes 100000,1000000 --url postgres://postgres@127.0.0.1:5432/postgres --no-write]
 *
 * Cuts and writes a carrier batch of N pending orders on PostgreSQL, and measures it against
 * `COPY (SELECT …) TO STDOUT` of the same rows in the same run:
 *  - it creates its own database (kokusai_bench_carriers_<pid>) on the server, migrates it, and drops
 *    it at the end;
 *  - for each size, it inserts N pending orders (sealed subjects, as the planner writes them), then in
 *    separate child processes (so each peak RSS is its own):
 *      1. baseline: COPY (SELECT the order columns … ORDER BY created_at, id) TO STDOUT (FORMAT csv)
 *         streamed into a file;
 *      2. cut: cutBatch() — assign the batch, stream the rows through a cursor, open each sealed
 *         subject, write CSV and JSON in sealed 1 MiB parts with their SHA-256, sign the manifest,
 *         commit — then write the stored CSV file to disk (what a download streams);
 *  - prints throughput, peak RSS and the ratio to the baseline, and refreshes its section of
 *    BENCHMARKS.md (unless --no-write).
 * Memory stays flat: the cut never holds more than one page of rows and one part of each file.
 */
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { fileURLToPath } from "node:url";
import postgres from "postgres";
import { migrateDatabase, wrapPostgres } from "../db/client";
import { seedReferenceData } from "../db/seed";
import { batchFile, cutBatch, getBatch } from "../app/lib/carrier-batches.server";
import { createLogger } from "../app/lib/logger.server";
import { createPiiCipher } from "../app/lib/pii.server";
import type { Config } from "../app/lib/env.server";
import type { Services } from "../app/lib/services.server";

const SECTION_HEADING = "## Carrier batches (npm run bench:carriers)";
const BENCHMARKS_FILE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "BENCHMARKS.md");
const CARRIER = "ntt-docomo-business";
const KEYS = { pii: Buffer.alloc(32, 11), hash: Buffer.alloc(32, 12), signing: Buffer.alloc(32, 13) };

type ChildResult = { ms: number; bytes: number; maxRssMb: number; records?: number; writeMs?: number; jsonBytes?: number; phases?: { assignMs: number; writeMs: number; finishMs: number } };

function argValue(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

function databaseUrl(adminUrl: string, name: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

const maxRssMb = () => process.resourceUsage().maxRSS / 1024;

// ---------------------------------------------------------------------------------------------
// Child processes: one measurement each
// ---------------------------------------------------------------------------------------------

async function childCopy(url: string, out: string): Promise<ChildResult> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const started = performance.now();
    // COPY takes no parameters: the carrier code is a constant of this file.
    const readable = await sql
      .unsafe(
        `copy (select id, action, scope, e164, prefecture, request_ref, subject_enc, created_at
                 from carrier_orders where carrier_code = '${CARRIER}' and status = 'pending'
                order by created_at, id) to stdout (format csv)`,
      )
      .readable();
    await pipeline(readable, fs.createWriteStream(out));
    const ms = performance.now() - started;
    return { ms, bytes: fs.statSync(out).size, maxRssMb: maxRssMb() };
  } finally {
    await sql.end({ timeout: 5 });
  }
}

async function childCut(url: string, out: string): Promise<ChildResult> {
  const database = wrapPostgres(url, 2);
  const config = {
    secrets: { sessionSecret: "bench-session-secret-0123456789abcdef", piiEncryptionKey: KEYS.pii, piiHashKey: KEYS.hash, carrierSigningKey: KEYS.signing },
  } as unknown as Config;
  const services = {
    config,
    db: database.db,
    database,
    pii: createPiiCipher(KEYS.pii, KEYS.hash),
    now: () => new Date(),
    logger: createLogger({ level: "silent" }),
  } as unknown as Services;
  try {
    const started = performance.now();
    const cut = await cutBatch(services, CARRIER);
    const ms = performance.now() - started;
    if (!cut) throw new Error("nothing was cut");
    const writeStarted = performance.now();
    const batch = (await getBatch(services, CARRIER, cut.batchId))!;
    const stream = batchFile(services, batch, "csv").stream();
    await pipeline(Readable.fromWeb(stream as import("node:stream/web").ReadableStream<Uint8Array>), fs.createWriteStream(out));
    const writeMs = performance.now() - writeStarted;
    return { ms, writeMs, bytes: fs.statSync(out).size, jsonBytes: cut.jsonBytes, records: cut.recordCount, maxRssMb: maxRssMb(), phases: cut.timings };
  } finally {
    await database.close();
  }
}

function runChild(kind: "copy" | "cut", url: string, out: string): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), "--child", kind, "--db", url, "--out", out], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.on("exit", (code) => {
      if (code !== 0) return reject(new Error(`${kind} child exited with ${code}`));
      resolve(JSON.parse(output.trim().split("\n").at(-1)!) as ChildResult);
    });
  });
}

// ---------------------------------------------------------------------------------------------
// The orchestrating process
// ---------------------------------------------------------------------------------------------

async function insertOrders(sql: postgres.Sql, count: number): Promise<number> {
  const started = performance.now();
  await sql`truncate carrier_batch_files, carrier_push_attempts, carrier_result_uploads, carrier_exceptions, carrier_orders, carrier_batches`;
  await sql`update carriers set batch_max_size = ${count}, file_format = 'csv-utf8' where code = ${CARRIER}`;
  const pii = createPiiCipher(KEYS.pii, KEYS.hash);
  // A thousand different sealed subjects, reused: opening each one costs the same at cut time.
  const kana = ["ヤマダ ハナコ", "スズキ イチロウ", "タカハシ ミチコ", "タナカ ジロウ", "ワタナベ サチコ"];
  const names = ["山田 花子", "鈴木 一郎", "髙橋 美智子", "田中 次郎", "渡辺 幸子"];
  const subjects = Array.from({ length: 1000 }, (_, i) => pii.seal(JSON.stringify({ name: names[i % 5], kana: kana[i % 5] })));
  const base = Date.UTC(2026, 10, 20, 0, 0, 0);
  const writable = await sql`copy carrier_orders (id, carrier_code, line_id, action, scope, status, idempotency_key, e164, prefecture, request_ref, subject_enc, created_at, updated_at) from stdin`.writable();
  const chunk = 10_000;
  for (let offset = 0; offset < count; offset += chunk) {
    let text = "";
    for (let i = offset; i < Math.min(count, offset + chunk); i++) {
      const id = randomUUID();
      const at = new Date(base + i).toISOString();
      const e164 = `+8135${String(i).padStart(7, "0")}`;
      text += `${id}\t${CARRIER}\t${randomUUID()}\tSUSPEND\t${i % 3 === 0 ? "outgoing" : "incoming"}\tpending\tbench:${id}\t${e164}\t13\t${String(10_000_000_000 + i)}\t${subjects[i % 1000]}\t${at}\t${at}\n`;
    }
    if (!writable.write(text)) await new Promise((resolve) => writable.once("drain", resolve));
  }
  await new Promise<void>((resolve, reject) => writable.end((error?: Error | null) => (error ? reject(error) : resolve())));
  await sql`analyze carrier_orders`;
  return performance.now() - started;
}

type Row = { size: number; insertMs: number; copy: ChildResult; cut: ChildResult };

function fmt(n: number, digits = 1): string {
  return n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

function report(rows: Row[], meta: { postgres: string; cpus: number; date: string }): string {
  const lines: string[] = [];
  lines.push(SECTION_HEADING, "");
  lines.push(
    `Measured ${meta.date} with \`npm run bench:carriers\` on PostgreSQL ${meta.postgres} (127.0.0.1:5432, its own database, dropped afterwards), ${meta.cpus} CPUs.`,
    `Each size: N pending SUSPEND orders for one carrier (CSV UTF-8), then in separate child processes (own peak RSS each):`,
    "baseline `COPY (SELECT the same order columns … ORDER BY created_at, id) TO STDOUT (FORMAT csv)` streamed to a file, and",
    "`cutBatch()` — assign the batch and positions, stream the rows through a cursor (2,000 per fetch), open each sealed subject,",
    "write CSV and JSON in sealed 1 MiB parts with their SHA-256, sign the manifest (Ed25519), commit — then stream the stored CSV to a file.",
    "",
    "| orders | COPY baseline | cut, total | … assign (one UPDATE) | … render + store | write stored CSV to disk | cut + write vs COPY | peak RSS: COPY child | peak RSS: cut child |",
    "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  );
  for (const r of rows) {
    const total = r.cut.ms + (r.cut.writeMs ?? 0);
    lines.push(
      `| ${r.size.toLocaleString("en-US")} | ${fmt(r.copy.ms / 1000, 2)} s (${fmt(r.size / (r.copy.ms / 1000), 0)} rows/s, ${fmt(r.copy.bytes / 1e6)} MB) | ${fmt(r.cut.ms / 1000, 2)} s (${fmt(r.size / (r.cut.ms / 1000), 0)} rows/s; CSV ${fmt(r.cut.bytes / 1e6)} MB + JSON ${fmt((r.cut.jsonBytes ?? 0) / 1e6)} MB) | ${fmt((r.cut.phases?.assignMs ?? 0) / 1000, 2)} s | ${fmt((r.cut.phases?.writeMs ?? 0) / 1000, 2)} s (${fmt(r.size / ((r.cut.phases?.writeMs ?? 1) / 1000), 0)} rows/s) | ${fmt((r.cut.writeMs ?? 0) / 1000, 2)} s | **${fmt(total / r.copy.ms, 1)}×** | ${fmt(r.copy.maxRssMb, 0)} MB | **${fmt(r.cut.maxRssMb, 0)} MB** |`,
    );
  }
  if (rows.length >= 2) {
    const [small, large] = [rows[0]!, rows.at(-1)!];
    lines.push(
      "",
      `Memory stays flat: ${large.size / small.size}× the rows, cut child peak RSS ${fmt(small.cut.maxRssMb, 0)} MB → ${fmt(large.cut.maxRssMb, 0)} MB (${fmt(large.cut.maxRssMb / small.cut.maxRssMb, 2)}×).`,
      `Time: ${fmt(small.cut.ms / 1000, 2)} s → ${fmt(large.cut.ms / 1000, 2)} s (${fmt(large.cut.ms / small.cut.ms, 1)}×). Streaming, rendering and storing the files grows linearly`,
      `(${fmt((small.cut.phases?.writeMs ?? 0) / 1000, 2)} s → ${fmt((large.cut.phases?.writeMs ?? 0) / 1000, 2)} s); the one UPDATE that assigns the orders grows faster (${fmt((small.cut.phases?.assignMs ?? 0) / 1000, 2)} s → ${fmt((large.cut.phases?.assignMs ?? 0) / 1000, 2)} s)`,
      "because a million new row versions, their entries in the table's seven indexes and a foreign-key check each no longer fit",
      "in PostgreSQL's default 128 MB of shared buffers; this is the server's work, not the process's memory.",
    );
  }
  lines.push(
    "",
    "The cut does much more than COPY reads: it writes every order again (batch id, position, status), opens an AES-GCM seal per",
    "row, renders two formats, seals and stores about twice the data back in the database, and does it all in one transaction that",
    "a crash rolls back whole. Production batches are capped by each carrier's `batch_max_size` (default 5,000 orders, about",
    "0.2 s at the 100,000-row rate).",
    `Insert of the test rows (COPY FROM, not measured above): ${rows.map((r) => `${r.size.toLocaleString("en-US")} in ${fmt(r.insertMs / 1000, 1)} s`).join(", ")}.`,
    "",
  );
  return lines.join("\n");
}

function writeSection(section: string) {
  const existing = fs.existsSync(BENCHMARKS_FILE) ? fs.readFileSync(BENCHMARKS_FILE, "utf8") : "# Benchmarks\n";
  const start = existing.indexOf(SECTION_HEADING);
  let next: string;
  if (start < 0) {
    next = `${existing.replace(/\s*$/, "")}\n\n${section}`;
  } else {
    const after = existing.indexOf("\n## ", start + SECTION_HEADING.length);
    next = existing.slice(0, start) + section + (after < 0 ? "" : existing.slice(after + 1));
  }
  fs.writeFileSync(BENCHMARKS_FILE, next.endsWith("\n") ? next : `${next}\n`);
}

async function main() {
  if (process.argv.includes("--child")) {
    const kind = argValue("child");
    const url = argValue("db")!;
    const out = argValue("out")!;
    const result = kind === "copy" ? await childCopy(url, out) : await childCut(url, out);
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  const adminUrl = argValue("url") ?? process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
  const sizes = (argValue("sizes") ?? "100000,1000000").split(",").map(Number);
  const name = `kokusai_bench_carriers_${process.pid}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "kokusai-bench-carriers-"));
  await admin.unsafe(`create database "${name}"`);
  const url = databaseUrl(adminUrl, name);
  const rows: Row[] = [];
  try {
    const database = wrapPostgres(url, 2);
    await migrateDatabase(database);
    await seedReferenceData(database.db);
    await database.close();
    const sql = postgres(url, { max: 1, onnotice: () => {} });
    const [{ server_version: version }] = (await sql`show server_version`) as unknown as [{ server_version: string }];
    try {
      for (const size of sizes) {
        process.stdout.write(`${size} orders: inserting… `);
        const insertMs = await insertOrders(sql, size);
        process.stdout.write(`${fmt(insertMs / 1000)} s; COPY baseline… `);
        const copy = await runChild("copy", url, path.join(tmp, `copy-${size}.csv`));
        process.stdout.write(`${fmt(copy.ms / 1000, 2)} s; cut… `);
        const cut = await runChild("cut", url, path.join(tmp, `cut-${size}.csv`));
        if (cut.records !== size) throw new Error(`cut ${cut.records} of ${size}`);
        const p = cut.phases!;
        process.stdout.write(`${fmt(cut.ms / 1000, 2)} s (assign ${fmt(p.assignMs / 1000, 2)} s, render+store ${fmt(p.writeMs / 1000, 2)} s, sign+commit ${fmt(p.finishMs / 1000, 2)} s) + write ${fmt((cut.writeMs ?? 0) / 1000, 2)} s, peak RSS ${fmt(cut.maxRssMb, 0)} MB (COPY ${fmt(copy.maxRssMb, 0)} MB)\n`);
        rows.push({ size, insertMs, copy, cut });
        fs.rmSync(path.join(tmp, `copy-${size}.csv`), { force: true });
        fs.rmSync(path.join(tmp, `cut-${size}.csv`), { force: true });
      }
      const section = report(rows, { postgres: version.split(" ")[0]!, cpus: os.cpus().length, date: new Date().toISOString().slice(0, 10) });
      process.stdout.write(`\n${section}\n`);
      if (!process.argv.includes("--no-write")) {
        writeSection(section);
        process.stdout.write(`updated ${path.relative(process.cwd(), BENCHMARKS_FILE)}\n`);
      }
    } finally {
      await sql.end({ timeout: 5 });
    }
  } finally {
    await admin.unsafe(`drop database if exists "${name}" with (force)`).catch(() => {});
    await admin.end({ timeout: 5 });
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
