/**
 * Batches: cut, stored, read back, delivered, acknowledged.
 *
 * Cutting one carrier's batch is one transaction, under a per-carrier advisory lock (ADR 014, ADR 027):
 *   1. the queue is counted (pending orders in no batch, oldest first, at most batch_max_size) and the
 *      next sequence number taken (the last one plus one: gap-free, because a failed cut rolls back);
 *   2. the queue is read once through a server-side cursor, a page at a time; for each page the cut
 *      writes its membership rows (carrier_batch_orders: batch, position, order) and moves the
 *      applications queued → sent with an event — sent without waiting, so PostgreSQL writes while
 *      this process renders — and the records are written as CSV (UTF-8 or Shift_JIS) and JSON in
 *      sealed parts of about 1 MiB, hashing as they go, so memory stays flat whatever the batch size;
 *      the order rows themselves are not rewritten;
 *   3. the manifest (both hashes, the count, the previous manifest's hash) is signed with Ed25519.
 * A crash anywhere rolls all of it back: no membership row, file part or sequence number survives, so
 * the orders are waiting again. Run twice, the second cut finds nothing waiting. Database triggers keep
 * a cut batch, its files and its membership immutable (migrations carrier_batches_immutable and
 * carrier_batch_membership).
 */
import { createHash, randomUUID } from "node:crypto";
import { and, asc, desc, eq, inArray, sql } from "drizzle-orm";
import type { DbOrTx } from "../../db/client";
import { auditLog, carrierBatches, carrierBatchFiles, carrierOrders, carriers } from "../../db/schema";
import { carrierQueueLock, waitingForBatch } from "./carrier-order-status.server";
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
  /**
   * Milliseconds per phase: counting the queue; streaming the orders, writing their membership rows and
   * the applications' move, rendering and storing the files; signing and committing.
   */
  timings: { countMs: number; writeMs: number; finishMs: number };
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
    /** Starts a statement without waiting for it (the cut waits for all of them before it commits). */
    private readonly send: (query: PromiseLike<unknown>) => Promise<unknown>,
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
    const part = this.parts++;
    void this.send(this.tx.insert(carrierBatchFiles).values({ batchId: this.batchId, format: this.format, part, bytesEnc: this.pii.sealBytes(data) }));
  }

  async finish(): Promise<{ sha256: string; bytes: number }> {
    await this.flush();
    return { sha256: this.hash.digest("hex"), bytes: this.bytes };
  }
}

class EmptyCut extends Error {}

/** A withdrawal committed while the batch was being cut: roll back and cut again without it. */
export class CutRaceError extends Error {
  constructor(message = "an application in the batch was withdrawn while the batch was cut") {
    super(message);
    this.name = "CutRaceError";
  }
}

type CursorRow = {
  id: string;
  application_id?: string | null;
  /** The record's place in the batch (the cut numbers the rows as it reads them). */
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
const CARRIER_CODE = /^[a-z0-9][a-z0-9-]{0,62}$/;

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
    await tx.execute(carrierQueueLock(carrierCode));
    const [carrier] = await tx.select().from(carriers).where(eq(carriers.code, carrierCode));
    if (!carrier || !carrier.active) throw new EmptyCut();
    const fileFormat: FileFormat = isFileFormat(carrier.fileFormat) ? carrier.fileFormat : "csv-utf8";
    const csvEncoding: CsvEncoding = csvEncodingOf(fileFormat);
    const maxRecords = Math.max(1, options.maxRecords ?? carrier.batchMaxSize);

    if (!CARRIER_CODE.test(carrierCode)) throw new Error("unexpected carrier code");
    // The queue, oldest first: pending, in no batch yet, not of an application withdrawn in the
    // meantime (those orders stay behind and get cancelled). Counted first, because the JSON file
    // starts with the record count; the cursor below reads the same rows in the same order.
    const queue = `from carrier_orders p
       where p.carrier_code = '${carrierCode}' and p.status = 'pending'
         and not exists (select 1 from carrier_batch_orders m where m.order_id = p.id)
         and not exists (select 1 from applications a where a.id = p.application_id and a.status = 'withdrawn')`;
    const limit = Math.floor(maxRecords);
    // A large batch sorts in memory rather than on disk, and the cursor is planned for reading all of
    // its rows (hash joins and one sort), not for its first tenth.
    const countStartedAt = performance.now();
    await tx.execute(sql`set local work_mem = '128MB'`);
    await tx.execute(sql`set local cursor_tuple_fraction = 1`);
    const [counted] = rowsOf<{ n: number | string }>(await tx.execute(sql.raw(`select count(*)::int as n from (select 1 ${queue} limit ${limit}) q`)));
    const recordCount = Number(counted?.n ?? 0);
    if (recordCount === 0) throw new EmptyCut();

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

    // The statements of a page (membership rows, applications queued → sent, file parts) and the next
    // page's fetch are sent without waiting for them, so PostgreSQL writes while this process renders:
    // one connection runs them in order, the loop waits only for the next page (so at most about one
    // page of statements is in flight), and any failure surfaces at the latest after the loop.
    const inFlight: Promise<unknown>[] = [];
    const send = <T>(query: PromiseLike<T>): Promise<T> => {
      // Drizzle's query objects run again each time they are awaited: start each one exactly once.
      const promise = Promise.resolve(query);
      promise.catch(() => {});
      inFlight.push(promise);
      return promise;
    };
    const partBytes = options.partBytes ?? PART_BYTES;
    const csv = new PartWriter(tx, pii, batchId, "csv", partBytes, send);
    const json = new PartWriter(tx, pii, batchId, "json", partBytes, send);
    const encodeCsv = (text: string): { bytes: Uint8Array; substituted: number } =>
      csvEncoding === "shift_jis" ? encodeShiftJis(text) : { bytes: Buffer.from(text, "utf8"), substituted: 0 };
    let substituted = 0;
    const substitutedRecords: SubstitutedRecord[] = [];
    await csv.write(encodeCsv(csvHeaderLine()).bytes);
    await json.write(Buffer.from(jsonHead({ carrier: carrierCode, sequence, cutAt: now.toISOString(), recordCount }), "utf8"));

    if (!UUID.test(batchId)) throw new Error("unexpected batch id");
    await tx.execute(
      sql.raw(`declare carrier_batch_cursor no scroll cursor for
        select p.id, p.application_id, p.action, p.scope, p.e164, p.prefecture, p.request_ref, p.subject_enc,
               to_char(p.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as requested_at
          ${queue}
         order by p.created_at, p.id
         limit ${limit}`),
    );
    const fetchRows = Math.max(1, Math.floor(options.fetchRows ?? FETCH_ROWS));
    const nowText = now.toISOString();
    const detail = JSON.stringify({ batchId, carrier: carrierCode, sequence });
    let raced = false;
    const fetchPage = (): Promise<unknown> => {
      // Resolves once everything sent before it has succeeded (so nothing is kept longer than a page).
      const before = inFlight.splice(0);
      const page = Promise.resolve(tx.execute(sql.raw(`fetch ${fetchRows} from carrier_batch_cursor`)));
      page.catch(() => {});
      return Promise.all(before).then(() => page);
    };
    let next: Promise<unknown> | null = fetchPage();
    let written = 0;
    while (next) {
      const rows: CursorRow[] = rowsOf<CursorRow>(await next);
      if (rows.length === 0) break;
      next = rows.length < fetchRows ? null : fetchPage();
      const first = written + 1;
      send(
        tx.execute(sql`insert into carrier_batch_orders (batch_id, position, order_id)
          select ${batchId}::uuid, ${first}::int + (u.ord::int - 1), u.id
            from unnest(${`{${rows.map((r) => r.id).join(",")}}`}::uuid[]) with ordinality as u(id, ord)`),
      );
      const applicationIds = [...new Set(rows.map((r) => r.application_id).filter((id): id is string => id !== null))];
      if (applicationIds.length > 0) {
        // The orders have left the queue: their applications can no longer be withdrawn, only answered.
        // One withdrawn after the cursor's snapshot is in the files already: roll back and cut again.
        const ids = `{${applicationIds.join(",")}}`;
        send(
          tx.execute(sql`
            with moved as (
              update applications set status = 'sent', updated_at = ${nowText}::timestamptz
               where status = 'queued' and id = any(${ids}::uuid[])
              returning id
            ), events as (
              insert into application_events (application_id, type, from_status, to_status, actor, detail, at)
              select id, 'sent', 'queued', 'sent', 'system', ${detail}::jsonb, ${nowText}::timestamptz from moved
            )
            select count(*)::int as n from applications where id = any(${ids}::uuid[]) and status = 'withdrawn'`),
        ).then(
          (result) => {
            if (Number(rowsOf<{ n: number | string }>(result)[0]?.n ?? 0) > 0) raced = true;
          },
          () => {}, // surfaces from inFlight
        );
      }
      let csvText = "";
      let jsonText = "";
      for (const row of rows) {
        row.batch_position = ++written;
        const record = recordFromRow(row, pii);
        if (csvEncoding === "shift_jis") {
          const fields = shiftJisSubstitutions(record);
          if (fields.length > 0) {
            record.shiftJisSubstituted = fields.map((f) => f.field);
            substitutedRecords.push({ seq: record.seq, recordId: record.recordId, fields });
          }
        }
        csvText += csvRecordLine(record);
        jsonText += jsonRecordLine(record, record.seq === 1);
      }
      const encoded = encodeCsv(csvText);
      substituted += encoded.substituted;
      await csv.write(encoded.bytes);
      await json.write(Buffer.from(jsonText, "utf8"));
      await options.onProgress?.(written);
    }
    await Promise.all(inFlight);
    await tx.execute(sql`close carrier_batch_cursor`);
    if (raced) throw new CutRaceError();
    // The queue changed between the count and the cursor (an order came or went): cut again.
    if (written !== recordCount) throw new CutRaceError(`the queue changed while the batch was cut (${written} records, ${recordCount} counted)`);
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
    const timings = { countMs: startedAt - countStartedAt, writeMs: writtenAt - startedAt, finishMs: performance.now() - writtenAt };
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
      const [row] = await services.db
        .select({ n: sql<number>`count(*)::int` })
        .from(carrierOrders)
        .where(and(eq(carrierOrders.carrierCode, carrierCode), waitingForBatch));
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
    await tx.execute(sql`
      update carrier_orders set status = 'acknowledged', updated_at = ${now.toISOString()}::timestamptz
       where id in (select order_id from carrier_batch_orders where batch_id = ${batch.id}) and status in ('pending', 'batched')`);
    const detail = JSON.stringify({ batchId: batch.id, carrier: carrierCode, sequence: batch.sequence });
    await tx.execute(sql`
      with moved as (
        update applications set status = 'acknowledged', updated_at = ${now.toISOString()}::timestamptz
         where status = 'sent'
           and id in (select o.application_id from carrier_batch_orders m join carrier_orders o on o.id = m.order_id
                       where m.batch_id = ${batch.id} and o.application_id is not null)
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
