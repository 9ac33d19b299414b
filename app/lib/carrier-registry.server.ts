/**
 * The carrier registry for the back office (role admin): settings, the capability table, API keys,
 * carrier users, the push secret, and what each carrier has been sent. Callers audit every view and
 * change (actor operator:<id>).
 */
import { and, desc, eq, inArray, isNull, sql } from "drizzle-orm";
import { z } from "zod";
import { carrierApiKeys, carrierBatches, carrierCapabilities, carrierOrders, carrierPushAttempts, carriers, carrierUsers } from "../../db/schema";
import { OPEN_RAW_STATUSES, probedOrderStatusSql, waitingForBatch } from "./carrier-order-status.server";
import { BATCH_SCHEDULES } from "../domain/carrier-schedules";
import { FILE_FORMATS } from "../domain/carrier-files";
import { SCOPES, type Scope } from "../domain/carriers";
import { summarise, type BatchSummary } from "./carrier-batches.server";
import { newPushSecret } from "./carrier-push.server";
import type { Services } from "./services.server";
import { JOB_NAMES } from "./jobs";

export type CarrierListItem = {
  code: string;
  nameJa: string;
  nameEn: string | null;
  deliveryMode: string;
  schedule: string;
  fileFormat: string;
  active: boolean;
  pending: number;
  awaitingResults: number;
  lastSequence: number | null;
  lastCutAt: string | null;
};

export async function listCarriers(services: Pick<Services, "db">): Promise<CarrierListItem[]> {
  const rows = await services.db.select().from(carriers).orderBy(carriers.code);
  const counts = await services.db
    .select({ code: carrierOrders.carrierCode, status: probedOrderStatusSql, n: sql<number>`count(*)::int` })
    .from(carrierOrders)
    .where(inArray(carrierOrders.status, [...OPEN_RAW_STATUSES]))
    .groupBy(carrierOrders.carrierCode, probedOrderStatusSql);
  const last = await services.db
    .select({ code: carrierBatches.carrierCode, sequence: sql<number>`max(${carrierBatches.sequence})::int`, cutAt: sql<Date>`max(${carrierBatches.cutAt})` })
    .from(carrierBatches)
    .groupBy(carrierBatches.carrierCode);
  return rows.map((c) => {
    const of = (statuses: string[]) => counts.filter((r) => r.code === c.code && statuses.includes(r.status)).reduce((n, r) => n + Number(r.n), 0);
    const batch = last.find((l) => l.code === c.code);
    return {
      code: c.code,
      nameJa: c.nameJa,
      nameEn: c.nameEn,
      deliveryMode: c.deliveryMode,
      schedule: c.schedule,
      fileFormat: c.fileFormat,
      active: c.active,
      pending: of(["pending"]),
      awaitingResults: of(["batched", "acknowledged"]),
      lastSequence: batch ? Number(batch.sequence) : null,
      lastCutAt: batch?.cutAt ? new Date(batch.cutAt).toISOString() : null,
    };
  });
}

export type CarrierDetail = {
  carrier: {
    code: string;
    nameJa: string;
    nameEn: string | null;
    regions: number[];
    deliveryMode: string;
    pushUrl: string | null;
    pushSecretSetAt: string | null;
    fileFormat: string;
    schedule: string;
    batchMaxSize: number;
    contact: string | null;
    active: boolean;
  };
  capabilities: { scope: Scope; accepted: boolean; note: string | null }[];
  apiKeys: { id: string; label: string; keyPrefix: string; createdAt: string; lastUsedAt: string | null; revokedAt: string | null }[];
  users: { id: string; username: string; displayName: string; createdAt: string; disabledAt: string | null; locked: boolean }[];
  batches: (BatchSummary & { pushAttempts: number; lastPushOutcome: string | null; lastPushStatus: number | null })[];
  pending: number;
};

export async function getCarrierDetail(services: Pick<Services, "db" | "now">, code: string): Promise<CarrierDetail | null> {
  const [c] = await services.db.select().from(carriers).where(eq(carriers.code, code));
  if (!c) return null;
  const caps = await services.db.select().from(carrierCapabilities).where(eq(carrierCapabilities.carrierCode, code));
  const keys = await services.db.select().from(carrierApiKeys).where(eq(carrierApiKeys.carrierCode, code)).orderBy(desc(carrierApiKeys.createdAt));
  const users = await services.db.select().from(carrierUsers).where(eq(carrierUsers.carrierCode, code)).orderBy(carrierUsers.username);
  const batchRows = await services.db
    .select()
    .from(carrierBatches)
    .where(and(eq(carrierBatches.carrierCode, code), sql`${carrierBatches.status} <> 'cutting'`))
    .orderBy(desc(carrierBatches.sequence))
    .limit(20);
  const attempts =
    batchRows.length === 0
      ? []
      : await services.db
          .select()
          .from(carrierPushAttempts)
          .where(inArray(carrierPushAttempts.batchId, batchRows.map((b) => b.id)))
          .orderBy(carrierPushAttempts.attempt);
  const [pending] = await services.db
    .select({ n: sql<number>`count(*)::int` })
    .from(carrierOrders)
    .where(and(eq(carrierOrders.carrierCode, code), waitingForBatch));
  const now = services.now();
  return {
    carrier: {
      code: c.code,
      nameJa: c.nameJa,
      nameEn: c.nameEn,
      regions: c.regions,
      deliveryMode: c.deliveryMode,
      pushUrl: c.pushUrl,
      pushSecretSetAt: c.pushSecretSetAt?.toISOString() ?? null,
      fileFormat: c.fileFormat,
      schedule: c.schedule,
      batchMaxSize: c.batchMaxSize,
      contact: c.contact,
      active: c.active,
    },
    capabilities: SCOPES.map((scope) => {
      const row = caps.find((r) => r.scope === scope);
      return { scope, accepted: row?.acceptedViaCentre ?? false, note: row?.noteJa ?? null };
    }),
    apiKeys: keys.map((k) => ({
      id: k.id,
      label: k.label,
      keyPrefix: k.keyPrefix,
      createdAt: k.createdAt.toISOString(),
      lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
      revokedAt: k.revokedAt?.toISOString() ?? null,
    })),
    users: users.map((u) => ({
      id: u.id,
      username: u.username,
      displayName: u.displayName,
      createdAt: u.createdAt.toISOString(),
      disabledAt: u.disabledAt?.toISOString() ?? null,
      locked: !!u.lockedUntil && u.lockedUntil > now,
    })),
    batches: batchRows.map((b) => {
      const mine = attempts.filter((a) => a.batchId === b.id);
      const lastAttempt = mine.at(-1);
      return { ...summarise(b), pushAttempts: mine.length, lastPushOutcome: lastAttempt?.outcome ?? null, lastPushStatus: lastAttempt?.httpStatus ?? null };
    }),
    pending: Number(pending?.n ?? 0),
  };
}

const optionalText = (max: number, message: string) =>
  z
    .string()
    .trim()
    .max(max, message)
    .optional()
    .transform((v) => (v === undefined || v === "" ? null : v));

/** The settings form: one schema, the same messages as the page shows. */
export const carrierSettingsSchema = z
  .object({
    nameJa: z.string({ required_error: "電話会社の名前を入力してください。" }).trim().min(1, "電話会社の名前を入力してください。").max(100, "名前は100文字までにしてください。"),
    nameEn: optionalText(100, "英語の名前は100文字までにしてください。"),
    regions: z.array(z.coerce.number().int().min(1).max(47)).default([]),
    acceptOutgoing: z.boolean(),
    acceptIncoming: z.boolean(),
    noteOutgoing: optionalText(300, "説明は300文字までにしてください。"),
    noteIncoming: optionalText(300, "説明は300文字までにしてください。"),
    deliveryMode: z.enum(["pull", "push"], { errorMap: () => ({ message: "受け渡しの方法をえらんでください。" }) }),
    pushUrl: optionalText(500, "URLは500文字までにしてください。"),
    schedule: z.enum(BATCH_SCHEDULES, { errorMap: () => ({ message: "バッチを作る間隔をえらんでください。" }) }),
    fileFormat: z.enum(FILE_FORMATS, { errorMap: () => ({ message: "ファイルの形式をえらんでください。" }) }),
    batchMaxSize: z.coerce
      .number({ invalid_type_error: "1バッチの最大件数を数字で入力してください。" })
      .int("1バッチの最大件数は整数で入力してください。")
      .min(1, "1バッチの最大件数は1以上にしてください。")
      .max(1_000_000, "1バッチの最大件数は1,000,000以下にしてください。"),
    contact: optionalText(500, "連絡先は500文字までにしてください。"),
    active: z.boolean(),
  })
  .superRefine((value, ctx) => {
    if (value.pushUrl !== null) {
      let url: URL | null = null;
      try {
        url = new URL(value.pushUrl);
      } catch {
        url = null;
      }
      const local = url !== null && ["127.0.0.1", "localhost", "[::1]"].includes(url.hostname);
      if (!url || !(url.protocol === "https:" || (url.protocol === "http:" && local))) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["pushUrl"], message: "送り先のURLは https:// で始まるURLにしてください（テスト用の localhost だけは http:// も使えます）。" });
      }
    }
    if (value.deliveryMode === "push" && value.pushUrl === null) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["pushUrl"], message: "プッシュで送るときは、送り先のURLを入力してください。" });
    }
  });

export type CarrierSettingsInput = z.infer<typeof carrierSettingsSchema>;

export function settingsFromForm(form: FormData): Record<string, unknown> {
  const text = (name: string) => {
    const value = form.get(name);
    return typeof value === "string" ? value : undefined;
  };
  return {
    nameJa: text("nameJa"),
    nameEn: text("nameEn"),
    regions: form.getAll("regions").filter((v): v is string => typeof v === "string"),
    acceptOutgoing: form.get("acceptOutgoing") === "on",
    acceptIncoming: form.get("acceptIncoming") === "on",
    noteOutgoing: text("noteOutgoing"),
    noteIncoming: text("noteIncoming"),
    deliveryMode: text("deliveryMode"),
    pushUrl: text("pushUrl"),
    schedule: text("schedule"),
    fileFormat: text("fileFormat"),
    batchMaxSize: text("batchMaxSize"),
    contact: text("contact"),
    active: form.get("active") === "on",
  };
}

/** Saves the settings and the capability table in one transaction. Returns the fields that changed. */
export async function updateCarrierSettings(services: Pick<Services, "db" | "now">, code: string, input: CarrierSettingsInput): Promise<string[]> {
  const now = services.now();
  return services.db.transaction(async (tx) => {
    const [before] = await tx.select().from(carriers).where(eq(carriers.code, code)).for("update");
    if (!before) throw new Error(`no carrier ${code}`);
    const values = {
      nameJa: input.nameJa,
      nameEn: input.nameEn,
      regions: [...new Set(input.regions)].sort((a, b) => a - b),
      deliveryMode: input.deliveryMode,
      pushUrl: input.pushUrl,
      schedule: input.schedule,
      fileFormat: input.fileFormat,
      batchMaxSize: input.batchMaxSize,
      contact: input.contact,
      active: input.active,
    };
    const changed: string[] = (Object.keys(values) as (keyof typeof values)[]).filter((key) => JSON.stringify(before[key]) !== JSON.stringify(values[key]));
    await tx.update(carriers).set({ ...values, updatedAt: now }).where(eq(carriers.code, code));
    for (const scope of SCOPES) {
      const accepted = scope === "outgoing" ? input.acceptOutgoing : input.acceptIncoming;
      const note = scope === "outgoing" ? input.noteOutgoing : input.noteIncoming;
      const [existing] = await tx
        .select()
        .from(carrierCapabilities)
        .where(and(eq(carrierCapabilities.carrierCode, code), eq(carrierCapabilities.scope, scope)));
      if (!existing || existing.acceptedViaCentre !== accepted || (existing.noteJa ?? null) !== note) changed.push(`capability.${scope}`);
      await tx
        .insert(carrierCapabilities)
        .values({ carrierCode: code, scope, acceptedViaCentre: accepted, noteJa: note, updatedAt: now })
        .onConflictDoUpdate({ target: [carrierCapabilities.carrierCode, carrierCapabilities.scope], set: { acceptedViaCentre: accepted, noteJa: note, updatedAt: now } });
    }
    return changed;
  });
}

/** A new push secret for the carrier, returned once (only the sealed form is kept). */
export async function rotatePushSecret(services: Pick<Services, "db" | "now" | "pii">, code: string): Promise<string> {
  const secret = newPushSecret();
  await services.db.update(carriers).set({ pushSecretEnc: services.pii.seal(secret), pushSecretSetAt: services.now(), updatedAt: services.now() }).where(eq(carriers.code, code));
  return secret;
}

export async function activeApiKeyCount(services: Pick<Services, "db">, code: string): Promise<number> {
  const [row] = await services.db
    .select({ n: sql<number>`count(*)::int` })
    .from(carrierApiKeys)
    .where(and(eq(carrierApiKeys.carrierCode, code), isNull(carrierApiKeys.revokedAt)));
  return Number(row?.n ?? 0);
}

/**
 * An admin's 「今すぐバッチを作る」: the cut job (one per carrier at a time, like the schedule's) and
 * its audit row commit together (issue 12): no request without its record, no record without the job.
 */
export async function requestBatchCut(services: Pick<Services, "db" | "queue" | "audit">, input: { carrierCode: string; operatorId: string; ip: string | null }): Promise<void> {
  await services.db.transaction(async (tx) => {
    await services.queue.enqueue(JOB_NAMES.cutCarrierBatch, { carrierCode: input.carrierCode, reason: "schedule" }, { tx, singletonKey: `${input.carrierCode}:schedule` });
    await services.audit.record({ actor: `operator:${input.operatorId}`, action: "carrier.batch.cut_requested", subjectType: "carrier", subjectId: input.carrierCode, ip: input.ip }, tx);
  });
}
