/**
 * The figures of a day at the centre, from what the bench saw (queue listings, calls) and what the
 * product left in its tables (carrier orders, batches, applications), compared with the ground truth
 * the bench kept (personas, submissions, cancellation plans). Reading the tables here is measurement
 * only: nothing the bench did during the run depended on it.
 */
import os from "node:os";
import { eq, sql } from "drizzle-orm";
import {
  applications,
  cancellationEvents,
  cancellations,
  carrierBatches,
  carrierExceptions,
  carrierOrders,
  carriers,
  ivrCalls,
  lines,
  outbox,
  scans,
  verifications,
} from "../../db/schema";
import { normalizeJapaneseText, normalizeKana } from "../../app/domain/paper-form";
import type { FieldReading } from "../../app/lib/ocr/types";
import type { Services } from "../../app/lib/services.server";
import { selectOrdersWithBatch } from "../../app/lib/carrier-order-status.server";
import { percentile } from "../support";
import { SCHEDULES } from "../../workers/schedules";
import { MINUTE, cronMatches, jstLabel } from "./clock";
import type { JobDriver } from "./jobs";
import { CALIBRATION, HELD_OUT_FONTS, HELD_OUT_SETTINGS, MODE_SHARES } from "./paper";
import { HABITS, type Channel, type Plan } from "./plan";
import type { QueueWatch } from "./queues";
import type { CancellationRun, SubmissionRun, Timings } from "./run";
import type { createPhones } from "./calls";
import type { createCarriers } from "./carriers";

export type ReportInput = {
  services: Services;
  plan: Plan;
  subRuns: SubmissionRun[];
  cancelRuns: CancellationRun[];
  watch: QueueWatch;
  jobs: JobDriver;
  phones: ReturnType<typeof createPhones>;
  carriers: Awaited<ReturnType<typeof createCarriers>>;
  timings: Timings;
  /** Subscribers who called the centre from the line after a message on their answering machine. */
  callIns: { planned: number; made: number; askedAboutPaper: number };
  start: Date;
  end: Date;
  database: string;
  seed: number;
  count: number;
  args: { web: string; phone: string; paper: string; cancellations: string };
};

const CHANNEL_LABEL: Record<Channel, string> = { web: "web", ivr: "phone", paper: "paper/FAX" };
const pct = (n: number, d: number) => (d === 0 ? "–" : `${((100 * n) / d).toFixed(1)}%`);
const per1000 = (n: number, apps: number) => (apps === 0 ? "–" : ((1000 * n) / apps).toFixed(1));
const table = (head: string[], rows: (string | number)[][], align?: string[]) =>
  [`| ${head.join(" | ")} |`, `| ${(align ?? head.map((_, i) => (i === 0 ? "---" : "---:"))).join(" | ")} |`, ...rows.map((r) => `| ${r.join(" | ")} |`)].join("\n");

function same(kind: string, read: FieldReading["value"], truth: string | boolean): boolean {
  if (typeof truth === "boolean") return read === truth;
  if (typeof read !== "string") return false;
  const squash = (s: string) => s.replace(/\s+/g, "");
  if (kind === "kana") return squash(normalizeKana(read)) === squash(normalizeKana(truth));
  if (kind === "kanji" || kind === "text") return squash(normalizeJapaneseText(read)) === squash(normalizeJapaneseText(truth));
  return read === truth;
}

/** The longest time between two cuts of a batch schedule (its cron in workers/schedules.ts), in minutes. */
function longestGapMinutes(schedule: string, from: Date): number | null {
  const entry = SCHEDULES.find((s) => s.name === `carriers.cut.${schedule}`);
  if (!entry) return null;
  const fires: number[] = [];
  for (let t = from.getTime(); t < from.getTime() + 8 * 24 * 60 * MINUTE; t += MINUTE) if (cronMatches(entry.cron, new Date(t))) fires.push(t);
  let gap = 0;
  for (let i = 1; i < fires.length; i++) gap = Math.max(gap, (fires[i]! - fires[i - 1]!) / MINUTE);
  return fires.length > 1 ? gap : null;
}

export async function report(input: ReportInput): Promise<{ text: string; markdown: string }> {
  const { services, plan, subRuns, cancelRuns, watch } = input;
  const { db, pii } = services;
  const appsTotal = subRuns.length;

  // ————— the product's tables, read once —————
  const lineRows = await db.select({ id: lines.id, e164: lines.e164 }).from(lines);
  const lineIdOf = new Map(lineRows.map((l) => [l.e164, l.id]));
  const appRows = await db
    .select({ id: applications.id, lineId: applications.lineId, channel: applications.channel, status: applications.status, createdAt: applications.createdAt, hasContact: sql<boolean>`${applications.contactPhoneHash} is not null` })
    .from(applications);
  const orderRows = await selectOrdersWithBatch(db);
  const batchRows = await db.select({ id: carrierBatches.id, carrierCode: carrierBatches.carrierCode, cutAt: carrierBatches.cutAt }).from(carrierBatches);
  const batchCut = new Map(batchRows.map((b) => [b.id, b.cutAt]));
  const carrierRows = await db.select({ code: carriers.code, schedule: carriers.schedule }).from(carriers);
  const scanRows = await db
    .select({ id: scans.id, intakeId: scans.intakeId, status: scans.status, applicationId: scans.applicationId, cancellationId: scans.cancellationId, exceptionReason: scans.exceptionReason, lowResolution: scans.lowResolution, fieldsEnc: scans.fieldsEnc, formType: scans.formType })
    .from(scans);
  const ivrRows = await db.select({ id: ivrCalls.id, callSid: ivrCalls.callSid, applicationId: ivrCalls.applicationId }).from(ivrCalls);
  const exceptionRows = await db.select({ id: carrierExceptions.id, applicationId: carrierExceptions.applicationId, cancellationId: carrierExceptions.cancellationId, kind: carrierExceptions.kind, reasonCode: carrierExceptions.reasonCode }).from(carrierExceptions);
  const cancelRows = await db
    .select({ id: cancellations.id, lineId: cancellations.lineId, applicationId: cancellations.applicationId, status: cancellations.status, kind: cancellations.kind, channel: cancellations.channel, createdAt: cancellations.createdAt })
    .from(cancellations);
  const scanById = new Map(scanRows.map((s) => [s.id, s]));
  const ivrById = new Map(ivrRows.map((c) => [c.id, c]));
  const exceptionById = new Map(exceptionRows.map((e) => [e.id, e]));
  const cancelById = new Map(cancelRows.map((c) => [c.id, c]));

  // ————— queue items, linked to what they are about —————
  const touchedApps = new Set<string>();
  const touchedScans = new Set<string>();
  const touchedCalls = new Set<string>();
  const touchedCancellations = new Set<string>();
  const seenIds = new Set<string>();
  const touchesByQueue = new Map<string, number>();
  let letters = 0;
  for (const item of watch.seen.values()) {
    if (item.type === "letters") {
      letters++;
      continue;
    }
    seenIds.add(item.id);
    touchesByQueue.set(item.type, (touchesByQueue.get(item.type) ?? 0) + 1);
    const scan = scanById.get(item.id);
    if (scan) {
      touchedScans.add(scan.id);
      if (scan.applicationId) touchedApps.add(scan.applicationId);
      if (scan.cancellationId) touchedCancellations.add(scan.cancellationId);
    }
    const call = ivrById.get(item.id);
    if (call) {
      touchedCalls.add(call.id);
      if (call.applicationId) touchedApps.add(call.applicationId);
    }
    const exception = exceptionById.get(item.id);
    if (exception) {
      if (exception.applicationId) touchedApps.add(exception.applicationId);
      if (exception.cancellationId) touchedCancellations.add(exception.cancellationId);
    }
    if (cancelById.has(item.id)) touchedCancellations.add(item.id);
    if (appRows.some((a) => a.id === item.id)) touchedApps.add(item.id);
  }
  const touches = [...touchesByQueue.values()].reduce((a, b) => a + b, 0);
  // What the items were: the queue's own title, and for pages the reason the queue gives.
  const itemKinds = new Map<string, number>();
  for (const item of watch.seen.values()) {
    if (item.type === "letters") continue;
    const scan = item.type === "paper" ? scanById.get(item.id) : undefined;
    const reason = scan ? `${scan.status}${scan.exceptionReason ? ` ${scan.exceptionReason}` : ""}` : "";
    const key = `${item.type} | ${item.title.replace(/（\d+ページ目）/, "")}${reason ? ` — ${reason}` : ""}`;
    itemKinds.set(key, (itemKinds.get(key) ?? 0) + 1);
  }
  const carrierExceptionKinds = new Map<string, number>();
  for (const e of exceptionRows) carrierExceptionKinds.set(`${e.kind}${e.reasonCode ? ` ${e.reasonCode}` : ""}`, (carrierExceptionKinds.get(`${e.kind}${e.reasonCode ? ` ${e.reasonCode}` : ""}`) ?? 0) + 1);

  // Items that need a person but no queue ever showed.
  const unreachable: { kind: string; id: string; detail: string }[] = [];
  const appsByScan = new Map<string, string[]>();
  for (const s of scanRows) if (s.applicationId) appsByScan.set(s.applicationId, [...(appsByScan.get(s.applicationId) ?? []), s.id]);
  for (const [kind, ids] of watch.stuck) {
    for (const id of ids.keys()) {
      if (seenIds.has(id)) continue;
      if (kind.startsWith("application") && (touchedApps.has(id) || (appsByScan.get(id) ?? []).some((s) => touchedScans.has(s)))) continue;
      const scan = scanById.get(id);
      unreachable.push({ kind, id, detail: scan?.exceptionReason ?? appRows.find((a) => a.id === id)?.channel ?? "" });
    }
  }
  const unreachableApps = new Set(unreachable.filter((u) => u.kind.startsWith("application")).map((u) => u.id));
  const unreachableScans = new Set(unreachable.filter((u) => u.kind.startsWith("scan")).map((u) => u.id));

  // ————— per submission: did it reach a carrier order, and did a person have to see it? —————
  const suspensionOrders = orderRows.filter((o) => o.action === "SUSPEND" || o.action === "INQUIRY");
  const ordersByApp = new Map<string, typeof orderRows>();
  for (const o of suspensionOrders) if (o.applicationId) ordersByApp.set(o.applicationId, [...(ordersByApp.get(o.applicationId) ?? []), o]);
  const scansByIntake = new Map<string, typeof scanRows>();
  for (const s of scanRows) scansByIntake.set(s.intakeId, [...(scansByIntake.get(s.intakeId) ?? []), s]);
  const ivrBySid = new Map(ivrRows.map((c) => [c.callSid, c]));

  type SubResult = { run: SubmissionRun; appIds: string[]; reachedOrder: boolean; person: boolean; orderMinutes: number | null; batchMinutes: number | null; carrier: string | null };
  const results: SubResult[] = subRuns.map((run) => {
    const sub = run.submission;
    const lineId = lineIdOf.get(sub.e164);
    const pageScans = run.page?.intakeId ? (scansByIntake.get(run.page.intakeId) ?? []) : [];
    const appIds = new Set<string>();
    for (const a of appRows) if (a.lineId === lineId && a.channel === sub.channel) appIds.add(a.id);
    for (const s of pageScans) if (s.applicationId) appIds.add(s.applicationId);
    const call = run.callSid ? ivrBySid.get(run.callSid) : undefined;
    if (call?.applicationId) appIds.add(call.applicationId);
    const orders = [...appIds].flatMap((id) => ordersByApp.get(id) ?? []).sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
    const person =
      [...appIds].some((id) => touchedApps.has(id) || unreachableApps.has(id)) ||
      pageScans.some((s) => touchedScans.has(s.id) || unreachableScans.has(s.id)) ||
      (call ? touchedCalls.has(call.id) : false);
    const first = orders[0];
    const cut = orders.map((o) => (o.batchId ? batchCut.get(o.batchId) : undefined)).filter((d): d is Date => Boolean(d)).sort((a, b) => a.getTime() - b.getTime())[0];
    return {
      run,
      appIds: [...appIds],
      reachedOrder: orders.length > 0,
      person,
      orderMinutes: first ? (first.createdAt.getTime() - sub.at.getTime()) / MINUTE : null,
      batchMinutes: cut ? (cut.getTime() - sub.at.getTime()) / MINUTE : null,
      carrier: first?.carrierCode ?? null,
    };
  });

  const channelRows: (string | number)[][] = [];
  for (const channel of ["web", "ivr", "paper"] as Channel[]) {
    const rs = results.filter((r) => r.run.submission.channel === channel);
    if (rs.length === 0) continue;
    const wanted = rs.filter((r) => r.run.submission.subscriberAgrees);
    const reached = rs.filter((r) => r.reachedOrder);
    const straight = reached.filter((r) => !r.person);
    const withPerson = rs.filter((r) => r.person).length;
    channelRows.push([
      CHANNEL_LABEL[channel],
      rs.length,
      wanted.length,
      reached.length,
      straight.length,
      `**${pct(straight.length, rs.length)}**`,
      pct(straight.length, wanted.length),
      withPerson,
    ]);
  }
  const allStraight = results.filter((r) => r.reachedOrder && !r.person).length;
  const allWanted = results.filter((r) => r.run.submission.subscriberAgrees).length;
  channelRows.push(["all", results.length, allWanted, results.filter((r) => r.reachedOrder).length, allStraight, `**${pct(allStraight, results.length)}**`, pct(allStraight, allWanted), results.filter((r) => r.person).length]);

  // Outcomes of the bench's own journeys (what the applicant saw).
  const outcomes = new Map<string, number>();
  for (const r of subRuns) outcomes.set(`${CHANNEL_LABEL[r.submission.channel]}: ${r.outcome}`, (outcomes.get(`${CHANNEL_LABEL[r.submission.channel]}: ${r.outcome}`) ?? 0) + 1);
  const failures = subRuns.filter((r) => r.error).map((r) => `${r.submission.id} (${r.outcome}): ${r.error}`);

  // ————— wrong orders against the ground truth —————
  const live = (o: (typeof orderRows)[number]) => o.status !== "cancelled";
  const wrongSuspend: string[] = [];
  const againstWish: string[] = [];
  for (const o of suspensionOrders.filter(live)) {
    const persona = plan.personas.get(o.e164);
    if (!persona) wrongSuspend.push(`${o.action} ${o.scope} to ${o.carrierCode} for a line nobody asked for (…${o.e164.slice(-4)})`);
    else if (persona.wanted.length === 0) againstWish.push(`${o.action} ${o.scope} for …${o.e164.slice(-4)}: the subscriber did not agree`);
    else if (!persona.wanted.includes(o.scope as "incoming" | "outgoing")) wrongSuspend.push(`${o.action} ${o.scope} for …${o.e164.slice(-4)}: asked for ${persona.wanted.join("+")} only`);
  }
  const resumes = orderRows.filter((o) => o.action === "RESUME" && live(o));
  const unconfirmedResume: string[] = [];
  let fraudResumes = 0;
  let unwantedResumes = 0;
  let legitResumes = 0;
  for (const o of resumes) {
    const persona = plan.personas.get(o.e164);
    const label = persona?.cancellation?.label ?? "none";
    if (label === "fraud") fraudResumes++;
    else if (label === "unwanted") unwantedResumes++;
    else if (label === "legitimate") legitResumes++;
    if (!persona?.confirmedResumeAt || persona.confirmedResumeAt > o.createdAt) unconfirmedResume.push(`RESUME ${o.scope} for …${o.e164.slice(-4)} (${persona?.cancellation?.pattern ?? "no cancellation planned"}) without the subscriber's 1`);
  }
  const wrongOrders = wrongSuspend.length + againstWish.length + unconfirmedResume.length;

  // Withdrawals of a pending suspension that the subscriber did not want.
  const withdrawnAgainst: string[] = [];
  for (const a of appRows.filter((x) => x.status === "withdrawn")) {
    const e164 = lineRows.find((l) => l.id === a.lineId)?.e164 ?? "";
    const label = plan.personas.get(e164)?.cancellation?.label;
    if (label && label !== "legitimate") withdrawnAgainst.push(`${plan.personas.get(e164)!.cancellation!.pattern} on …${e164.slice(-4)}`);
  }

  // ————— cancellations —————
  const cancelRowsByLine = new Map<string, typeof cancelRows>();
  for (const c of cancelRows) cancelRowsByLine.set(c.lineId, [...(cancelRowsByLine.get(c.lineId) ?? []), c]);
  type CancelResult = { run: CancellationRun; rows: typeof cancelRows; person: boolean; finalStatus: string };
  const cancelResults: CancelResult[] = cancelRuns.map((run) => {
    const lineId = lineIdOf.get(run.plan.e164);
    const rows = (lineId ? (cancelRowsByLine.get(lineId) ?? []) : []).filter((c) => c.createdAt.getTime() >= run.plan.at.getTime() - MINUTE);
    const pageScans = run.page?.intakeId ? (scansByIntake.get(run.page.intakeId) ?? []) : [];
    for (const s of pageScans) if (s.cancellationId && !rows.some((r) => r.id === s.cancellationId)) rows.push(cancelById.get(s.cancellationId)!);
    const person = rows.some((r) => touchedCancellations.has(r.id)) || pageScans.some((s) => touchedScans.has(s.id) || unreachableScans.has(s.id));
    return { run, rows, person, finalStatus: rows.map((r) => `${r.kind}:${r.status}`).join(",") || `none (${run.outcome})` };
  });
  const byLabel = (label: string) => cancelResults.filter((c) => c.run.plan.label === label);
  // Every fraud or unwanted request that was approved, traced: how it got through is what to fix next.
  const approvedAgainst: string[] = [];
  for (const c of cancelResults.filter((x) => x.run.plan.label !== "legitimate" && x.rows.some((r) => r.status === "approved"))) {
    const row = c.rows.find((r) => r.status === "approved")!;
    const events = await db.select({ type: cancellationEvents.type, toStatus: cancellationEvents.toStatus, detail: cancellationEvents.detail }).from(cancellationEvents).where(eq(cancellationEvents.cancellationId, row.id)).orderBy(cancellationEvents.at, cancellationEvents.id);
    const app = appRows.find((a) => a.id === row.applicationId);
    const sub = plan.submissions.find((x) => x.id === c.run.plan.submissionId);
    approvedAgainst.push(
      `${c.run.plan.pattern} (${c.run.plan.channel}) on a ${sub?.channel ?? "?"} application by ${sub?.relation ?? "?"}` +
        ` (contact on the application: ${app?.hasContact ? "yes" : "no"}; the applicant ${c.run.plan.applicantObjects ? "would object" : "would not object"}, objected: ${c.run.objected ? "yes" : "no"}): ` +
        events.map((e) => `${e.type}${e.toStatus ? `→${e.toStatus}` : ""}${e.type === "applicant_notified" ? ` ${JSON.stringify(e.detail)}` : ""}`).join(", "),
    );
  }
  const legit = byLabel("legitimate");
  const legitPerson = legit.filter((c) => c.person).length;
  const legitDone = legit.filter((c) => c.rows.some((r) => r.status === "approved")).length;
  const patternRows = [...new Set(cancelResults.map((c) => c.run.plan.pattern))].map((pattern) => {
    const cs = cancelResults.filter((c) => c.run.plan.pattern === pattern);
    const statuses = new Map<string, number>();
    for (const c of cs) for (const s of c.rows.length ? c.rows.map((r) => r.status) : [`not filed (${c.run.outcome})`]) statuses.set(s, (statuses.get(s) ?? 0) + 1);
    return [
      pattern,
      cs[0]!.run.plan.label,
      cs.length,
      cs.filter((c) => c.rows.length > 0).length,
      cs.filter((c) => c.person).length,
      cs.filter((c) => c.rows.some((r) => r.status === "approved")).length,
      [...statuses].sort((a, b) => b[1] - a[1]).map(([s, n]) => `${s} ${n}`).join(", "),
    ];
  });

  // ————— minutes from submission to the carrier order, and to the batch —————
  const minutesRows: (string | number)[][] = [];
  for (const channel of ["web", "ivr", "paper"] as Channel[]) {
    const ms = results.filter((r) => r.run.submission.channel === channel && r.orderMinutes !== null).map((r) => r.orderMinutes!).sort((a, b) => a - b);
    const bs = results.filter((r) => r.run.submission.channel === channel && r.batchMinutes !== null).map((r) => r.batchMinutes!).sort((a, b) => a - b);
    if (ms.length === 0 && bs.length === 0) continue;
    minutesRows.push([CHANNEL_LABEL[channel], ms.length, ms.length ? percentile(ms, 50).toFixed(0) : "–", ms.length ? percentile(ms, 90).toFixed(0) : "–", bs.length ? percentile(bs, 50).toFixed(0) : "–", bs.length ? percentile(bs, 90).toFixed(0) : "–"]);
  }
  const allOrder = results.filter((r) => r.orderMinutes !== null).map((r) => r.orderMinutes!).sort((a, b) => a - b);
  const schedules = new Map<string, string[]>();
  for (const c of carrierRows) schedules.set(c.schedule, [...(schedules.get(c.schedule) ?? []), c.code]);
  const scheduleRows: (string | number)[][] = [...schedules].map(([schedule, codes]) => {
    const bs = results.filter((r) => r.carrier && codes.includes(r.carrier) && r.batchMinutes !== null).map((r) => r.batchMinutes!).sort((a, b) => a - b);
    const gap = longestGapMinutes(schedule, input.start);
    const p90 = bs.length ? percentile(bs, 90) : null;
    return [schedule, codes.join(", "), gap ?? "?", bs.length, bs.length ? percentile(bs, 50).toFixed(0) : "–", p90 === null ? "–" : p90.toFixed(0), p90 === null || gap === null ? "–" : p90 <= gap ? "yes" : "**no**"];
  });

  // ————— OCR on the held-out pages —————
  type Tally = { fields: number; accepted: number; exact: number; wrongAccepted: number };
  const tally = new Map<string, Tally>();
  const bump = (key: string, accepted: boolean, exact: boolean) => {
    let t = tally.get(key);
    if (!t) tally.set(key, (t = { fields: 0, accepted: 0, exact: 0, wrongAccepted: 0 }));
    t.fields++;
    if (accepted) t.accepted++;
    if (exact) t.exact++;
    if (accepted && !exact) t.wrongAccepted++;
  };
  const pages = [...subRuns.map((r) => r.page), ...cancelRuns.map((r) => r.page)].filter((p): p is NonNullable<typeof p> => p !== null);
  const exceptionReasons = new Map<string, number>();
  const wrongAcceptedExamples: string[] = [];
  for (const page of pages) {
    const pageScans = page.intakeId ? (scansByIntake.get(page.intakeId) ?? []) : [];
    for (const scan of pageScans) {
      if (!scan.fieldsEnc) {
        exceptionReasons.set(scan.exceptionReason ?? scan.status, (exceptionReasons.get(scan.exceptionReason ?? scan.status) ?? 0) + 1);
        for (const [name] of Object.entries(page.truth.fields)) if (name === "phone") bump(`phone|${page.mode}`, false, false);
        continue;
      }
      const stored = JSON.parse(pii.open(scan.fieldsEnc)) as { fields: FieldReading[] };
      for (const [name, truth] of Object.entries(page.truth.fields)) {
        const reading = stored.fields.find((f) => f.name === name);
        if (!reading) continue;
        const exact = same(reading.kind, reading.value, truth);
        if (name === "phone") bump(`phone|${page.mode}`, reading.accepted, exact);
        bump(`all|${reading.kind}`, reading.accepted, exact);
        if (reading.accepted && !exact && wrongAcceptedExamples.length < 10) wrongAcceptedExamples.push(`${page.mode} ${page.font}: ${name} read ${JSON.stringify(reading.value)} (${reading.confidence})`);
      }
    }
  }
  const phoneModes = MODE_SHARES.map(([mode]) => mode);
  const phoneAll = phoneModes.map((m) => tally.get(`phone|${m}`)).filter((t): t is Tally => Boolean(t)).reduce((a, t) => ({ fields: a.fields + t.fields, accepted: a.accepted + t.accepted, exact: a.exact + t.exact, wrongAccepted: a.wrongAccepted + t.wrongAccepted }), { fields: 0, accepted: 0, exact: 0, wrongAccepted: 0 });
  const allKinds = [...tally].filter(([k]) => k.startsWith("all|"));
  const wrongAll = allKinds.reduce((n, [, t]) => n + t.wrongAccepted, 0);
  const ocrRows: (string | number)[][] = [
    ...phoneModes.map((m) => {
      const t = tally.get(`phone|${m}`) ?? { fields: 0, accepted: 0, exact: 0, wrongAccepted: 0 };
      return [`line number, ${m}`, t.fields, pct(t.exact, t.fields), pct(t.accepted, t.fields), t.wrongAccepted];
    }),
    ["line number, all", phoneAll.fields, pct(phoneAll.exact, phoneAll.fields), `**${pct(phoneAll.accepted, phoneAll.fields)}**`, `**${phoneAll.wrongAccepted}**`],
    ...allKinds.map(([k, t]) => [`all fields: ${k.slice(4)}`, t.fields, pct(t.exact, t.fields), pct(t.accepted, t.fields), t.wrongAccepted]),
  ];

  // ————— put it together —————
  const { timings } = input;
  const jobs = input.jobs.stats;
  const ocrMs = jobs.handlerMs.get("paper.read-scan") ?? 0;
  const ocrPages = jobs.ran.get("paper.read-scan") ?? 0;
  const queueRows: (string | number)[][] = [...touchesByQueue].sort((a, b) => b[1] - a[1]).map(([type, n]) => [type, n, per1000(n, appsTotal)]);
  queueRows.push(["**operator touches (all queues)**", `**${touches}**`, `**${per1000(touches, appsTotal)}**`]);
  queueRows.push(["needing a person, unreachable (no queue lists them)", unreachable.length, per1000(unreachable.length, appsTotal)]);
  queueRows.push(["items needing a person in all", touches + unreachable.length, per1000(touches + unreachable.length, appsTotal)]);
  const unreachableByKind = new Map<string, number>();
  for (const u of unreachable) unreachableByKind.set(`${u.kind}${u.detail ? ` (${u.detail})` : ""}`, (unreachableByKind.get(`${u.kind}${u.detail ? ` (${u.detail})` : ""}`) ?? 0) + 1);

  const phoneRows = [...input.phones.stats.byPurpose].map(([purpose, t]) => [purpose, t.placed, t.answered, t.pressed1, t.pressed2, t.notAnswered, t.machine, t.messages, t.toNobody]);
  // Pages that ended with no person (no operator closes a page in the bench): the reason, and whether a letter went out.
  const closedPages = await input.services.db
    .select({ reason: scans.exceptionReason, n: sql<number>`count(*)::int`, withLetter: sql<number>`count(*) filter (where exists (select 1 from ${outbox} o where o.idempotency_key = 'scan-closed-letter:' || ${scans.id}))::int` })
    .from(scans)
    .where(sql`${scans.status} = 'closed'`)
    .groupBy(scans.exceptionReason)
    .orderBy(scans.exceptionReason);
  // Paper pages the subscriber confirmed by calling in from the line (menu or after a message, ADR 029).
  const [callInConfirmed] = await input.services.db
    .select({ n: sql<number>`count(distinct ${verifications.scanId})::int` })
    .from(verifications)
    .where(sql`${verifications.purpose} = 'paper' and ${verifications.method} = 'call_in' and ${verifications.consent} = 'agreed'`);
  const carrierResults = [...input.carriers.stats.results].map(([k, n]) => `${k} ${n}`).join(", ");
  const command = `npm run bench:centre -- --count ${input.count} --seed ${input.seed}${input.args.web !== "0.4" || input.args.phone !== "0.3" || input.args.paper !== "0.3" ? ` --web ${input.args.web} --phone ${input.args.phone} --paper ${input.args.paper}` : ""}${input.args.cancellations !== "0.12" ? ` --cancellations ${input.args.cancellations}` : ""}`;
  const counts = { web: subRuns.filter((r) => r.submission.channel === "web").length, ivr: subRuns.filter((r) => r.submission.channel === "ivr").length, paper: subRuns.filter((r) => r.submission.channel === "paper").length };
  const labels = { legitimate: legit.length, unwanted: byLabel("unwanted").length, fraud: byLabel("fraud").length };

  const md: string[] = [];
  md.push(
    `Measured ${new Date().toISOString().slice(0, 10)} with \`${command}\` on ${input.database}, ${os.cpus().length} cores, Node ${process.version}.`,
    `Simulated ${jstLabel(input.start)} → ${jstLabel(input.end)} minute by minute (every schedule of workers/schedules.ts at its cron minute; job handlers of workers/handlers.ts run by the bench). ` +
      `${appsTotal} applications on the first day (web ${counts.web} as browsers without JavaScript, phone ${counts.ivr} as signed Twilio webhooks, paper/FAX ${counts.paper} pages through intake and the OCR worker), ` +
      `then ${cancelRuns.length} cancellations over the next days (legitimate ${labels.legitimate}, family against the subscriber's wish ${labels.unwanted}, fraud ${labels.fraud}). ` +
      `Subscribers answer the centre's calls (1, 2, or no answer) through the call webhooks; carriers pull, verify, acknowledge and answer through the carrier API from their contracts.`,
    "",
    `OCR split — held-out (this bench): seed ${input.seed}, fonts ${HELD_OUT_FONTS.map((f) => f.family).join(", ")}; ${HELD_OUT_SETTINGS}; modes ${MODE_SHARES.map(([m, w]) => `${m} ${w}%`).join(", ")}. ` +
      `Calibration (thresholds in app/lib/ocr/confidence.ts): seed ${CALIBRATION.seed}, fonts ${CALIBRATION.fonts.join(", ")}; ${CALIBRATION.note}.`,
    "",
    "Operator touches: distinct items that appeared in a back-office queue (queue backlogs read every 5 simulated minutes while work arrives, then every 15; a queue is listed when its backlog changes), per queue:",
    "",
    table(["queue", "items", "per 1,000 applications"], queueRows),
    "",
    `Letters to print (not touches): ${letters}. Pages ended with no person (subscriber_refused: the subscriber's 2 on a line read for certain; nothing_to_cancel / cancellation_open: a cancellation page for a line read for certain that holds nothing to cancel or already has an open request): ${closedPages.length ? closedPages.map((c) => `${c.reason} ${c.n} (${c.withLetter} with a letter)`).join(", ") : "none"}.` +
      (unreachable.length ? ` Unreachable: ${[...unreachableByKind].map(([k, n]) => `${k} ${n}`).join(", ")}.` : ""),
    "",
    "What the items were (queue | title — for pages, the scan's state and reason at the end):",
    "",
    table(["item", "count"], [...itemKinds].sort((a, b) => b[1] - a[1]).map(([k, n]) => [k, n])),
    "",
    `Carrier exceptions by kind: ${[...carrierExceptionKinds].map(([k, n]) => `${k} ${n}`).join(", ") || "none"}.`,
    "",
    "Applications per channel (a person = any queue item about the application, its page or its call, or an unreachable state):",
    "",
    table(["channel", "applications", "subscriber wanted it", "reached a carrier order", "… with no person", "share of applications", "share of wanted", "needed a person"], channelRows),
    "",
    `Wrong orders: **${wrongOrders}** (SUSPEND/INQUIRY for a line or scope nobody asked for: ${wrongSuspend.length}; for a line whose subscriber said no: ${againstWish.length}; RESUME without the subscriber's own 1 on the line: ${unconfirmedResume.length}). ` +
      `RESUME orders (one per scope) on lines with a fraud request: **${fraudResumes}**; with an unwanted family request: ${unwantedResumes}; with a legitimate request: ${legitResumes}. Pending suspensions withdrawn against the subscriber: ${withdrawnAgainst.length}.`,
    ...[...wrongSuspend, ...againstWish, ...unconfirmedResume, ...withdrawnAgainst].slice(0, 10).map((w) => `- ${w}`),
    "",
    `Legitimate cancellations that needed a person: **${legitPerson} of ${legit.length} (${pct(legitPerson, legit.length)})**; approved by the end: ${legitDone}.`,
    "",
    table(["pattern", "label", "requests", "filed", "needed a person", "approved", "final states"], patternRows, ["---", "---", "---:", "---:", "---:", "---:", "---"]),
    "",
    `Minutes from submission (the page received, the call, the web journey) to the first carrier order of the application (p50 / p90 over all channels: ${allOrder.length ? `${percentile(allOrder, 50).toFixed(0)} / ${percentile(allOrder, 90).toFixed(0)}` : "–"}), and to the batch it left in:`,
    "",
    table(["channel", "with an order", "order p50", "order p90", "batch p50", "batch p90"], minutesRows),
    "",
    "Against the batch schedules (orders are planned every minute; each carrier's batch is cut on its schedule):",
    "",
    table(["schedule", "carriers", "longest wait for a cut (min)", "applications", "submission → batch p50 (min)", "p90 (min)", "p90 within the longest wait"], scheduleRows, ["---", "---", "---:", "---:", "---:", "---:", "---"]),
    "",
    `OCR acceptance on the held-out pages (${pages.length} pages, ${ocrPages} read by the worker; exceptions: ${[...exceptionReasons].map(([r, n]) => `${r} ${n}`).join(", ") || "none"}):`,
    "",
    table(["field", "fields", "read exactly", "accepted automatically", "accepted but wrong"], ocrRows),
    "",
    `Wrong values accepted on all fields: **${wrongAll}**.${wrongAcceptedExamples.length ? ` ${wrongAcceptedExamples.join("; ")}.` : ""}`,
    "",
    "Calls the centre placed (outbox rows with channel 'call'), as the subscribers answered them:",
    "",
    table(["purpose", "placed", "answered", "pressed 1", "pressed 2", "not answered", "… taken by a machine", "… message to call back left", "to a number no persona owns"], phoneRows),
    "",
    `Call-ins from the line after a message on the answering machine (ADR 029): ${input.callIns.made} calls made (of ${input.callIns.planned} planned), ${input.callIns.askedAboutPaper} heard a paper application's question; paper pages confirmed by a call-in: ${callInConfirmed?.n ?? 0} — without this path each would have been a paper-queue item (line_unanswered). ` +
      `Assumed, not measured (bench/centre/plan.ts HABITS): an answering machine on ${HABITS.answeringMachine.never * 100}% of lines whose subscriber never picks up, ${HABITS.answeringMachine.sometimes * 100}% of those who sometimes do; ${HABITS.returnsMessages * 100}% of subscribers call back after a message.`,
    "",
    `Carriers: ${input.carriers.stats.batches} batches, ${input.carriers.stats.records} records; answers ${carrierResults || "none"}.`,
    `Wall time ${(timings.totalMs / 1000).toFixed(0)} s for ${appsTotal} applications (${(timings.totalMs / 1000 / appsTotal).toFixed(2)} s each): OCR ${(ocrMs / 1000).toFixed(0)} s (${ocrPages ? (ocrMs / 1000 / ocrPages).toFixed(2) : "–"} s/page), page rendering ${(timings.renderMs / 1000).toFixed(0)} s, web ${(timings.webMs / 1000).toFixed(0)} s, IVR ${(timings.ivrMs / 1000).toFixed(0)} s, calls ${(timings.phonesMs / 1000).toFixed(0)} s, carriers ${(timings.carriersMs / 1000).toFixed(0)} s, queue listings ${(timings.queuesMs / 1000).toFixed(0)} s. ` +
      `Without OCR and page rendering the same day takes ${((timings.totalMs - ocrMs - timings.renderMs) / 1000 / appsTotal).toFixed(2)} s per application: OCR makes the day ×${(timings.totalMs / Math.max(1, timings.totalMs - ocrMs - timings.renderMs)).toFixed(2)} as long.`,
  );
  const problems = [
    ...failures.slice(0, 8).map((f) => `journey: ${f}`),
    ...cancelRuns.filter((c) => c.error).slice(0, 5).map((c) => `cancellation ${c.plan.id} ${c.plan.pattern} (${c.outcome}): ${c.error}`),
    ...cancelResults.filter((c) => c.rows.length === 0 && c.run.lastWords).slice(0, 5).map((c) => `cancellation ${c.run.plan.id} ${c.run.plan.pattern} by phone, no request on record; the IVR said: ${c.run.lastWords}`),
    ...jobs.failures.slice(0, 5).map((f) => `job: ${f}`),
    ...input.phones.stats.errors.slice(0, 5).map((f) => `call: ${f}`),
    ...input.carriers.stats.errors.slice(0, 5).map((f) => `carrier: ${f}`),
  ];
  md.push("", `Journeys as the applicants saw them: ${[...outcomes].sort().map(([k, n]) => `${k} ${n}`).join(", ")}.`);
  if (approvedAgainst.length) md.push("", "Fraud or unwanted requests approved (must be none), traced:", "", ...approvedAgainst.map((p) => `- ${p}`));
  if (problems.length) md.push("", "Problems met on the way:", "", ...problems.map((p) => `- ${p}`));
  md.push(
    "",
    "Limits: no operator channel (entries by phone to an operator are touches by definition); every paper page is handwritten (no centre-prefilled form whose QR carries the line); " +
      "the IVR hears the name right 80% of the time, in kana 12%, with another kanji 8%; 3% of contracts are in another person's name, and carriers answer NAME_MISMATCH only to a name not marked unverified whose installation address is not the contract's (docs/carrier-interface.md, ADR 025); " +
      "carriers answer about 2 h after acknowledging; caller-ID spoofing is not modelled; a coached subscriber is tried on lines a family member applied for, by any channel (where the centre has no number for that applicant, the applicant_cannot_be_told rule sends the request to a person); " +
      "queue items are seen when a listing runs (backlogs every 5 simulated minutes while work arrives, then every 15), so an item that came and went between two listings would be missed.",
  );
  const markdown = md.join("\n");
  return { text: `\n## Centre: a day end to end (bench:centre)\n\n${markdown}\n`, markdown };
}
