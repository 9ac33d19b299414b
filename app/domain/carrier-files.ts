/**
 * The carrier batch file formats (docs/carrier-interface.md), as pure functions: one record in, the
 * exact bytes of its line out, so a batch of any size can be written as a stream and always comes out
 * byte for byte the same.
 *
 *  - CSV (RFC 4180): a header line, then one line per record; CRLF line ends; a field is quoted when
 *    it holds a comma, a double quote, CR or LF, or starts or ends with a space. UTF-8 without a BOM,
 *    or Shift_JIS (Windows-31J as the WHATWG Encoding Standard defines it) for carriers that ask.
 *  - JSON: one object with a header and `records`, one record per line, UTF-8.
 *
 * No I/O here; Shift_JIS is written by app/lib/shift-jis.server.ts and read with the platform's TextDecoder.
 */

export const FILE_FORMATS = ["csv-utf8", "csv-sjis", "json"] as const;
export type FileFormat = (typeof FILE_FORMATS)[number];

export const FILE_FORMAT_LABELS: Readonly<Record<FileFormat, string>> = {
  "csv-utf8": "CSV（UTF-8）",
  "csv-sjis": "CSV（Shift_JIS）",
  json: "JSON（UTF-8）",
};

export function isFileFormat(value: unknown): value is FileFormat {
  return typeof value === "string" && (FILE_FORMATS as readonly string[]).includes(value);
}

export type CsvEncoding = "utf-8" | "shift_jis";
export type DownloadFormat = "csv" | "json";

export function csvEncodingOf(format: FileFormat): CsvEncoding {
  return format === "csv-sjis" ? "shift_jis" : "utf-8";
}

/** The file a carrier gets by default: its configured format. */
export function defaultDownloadFormat(format: FileFormat): DownloadFormat {
  return format === "json" ? "json" : "csv";
}

export const ORDER_ACTIONS = ["SUSPEND", "RESUME", "INQUIRY"] as const;
export type OrderAction = (typeof ORDER_ACTIONS)[number];

/** One order as the carrier receives it. */
export type BatchRecord = {
  recordId: string;
  seq: number;
  action: OrderAction;
  scope: "outgoing" | "incoming";
  /** National digits, "0312345678". */
  phoneNumber: string;
  subscriberKana: string;
  /** Empty for inquiries: a carrier that may not own the line gets the number and the kana only. */
  subscriberName: string;
  /**
   * The name and kana are advisory and were not typed by anyone: heard by speech recognition on a
   * phone application, or read by OCR from a paper form (ADR 015). The line number is
   * the identity; the carrier checks its contract by number and answers NAME_MISMATCH only when the
   * name it holds clearly differs from a name that is NOT marked unverified.
   */
  nameUnverified: boolean;
  /**
   * Where the line is installed (設置場所の住所), as the applicant wrote it, for the carrier's contract
   * check beside the name; advisory like the name, and unverified when `nameUnverified` is. Empty for
   * inquiries (as the name) and when none was given (ADR 025).
   */
  installationAddress: string;
  /** JIS X 0401 code, or null when not known. */
  prefecture: number | null;
  requestRef: string;
  /** ISO 8601 UTC. */
  requestedAt: string;
  /**
   * In a Shift_JIS batch: the fields of this record that hold a character Shift_JIS cannot, written
   * as 〓 in the CSV ("subscriber_name", "subscriber_kana", "installation_address"). The JSON carries
   * the real text and this flag (issue 17, point 4). Absent when nothing was substituted.
   */
  shiftJisSubstituted?: string[];
};

export const CSV_COLUMNS = [
  "record_id",
  "seq",
  "action",
  "scope",
  "phone_number",
  "subscriber_kana",
  "subscriber_name",
  "prefecture",
  "request_ref",
  "requested_at",
  "name_unverified",
  "installation_address",
] as const;

export type BatchHeader = {
  carrier: string;
  sequence: number;
  cutAt: string;
  recordCount: number;
};

/** "+81312345678" → "0312345678". */
export function nationalNumber(e164: string): string {
  return e164.startsWith("+81") ? `0${e164.slice(3)}` : e164;
}

const NEEDS_QUOTES = /[",\r\n]|^ | $/;

export function csvField(value: string): string {
  return NEEDS_QUOTES.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export function csvLine(fields: readonly string[]): string {
  return `${fields.map(csvField).join(",")}\r\n`;
}

export function csvHeaderLine(): string {
  return csvLine(CSV_COLUMNS);
}

/**
 * Names and addresses come from the public. A cell starting with = + - @ (or a tab or CR) is a
 * formula to a spreadsheet, so such a value is written with a leading apostrophe, as spreadsheet users
 * expect (OWASP "CSV injection"). No real name or address starts that way; JSON carries the value
 * unchanged.
 */
export function spreadsheetSafe(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

export function csvRecordLine(record: BatchRecord): string {
  return csvLine([
    record.recordId,
    String(record.seq),
    record.action,
    record.scope,
    record.phoneNumber,
    spreadsheetSafe(record.subscriberKana),
    spreadsheetSafe(record.subscriberName),
    record.prefecture === null ? "" : String(record.prefecture),
    record.requestRef,
    record.requestedAt,
    record.nameUnverified ? "1" : "0",
    spreadsheetSafe(record.installationAddress),
  ]);
}

export function jsonRecordObject(record: BatchRecord) {
  return {
    record_id: record.recordId,
    seq: record.seq,
    action: record.action,
    scope: record.scope,
    phone_number: record.phoneNumber,
    subscriber_kana: record.subscriberKana,
    subscriber_name: record.subscriberName,
    prefecture: record.prefecture,
    request_ref: record.requestRef,
    requested_at: record.requestedAt,
    name_unverified: record.nameUnverified,
    installation_address: record.installationAddress,
    ...(record.shiftJisSubstituted?.length ? { shift_jis_substituted: record.shiftJisSubstituted } : {}),
  };
}

export const JSON_FORMAT_NAME = "kokusai-carrier-batch";
export const JSON_FORMAT_VERSION = 1;

export function jsonHead(header: BatchHeader): string {
  const head = JSON.stringify({
    format: JSON_FORMAT_NAME,
    version: JSON_FORMAT_VERSION,
    carrier: header.carrier,
    sequence: header.sequence,
    cut_at: header.cutAt,
    record_count: header.recordCount,
  });
  return `${head.slice(0, -1)},"records":[\n`;
}

/** One record of the JSON file (JSON.stringify of the object is faster than writing it field by field). */
export function jsonRecordLine(record: BatchRecord, first: boolean): string {
  return `${first ? "" : ",\n"}${JSON.stringify(jsonRecordObject(record))}`;
}

export function jsonTail(recordCount: number): string {
  return recordCount === 0 ? "]}\n" : "\n]}\n";
}

// ---------------------------------------------------------------------------------------------
// Shift_JIS (Windows-31J) encoding
// ---------------------------------------------------------------------------------------------

// Encoding is app/lib/shift-jis.server.ts (iconv-lite's CP932 with the JIS mappings, issue 17):
// a server module, so the browser bundles of the pages that read the labels above stay small.

/** Decodes bytes as UTF-8 (BOM dropped) or Shift_JIS, refusing bytes that are not valid in it. */
export function decodeText(bytes: Uint8Array, encoding: CsvEncoding): string | null {
  try {
    const text = new TextDecoder(encoding === "shift_jis" ? "shift_jis" : "utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
    return text;
  } catch {
    return null;
  }
}

/**
 * An uploaded text file: the declared charset when there is one; otherwise UTF-8 if the bytes are
 * valid UTF-8 (ASCII-only files are both), else Shift_JIS.
 */
export function decodeUpload(bytes: Uint8Array, declared?: string | null): { text: string; encoding: CsvEncoding } | null {
  const charset = declared?.toLowerCase().replace(/[^a-z0-9]/g, "");
  const as = (encoding: CsvEncoding) => {
    const text = decodeText(bytes, encoding);
    return text === null ? null : { text, encoding };
  };
  if (charset && ["shiftjis", "sjis", "windows31j", "cp932", "mskanji"].includes(charset)) return as("shift_jis");
  if (charset === "utf8") return as("utf-8");
  // Another declared charset is not one we read; none declared: UTF-8 if valid, else Shift_JIS.
  if (charset) return null;
  return as("utf-8") ?? as("shift_jis");
}

// ---------------------------------------------------------------------------------------------
// CSV parsing (for result uploads)
// ---------------------------------------------------------------------------------------------

export type CsvRow = { line: number; fields: string[] };
export type CsvParseResult = { ok: true; rows: CsvRow[] } | { ok: false; line: number; message: string };

/**
 * RFC 4180 with CRLF or LF line ends; a field may be quoted and hold commas, quotes ("") and line
 * breaks. Each row carries the line number it starts on (1-based). Blank lines are skipped.
 */
export function parseCsv(text: string): CsvParseResult {
  const rows: CsvRow[] = [];
  let line = 1;
  let rowStart = 1;
  let fields: string[] = [];
  let field = "";
  let quoted = false;
  let fieldStarted = false;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const endRow = () => {
    fields.push(field);
    if (!(fields.length === 1 && fields[0] === "" && !fieldStarted)) rows.push({ line: rowStart, fields });
    fields = [];
    field = "";
    fieldStarted = false;
  };
  for (; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else {
          quoted = false;
          const next = text[i + 1];
          if (next !== undefined && next !== "," && next !== "\r" && next !== "\n") {
            return { ok: false, line, message: "閉じた引用符（\"）の後に、区切りのカンマか改行がありません。" };
          }
        }
      } else {
        if (ch === "\n") line++;
        field += ch;
      }
      continue;
    }
    if (ch === '"') {
      if (field !== "") return { ok: false, line, message: "引用符（\"）が、項目の途中にあります。項目全体を引用符で囲んでください。" };
      quoted = true;
      fieldStarted = true;
    } else if (ch === ",") {
      fields.push(field);
      field = "";
      fieldStarted = true;
    } else if (ch === "\r" || ch === "\n") {
      if (ch === "\r" && text[i + 1] === "\n") i++;
      endRow();
      line++;
      rowStart = line;
    } else {
      field += ch;
      fieldStarted = true;
    }
  }
  if (quoted) return { ok: false, line: rowStart, message: "引用符（\"）が閉じられていません。" };
  if (field !== "" || fields.length > 0 || fieldStarted) endRow();
  return { ok: true, rows };
}
