/**
 * Paper and FAX intake (課題③): every uploaded file or received FAX becomes a `paper_intakes` row
 * (the same file twice is one intake, by SHA-256), and each page a `scans` row with its image sealed
 * and an OCR job written in the same transaction. The OCR worker reads the page; an operator confirms.
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { createCanvas } from "@napi-rs/canvas";
import { eq } from "drizzle-orm";
import { paperIntakes, scans } from "../../db/schema";
import { JOB_NAMES } from "./jobs";
import { decodeDocument, sniffFormat, UnreadableFileError } from "./ocr/decode-image.server";
import { EXCEPTION_MESSAGES } from "./ocr/exceptions";
import { grayToRgba, type GrayImage } from "./ocr/gray-image";
import type { Services } from "./services.server";

export const MAX_UPLOAD_BYTES = 20 * 1024 * 1024;

const CONTENT_TYPES = { png: "image/png", jpeg: "image/jpeg", tiff: "image/tiff", pdf: "application/pdf" } as const;

export function grayToPng(image: GrayImage): Buffer {
  const canvas = createCanvas(image.width, image.height);
  const ctx = canvas.getContext("2d");
  const data = ctx.createImageData(image.width, image.height);
  data.data.set(grayToRgba(image));
  ctx.putImageData(data, 0, 0);
  return canvas.encodeSync("png");
}

export type IngestResult =
  | { kind: "created"; intakeId: string; pages: number }
  | { kind: "duplicate"; intakeId: string }
  | { kind: "unreadable"; intakeId: string; message: string };

export async function ingestFile(
  services: Services,
  input: { bytes: Buffer; filename: string | null; source: "upload" | "fax_folder" | "mail"; uploadedBy?: string | null },
): Promise<IngestResult> {
  const { db, pii, queue } = services;
  const sha256 = createHash("sha256").update(input.bytes).digest("hex");
  const [existing] = await db.select({ id: paperIntakes.id }).from(paperIntakes).where(eq(paperIntakes.fileSha256, sha256));
  if (existing) return { kind: "duplicate", intakeId: existing.id };

  const format = sniffFormat(input.bytes);
  let pages: Awaited<ReturnType<typeof decodeDocument>> = [];
  let unreadable: string | null = null;
  try {
    if (!format) throw new UnreadableFileError("画像の形式がわかりません。");
    pages = await decodeDocument(input.bytes);
    if (pages.length === 0) throw new UnreadableFileError("ページがありません。");
  } catch (error) {
    unreadable = error instanceof UnreadableFileError ? error.message : EXCEPTION_MESSAGES.unreadable_file;
  }

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
    if (unreadable) {
      // Keep the file itself, so an operator can open it from the exceptions queue.
      await tx.insert(scans).values({
        intakeId: intake.id,
        pageNumber: 1,
        imageEnc: pii.sealBytes(input.bytes),
        status: "exception",
        exceptionReason: "unreadable_file",
        createdAt: now,
        updatedAt: now,
      });
      return { kind: "unreadable", intakeId: intake.id, message: `${EXCEPTION_MESSAGES.unreadable_file}（${unreadable}）` } as const;
    }
    for (const page of pages) {
      const [scan] = await tx
        .insert(scans)
        .values({
          intakeId: intake.id,
          pageNumber: page.pageIndex + 1,
          imageEnc: pii.sealBytes(grayToPng(page.image)),
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
 * to `done/` (or `failed/` when it cannot be stored), so the folder only ever holds new faxes.
 */
export async function ingestFolder(services: Services, dir: string): Promise<{ ingested: number }> {
  const entries = fs.existsSync(dir) ? fs.readdirSync(dir, { withFileTypes: true }) : [];
  let ingested = 0;
  for (const entry of entries) {
    if (!entry.isFile() || entry.name.startsWith(".")) continue;
    const file = path.join(dir, entry.name);
    // A file still being written grows; wait until it has been still for a few seconds.
    const stat = fs.statSync(file);
    if (services.now().getTime() - stat.mtimeMs < 3000) continue;
    const target = path.join(dir, "done");
    try {
      await ingestFile(services, { bytes: fs.readFileSync(file), filename: entry.name, source: "fax_folder" });
      ingested++;
    } catch (error) {
      services.logger.warn({ error: (error as Error).name }, "fax folder file could not be ingested");
      fs.mkdirSync(path.join(dir, "failed"), { recursive: true });
      fs.renameSync(file, path.join(dir, "failed", entry.name));
      continue;
    }
    fs.mkdirSync(target, { recursive: true });
    fs.renameSync(file, path.join(target, entry.name));
  }
  return { ingested };
}
