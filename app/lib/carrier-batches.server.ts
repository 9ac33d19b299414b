/**
 * Batches: cut, stored, read back, delivered, acknowledged.
 *
 * Cutting one carrier's batch is one transaction, under a per-carrier advisory lock:
 *   1. the next sequence number (the last one plus one: gap-free, because a failed cut rolls back);
 *   2. the carrier's pending orders (oldest first, at most batch_max_size) get the batch id and their
 *      position in one statement; their applications move queued → sent with an event;
 *   3. the records are streamed through a server-side cursor and written as CSV (UTF-8 or Shift_JIS)
 *      and JSON in sealed parts of about 1 MiB, hashing as they go, so memory stays flat whatever the
 *      size of the batch;
 *   4. the manifest (both hashes, the count, the previous manifest's hash) is signed with Ed25519.
 * A crash anywhere rolls all of it back: the orders are pending again and no sequence number is used.
 * Run twice, the second cut finds nothing pending. Database triggers keep a cut batch, its files and
 * each order's batch assignment immutable (migration carrier_batches_immutable).
 */
import { createHash, randomUUID } from "node:crypto";
import { and, asc, desc, eq, inArray, sql } from "drizzle-orm";
import type { DbOrTx } from "../../db/client";
import { auditLog, carrierBatches, carrierBatchFiles, carriers } from "../../db/schema";
import { canTransition } from "../domain/application-state";
import { batchFileName, manifestText, nextSequence, type BatchStatus, type Manifest } from "../domain/carrier-batch";
import {
  csvEncodingOf,
  csvHeaderLine,
  csvRecordLine,
  defaultDownloadFormat,
  isFileFormat,
  jsonHead,
  jsonRecordLine,
  jsonTail,
  nationalNumber,
  type BatchRecord,
  type CsvEncoding,
  type DownloadFormat,
  type FileFormat,
  type OrderAction,
} from "../domain/carrier-files";
import { carrierSettings } from "./carrier-config.server";
import { encodeShiftJis, unrepresentableInShiftJis } from "./shift-jis.server";
import { enqueueWithRetry, rowsOf } from "./carrier-jobs.server";
import { batchSigner } from "./carrier-signing.server";
import { JOB_NAMES } from "./jobs";
import type { PiiCipher } from "./pii.server";
import type { Services } from "./services.server";

// The set-based status moves below write these transitions without changeStatus(): make sure the
// table still allows them, so a change to the lifecycle fails here loudly instead of silently.
for (const [from, to] of [
  ["queued", "sent"],
  ["sent", "acknowledged"],
] as const) {
  if (!canTransition(from, to)) throw new Error(`application-state no longer allows ${from} → ${to}`);
}

export const PART_BYTES = 1024 * 1024;
export const FETCH_ROWS = 2000;

export type CutOptions = {
  /** At most this many records (default: the carrier's batch_max_size). */
  maxRecords?: number;
  partBytes?: number;
  fetchRows?: number;
  /** Called after each fetched page with the records written so far (tests use it to crash mid-batch). */
  onProgress?: (written: number) => void | Promise<void>;
};

export type CutResult = {
  batchId: string;
  carrierCode: string;
  sequence: number;
  recordCount: number;
  fileSha256: string;
  csvBytes: number;
  jsonBytes: number;
  /** Characters Shift_JIS could not hold, written as 〓. */
  substituted: number;
  /** The records that needed 〓 (Shift_JIS batches only): also in the batch's audit record and flagged in its JSON. */
  substitutedRecords: SubstitutedRecord[];
  /** Milliseconds per phase: assigning the orders, streaming and storing the files, signing and committing. */
  timings: { assignMs: number; writeMs: number; finishMs: number };
};

class PartWriter {
  private parts = 0;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private readonly hash = createHash("sha256");
  bytes = 0;

  constructor(
    private readonly tx: DbOrTx,
    private readonly pii: PiiCipher,
    private readonly batchId: string,
    private readonly format: DownloadFormat,
    private readonly partBytes: number,
  ) {}

  async write(chunk: Buffer | Uint8Array): Promise<void> {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    this.hash.update(buffer);
    this.bytes += buffer.length;
    this.pending.push(buffer);
    this.pendingBytes += buffer.length;
    if (this.pendingBytes >= this.partBytes) await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.pendingBytes === 0) return;
    const data = Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    await this.tx.insert(carrierBatchFiles).values({ batchId: this.batchId, format: this.format, part: this.parts, bytesEnc: this.pii.sealBytes(data) });
    this.parts++;
  }

  async finish(): Promise<{ sha256: string; bytes: number }> {
    await this.flush();
    return { sha256: this.hash.digest("hex"), bytes: this.bytes };
  }
}

class EmptyCut extends Error {}

/** A withdrawal committed while the batch was being cut: roll back and cut again without it. */
export class CutRaceError extends Error {
  constructor() {
    super("an application in the batch was withdrawn while the batch was cut");
    this.name = "CutRaceError";
  }
}

type CursorRow = {
  id: string;
  batch_position: number;
  action: OrderAction;
  scope: "outgoing" | "incoming";
  e164: string;
  prefecture: number | null;
  request_ref: string | null;
  subject_enc: string | null;
  requested_at: string;
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function recordFromRow(row: CursorRow, pii: Pick<PiiCipher, "open">): BatchRecord {
  const subject = row.subject_enc ? (JSON.parse(pii.open(row.subject_enc)) as { name?: string; kana?: string; address?: string; unverified?: boolean }) : {};
  return {
    recordId: row.id,
    seq: Number(row.batch_position),
    action: row.action,
    scope: row.scope,
    phoneNumber: nationalNumber(row.e164),
    subscriberKana: subject.kana ?? "",
    // Inquiries go to carriers that may not own the line: never the full name.
    subscriberName: row.action === "INQUIRY" ? "" : (subject.name ?? ""),
    installationAddress: row.action === "INQUIRY" ? "" : (subject.address ?? ""),
    prefecture: row.prefecture === null ? null : Number(row.prefecture),
    requestRef: row.request_ref ?? "",
    requestedAt: row.requested_at,
    nameUnverified: subject.unverified === true && Boolean(subject.name || subject.kana),
  };
}

/**
 * Cuts one batch of the carrier's pending orders. Returns null when nothing is pending (or the carrier
 * is inactive). Safe to run concurrently and repeatedly; see the file comment.
 */
export async function cutBatch(services: Services, carrierCode: string, options: CutOptions = {}): Promise<CutResult | null> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await cutOnce(services, carrierCode, options);
    } catch (error) {
      if (error instanceof EmptyCut) return null;
      if (error instanceof CutRaceError && attempt < 3) continue;
      throw error;
    }
  }
}

async function cutOnce(services: Services, carrierCode: string, options: CutOptions): Promise<CutResult> {
  const signer = batchSigner(services.config);
  const { pii } = services;
  const now = services.now();
  return services.db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`carrier-batch:${carrierCode}`}, 0))`);
    const [carrier] = await tx.select().from(carriers).where(eq(carriers.code, carrierCode));
    if (!carrier || !carrier.active) throw new EmptyCut();
    const fileFormat: FileFormat = isFileFormat(carrier.fileFormat) ? carrier.fileFormat : "csv-utf8";
    const csvEncoding: CsvEncoding = csvEncodingOf(fileFormat);
    const maxRecords = Math.max(1, options.maxRecords ?? carrier.batchMaxSize);

    const waiting = rowsOf<{ n: number }>(
      await tx.execute(sql`select 1 as n from carrier_orders where carrier_code = ${carrierCode} and status = 'pending' limit 1`),
    );
    if (waiting.length === 0) throw new EmptyCut();

    const [last] = await tx
      .select({ sequence: carrierBatches.sequence, manifest: carrierBatches.manifest })
      .from(carrierBatches)
      .where(eq(carrierBatches.carrierCode, carrierCode))
      .orderBy(desc(carrierBatches.sequence))
      .limit(1);
    const sequence = nextSequence(last?.sequence);
    const batchId = randomUUID();
    const startedAt = performance.now();
    await tx.insert(carrierBatches).values({
      id: batchId,
      carrierCode,
      sequence,
      recordCount: 0,
      fileFormat,
      fileSha256: "",
      signature: "",
      status: "cutting",
      cutAt: now,
      csvEncoding,
    });

    // Oldest first; orders of an application withdrawn in the meantime stay behind (and get cancelled).
    // Cutters of one carrier take turns (the advisory lock); a planner cancelling an order at the same
    // moment is caught by "status = 'pending'" in the UPDATE, which PostgreSQL re-checks on the newest
    // row version — so no extra locking pass over the rows is needed. A large batch sorts and joins in
    // memory rather than on disk.
    await tx.execute(sql`set local work_mem = '128MB'`);
    await tx.execute(sql`
      update carrier_orders o
         set batch_id = ${batchId}, batch_position = numbered.position, status = 'batched', updated_at = ${now.toISOString()}::timestamptz
        from (
          select p.id, row_number() over (order by p.created_at, p.id) as position
            from carrier_orders p
           where p.carrier_code = ${carrierCode} and p.status = 'pending'
             and not exists (select 1 from applications a where a.id = p.application_id and a.status = 'withdrawn')
           order by p.created_at, p.id
           limit ${maxRecords}
        ) numbered
       where o.id = numbered.id and o.status = 'pending'`);
    const [counted] = rowsOf<{ n: number | string; last: number | string | null }>(
      await tx.execute(sql`select count(*)::int as n, max(batch_position)::int as last from carrier_orders where batch_id = ${batchId}`),
    );
    const recordCount = Number(counted?.n ?? 0);
    if (recordCount === 0) throw new EmptyCut();
    // An order cancelled between the pick and the update leaves a hole in the positions: cut again.
    if (Number(counted?.last) !== recordCount) throw new CutRaceError();

    // The orders have left the queue: their applications can no longer be withdrawn, only answered.
    const detail = JSON.stringify({ batchId, carrier: carrierCode, sequence });
    await tx.execute(sql`
      with moved as (
        update applications set status = 'sent', updated_at = ${now.toISOString()}::timestamptz
         where status = 'queued'
           and id in (select application_id from carrier_orders where batch_id = ${batchId} and application_id is not null)
        returning id
      )
      insert into application_events (application_id, type, from_status, to_status, actor, detail, at)
      select id, 'sent', 'queued', 'sent', 'system', ${detail}::jsonb, ${now.toISOString()}::timestamptz from moved`);
    const raced = rowsOf(
      await tx.execute(sql`select 1 from carrier_orders o join applications a on a.id = o.application_id
                             where o.batch_id = ${batchId} and a.status = 'withdrawn' limit 1`),
    );
    if (raced.length > 0) throw new CutRaceError();

    const assignedAt = performance.now();
    const partBytes = options.partBytes ?? PART_BYTES;
    const csv = new PartWriter(tx, pii, batchId, "csv", partBytes);
    const json = new PartWriter(tx, pii, batchId, "json", partBytes);
    const encodeCsv = (text: string): { bytes: Uint8Array; substituted: number } =>
      csvEncoding === "shift_jis" ? encodeShiftJis(text) : { bytes: Buffer.from(text, "utf8"), substituted: 0 };
    let substituted = 0;
    const substitutedRecords: SubstitutedRecord[] = [];
    await csv.write(encodeCsv(csvHeaderLine()).bytes);
    await json.write(Buffer.from(jsonHead({ carrier: carrierCode, sequence, cutAt: now.toISOString(), recordCount }), "utf8"));

    if (!UUID.test(batchId)) throw new Error("unexpected batch id");
    await tx.execute(
      sql.raw(`declare carrier_batch_cursor no scroll cursor for
        select id, batch_position, action, scope, e164, prefecture, request_ref, subject_enc,
               to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as requested_at
          from carrier_orders where batch_id = '${batchId}' order by batch_position`),
    );
    const fetchRows = options.fetchRows ?? FETCH_ROWS;
    let written = 0;
    for (;;) {
      const rows = rowsOf<CursorRow>(await tx.execute(sql.raw(`fetch ${Math.floor(fetchRows)} from carrier_batch_cursor`)));
      if (rows.length === 0) break;
      let csvText = "";
      let jsonText = "";
      for (const row of rows) {
        const record = recordFromRow(row, pii);
        if (csvEncoding === "shift_jis") {
          const fields = shiftJisSubstitutions(record);
          if (fields.length > 0) {
            record.shiftJisSubstituted = fields.map((f) => f.field);
            substitutedRecords.push({ seq: record.seq, recordId: record.recordId, fields });
          }
        }
        csvText += csvRecordLine(record);
        jsonText += jsonRecordLine(record, written === 0);
        written++;
      }
      const encoded = encodeCsv(csvText);
      substituted += encoded.substituted;
      await csv.write(encoded.bytes);
      await json.write(Buffer.from(jsonText, "utf8"));
      await options.onProgress?.(written);
    }
    await tx.execute(sql`close carrier_batch_cursor`);
    if (written !== recordCount) throw new Error(`batch ${batchId}: wrote ${written} of ${recordCount} records`);
    await json.write(Buffer.from(jsonTail(recordCount), "utf8"));
    const csvFile = await csv.finish();
    const jsonFile = await json.finish();
    const writtenAt = performance.now();

    const manifest: Manifest = {
      carrier: carrierCode,
      sequence,
      cutAt: now.toISOString(),
      records: recordCount,
      csvEncoding,
      csvSha256: csvFile.sha256,
      csvBytes: csvFile.bytes,
      jsonSha256: jsonFile.sha256,
      jsonBytes: jsonFile.bytes,
      previousManifestSha256: last ? sha256Hex(last.manifest) : "",
      keyId: signer.keyId,
    };
    const text = manifestText(manifest);
    const fileSha256 = defaultDownloadFormat(fileFormat) === "json" ? jsonFile.sha256 : csvFile.sha256;
    await tx
      .update(carrierBatches)
      .set({
        status: "ready",
        recordCount,
        fileSha256,
        signature: signer.sign(text),
        manifest: text,
        keyId: signer.keyId,
        csvSha256: csvFile.sha256,
        csvBytes: csvFile.bytes,
        jsonSha256: jsonFile.sha256,
        jsonBytes: jsonFile.bytes,
        prevSha256: manifest.previousManifestSha256,
      })
      .where(eq(carrierBatches.id, batchId));

    if (carrier.deliveryMode === "push") {
      const settings = carrierSettings(services.config);
      await enqueueWithRetry(services, JOB_NAMES.pushCarrierBatch, { batchId }, {
        tx,
        singletonKey: batchId,
        retry: { retryLimit: settings.pushRetryLimit, retryDelaySeconds: settings.pushRetryDelaySeconds, retryBackoff: true },
      });
    }
    if (substitutedRecords.length > 0) {
      // The batch's own record of what the carrier got as 〓, in the cut's transaction; the
      // characters are personal data, so they are sealed (the seq and record ids are not).
      await services.audit.record(
        {
          actor: "system",
          action: SUBSTITUTED_AUDIT_ACTION,
          subjectType: "carrier_batch",
          subjectId: batchId,
          detail: {
            carrier: carrierCode,
            sequence,
            records: substitutedRecords.map((r) => ({ seq: r.seq, recordId: r.recordId, fields: r.fields.map((f) => f.field) })),
            charactersEnc: pii.seal(JSON.stringify(substitutedRecords.map((r) => r.fields.map((f) => f.characters)))),
          },
        },
        tx,
      );
    }
    const timings = { assignMs: assignedAt - startedAt, writeMs: writtenAt - assignedAt, finishMs: performance.now() - writtenAt };
    return { batchId, carrierCode, sequence, recordCount, fileSha256, csvBytes: csvFile.bytes, jsonBytes: jsonFile.bytes, substituted, substitutedRecords, timings };
  });
}

export type SubstitutedRecord = { seq: number; recordId: string; fields: { field: string; characters: string[] }[] };

export const SUBSTITUTED_AUDIT_ACTION = "carrier.batch.shift_jis_substituted";

/** The free-text fields of a record that Shift_JIS cannot hold, with the characters. */
export function shiftJisSubstitutions(record: BatchRecord): { field: string; characters: string[] }[] {
  const out: { field: string; characters: string[] }[] = [];
  for (const [field, value] of [
    ["subscriber_kana", record.subscriberKana],
    ["subscriber_name", record.subscriberName],
    ["installation_address", record.installationAddress],
  ] as const) {
    const characters = unrepresentableInShiftJis(value);
    if (characters.length > 0) out.push({ field, characters });
  }
  return out;
}

/**
 * The records of each batch that went to the carrier with 〓 (from the batch's audit record), with
 * the characters opened, for the back office's batch list.
 */
export async function substitutedRecordsOf(services: Pick<Services, "db" | "pii">, batchIds: readonly string[]): Promise<Map<string, SubstitutedRecord[]>> {
  const out = new Map<string, SubstitutedRecord[]>();
  if (batchIds.length === 0) return out;
  const rows = await services.db
    .select({ subjectId: auditLog.subjectId, detail: auditLog.detail })
    .from(auditLog)
    .where(and(eq(auditLog.action, SUBSTITUTED_AUDIT_ACTION), eq(auditLog.subjectType, "carrier_batch"), inArray(auditLog.subjectId, [...batchIds])));
  for (const row of rows) {
    const detail = row.detail as { records?: { seq: number; recordId: string; fields: string[] }[]; charactersEnc?: string };
    const characters = detail.charactersEnc ? (JSON.parse(services.pii.open(detail.charactersEnc)) as string[][][]) : [];
    out.set(
      row.subjectId ?? "",
      (detail.records ?? []).map((r, i) => ({ seq: r.seq, recordId: r.recordId, fields: r.fields.map((field, j) => ({ field, characters: characters[i]?.[j] ?? [] })) })),
    );
  }
  return out;
}

export function sha256Hex(text: string | Buffer): string {
  return createHash("sha256").update(text).digest("hex");
}

/**
 * Cuts batches until nothing (mode "all", the schedule) or less than a full batch (mode "full", the
 * size trigger) is pending.
 */
export async function cutDueBatches(services: Services, carrierCode: string, mode: "all" | "full", options: CutOptions = {}): Promise<CutResult[]> {
  const out: CutResult[] = [];
  for (let i = 0; i < 1000; i++) {
    if (mode === "full") {
      const [carrier] = await services.db.select({ max: carriers.batchMaxSize }).from(carriers).where(eq(carriers.code, carrierCode));
      if (!carrier) break;
      const [row] = rowsOf<{ n: number | string }>(
        await services.db.execute(sql`select count(*)::int as n from carrier_orders where carrier_code = ${carrierCode} and status = 'pending'`),
      );
      if (Number(row?.n ?? 0) < carrier.max) break;
    }
    const cut = await cutBatch(services, carrierCode, options);
    if (!cut) break;
    services.logger.info({ carrier: carrierCode, batchId: cut.batchId, sequence: cut.sequence, records: cut.recordCount }, "carrier batch cut");
    out.push(cut);
  }
  return out;
}

export type BatchSummary = {
  id: string;
  carrierCode: string;
  sequence: number;
  recordCount: number;
  status: BatchStatus;
  fileFormat: FileFormat;
  csvEncoding: CsvEncoding;
  fileSha256: string;
  csvSha256: string;
  jsonSha256: string;
  csvBytes: number;
  jsonBytes: number;
  manifest: string;
  signature: string;
  keyId: string;
  previousManifestSha256: string;
  cutAt: string;
  sentAt: string | null;
  ackedAt: string | null;
  resultsAt: string | null;
  answeredAt: string | null;
};

type BatchRow = typeof carrierBatches.$inferSelect;

export function summarise(row: BatchRow): BatchSummary {
  return {
    id: row.id,
    carrierCode: row.carrierCode,
    sequence: row.sequence,
    recordCount: row.recordCount,
    status: row.status as BatchStatus,
    fileFormat: row.fileFormat as FileFormat,
    csvEncoding: row.csvEncoding as CsvEncoding,
    fileSha256: row.fileSha256,
    csvSha256: row.csvSha256,
    jsonSha256: row.jsonSha256,
    csvBytes: Number(row.csvBytes),
    jsonBytes: Number(row.jsonBytes),
    manifest: row.manifest,
    signature: row.signature,
    keyId: row.keyId,
    previousManifestSha256: row.prevSha256,
    cutAt: row.cutAt.toISOString(),
    sentAt: row.sentAt?.toISOString() ?? null,
    ackedAt: row.ackedAt?.toISOString() ?? null,
    resultsAt: row.resultsAt?.toISOString() ?? null,
    answeredAt: row.answeredAt?.toISOString() ?? null,
  };
}

export const READY_STATUSES: readonly BatchStatus[] = ["ready", "sent"];

/** A carrier's batches, newest first. `only: "ready"` is what it has not acknowledged yet. */
export async function listBatches(
  services: Pick<Services, "db">,
  carrierCode: string,
  options: { only?: "ready" | "all"; limit?: number } = {},
): Promise<BatchSummary[]> {
  const where =
    options.only === "ready"
      ? and(eq(carrierBatches.carrierCode, carrierCode), inArray(carrierBatches.status, READY_STATUSES as BatchStatus[]))
      : and(eq(carrierBatches.carrierCode, carrierCode), sql`${carrierBatches.status} <> 'cutting'`);
  const rows = await services.db
    .select()
    .from(carrierBatches)
    .where(where)
    .orderBy(options.only === "ready" ? asc(carrierBatches.sequence) : desc(carrierBatches.sequence))
    .limit(options.limit ?? 100);
  return rows.map(summarise);
}

/** One batch, only if it belongs to this carrier (another carrier's batch is "not found"). */
export async function getBatch(services: Pick<Services, "db">, carrierCode: string | null, batchId: string): Promise<BatchSummary | null> {
  if (!UUID.test(batchId)) return null;
  const where = carrierCode === null ? eq(carrierBatches.id, batchId) : and(eq(carrierBatches.id, batchId), eq(carrierBatches.carrierCode, carrierCode));
  const [row] = await services.db.select().from(carrierBatches).where(and(where, sql`${carrierBatches.status} <> 'cutting'`));
  return row ? summarise(row) : null;
}

export type BatchFile = {
  format: DownloadFormat;
  contentType: string;
  fileName: string;
  sha256: string;
  bytes: number;
  /** The stored bytes, part by part (decrypted one part at a time). */
  stream(): ReadableStream<Uint8Array>;
  /** The whole file in memory: for small files only (tests, push of a small batch). */
  buffer(): Promise<Buffer>;
};

export function contentTypeFor(format: DownloadFormat, encoding: CsvEncoding): string {
  if (format === "json") return "application/json; charset=utf-8";
  return encoding === "shift_jis" ? "text/csv; charset=Shift_JIS" : "text/csv; charset=utf-8";
}

export function batchFile(services: Pick<Services, "db" | "pii">, batch: BatchSummary, format: DownloadFormat): BatchFile {
  const { db, pii } = services;
  const readPart = async (part: number): Promise<Buffer | null> => {
    const [row] = await db
      .select({ bytesEnc: carrierBatchFiles.bytesEnc })
      .from(carrierBatchFiles)
      .where(and(eq(carrierBatchFiles.batchId, batch.id), eq(carrierBatchFiles.format, format), eq(carrierBatchFiles.part, part)));
    return row ? pii.openBytes(row.bytesEnc) : null;
  };
  return {
    format,
    contentType: contentTypeFor(format, batch.csvEncoding),
    fileName: batchFileName(batch.carrierCode, batch.sequence, format),
    sha256: format === "json" ? batch.jsonSha256 : batch.csvSha256,
    bytes: format === "json" ? batch.jsonBytes : batch.csvBytes,
    stream() {
      let part = 0;
      return new ReadableStream<Uint8Array>({
        async pull(controller) {
          try {
            const bytes = await readPart(part++);
            if (bytes) controller.enqueue(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
            else controller.close();
          } catch (error) {
            controller.error(error);
          }
        },
      });
    },
    async buffer() {
      const parts: Buffer[] = [];
      for (let part = 0; ; part++) {
        const bytes = await readPart(part);
        if (!bytes) break;
        parts.push(bytes);
      }
      return Buffer.concat(parts);
    },
  };
}

/** The first delivery (a download or a successful push) marks the batch sent. */
export async function markSent(services: Pick<Services, "db" | "now">, batchId: string): Promise<void> {
  const now = services.now();
  await services.db
    .update(carrierBatches)
    .set({ status: "sent", sentAt: now })
    .where(and(eq(carrierBatches.id, batchId), eq(carrierBatches.status, "ready")));
}

export type AckResult = { status: BatchStatus; ackedAt: string; alreadyAcknowledged: boolean };

/**
 * The carrier says it has the batch. Its orders and their applications move to acknowledged.
 * Acknowledging twice is harmless.
 */
export async function acknowledgeBatch(services: Services, carrierCode: string, batchId: string, actor: string): Promise<AckResult | null> {
  if (!UUID.test(batchId)) return null;
  const now = services.now();
  return services.db.transaction(async (tx) => {
    const [batch] = await tx
      .select()
      .from(carrierBatches)
      .where(and(eq(carrierBatches.id, batchId), eq(carrierBatches.carrierCode, carrierCode), sql`${carrierBatches.status} <> 'cutting'`))
      .for("update");
    if (!batch) return null;
    if (batch.ackedAt) return { status: batch.status as BatchStatus, ackedAt: batch.ackedAt.toISOString(), alreadyAcknowledged: true };
    const status: BatchStatus = batch.status === "answered" ? "answered" : "acknowledged";
    await tx.update(carrierBatches).set({ status, ackedAt: now, sentAt: batch.sentAt ?? now }).where(eq(carrierBatches.id, batch.id));
    await tx.execute(sql`update carrier_orders set status = 'acknowledged', updated_at = ${now.toISOString()}::timestamptz where batch_id = ${batch.id} and status = 'batched'`);
    const detail = JSON.stringify({ batchId: batch.id, carrier: carrierCode, sequence: batch.sequence });
    await tx.execute(sql`
      with moved as (
        update applications set status = 'acknowledged', updated_at = ${now.toISOString()}::timestamptz
         where status = 'sent'
           and id in (select application_id from carrier_orders where batch_id = ${batch.id} and application_id is not null)
        returning id
      )
      insert into application_events (application_id, type, from_status, to_status, actor, detail, at)
      select id, 'acknowledged', 'sent', 'acknowledged', ${actor}, ${detail}::jsonb, ${now.toISOString()}::timestamptz from moved`);
    await services.audit.record({ actor, action: "carrier_batch.acknowledge", subjectType: "carrier_batch", subjectId: batch.id, detail: { carrier: carrierCode, sequence: batch.sequence } }, tx);
    return { status, ackedAt: now.toISOString(), alreadyAcknowledged: false };
  });
}

/** Who opened which batch file: the files hold names, so every download is audited. */
export async function recordDownload(
  services: Services,
  input: { actor: string; batch: BatchSummary; format: DownloadFormat; ip?: string | null },
): Promise<void> {
  await markSent(services, input.batch.id);
  await services.audit.record({
    actor: input.actor,
    action: "carrier_batch.download",
    subjectType: "carrier_batch",
    subjectId: input.batch.id,
    ip: input.ip ?? null,
    detail: { carrier: input.batch.carrierCode, sequence: input.batch.sequence, format: input.format, records: input.batch.recordCount },
  });
}
