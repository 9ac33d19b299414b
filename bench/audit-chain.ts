/**
 * `npm run bench:audit`: audited changes per second at 1, 4 and 16 concurrent writers on PostgreSQL,
 * with the audit chain as it is now (rows written with no lock, chained by the sequencer: ADR 023)
 * against the chain as it was (every writer takes one advisory lock, reads the head and appends its
 * hashed row before commit), in the same run, on the same database, with the same transactions.
 *
 * One audited change = BEGIN; insert the change; two reads; write its audit row; COMMIT — the shape of
 * a submission's last transaction. The sequencer runs every 100 ms during the new path's runs, as the
 * workers' job does every minute; its time to chain what was left is reported, and the chain is
 * verified at the end.
 *
 * Options: --count 2000 (changes per run) --no-write.
 */
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { sql } from "drizzle-orm";
import { applyMigrations, wrapPostgres, type Database } from "../db/client";
import { auditRowHash, createAudit, GENESIS_HASH, type AuditEntry } from "../app/lib/audit.server";
import { createPiiCipher } from "../app/lib/pii.server";
import { withScratchDatabase, writeBenchmarkSection } from "./support";

const { values } = parseArgs({ options: { count: { type: "string", default: "2000" }, "no-write": { type: "boolean", default: false } } });
const COUNT = Number(values.count);
const CONCURRENCY = [1, 4, 16];
/** The advisory lock id the old append took (app/lib/audit.server.ts before ADR 023). */
const OLD_LOCK_ID = 7_402_118_013;

type Db = Database["db"];

async function pool(count: number, concurrency: number, work: (i: number) => Promise<void>): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < count; i = next++) await work(i);
    }),
  );
  return performance.now() - started;
}

/** The change itself and two reads, in the writer's transaction. */
async function change(tx: Db, i: number, run: string) {
  await tx.execute(sql`insert into bench_changes (run, n) values (${run}, ${i})`);
  await tx.execute(sql`select count(*) from bench_changes where run = ${run} and n = ${i}`);
  await tx.execute(sql`select 1 from bench_changes where run = ${run} order by id desc limit 1`);
}

/** The baseline: the old append, serialised by one lock held until commit (same row, same hash). */
async function serialisedAppend(tx: Db, entry: AuditEntry) {
  await tx.execute(sql`select pg_advisory_xact_lock(${OLD_LOCK_ID})`);
  const [last] = (await tx.execute(sql`select hash from bench_audit_serialised order by id desc limit 1`)) as unknown as { hash: string }[];
  const prevHash = last?.hash ?? GENESIS_HASH;
  const row = { at: new Date(), actor: entry.actor, action: entry.action, subjectType: entry.subjectType, subjectId: entry.subjectId ?? null, ipHash: null, detail: entry.detail ?? {} };
  await tx.execute(sql`
    insert into bench_audit_serialised (at, actor, action, subject_type, subject_id, detail, prev_hash, hash)
    values (${row.at.toISOString()}::timestamptz, ${row.actor}, ${row.action}, ${row.subjectType}, ${row.subjectId}, ${JSON.stringify(row.detail)}::jsonb, ${prevHash}, ${auditRowHash(prevHash, row)})`);
}

const entryFor = (i: number): AuditEntry => ({ actor: "system", action: "bench.change", subjectType: "bench", subjectId: String(i), detail: { i } });

await withScratchDatabase(async (url) => {
  const database = wrapPostgres(url, 20);
  try {
    await applyMigrations(database);
    const { db } = database;
    await db.execute(sql`create table bench_changes (id bigserial primary key, run text not null, n int not null)`);
    await db.execute(sql`create index on bench_changes (run, n)`);
    await db.execute(sql`create table bench_audit_serialised (like audit_log including defaults)`);
    await db.execute(sql`alter table bench_audit_serialised add primary key (id)`);
    const pii = createPiiCipher(Buffer.alloc(32, 1), Buffer.alloc(32, 2));
    const audit = createAudit({ db, pii, hashKey: Buffer.alloc(32, 2) });

    const rows: string[] = [];
    const ratios: number[] = [];
    for (const concurrency of CONCURRENCY) {
      // The two paths, in turn; which goes first alternates between concurrency levels.
      const order = concurrency === 4 ? ["new", "old"] : ["old", "new"];
      const result: Record<string, { ms: number; chainMs: number }> = {};
      for (const path of order) {
        const run = `${path}-${concurrency}`;
        let sequencer: NodeJS.Timeout | null = null;
        let sequencing: Promise<unknown> = Promise.resolve();
        if (path === "new") {
          sequencer = setInterval(() => {
            sequencing = sequencing.then(() => audit.chainPending());
          }, 100);
        }
        const ms = await pool(COUNT, concurrency, (i) =>
          db.transaction(async (tx) => {
            await change(tx as unknown as Db, i, run);
            if (path === "new") await audit.record(entryFor(i), tx);
            else await serialisedAppend(tx as unknown as Db, entryFor(i));
          }),
        );
        if (sequencer) clearInterval(sequencer);
        await sequencing;
        const chainStart = performance.now();
        if (path === "new") await audit.chainPending();
        result[path] = { ms, chainMs: performance.now() - chainStart };
      }
      const perSecond = (ms: number) => (COUNT / ms) * 1000;
      const ratio = perSecond(result.new!.ms) / perSecond(result.old!.ms);
      ratios.push(ratio);
      rows.push(`| ${concurrency} | ${COUNT} | ${perSecond(result.old!.ms).toFixed(0)} | ${perSecond(result.new!.ms).toFixed(0)} | ×${ratio.toFixed(2)} | ${result.new!.chainMs.toFixed(0)} |`);
      console.log(rows[rows.length - 1]);
    }
    const chain = await audit.verifyChain();
    if (!chain.ok) throw new Error(`the chain does not verify: ${JSON.stringify(chain)}`);
    const [{ n: unchained } = { n: -1 }] = (await db.execute(sql`select count(*)::int as n from audit_log where chain_seq is null`)) as unknown as { n: number }[];

    const body = `Measured ${new Date().toISOString().slice(0, 10)} with \`npm run bench:audit -- --count ${COUNT}\` on PostgreSQL at 127.0.0.1 (scratch database), ${process.version}, 2 cores shared with the load generator.

One audited change = BEGIN; insert the change; two reads; the audit row; COMMIT. Baseline (same run, same transactions): the chain as it was before ADR 023, every writer taking one advisory lock until commit to read the head and append its hashed row. Now: the row is inserted with no lock, and the sequencer (run every 100 ms here, every minute by the workers) chains it after commit.

| concurrent writers | changes | serialised chain (changes/s) | sequenced chain (changes/s) | ratio | sequencer: chain what was left (ms) |
| ---: | ---: | ---: | ---: | ---: | ---: |
${rows.join("\n")}

After the runs the chain verifies (${chain.rows} rows, ${unchained} left unchained).`;
    console.log(`\n${body}`);
    if (!values["no-write"]) writeBenchmarkSection("Audit chain: writes per second (bench:audit)", body);
  } finally {
    await database.close();
  }
});
