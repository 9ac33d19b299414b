/**
 * The reference carrier client: what a carrier's system does with the centre, as working code.
 *
 *  - pull: list ready batches, download each, check the Ed25519 signature of the manifest against the
 *    public key the carrier holds, then the file's SHA-256, size and record count against the signed
 *    manifest, check the sequence follows the last one and the manifest chains to it, acknowledge,
 *    answer every record from a rules file, upload the results;
 *  - push: an HTTP handler that checks the HMAC, the hash and the signature of a pushed batch.
 *
 * It is written as a carrier would write it, from docs/openapi.yaml and docs/carrier-interface.md
 * alone, with none of the centre's code: the API types are generated from the document
 * (carrier-api.generated.ts, `npm run generate:carrier-api`) and the calls go through openapi-fetch,
 * so an API change the document does not describe fails the typecheck; the Shift_JIS CSV is decoded
 * with iconv-lite and parsed with csv-parse; the signature is checked with node:crypto.
 *
 * Used by the tests, the bench (bench/centre/carriers.ts) and `npm run carrier -- <carrier-code>`
 * (app/lib/carriers/cli.ts). Nothing here touches the centre's database.
 */
import { createHash, createHmac, createPublicKey, timingSafeEqual, verify, type KeyObject } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { parse as parseCsvText } from "csv-parse/sync";
import iconv from "iconv-lite";
import createClient from "openapi-fetch";
import type { components, paths } from "./carrier-api.generated";

type Schemas = components["schemas"];

/** One order as the carrier receives it (the document's Record). */
export type ReceivedRecord = Schemas["Record"];
/** A batch as the API lists it (the document's Batch). */
export type BatchInfo = Schemas["Batch"];
/** One answer as uploaded (the document's Result). */
export type ResultRow = Schemas["Result"];
export type ResultError = Schemas["ResultError"];
export type BatchDocument = Schemas["BatchDocument"];
export type OrderAction = ReceivedRecord["action"];
export type Scope = ReceivedRecord["scope"];
export type ResultCode = ResultRow["result"];
export type ReasonCode = NonNullable<ResultRow["reason_code"]>;
export type CsvEncoding = BatchInfo["csv_encoding"];
export type DownloadFormat = "csv" | "json";
export type UploadSummary = paths["/batches/{batchId}/results"]["post"]["responses"]["200"]["content"]["application/json"];
export type AckSummary = paths["/batches/{batchId}/ack"]["post"]["responses"]["200"]["content"]["application/json"];
export type PublicKeyResponse = paths["/public-key"]["get"]["responses"]["200"]["content"]["application/json"];

// Every value of the document's enums, listed once. A Record over the union must name each value and
// no other, so a value added to (or removed from) the document fails the typecheck here.
const ACTION_SET: Record<OrderAction, true> = { SUSPEND: true, RESUME: true, INQUIRY: true };
const SCOPE_SET: Record<Scope, true> = { outgoing: true, incoming: true };
const RESULT_SET: Record<ResultCode, true> = { DONE: true, REJECTED: true, ACCEPTED: true };
const REASON_SET: Record<ReasonCode, true> = { NOT_OUR_SUBSCRIBER: true, NAME_MISMATCH: true, NUMBER_NOT_IN_SERVICE: true, ALREADY_SUSPENDED: true, OTHER: true };
const ENCODING_SET: Record<CsvEncoding, true> = { "utf-8": true, shift_jis: true };
export const RESULTS = Object.keys(RESULT_SET) as ResultCode[];
export const REASON_CODES = Object.keys(REASON_SET) as ReasonCode[];

export type Answer = { result: ResultCode; reason_code?: ReasonCode; note?: string };

export type Rule = {
  /** Match on any of these (all given must match). */
  action?: OrderAction;
  scope?: Scope;
  phone_number?: string;
  phone_prefix?: string;
  answer: Answer;
};

export type Rules = {
  /** What to answer when no rule matches; per action. */
  defaults?: Partial<Record<OrderAction, Answer>>;
  rules?: Rule[];
  /** "today" (JST, default), "+N" days from today, or a date YYYY-MM-DD. */
  effective_date?: string;
};

export const DEFAULT_RULES: Rules = {
  defaults: {
    SUSPEND: { result: "DONE" },
    RESUME: { result: "DONE" },
    INQUIRY: { result: "REJECTED", reason_code: "NOT_OUR_SUBSCRIBER" },
  },
  rules: [],
  effective_date: "today",
};

export function parseRules(text: string): Rules {
  const rules = JSON.parse(text) as Rules;
  const check = (answer: Answer, where: string) => {
    if (!Object.hasOwn(RESULT_SET, answer.result)) throw new Error(`${where}: result must be one of ${RESULTS.join(", ")}`);
    if (answer.reason_code && !Object.hasOwn(REASON_SET, answer.reason_code)) throw new Error(`${where}: unknown reason_code ${answer.reason_code}`);
  };
  for (const [action, answer] of Object.entries(rules.defaults ?? {})) check(answer, `defaults.${action}`);
  (rules.rules ?? []).forEach((rule, i) => check(rule.answer, `rules[${i}]`));
  return rules;
}

/** The date in Japan (UTC+9, no daylight saving): effective dates are Japan dates. */
export function japanDate(at: Date): string {
  return new Date(at.getTime() + 9 * 3600_000).toISOString().slice(0, 10);
}

function effectiveDate(rules: Rules, now: Date): string {
  const spec = rules.effective_date ?? "today";
  const today = japanDate(now);
  if (spec === "today") return today;
  const offset = spec.match(/^\+(\d+)$/);
  if (offset) return japanDate(new Date(now.getTime() + Number(offset[1]) * 86_400_000));
  return spec;
}

/** The answer for one record: the first matching rule, else the default for its action. */
export function decide(record: ReceivedRecord, rules: Rules, now: Date): ResultRow {
  const rule = (rules.rules ?? []).find(
    (r) =>
      (r.action === undefined || r.action === record.action) &&
      (r.scope === undefined || r.scope === record.scope) &&
      (r.phone_number === undefined || r.phone_number === record.phone_number) &&
      (r.phone_prefix === undefined || record.phone_number.startsWith(r.phone_prefix)),
  );
  const answer = rule?.answer ?? rules.defaults?.[record.action] ?? DEFAULT_RULES.defaults![record.action]!;
  return {
    record_id: record.record_id,
    result: answer.result,
    ...(answer.result === "DONE" ? { effective_date: effectiveDate(rules, now) } : {}),
    ...(answer.result === "REJECTED" ? { reason_code: answer.reason_code ?? "OTHER" } : {}),
    ...(answer.note ? { note: answer.note } : {}),
  };
}

export function resultsToCsv(rows: readonly ResultRow[]): string {
  const field = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  return ["record_id,result,effective_date,reason_code,note", ...rows.map((r) => [r.record_id, r.result, r.effective_date ?? "", r.reason_code ?? "", r.note ?? ""].map(field).join(","))].join("\r\n") + "\r\n";
}

// ---------------------------------------------------------------------------------------------
// Checking a batch file as a carrier does
// ---------------------------------------------------------------------------------------------

export class BatchVerificationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BatchVerificationError";
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type FieldCheck<T> = (value: unknown) => T;
const bad = (what: string, value: unknown): never => {
  throw new BatchVerificationError(`${what}, not ${JSON.stringify(value)}`);
};
const text: FieldCheck<string> = (v) => (typeof v === "string" ? v : bad("a string", v));
const uuid: FieldCheck<string> = (v) => (typeof v === "string" && UUID.test(v) ? v : bad("a UUID", v));
const positive: FieldCheck<number> = (v) => (typeof v === "number" && Number.isSafeInteger(v) && v >= 1 ? v : bad("a whole number from 1", v));
const digits: FieldCheck<string> = (v) => (typeof v === "string" && /^\d+$/.test(v) ? v : bad("digits", v));
const instant: FieldCheck<string> = (v) => (typeof v === "string" && /^\d{4}-\d\d-\d\dT/.test(v) && !Number.isNaN(Date.parse(v)) ? v : bad("a date and time (ISO 8601)", v));
const flag: FieldCheck<boolean> = (v) => (typeof v === "boolean" ? v : bad("true or false", v));
const prefecture: FieldCheck<number | null> = (v) => (v === null || (typeof v === "number" && Number.isInteger(v) && v >= 1 && v <= 47) ? v : bad("a prefecture code 1–47 or empty", v));
const oneOf =
  <T extends string>(set: Record<T, true>): FieldCheck<T> =>
  (v) =>
    typeof v === "string" && Object.hasOwn(set, v) ? (v as T) : bad(`one of ${Object.keys(set).join(", ")}`, v);

/**
 * Every field of a record, in the CSV's column order (docs/carrier-interface.md), with its check.
 * Typed over the document's Record: a field added to the document and not here fails the typecheck.
 */
/** JSON-only fields (not CSV columns): a record carries them only when they apply. */
type JsonOnlyField = "shift_jis_substituted";
type CsvField = Exclude<keyof ReceivedRecord, JsonOnlyField>;
const SUBSTITUTABLE = { subscriber_kana: true, subscriber_name: true, installation_address: true } as const;

const RECORD_FIELDS: { [K in CsvField]-?: FieldCheck<ReceivedRecord[K]> } = {
  record_id: uuid,
  seq: positive,
  action: oneOf(ACTION_SET),
  scope: oneOf(SCOPE_SET),
  phone_number: digits,
  subscriber_kana: text,
  subscriber_name: text,
  prefecture,
  request_ref: text,
  requested_at: instant,
  name_unverified: flag,
  installation_address: text,
};
/** The CSV header line's columns. */
export const CSV_COLUMNS = Object.keys(RECORD_FIELDS) as CsvField[];

/** The optional JSON-only fields, each with its check (present only on the records it applies to). */
const JSON_ONLY_FIELDS: { [K in JsonOnlyField]-?: FieldCheck<NonNullable<ReceivedRecord[K]>> } = {
  shift_jis_substituted: (v) =>
    Array.isArray(v) && v.length > 0 && v.every((f) => typeof f === "string" && Object.hasOwn(SUBSTITUTABLE, f))
      ? (v as NonNullable<ReceivedRecord["shift_jis_substituted"]>)
      : bad(`a list of ${Object.keys(SUBSTITUTABLE).join(", ")}`, v),
};

/** A CSV cell as the JSON value it stands for: numbers, an empty prefecture, the 1/0 flag. */
const CSV_CELL: { [K in keyof ReceivedRecord]?: (cell: string) => unknown } = {
  seq: (cell) => (/^\d+$/.test(cell) ? Number(cell) : cell),
  prefecture: (cell) => (cell === "" ? null : /^\d+$/.test(cell) ? Number(cell) : cell),
  name_unverified: (cell) => (cell === "1" ? true : cell === "0" ? false : cell),
};

function checkRecord(values: Partial<Record<keyof ReceivedRecord, unknown>>, position: number): ReceivedRecord {
  const record = {} as Record<keyof ReceivedRecord, unknown>;
  for (const column of CSV_COLUMNS) {
    try {
      record[column] = RECORD_FIELDS[column](values[column]);
    } catch (error) {
      throw new BatchVerificationError(`record ${position}, ${column}: expected ${(error as Error).message}`);
    }
  }
  for (const field of Object.keys(JSON_ONLY_FIELDS) as JsonOnlyField[]) {
    if (values[field] === undefined) continue;
    try {
      record[field] = JSON_ONLY_FIELDS[field](values[field]);
    } catch (error) {
      throw new BatchVerificationError(`record ${position}, ${field}: expected ${(error as Error).message}`);
    }
  }
  if (record.seq !== position) throw new BatchVerificationError(`record ${position}: seq is ${String(record.seq)}`);
  return record as ReceivedRecord;
}

/**
 * The text of a CSV file in its encoding. Shift_JIS is Windows-31J (cp932 in iconv-lite); a byte
 * sequence it cannot decode becomes U+FFFD, which the centre never writes, so it is refused.
 */
export function decodeCsv(bytes: Uint8Array, encoding: CsvEncoding): string {
  if (!Object.hasOwn(ENCODING_SET, encoding)) throw new BatchVerificationError(`unknown CSV encoding ${encoding}`);
  const text = iconv.decode(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), encoding === "shift_jis" ? "cp932" : "utf8", { stripBOM: true });
  if (text.includes("\uFFFD")) throw new BatchVerificationError(`the CSV is not valid ${encoding}`);
  return text;
}

/** Reads a batch file (CSV in its encoding, or JSON) into records, checking every field. */
export function parseBatchFile(bytes: Uint8Array, format: DownloadFormat, encoding: CsvEncoding): ReceivedRecord[] {
  if (format === "json") {
    let doc: Partial<BatchDocument>;
    try {
      doc = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes)) as Partial<BatchDocument>;
    } catch (error) {
      throw new BatchVerificationError(`the JSON batch does not parse: ${(error as Error).message}`);
    }
    if (doc?.format !== "kokusai-carrier-batch" || doc.version !== 1) throw new BatchVerificationError("the JSON batch is not kokusai-carrier-batch version 1");
    if (!Array.isArray(doc.records) || doc.records.length !== doc.record_count) throw new BatchVerificationError("JSON batch: record_count does not match its records");
    return doc.records.map((record, i) => checkRecord(record ?? {}, i + 1));
  }
  let rows: string[][];
  try {
    rows = parseCsvText(decodeCsv(bytes, encoding), { record_delimiter: "\r\n", relax_column_count: false, skip_empty_lines: false }) as string[][];
  } catch (error) {
    if (error instanceof BatchVerificationError) throw error;
    throw new BatchVerificationError(`the CSV batch does not parse: ${(error as Error).message}`);
  }
  const [header, ...lines] = rows;
  if (header?.join(",") !== CSV_COLUMNS.join(",")) throw new BatchVerificationError(`CSV batch: the header is not ${CSV_COLUMNS.join(",")}`);
  return lines.map((cells, i) => {
    const values: Partial<Record<keyof ReceivedRecord, unknown>> = {};
    CSV_COLUMNS.forEach((column, index) => {
      const cell = cells[index] ?? "";
      const convert = CSV_CELL[column];
      values[column] = convert ? convert(cell) : cell;
    });
    return checkRecord(values, i + 1);
  });
}

/** The signed manifest (docs/carrier-interface.md, "Integrity"). */
export type Manifest = {
  carrier: string;
  sequence: number;
  cutAt: string;
  records: number;
  csvEncoding: CsvEncoding;
  csvSha256: string;
  csvBytes: number;
  jsonSha256: string;
  jsonBytes: number;
  /** SHA-256 of the carrier's previous manifest text; "" for its first batch. */
  previousManifestSha256: string;
  keyId: string;
};

const MANIFEST_VERSION = "kokusai-carrier-batch-manifest/1";
const MANIFEST_LINES: readonly [keyof Manifest, string, "text" | "number" | "sha256" | "sha256?" | "encoding"][] = [
  ["carrier", "carrier", "text"],
  ["sequence", "sequence", "number"],
  ["cutAt", "cut-at", "text"],
  ["records", "records", "number"],
  ["csvEncoding", "csv-encoding", "encoding"],
  ["csvSha256", "csv-sha256", "sha256"],
  ["csvBytes", "csv-bytes", "number"],
  ["jsonSha256", "json-sha256", "sha256"],
  ["jsonBytes", "json-bytes", "number"],
  ["previousManifestSha256", "previous-manifest-sha256", "sha256?"],
  ["keyId", "key-id", "text"],
];

/** The manifest's fields; throws unless the text is exactly the documented form (LF, every line, in order). */
export function parseManifest(manifestText: string): Manifest {
  const lines = manifestText.split("\n");
  if (lines[0] !== MANIFEST_VERSION || lines.at(-1) !== "" || lines.length !== MANIFEST_LINES.length + 2) throw new BatchVerificationError("the manifest is malformed");
  const manifest = {} as Record<keyof Manifest, string | number>;
  MANIFEST_LINES.forEach(([key, name, kind], i) => {
    const line = lines[i + 1]!;
    if (!line.startsWith(`${name}: `)) throw new BatchVerificationError(`the manifest is malformed: expected ${name} on line ${i + 2}`);
    const value = line.slice(name.length + 2);
    const ok =
      kind === "number" ? /^\d+$/.test(value) : kind === "sha256" ? /^[0-9a-f]{64}$/.test(value) : kind === "sha256?" ? /^([0-9a-f]{64})?$/.test(value) : kind === "encoding" ? Object.hasOwn(ENCODING_SET, value) : value !== "";
    if (!ok) throw new BatchVerificationError(`the manifest is malformed: ${name}`);
    manifest[key] = kind === "number" ? Number(value) : value;
  });
  return manifest as Manifest;
}

const SPKI_ED25519_PREFIX = Buffer.from("302a300506032b6570032100", "hex");

/** The centre's public key as the carrier holds it (PEM, or the 32 raw bytes in base64), and its key id. */
export function loadPublicKey(held: string): { key: KeyObject; keyId: string } {
  const trimmed = held.trim();
  let key: KeyObject;
  if (trimmed.startsWith("-----BEGIN")) key = createPublicKey(trimmed);
  else {
    const raw = Buffer.from(trimmed, "base64");
    if (raw.length !== 32) throw new BatchVerificationError("an Ed25519 public key is 32 bytes");
    key = createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, raw]), format: "der", type: "spki" });
  }
  if (key.asymmetricKeyType !== "ed25519") throw new BatchVerificationError("the centre's public key is not an Ed25519 key");
  const raw = (key.export({ format: "der", type: "spki" }) as Buffer).subarray(SPKI_ED25519_PREFIX.length);
  return { key, keyId: createHash("sha256").update(raw).digest("hex").slice(0, 16) };
}

export type VerifiedBatch = { manifest: Manifest; records: ReceivedRecord[]; bytes: Uint8Array; sha256: string };

/**
 * Checks a downloaded or pushed file, in the documented order: the Ed25519 signature over the
 * manifest with the key the carrier holds (and that the manifest names that key), then the file's
 * SHA-256 and size against the manifest, then the records: every field, and as many as it says.
 */
export function verifyBatch(input: { publicKey: string; manifestText: string; signature: string; bytes: Uint8Array; format: DownloadFormat; carrier?: string }): VerifiedBatch {
  const held = loadPublicKey(input.publicKey);
  let signed = false;
  try {
    signed = verify(null, Buffer.from(input.manifestText, "utf8"), held.key, Buffer.from(input.signature, "base64"));
  } catch {
    signed = false;
  }
  if (!signed) throw new BatchVerificationError("the manifest signature does not verify with the centre's public key");
  const manifest = parseManifest(input.manifestText);
  if (manifest.keyId !== held.keyId) throw new BatchVerificationError(`the manifest names key ${manifest.keyId}, but the key held is ${held.keyId}`);
  if (input.carrier && manifest.carrier !== input.carrier) throw new BatchVerificationError(`the batch is for ${manifest.carrier}, not ${input.carrier}`);
  const sha256 = createHash("sha256").update(input.bytes).digest("hex");
  const expected = input.format === "json" ? manifest.jsonSha256 : manifest.csvSha256;
  const size = input.format === "json" ? manifest.jsonBytes : manifest.csvBytes;
  if (sha256 !== expected || input.bytes.byteLength !== size) throw new BatchVerificationError("the file does not match the signed manifest (hash or size)");
  const records = parseBatchFile(input.bytes, input.format, manifest.csvEncoding);
  if (records.length !== manifest.records) throw new BatchVerificationError(`the file has ${records.length} records; the signed manifest says ${manifest.records}`);
  return { manifest, records, bytes: input.bytes, sha256 };
}

export type ContinuityState = { sequence: number; manifestSha256: string } | null;

export type ContinuityCheck =
  | { ok: true }
  | { ok: false; reason: "gap"; expected: number; got: number }
  | { ok: false; reason: "replayed"; expected: number; got: number }
  | { ok: false; reason: "chain_broken"; expectedPrevious: string; got: string };

/** The next batch must be the last accepted sequence + 1 and chain to the last accepted manifest. */
export function checkContinuity(last: ContinuityState, next: Manifest): ContinuityCheck {
  const expected = (last?.sequence ?? 0) + 1;
  if (next.sequence < expected) return { ok: false, reason: "replayed", expected, got: next.sequence };
  if (next.sequence > expected) return { ok: false, reason: "gap", expected, got: next.sequence };
  const expectedPrevious = last?.manifestSha256 ?? "";
  if (next.previousManifestSha256 !== expectedPrevious) return { ok: false, reason: "chain_broken", expectedPrevious, got: next.previousManifestSha256 };
  return { ok: true };
}

// ---------------------------------------------------------------------------------------------
// The API client (pull)
// ---------------------------------------------------------------------------------------------

export type ProcessedBatch = {
  batchId: string;
  sequence: number;
  records: number;
  continuity: ContinuityCheck;
  upload: UploadSummary;
};

export type ClientOptions = {
  baseUrl: string;
  apiKey: string;
  /** The centre's public key as the carrier holds it: PEM, or the 32 raw bytes in base64. */
  publicKey: string;
  carrier?: string;
  format?: DownloadFormat;
  fetch?: typeof fetch;
  now?: () => Date;
};

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`carrier API answered ${status}: ${JSON.stringify(body)}`);
    this.name = "ApiError";
  }
}

/** The data of a successful call, or an ApiError with the status and the (parsed) error body. */
function ok<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (!result.response.ok || result.error !== undefined) throw new ApiError(result.response.status, result.error);
  return result.data as T;
}

export class ReferenceCarrierClient {
  private readonly api;
  private readonly now: () => Date;
  constructor(private readonly options: ClientOptions) {
    this.now = options.now ?? (() => new Date());
    this.api = createClient<paths>({
      baseUrl: new URL("/api/carrier/v1", options.baseUrl).toString(),
      headers: { Authorization: `Bearer ${options.apiKey}`, Accept: "application/json" },
      fetch: (request) => (options.fetch ?? fetch)(request),
    });
  }

  async list(status: "ready" | "all" = "ready"): Promise<BatchInfo[]> {
    const body = ok(await this.api.GET("/batches", { params: { query: { status } } }));
    if (this.options.carrier && body.carrier !== this.options.carrier) throw new Error(`this API key belongs to ${body.carrier}, not ${this.options.carrier}`);
    return body.batches;
  }

  /** Batches not acknowledged yet, oldest first. */
  async listReady(): Promise<BatchInfo[]> {
    return (await this.list("ready")).sort((a, b) => a.sequence - b.sequence);
  }

  async getBatch(batchId: string): Promise<BatchInfo> {
    return ok(await this.api.GET("/batches/{batchId}", { params: { path: { batchId } } }));
  }

  /** The key the API publishes. Compare its key_id with the key given out of band; do not trust it alone. */
  async publicKey(): Promise<PublicKeyResponse> {
    return ok(await this.api.GET("/public-key"));
  }

  async download(batch: BatchInfo, format: DownloadFormat = this.options.format ?? (batch.file_format === "json" ? "json" : "csv")): Promise<VerifiedBatch> {
    const result = await this.api.GET("/batches/{batchId}/file", { params: { path: { batchId: batch.id }, query: { format } }, parseAs: "arrayBuffer" });
    const bytes = new Uint8Array(ok(result));
    const headers = result.response.headers;
    const manifestHeader = headers.get("X-Kokusai-Manifest");
    const manifestText = manifestHeader ? Buffer.from(manifestHeader, "base64").toString("utf8") : batch.manifest;
    if (manifestText !== batch.manifest) throw new BatchVerificationError("the manifest in the download differs from the listed one");
    const verified = verifyBatch({ publicKey: this.options.publicKey, manifestText, signature: headers.get("X-Kokusai-Signature") ?? batch.signature, bytes, format, carrier: this.options.carrier });
    const headerSha = headers.get("X-Kokusai-Content-SHA256");
    if (headerSha !== null && headerSha !== verified.sha256) throw new BatchVerificationError("X-Kokusai-Content-SHA256 differs from the body's SHA-256");
    if (verified.records.length !== batch.record_count) throw new BatchVerificationError(`the file has ${verified.records.length} records; the batch lists ${batch.record_count}`);
    return verified;
  }

  async acknowledge(batchId: string): Promise<AckSummary> {
    return ok(await this.api.POST("/batches/{batchId}/ack", { params: { path: { batchId } } }));
  }

  async uploadResults(batchId: string, rows: readonly ResultRow[], format: DownloadFormat = "csv"): Promise<UploadSummary> {
    const params = { path: { batchId } };
    if (format === "json") {
      return ok(await this.api.POST("/batches/{batchId}/results", { params, body: { results: [...rows] }, headers: { "Content-Type": "application/json" } }));
    }
    return ok(
      await this.api.POST("/batches/{batchId}/results", {
        params,
        body: resultsToCsv(rows),
        bodySerializer: (body) => body,
        headers: { "Content-Type": "text/csv; charset=utf-8" },
      }),
    );
  }

  /**
   * Every ready batch, oldest first: download, verify, check continuity, acknowledge, answer, upload.
   * A batch that fails verification is neither acknowledged nor answered (the error is thrown).
   * `state` is the last batch accepted; the returned state is the new one.
   */
  async processReady(rules: Rules, state: ContinuityState = null, options: { resultFormat?: DownloadFormat } = {}): Promise<{ processed: ProcessedBatch[]; state: ContinuityState }> {
    const processed: ProcessedBatch[] = [];
    let current = state;
    for (const batch of await this.listReady()) {
      const verified = await this.download(batch);
      const continuity = checkContinuity(current, verified.manifest);
      await this.acknowledge(batch.id);
      const rows = verified.records.map((record) => decide(record, rules, this.now()));
      const upload = await this.uploadResults(batch.id, rows, options.resultFormat ?? "csv");
      processed.push({ batchId: batch.id, sequence: verified.manifest.sequence, records: verified.records.length, continuity, upload });
      if (!current || verified.manifest.sequence > current.sequence) {
        current = { sequence: verified.manifest.sequence, manifestSha256: createHash("sha256").update(batch.manifest).digest("hex") };
      }
    }
    return { processed, state: current };
  }
}

// ---------------------------------------------------------------------------------------------
// Push receiver
// ---------------------------------------------------------------------------------------------

export type PushedBatch = VerifiedBatch & { batchId: string; format: DownloadFormat; attempt: number };

export type PushReceiverOptions = {
  /** The push secret the centre's admin gave the carrier. */
  secret: string;
  publicKey: string;
  carrier?: string;
  /** Seconds the HMAC timestamp may differ from `now` (default 300); null to skip the check. */
  maxSkewSeconds?: number | null;
  now?: () => Date;
  /** Decides the HTTP status for an attempt that verified (tests answer 500 to force retries). */
  respond?: (attempt: number) => number;
  onBatch?: (batch: PushedBatch) => void;
  onRejected?: (reason: string) => void;
};

function headerOf(request: IncomingMessage, name: string): string | null {
  const value = request.headers[name.toLowerCase()];
  return Array.isArray(value) ? (value[0] ?? null) : (value ?? null);
}

/** A node:http handler for pushed batches. Answers 401 for a bad HMAC, 422 for a bad file, else respond(attempt) or 200. */
export function createPushReceiver(options: PushReceiverOptions) {
  let attempts = 0;
  return async (request: IncomingMessage, response: ServerResponse) => {
    attempts++;
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const refuse = (status: number, reason: string) => {
      options.onRejected?.(reason);
      response.writeHead(status, { "Content-Type": "application/json" }).end(JSON.stringify({ error: reason }));
    };
    const hmac = headerOf(request, "X-Kokusai-HMAC")?.match(/^t=(\d+),v1=([0-9a-f]{64})$/);
    const batchId = headerOf(request, "X-Kokusai-Batch-Id") ?? "";
    const sha256 = createHash("sha256").update(body).digest("hex");
    if (!hmac) return refuse(401, "missing HMAC");
    const expected = createHmac("sha256", options.secret).update(`${hmac[1]}.${batchId}.${sha256}`).digest();
    if (!timingSafeEqual(expected, Buffer.from(hmac[2]!, "hex"))) return refuse(401, "bad HMAC");
    const skew = options.maxSkewSeconds === undefined ? 300 : options.maxSkewSeconds;
    if (skew !== null && Math.abs((options.now ?? (() => new Date()))().getTime() / 1000 - Number(hmac[1])) > skew) return refuse(401, "stale timestamp");
    if (headerOf(request, "X-Kokusai-Content-SHA256") !== sha256) return refuse(422, "body hash differs from the header");
    const format = (headerOf(request, "Content-Type") ?? "").includes("json") ? "json" : "csv";
    try {
      const verified = verifyBatch({
        publicKey: options.publicKey,
        manifestText: Buffer.from(headerOf(request, "X-Kokusai-Manifest") ?? "", "base64").toString("utf8"),
        signature: headerOf(request, "X-Kokusai-Signature") ?? "",
        bytes: body,
        format,
        carrier: options.carrier,
      });
      const status = options.respond?.(attempts) ?? 200;
      if (status >= 200 && status < 300) options.onBatch?.({ ...verified, batchId, format, attempt: attempts });
      response.writeHead(status, { "Content-Type": "application/json" }).end(JSON.stringify({ received: status < 300 }));
    } catch (error) {
      refuse(422, (error as Error).message);
    }
  };
}
