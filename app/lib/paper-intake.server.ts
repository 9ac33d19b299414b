/**
 * Paper and FAX intake (課題③): every uploaded file or received FAX becomes a `paper_intakes` row
 * (the same file twice is one intake, by SHA-256), and each page a `scans` row with its image sealed
 * and an OCR job written in the same transaction. The OCR worker reads the page; an operator confirms.
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { eq } from "drizzle-orm";
import { paperIntakes, scans } from "../../db/schema";
import { JOB_NAMES } from "./jobs";
import { sniffFormat } from "./ocr/decode-image.server";
import { EXCEPTION_MESSAGES } from "./ocr/exceptions";
import { decodeBounded, type BoundedDecode } from "./ocr/safe-decode.server";
import type { DecodeFailureReason } from "./ocr/safe-decode-limits";
import type { Services } from "./services.server";

export { MAX_UPLOAD_BYTES } from "./ocr/safe-decode-limits";
export { grayToPng } from "./ocr/safe-decode-encode.server";

const CONTENT_TYPES = { png: "image/png", jpeg: "image/jpeg", tiff: "image/tiff", pdf: "application/pdf" } as const;

export type IngestResult =
  | { kind: "created"; intakeId: string; pages: number }
  | { kind: "duplicate"; intakeId: string }
  | { kind: "unreadable"; intakeId: string; reason: DecodeFailureReason; message: string };

export async function ingestFile(
  services: Services,
  input: { bytes: Buffer; filename: string | null; source: "upload" | "fax_folder" | "mail"; uploadedBy?: string | null; ip?: string | null },
): Promise<IngestResult> {
  const { db, pii, queue } = services;
  const sha256 = createHash("sha256").update(input.bytes).digest("hex");
  const [existing] = await db.select({ id: paperIntakes.id }).from(paperIntakes).where(eq(paperIntakes.fileSha256, sha256));
  if (existing) return { kind: "duplicate", intakeId: existing.id };

  const format = sniffFormat(input.bytes);
  // Declared sizes are checked here; the decode itself runs in a bounded child process
  // (ocr/safe-decode.server.ts): this process never allocates a hostile file's pixels.
  let decoded: BoundedDecode = format
    ? await decodeBounded(input.bytes)
    : { ok: false, reason: "unreadable_file", message: "画像の形式がわかりません。", detail: "format not recognised" };
  if (decoded.ok && decoded.pages.length === 0) decoded = { ok: false, reason: "unreadable_file", message: "ページがありません。", detail: "no pages" };
  const unreadable = decoded.ok ? null : decoded;
  const pages = decoded.ok ? decoded.pages : [];
  if (unreadable) services.logger.info({ reason: unreadable.reason, detail: unreadable.detail }, "intake file could not be decoded");

  const now = services.now();
  return db.transaction(async (tx) => {
    const [intake] = await tx
      .insert(paperIntakes)
      .values({
        source: input.source,
        originalFilename: input.filename,
        contentType: format ? CONTENT_TYPES[format] : "application/octet-stream",
        fileSha256: sha256,
        pageCount: pages.length,
        status: unreadable ? "exception" : "received",
        uploadedBy: input.uploadedBy ?? null,
        createdAt: now,
      })
      .onConflictDoNothing({ target: paperIntakes.fileSha256 })
      .returning({ id: paperIntakes.id });
    if (!intake) {
      const [raced] = await tx.select({ id: paperIntakes.id }).from(paperIntakes).where(eq(paperIntakes.fileSha256, sha256));
      return { kind: "duplicate", intakeId: raced!.id } as const;
    }
    // The intake and its audit row commit together (issue 12, point 7): no page enters unrecorded.
    await services.audit.record(
      {
        actor: input.uploadedBy ? `operator:${input.uploadedBy}` : input.source === "fax_folder" ? "fax_folder" : "system",
        action: "paper.upload",
        subjectType: "paper_intake",
        subjectId: intake.id,
        ip: input.ip ?? null,
        detail: { source: input.source, pages: pages.length, ...(unreadable ? { exception: unreadable.reason } : {}) },
      },
      tx,
    );
    if (unreadable) {
      // Keep the file itself, so an operator can open it from the exceptions queue.
      await tx.insert(scans).values({
        intakeId: intake.id,
        pageNumber: 1,
        imageEnc: pii.sealBytes(input.bytes),
        status: "exception",
        exceptionReason: unreadable.reason,
        createdAt: now,
        updatedAt: now,
      });
      const advice = EXCEPTION_MESSAGES[unreadable.reason];
      const message = unreadable.message === advice ? advice : `${advice}（${unreadable.message}）`;
      return { kind: "unreadable", intakeId: intake.id, reason: unreadable.reason, message } as const;
    }
    for (const page of pages) {
      const [scan] = await tx
        .insert(scans)
        .values({
          intakeId: intake.id,
          pageNumber: page.pageIndex + 1,
          imageEnc: pii.sealBytes(page.png),
          lowResolution: page.stretchedVertically ?? false,
          status: "pending",
          createdAt: now,
          updatedAt: now,
        })
        .returning({ id: scans.id });
      await queue.enqueue(JOB_NAMES.readScan, { scanId: scan!.id }, { tx, singletonKey: scan!.id });
    }
    return { kind: "created", intakeId: intake.id, pages: pages.length } as const;
  });
}

/**
 * The watched folder (INTAKE_DIR): each file a FAX server drops there is ingested once, then moved
 * to `done/`. A file that cannot be decoded (broken, too large, too slow: an intake exception in the
 * queue) or cannot be stored goes to `failed/` with `<name>.reason.txt` beside it — the reason code
 * and its plain Japanese text only, nothing from the file — so it is never picked up again.
 */
export async function ingestFolder(services: Services, dir: string): Promise<{ ingested: number; failed: number }> {
  const entries = fs.existsSync(dir) ? fs.readdirSync(dir, { withFileTypes: true }) : [];
  let ingested = 0;
  let failed = 0;
  const moveTo = (sub: "done" | "failed", name: string, reason?: string) => {
    const target = path.join(dir, sub);
    fs.mkdirSync(target, { recursive: true });
    fs.renameSync(path.join(dir, name), path.join(target, name));
    if (reason !== undefined) fs.writeFileSync(path.join(target, `${name}.reason.txt`), reason, "utf8");
  };
  for (const entry of entries) {
    if (!entry.isFile() || entry.name.startsWith(".")) continue;
    const file = path.join(dir, entry.name);
    // A file still being written grows; wait until it has been still for a few seconds.
    const stat = fs.statSync(file);
    if (services.now().getTime() - stat.mtimeMs < 3000) continue;
    let result: IngestResult;
    try {
      result = await ingestFile(services, { bytes: fs.readFileSync(file), filename: entry.name, source: "fax_folder" });
    } catch (error) {
      services.logger.warn({ error: (error as Error).name }, "fax folder file could not be ingested");
      moveTo("failed", entry.name, `not_stored\nファイルを保存できませんでした（${(error as Error).name}）。\n${services.now().toISOString()}\n`);
      failed++;
      continue;
    }
    if (result.kind === "unreadable") {
      moveTo("failed", entry.name, `${result.reason}\n${EXCEPTION_MESSAGES[result.reason]}\nintake ${result.intakeId}\n${services.now().toISOString()}\n`);
      failed++;
      continue;
    }
    moveTo("done", entry.name);
    ingested++;
  }
  return { ingested, failed };
}
