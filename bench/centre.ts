/**
 * `npm run bench:centre`: a day at the centre, end to end through the real services, counting the
 * operator touches the day's work needs (issue 11).
 *
 *   npm run bench:centre -- [--count 1000] [--web 0.4 --phone 0.3 --paper 0.3] [--cancellations 0.12]
 * [--seed 20261124] [--no-write] [--quiet]
 *
 * N applications arrive on Tuesday 2026-11-24 from 09:30 JST (web journeys as a browser without
 * JavaScript, phone calls signed as Twilio signs them, FAX and scanned paper pages through the intake
 * and the OCR worker), and the cancellations that follow them over the next days. The subscribers are
 * personas who answer the centre's calls (press 1, press 2, or do not pick up); carriers pull their
 * batches through the API and answer from their contracts. Background work runs through the workers'
 * own handlers on a simulated clock, minute by minute, with every schedule at its cron time. Every
 * distinct item that appears in a back-office queue is an operator touch. The checks compare what the
 * product did (carrier orders) with the ground truth the bench kept. PGlite in a temp folder by
 * default; PostgreSQL (a scratch database) when DATABASE_URL is set.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { AddressInfo } from "node:net";
import { parseArgs } from "node:util";
import { pathToFileURL } from "node:url";
import { randomBytes } from "node:crypto";
import type { ServerBuild } from "@remix-run/node";
import postgres from "postgres";
import { createApp } from "../server";
import { wrapPostgres, type Database } from "../db/client";
import { createLogger } from "../app/lib/logger.server";
import { loadConfig } from "../app/lib/env.server";
import { startServices, type Services } from "../app/lib/services.server";
import { createOutboxProvider } from "../app/lib/comms.server";
import { ingestFile } from "../app/lib/paper-intake.server";
import { ivrAuthToken } from "../app/lib/twilio-webhook.server";
import { closeFormReader } from "../workers/ocr-reader";
import { writeBenchmarkSection } from "./support";
import { DAY, HOUR, MINUTE, jstLabel, simClock } from "./centre/clock";
import { createJobDriver } from "./centre/jobs";
import { callBackTime, makePlan, type CancellationPlan, type Persona, type Submission } from "./centre/plan";
import { applicationPage, cancellationPage, renderFile } from "./centre/paper";
import { finishWebApplication, JourneyError, objectOnWeb, startWebApplication, webCancellation, type WebApplication } from "./centre/web";
import { ivrApplication, ivrCancellation, ivrPaperCallIn, type IvrContext } from "./centre/ivr";
import { createPhones } from "./centre/calls";
import { CARRIER_ANSWER_AFTER_MS, CARRIER_POLL_HOURS, createCarriers } from "./centre/carriers";
import { createQueueWatch } from "./centre/queues";
import { report } from "./centre/report";
import type { CancellationRun, PageRun, SubmissionRun, Timings } from "./centre/run";

const { values: args } = parseArgs({
  options: {
    count: { type: "string", default: "1000" },
    web: { type: "string", default: "0.4" },
    phone: { type: "string", default: "0.3" },
    paper: { type: "string", default: "0.3" },
    cancellations: { type: "string", default: "0.12" },
    seed: { type: "string", default: "20261124" },
    "no-write": { type: "boolean", default: false },
    quiet: { type: "boolean", default: false },
  },
});

const COUNT = Number(args.count);
const SEED = Number(args.seed);
const START = new Date("2026-11-24T00:30:00Z"); // Tuesday 09:30 JST
/** After the last cancellation: the 72 h cooling-off, a daily batch, and the carriers' answers. */
const TAIL_MS = 72 * HOUR + 30 * HOUR;
const QUEUE_POLL_MINUTES = 5;
const WEB_CODE_WAIT_MS = 15 * MINUTE;

if (!Number.isInteger(COUNT) || COUNT < 1) throw new Error("--count must be a positive integer");
const log = (text: string) => {
  if (!args.quiet) process.stderr.write(`${text}\n`);
};

const SECRETS = {
  SESSION_SECRET: "bench-session-secret-0123456789abcdef",
  PII_ENCRYPTION_KEY: Buffer.alloc(32, 1).toString("base64"),
  PII_HASH_KEY: Buffer.alloc(32, 2).toString("base64"),
  CARRIER_SIGNING_KEY: Buffer.alloc(32, 3).toString("base64"),
};

type Target = { kind: "pglite"; dataDir: string } | { kind: "postgres"; url: string; label: string };

/** A throwaway database: a PGlite folder, or a scratch database on the server DATABASE_URL names. */
async function withDatabase<T>(run: (target: Target) => Promise<T>): Promise<T> {
  const adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "kokusai-centre-"));
    try {
      return await run({ kind: "pglite", dataDir });
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }
  const name = `kokusai_centre_${randomBytes(4).toString("hex")}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${name}"`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  try {
    const [version] = await admin<{ server_version: string }[]>`show server_version`;
    return await run({ kind: "postgres", url: url.toString(), label: `PostgreSQL ${version?.server_version ?? ""} (${url.host}, scratch database)` });
  } finally {
    await admin.unsafe(`drop database if exists "${name}" with (force)`);
    await admin.end({ timeout: 5 });
  }
}

async function main() {
  const wallStart = performance.now();
  const plan = makePlan({
    seed: SEED,
    count: COUNT,
    shares: { web: Number(args.web), ivr: Number(args.phone), paper: Number(args.paper) },
    cancellationRate: Number(args.cancellations),
    start: START,
  });
  const lastArrival = Math.max(...plan.submissions.map((s) => s.at.getTime()), ...plan.cancellations.map((c) => c.at.getTime()));
  const end = new Date(Math.max(lastArrival + TAIL_MS, START.getTime() + 2 * DAY));
  log(`plan: ${plan.submissions.length} applications, ${plan.cancellations.length} cancellations; simulating ${jstLabel(START)} → ${jstLabel(end)}`);

  await withDatabase(async (target) => {
    const clock = simClock(START);
    const env: Record<string, string | undefined> = {
      ...process.env,
      ...SECRETS,
      DATABASE_URL: target.kind === "postgres" ? target.url : undefined,
      DATA_DIR: target.kind === "pglite" ? target.dataDir : undefined,
      PUBLIC_BASE_URL: "https://centre.example.jp",
      SEED_DEMO_DATA: "false",
      RUN_WORKERS: "false",
      INTAKE_DIR: undefined,
      LOG_LEVEL: "silent",
    };
    const config = loadConfig(env);
    let database: Database | undefined;
    if (target.kind === "postgres") database = wrapPostgres(target.url, 10);
    const services: Services = await startServices(config, createLogger({ level: "silent" }), {
      database,
      provider: createOutboxProvider(),
      runsWorkers: false,
      now: clock.now,
    });
    const build = (await import(pathToFileURL(path.resolve("build/index.js")).href)) as ServerBuild;
    const server = createApp({ config, build, services }).listen(0, "127.0.0.1");
    await new Promise<void>((r) => server.once("listening", () => r()));
    // Simulated minutes pass in real seconds between two requests of one client: keep idle connections
    // open longer than Node's default 5 s, or a pooled connection closes under a request ("fetch failed").
    server.keepAliveTimeout = 10 * 60_000;
    server.headersTimeout = 10 * 60_000 + 1000;
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const ivr: IvrContext = { serverUrl: base, publicBaseUrl: config.publicBaseUrl, authToken: ivrAuthToken(config), centreNumber: config.centrePhoneNumber };

    const timings: Timings = { cronMs: 0, jobsMs: 0, renderMs: 0, ingestMs: 0, webMs: 0, ivrMs: 0, phonesMs: 0, carriersMs: 0, queuesMs: 0, totalMs: 0 };
    const timed = async <T>(key: keyof Timings, work: () => Promise<T>): Promise<T> => {
      const started = performance.now();
      try {
        return await work();
      } finally {
        timings[key] += performance.now() - started;
      }
    };

    const subRuns = new Map<string, SubmissionRun>();
    const cancelRuns = new Map<string, CancellationRun>();
    const referenceOfLine = new Map<string, string>();
    const waitingWeb = new Map<string, { journey: WebApplication; code: string | null; since: number }>();
    const objected = new Set<string>();
    /** Subscribers who will call the centre from the line after a message on their answering machine. */
    const callBacks: { persona: Persona; at: Date }[] = [];
    const callInStats = { planned: 0, made: 0, askedAboutPaper: 0 };

    const jobs = createJobDriver(services);
    const watch = createQueueWatch(services);
    const carriers = await createCarriers(services, plan, base, { answerAfterMs: CARRIER_ANSWER_AFTER_MS });
    const phones = createPhones(
      services,
      plan,
      ivr,
      {
        onCode(to, code) {
          const waiting = waitingWeb.get(to);
          if (waiting && !waiting.code) waiting.code = code;
        },
        async onNotice(to, text) {
          const contact = plan.contacts.get(to);
          if (!contact || contact.role !== "applicant") return;
          const persona = plan.personas.get(contact.e164Line)!;
          const cancellation = persona.cancellation;
          if (!cancellation?.applicantObjects || objected.has(cancellation.id)) return;
          const reference = text.match(/受付番号[はを、\s]*((?:\d[\s、の-]*){11})/)?.[1]?.replace(/\D/g, "");
          const code = text.match(/確認コード[はを、\s]*((?:\d[\s、]*){8})/)?.[1]?.replace(/\D/g, "");
          if (!reference || !code) return;
          objected.add(cancellation.id);
          const sub = plan.submissions.find((s) => s.id === persona.submissionId)!;
          const ok = await objectOnWeb(base, sub.ip, reference, code);
          const run = cancelRuns.get(cancellation.id);
          if (run) run.objected = ok;
        },
        onResumeConfirmed(persona, at) {
          persona.confirmedResumeAt ??= at;
        },
        onCallBackMessage(persona, heardAt) {
          // One call back per line, after the subscriber played the messages: within a few hours in
          // the daytime, else the next morning. Whether they call at all is the persona's habit.
          if (!persona.returnsMessages || callBacks.some((c) => c.persona === persona)) return;
          callInStats.planned++;
          callBacks.push({ persona, at: callBackTime(heardAt, persona.e164, SEED) });
          callBacks.sort((a, b) => a.at.getTime() - b.at.getTime());
        },
      },
      SEED,
    );

    async function paperPage(name: string, truth: PageRun["truth"], seed: number): Promise<PageRun> {
      const file = await timed("renderMs", async () => renderFile(truth, seed, name));
      const source = file.mode === "scan-300" ? "mail" : "fax_folder";
      const result = await timed("ingestMs", () => ingestFile(services, { bytes: file.bytes, filename: file.fileName, source }));
      return { intakeId: result.intakeId, ingest: result.kind, mode: file.mode, font: file.font, rotation: file.rotation, truth };
    }

    async function arriveApplication(sub: Submission) {
      const persona = plan.personas.get(sub.e164)!;
      const run: SubmissionRun = { submission: sub, outcome: "started", reference: null, callSid: null, page: null, error: null };
      subRuns.set(sub.id, run);
      try {
        if (sub.channel === "web") {
          const journey = await timed("webMs", () => startWebApplication(base, sub, services.now()));
          waitingWeb.set(sub.e164, { journey, code: null, since: clock.current().getTime() });
          run.outcome = "waiting_for_code";
        } else if (sub.channel === "ivr") {
          const call = await timed("ivrMs", () => ivrApplication(ivr, sub));
          run.callSid = call.callSid;
          run.reference = call.reference;
          run.outcome = call.reference ? "ivr_done" : "ivr_unfinished";
          if (call.unknownPrompts.length) run.error = `unknown IVR prompts: ${call.unknownPrompts.join(", ")}`;
          else if (!call.reference) run.error = `the call ended with: ${call.says.slice(-2).join(" ").slice(0, 200)}`;
          if (call.reference) referenceOfLine.set(sub.e164, call.reference);
        } else {
          run.page = await paperPage(sub.id, applicationPage(sub, persona), sub.pageSeed);
          run.outcome = "ingested";
        }
      } catch (error) {
        run.outcome = "failed";
        run.error = error instanceof JourneyError ? error.message : `${(error as Error).name}: ${(error as Error).message}`;
      }
    }

    async function finishWaitingWeb(force = false) {
      const now = clock.current().getTime();
      for (const [e164, waiting] of [...waitingWeb]) {
        const run = subRuns.get(waiting.journey.submission.id)!;
        if (waiting.code) {
          waitingWeb.delete(e164);
          try {
            const done = await timed("webMs", () => finishWebApplication(waiting.journey, plan.personas.get(e164)!, waiting.code!));
            run.outcome = done.outcome;
            run.reference = done.reference;
            if (done.reference) referenceOfLine.set(e164, done.reference);
          } catch (error) {
            run.outcome = "failed";
            run.error = error instanceof JourneyError ? error.message : `${(error as Error).name}: ${(error as Error).message}`;
          }
        } else if (force || now - waiting.since > WEB_CODE_WAIT_MS) {
          // Nobody read a code out: the subscriber did not pick up or said no. The applicant gives up.
          waitingWeb.delete(e164);
          run.outcome = "no_code";
        }
      }
    }

    async function arriveCancellation(c: CancellationPlan) {
      const persona = plan.personas.get(c.e164)!;
      const run: CancellationRun = { plan: c, outcome: "started", reference: null, page: null, error: null, objected: false, lastWords: null };
      cancelRuns.set(c.id, run);
      try {
        if (c.channel === "web") {
          run.reference = await timed("webMs", () => webCancellation(base, c, persona));
          run.outcome = "filed";
        } else if (c.channel === "ivr") {
          const call = await timed("ivrMs", () => ivrCancellation(ivr, c, c.e164));
          run.outcome = "ivr_done";
          run.lastWords = call.says.slice(-2).join(" ").slice(0, 200);
          if (call.unknownPrompts.length) run.error = `unknown IVR prompts: ${call.unknownPrompts.join(", ")}`;
          // The subscriber's own call from the line, confirmed with 1: that is the subscriber's confirmation.
          if (c.relation === "self") persona.confirmedResumeAt ??= services.now();
        } else {
          const reference = referenceOfLine.get(c.e164) ?? null;
          const withReference = reference && c.pageSeed % 2 === 0 ? reference : null;
          run.page = await paperPage(c.id, cancellationPage(c, persona, withReference), c.pageSeed);
          run.outcome = "ingested";
        }
      } catch (error) {
        run.outcome = error instanceof JourneyError && error.at.startsWith("/cancel/check") ? "not_filed" : "failed";
        run.error = error instanceof JourneyError ? error.message : `${(error as Error).name}: ${(error as Error).message}`;
      }
    }

    /** Runs background work, the phones and the waiting web journeys until nothing moves. */
    async function settle(forceWeb = false) {
      for (let round = 0; round < 20; round++) {
        const ran = await timed("jobsMs", () => jobs.runDue());
        const rang = await timed("phonesMs", () => phones.poll());
        const before = waitingWeb.size;
        await finishWaitingWeb(forceWeb && round > 0);
        if (ran === 0 && rang === 0 && waitingWeb.size === before) break;
      }
    }

    const submissions = [...plan.submissions];
    const cancellations = [...plan.cancellations];
    let si = 0;
    let ci = 0;
    let lastProgress = 0;
    const carrierEvery = CARRIER_POLL_HOURS * HOUR;
    try {
      for (let t = START.getTime(); t <= end.getTime(); t += MINUTE) {
        const now = new Date(t);
        clock.set(now);
        await timed("cronMs", () => jobs.runCron(now));
        while (si < submissions.length && submissions[si]!.at.getTime() <= t) await arriveApplication(submissions[si++]!);
        while (ci < cancellations.length && cancellations[ci]!.at.getTime() <= t) await arriveCancellation(cancellations[ci++]!);
        while (callBacks.length > 0 && callBacks[0]!.at.getTime() <= t) {
          const { persona } = callBacks.shift()!;
          callInStats.made++;
          const result = await timed("ivrMs", () => ivrPaperCallIn(ivr, persona.e164, persona.wanted.length > 0));
          if (result.answered) callInStats.askedAboutPaper++;
        }
        await settle();
        if ((t - START.getTime()) % carrierEvery === 5 * MINUTE) {
          await timed("carriersMs", () => carriers.poll());
          await settle();
        }
        // Queues are looked at every 5 minutes while work arrives, every 15 once the arrivals are over.
        const pollEvery = (t <= lastArrival + HOUR ? QUEUE_POLL_MINUTES : 3 * QUEUE_POLL_MINUTES) * MINUTE;
        if ((t - START.getTime()) % pollEvery === 0) await timed("queuesMs", () => watch.poll());
        if (performance.now() - lastProgress > 30_000) {
          lastProgress = performance.now();
          log(`  ${jstLabel(now)}: ${si}/${submissions.length} applications, ${ci}/${cancellations.length} cancellations in; ${((performance.now() - wallStart) / 1000).toFixed(0)} s (${Object.entries(timings).filter(([, ms]) => ms > 1000).map(([k, ms]) => `${k} ${(ms / 1000).toFixed(0)}`).join(", ")}) [${[...jobs.stats.handlerMs].sort((a, b) => b[1] - a[1]).slice(0, 6).map(([k, ms]) => `${k} ${(ms / 1000).toFixed(1)}s/${(jobs.stats.ran.get(k) ?? 0) + (jobs.stats.failed.get(k) ?? 0)}`).join(", ")}]`);
        }
      }
      await settle(true);
      await watch.poll(true);
      timings.totalMs = performance.now() - wallStart;

      const result = await report({
        services,
        plan,
        subRuns: [...subRuns.values()],
        cancelRuns: [...cancelRuns.values()],
        watch,
        jobs,
        phones,
        carriers,
        timings,
        callIns: callInStats,
        start: START,
        end,
        database: target.kind === "pglite" ? "PGlite (in-process, fresh temp folder)" : target.label,
        seed: SEED,
        count: COUNT,
        args: { web: args.web!, phone: args.phone!, paper: args.paper!, cancellations: args.cancellations! },
      });
      process.stdout.write(`${result.text}\n`);
      if (!args["no-write"]) {
        writeBenchmarkSection("Centre: a day end to end (bench:centre)", result.markdown);
        log("BENCHMARKS.md updated.");
      }
    } finally {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await closeFormReader();
      await services.close();
      if (database) await database.close();
    }
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
