/**
 * The letter print queue. Letters are outbox rows (channel 'letter', a template name, sealed JSON data)
 * that wait as `queued`. Printing takes the waiting letters (up to MAX_LETTERS_PER_BATCH, oldest
 * first) into a numbered batch, renders them as one PDF — each letter starting on a new page with the
 * address block for a window envelope — and marks them `printed` in the same transaction. When the
 * envelopes leave, the batch is marked mailed and its letters `mailed`.
 *
 * The PDF is never stored (it is full of names and addresses): it is rendered again from the sealed
 * rows on download, and its SHA-256 is compared with the one recorded at printing.
 *
 * Letters that need a person's check first (an address heard by speech recognition: data.needsCheck)
 * stay out of batches until an operator confirms them in the IVR queue.
 */
import { centreContact } from "./centre-contact";
import { createHash } from "node:crypto";
import { and, asc, desc, eq, inArray, isNull, sql } from "drizzle-orm";
import { ivrCalls, letterBatchItems, letterBatches, operators, outbox } from "../../db/schema";
import { CENTRE_NAME, createDocument, drawInto, FONT_BOLD, FONT_REGULAR, mm, renderToBuffer } from "../../templates/pdf";
import { letterTemplate, type LetterRecipient } from "../../templates/letters";
import { formatDisplay } from "../domain/phone";
import { MAX_LETTERS_PER_BATCH } from "./ops-labels";
import type { Services } from "./services.server";

export { MAX_LETTERS_PER_BATCH };

type OutboxRow = typeof outbox.$inferSelect;
type LetterData = Record<string, unknown>;

const text = (value: unknown): string | null => (typeof value === "string" && value.trim() !== "" ? value.trim() : null);

/**
 * The address block of a letter: from its data when the sender gave the parts, otherwise parsed from
 * the one-line recipient ("〒1000001 東京都千代田区千代田1-1 山田 花子 様").
 */
export function recipientOf(to: string, data: LetterData): LetterRecipient {
  const name = text(data.subscriberName) ?? text(data.recipientName) ?? text(data.name);
  const postalCode = text(data.postalCode);
  const address = text(data.address);
  if (name && postalCode && address) return { postalCode, address, name };

  let rest = to.trim();
  let parsedPostal = "";
  const postal = rest.match(/^〒?\s*(\d{3}-?\d{4})\s*/);
  if (postal) {
    parsedPostal = postal[1]!;
    rest = rest.slice(postal[0].length);
  }
  rest = rest.replace(/\s*(様|御中)$/, "");
  // The name is at the end: the last words without digits (at most two: family and given name).
  const words = rest.split(/\s+/).filter(Boolean);
  const nameWords: string[] = [];
  while (words.length > 1 && nameWords.length < 2 && !/[0-9０-９\-‐－丁目番号]/.test(words[words.length - 1]!)) nameWords.unshift(words.pop()!);
  return {
    postalCode: postalCode ?? parsedPostal,
    address: address ?? words.join(" "),
    name: name ?? (nameWords.join(" ") || "ご担当者"),
  };
}

export type PrintQueueItem = {
  id: string;
  createdAt: string;
  template: string | null;
  templateLabel: string;
  purpose: string;
  recipientName: string;
  needsCheck: boolean;
  ivrCallId: string | null;
};

/** Letters waiting to be printed, oldest first (opened for display: the caller audits the view). */
export async function printQueue(services: Pick<Services, "db" | "pii">, limit = 500): Promise<PrintQueueItem[]> {
  const rows = await services.db
    .select({ row: outbox, ivrCallId: ivrCalls.id })
    .from(outbox)
    .leftJoin(ivrCalls, eq(ivrCalls.outboxId, outbox.id))
    .where(and(eq(outbox.channel, "letter"), eq(outbox.status, "queued")))
    .orderBy(asc(outbox.createdAt))
    .limit(limit);
  return rows.map(({ row, ivrCallId }) => {
    const data = JSON.parse(services.pii.open(row.bodyEnc)) as LetterData;
    return {
      id: row.id,
      createdAt: row.createdAt.toISOString(),
      template: row.template,
      templateLabel: letterTemplate(row.template).label,
      purpose: row.purpose,
      recipientName: recipientOf(services.pii.open(row.toEnc), data).name,
      needsCheck: data.needsCheck === true,
      ivrCallId,
    };
  });
}

/** Renders letters as one PDF: a separator page for the operator, then each letter from a new page. */
async function renderLetters(services: Pick<Services, "pii" | "config">, rows: OutboxRow[], batch: { sequence: number; createdAt: Date }): Promise<Buffer> {
  const doc = createDocument({ title: `手紙 第${batch.sequence}便`, creationDate: batch.createdAt });
  // Page 1 says what the batch is and is not put in an envelope; it names nobody.
  doc.font(FONT_BOLD).fontSize(20).text(`手紙の印刷 第${batch.sequence}便`, mm(25), mm(40));
  doc.font(FONT_REGULAR).fontSize(14).moveDown(1);
  doc.text(`通数：${rows.length}通`);
  doc.text(`作成：${new Intl.DateTimeFormat("ja-JP", { timeZone: "Asia/Tokyo", dateStyle: "long", timeStyle: "short" }).format(batch.createdAt)}`);
  doc.moveDown(1);
  doc.text("この紙は封筒に入れないでください。次のページから、1通ずつ三つ折りにして、窓あき封筒（長形3号）に入れます。宛名が窓から見えることを確かめてください。", {
    width: mm(160),
  });
  doc.fontSize(11).text(CENTRE_NAME, mm(25), mm(265));
  const centrePhone = formatDisplay(services.config.centrePhoneNumber);
  const centre = centreContact(services.config);
  for (const row of rows) {
    const data = JSON.parse(services.pii.open(row.bodyEnc)) as LetterData;
    const recipient = recipientOf(services.pii.open(row.toEnc), data);
    await drawInto(doc, () => letterTemplate(row.template).draw(data, { recipient, date: batch.createdAt, centrePhone, centre, purpose: row.purpose }));
  }
  return renderToBuffer(doc);
}

const sha256 = (buffer: Buffer) => createHash("sha256").update(buffer).digest("hex");

export type BatchResult = { ok: true; batchId: string; sequence: number; count: number; pdf: Buffer } | { ok: false; reason: "empty" };

/** Prints the waiting letters as one batch; they are `printed` once the PDF is made. */
export async function createLetterBatch(services: Pick<Services, "db" | "pii" | "config" | "now" | "audit">, input: { operatorId: string; ip?: string | null }): Promise<BatchResult> {
  const now = services.now();
  return services.db.transaction(async (tx): Promise<BatchResult> => {
    // One print run at a time: the sequence has no gaps and no letter lands in two batches.
    await tx.execute(sql`select pg_advisory_xact_lock(7402118030)`);
    const candidates = await tx
      .select()
      .from(outbox)
      .where(and(eq(outbox.channel, "letter"), eq(outbox.status, "queued")))
      .orderBy(asc(outbox.createdAt), asc(outbox.id))
      .limit(MAX_LETTERS_PER_BATCH * 2)
      .for("update");
    const rows = candidates.filter((row) => (JSON.parse(services.pii.open(row.bodyEnc)) as LetterData).needsCheck !== true).slice(0, MAX_LETTERS_PER_BATCH);
    if (rows.length === 0) return { ok: false, reason: "empty" };
    const [last] = await tx.select({ max: sql<number | null>`max(${letterBatches.sequence})` }).from(letterBatches);
    const sequence = Number(last?.max ?? 0) + 1;
    const pdf = await renderLetters(services, rows, { sequence, createdAt: now });
    const [batch] = await tx
      .insert(letterBatches)
      .values({ sequence, letterCount: rows.length, pdfSha256: sha256(pdf), createdAt: now, createdBy: input.operatorId })
      .returning({ id: letterBatches.id });
    await tx.insert(letterBatchItems).values(rows.map((row, position) => ({ batchId: batch!.id, outboxId: row.id, position })));
    await tx
      .update(outbox)
      .set({ status: "printed", provider: "print", updatedAt: now })
      .where(inArray(outbox.id, rows.map((r) => r.id)));
    await services.audit.record(
      {
        actor: `operator:${input.operatorId}`,
        action: "letter.batch_print",
        subjectType: "letter_batch",
        subjectId: batch!.id,
        ip: input.ip,
        detail: { sequence, count: rows.length, outboxIds: rows.map((r) => r.id) },
      },
      tx,
    );
    return { ok: true, batchId: batch!.id, sequence, count: rows.length, pdf };
  });
}

export type BatchSummary = {
  id: string;
  sequence: number;
  count: number;
  createdAt: string;
  createdBy: string | null;
  mailedAt: string | null;
  pdfSha256: string;
};

export async function listBatches(services: Pick<Services, "db">, limit = 30): Promise<BatchSummary[]> {
  const rows = await services.db
    .select({ batch: letterBatches, createdBy: operators.displayName })
    .from(letterBatches)
    .leftJoin(operators, eq(operators.id, letterBatches.createdBy))
    .orderBy(desc(letterBatches.sequence))
    .limit(limit);
  return rows.map(({ batch, createdBy }) => ({
    id: batch.id,
    sequence: batch.sequence,
    count: batch.letterCount,
    createdAt: batch.createdAt.toISOString(),
    createdBy,
    mailedAt: batch.mailedAt?.toISOString() ?? null,
    pdfSha256: batch.pdfSha256,
  }));
}

export type BatchDetail = BatchSummary & { letters: { id: string; templateLabel: string; purpose: string; recipientName: string; status: string }[] };

export async function batchDetail(services: Pick<Services, "db" | "pii">, batchId: string): Promise<BatchDetail | null> {
  const [summary] = (await listBatches(services, 100_000)).filter((b) => b.id === batchId);
  if (!summary) return null;
  const rows = await batchRows(services, batchId);
  return {
    ...summary,
    letters: rows.map((row) => ({
      id: row.id,
      templateLabel: letterTemplate(row.template).label,
      purpose: row.purpose,
      recipientName: recipientOf(services.pii.open(row.toEnc), JSON.parse(services.pii.open(row.bodyEnc)) as LetterData).name,
      status: row.status,
    })),
  };
}

async function batchRows(services: Pick<Services, "db">, batchId: string): Promise<OutboxRow[]> {
  const rows = await services.db
    .select({ row: outbox })
    .from(letterBatchItems)
    .innerJoin(outbox, eq(outbox.id, letterBatchItems.outboxId))
    .where(eq(letterBatchItems.batchId, batchId))
    .orderBy(asc(letterBatchItems.position));
  return rows.map((r) => r.row);
}

/** The batch's PDF, rendered again; `matches` says it is byte for byte the one printed. */
export async function renderLetterBatch(services: Pick<Services, "db" | "pii" | "config">, batchId: string): Promise<{ pdf: Buffer; sequence: number; matches: boolean } | null> {
  const [batch] = await services.db.select().from(letterBatches).where(eq(letterBatches.id, batchId));
  if (!batch) return null;
  const pdf = await renderLetters(services, await batchRows(services, batchId), { sequence: batch.sequence, createdAt: batch.createdAt });
  return { pdf, sequence: batch.sequence, matches: sha256(pdf) === batch.pdfSha256 };
}

/** The envelopes have left: the batch and its letters are mailed. Safe to press twice. */
export async function markBatchMailed(
  services: Pick<Services, "db" | "now" | "audit">,
  input: { batchId: string; operatorId: string; ip?: string | null },
): Promise<{ ok: true; letters: number } | { ok: false; reason: "not_found" | "already_mailed" }> {
  const now = services.now();
  return services.db.transaction(async (tx) => {
    const updated = await tx
      .update(letterBatches)
      .set({ mailedAt: now, mailedBy: input.operatorId })
      .where(and(eq(letterBatches.id, input.batchId), isNull(letterBatches.mailedAt)))
      .returning({ id: letterBatches.id, sequence: letterBatches.sequence });
    if (updated.length === 0) {
      const [exists] = await tx.select({ id: letterBatches.id }).from(letterBatches).where(eq(letterBatches.id, input.batchId));
      return { ok: false as const, reason: exists ? ("already_mailed" as const) : ("not_found" as const) };
    }
    const letters = await tx
      .update(outbox)
      .set({ status: "mailed", sentAt: now, updatedAt: now })
      .where(and(eq(outbox.status, "printed"), inArray(outbox.id, tx.select({ id: letterBatchItems.outboxId }).from(letterBatchItems).where(eq(letterBatchItems.batchId, input.batchId)))))
      .returning({ id: outbox.id });
    await services.audit.record(
      { actor: `operator:${input.operatorId}`, action: "letter.batch_mailed", subjectType: "letter_batch", subjectId: input.batchId, ip: input.ip, detail: { sequence: updated[0]!.sequence, count: letters.length } },
      tx,
    );
    return { ok: true as const, letters: letters.length };
  });
}
