import { sql } from "drizzle-orm";
import { boolean, check, customType, index, integer, pgTable, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { at, createdAt, id, updatedAt } from "./columns";

const bytea = customType<{ data: Buffer; driverData: Buffer | Uint8Array }>({
  dataType: () => "bytea",
  fromDriver: (value) => (Buffer.isBuffer(value) ? value : Buffer.from(value)),
});

/** One uploaded file or FAX (many pages). The file itself is sealed: forms carry names and addresses. */
export const paperIntakes = pgTable(
  "paper_intakes",
  {
    id: id(),
    source: text("source").notNull(),
    originalFilename: text("original_filename"),
    contentType: text("content_type").notNull(),
    /** SHA-256 of the file: the same FAX dropped twice is one intake. */
    fileSha256: text("file_sha256").notNull(),
    pageCount: integer("page_count"),
    status: text("status").notNull().default("received"),
    uploadedBy: uuid("uploaded_by"),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("uq_paper_intakes_sha256").on(t.fileSha256),
    check("ck_paper_intakes_source", sql`${t.source} in ('upload','fax_folder','mail')`),
  ],
);

/**
 * One page of an intake, its OCR result and the operator's verification.
 *
 * PERSONAL DATA: the page image and the fields read are sealed (`image_enc`, `fields_enc`).
 */
export const scans = pgTable(
  "scans",
  {
    id: id(),
    intakeId: uuid("intake_id")
      .notNull()
      .references(() => paperIntakes.id),
    pageNumber: integer("page_number").notNull(),
    imageEnc: bytea("image_enc").notNull(),
    /** The page came at FAX normal resolution (98 lines/inch): stricter OCR thresholds apply. */
    lowResolution: boolean("low_resolution").notNull().default(false),
    formType: text("form_type"),
    formVersion: text("form_version"),
    requestId: text("request_id"),
    /** The line the page asks about, once the OCR (or the prefilled form's QR code) decided it. */
    lineId: uuid("line_id"),
    status: text("status").notNull().default("pending"),
    /** JSON of fields with value, confidence and crop box; sealed. */
    fieldsEnc: text("fields_enc"),
    /** Operator corrections (field name → before/after), sealed; kept for accuracy statistics. */
    correctionsEnc: text("corrections_enc"),
    exceptionReason: text("exception_reason"),
    applicationId: uuid("application_id"),
    cancellationId: uuid("cancellation_id"),
    claimedBy: uuid("claimed_by"),
    claimedAt: at("claimed_at"),
    verifiedBy: uuid("verified_by"),
    verifiedAt: at("verified_at"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("uq_scans_intake_page").on(t.intakeId, t.pageNumber),
    index("idx_scans_status").on(t.status, t.createdAt),
    index("idx_scans_line").on(t.lineId, t.status),
    /** Newest pages first (/ops/paper). */
    index("idx_scans_created").on(t.createdAt),
  ],
);
