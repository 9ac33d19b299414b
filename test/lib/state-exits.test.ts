/**
 * No state without a way out (issue 11): every status of applications, scanned pages and cancellation
 * requests has a queue a person sees, a timer, an automatic next step, a watched outside party, or is
 * finished — and each named way out exists: the queue lists a row in that status, the timer's job is
 * scheduled, and a finished status has no move left in its state table.
 */
import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { applications, cancellations, paperIntakes, scans } from "../../db/schema";
import { TRANSITIONS } from "../../app/domain/application-state";
import { isTerminal as isTerminalCancellation } from "../../app/domain/cancellation-state";
import { listQueue } from "../../app/lib/queues.server";
import { APPLICATION_QUEUE_STATUSES, CANCELLATION_QUEUE_STATUSES, PAPER_QUEUE_STATUSES, type QueueType } from "../../app/lib/queue-info";
import {
  APPLICATION_STATUSES,
  APPLICATION_STATUS_EXITS,
  CANCELLATION_STATUSES,
  CANCELLATION_STATUS_EXITS,
  SCAN_STATUSES,
  SCAN_STATUS_EXITS,
  type Exit,
} from "../../app/lib/state-exits";
import { SCHEDULES } from "../../workers/schedules";
import { applicationIn } from "../support/cancellations";
import { createTestServices, type TestServices } from "../support/services";

let services: TestServices;
beforeAll(async () => {
  services = await createTestServices();
});
afterAll(async () => {
  await services.close();
});

const scheduled = new Set<string>(SCHEDULES.map((s) => s.name));
const QUEUE_STATUSES: Partial<Record<QueueType, readonly string[]>> = {
  application: APPLICATION_QUEUE_STATUSES,
  paper: PAPER_QUEUE_STATUSES,
  cancellation: CANCELLATION_QUEUE_STATUSES,
};

function checkExits(kind: string, statuses: readonly string[], exits: Readonly<Record<string, readonly Exit[]>>, finished: (status: string) => boolean) {
  for (const status of statuses) {
    const ways = exits[status] ?? [];
    expect(ways.length, `${kind} '${status}' has no way out`).toBeGreaterThan(0);
    for (const way of ways) {
      if (way.kind === "timer") expect(scheduled.has(way.job), `${kind} '${status}': job ${way.job} is not scheduled`).toBe(true);
      if (way.kind === "queue" && QUEUE_STATUSES[way.queue]) {
        expect(QUEUE_STATUSES[way.queue], `${kind} '${status}' is not listed by the ${way.queue} queue`).toContain(status);
      }
      if (way.kind === "done") expect(finished(status), `${kind} '${status}' is called done but can still move`).toBe(true);
    }
  }
  // Nothing listed that is not a status.
  expect(Object.keys(exits).sort()).toEqual([...statuses].sort());
}

describe("every state has a way out", () => {
  it("applications", () => {
    // completed → resumed happens only through a new cancellation request, which has its own exits.
    checkExits("application", APPLICATION_STATUSES, APPLICATION_STATUS_EXITS, (s) => TRANSITIONS[s as keyof typeof TRANSITIONS].every((to) => to === "resumed"));
  });

  it("scanned pages", () => {
    checkExits("scan", SCAN_STATUSES, SCAN_STATUS_EXITS, (s) => s === "verified" || s === "closed");
  });

  it("cancellation requests", () => {
    checkExits("cancellation", CANCELLATION_STATUSES, CANCELLATION_STATUS_EXITS, (s) => isTerminalCancellation(s as never));
  });
});

describe("a row at rest in a queue status is in that queue", () => {
  const listed = async (queue: QueueType) => (await listQueue(services, queue, randomUUID(), 1000)).map((item) => item.id);

  it("applications", async () => {
    for (const status of APPLICATION_STATUSES) {
      if (!APPLICATION_STATUS_EXITS[status].some((w) => w.kind === "queue" && w.queue === "application")) continue;
      const { applicationId } = await applicationIn(services, { e164: `+8131${String(Math.floor(Math.random() * 1e7)).padStart(7, "0")}`, status: "verified" });
      await services.db.update(applications).set({ status }).where(eq(applications.id, applicationId));
      expect(await listed("application"), `application '${status}'`).toContain(applicationId);
    }
  });

  it("scanned pages", async () => {
    const [intake] = await services.db
      .insert(paperIntakes)
      .values({ source: "upload", contentType: "image/png", fileSha256: randomUUID(), pageCount: SCAN_STATUSES.length, createdAt: services.now() })
      .returning({ id: paperIntakes.id });
    let page = 0;
    for (const status of SCAN_STATUSES) {
      page += 1;
      const inQueue = SCAN_STATUS_EXITS[status].some((w) => w.kind === "queue" && w.queue === "paper");
      const [scan] = await services.db
        .insert(scans)
        .values({ intakeId: intake!.id, pageNumber: page, imageEnc: services.pii.sealBytes(Buffer.from("page")), status, formType: "application", createdAt: services.now(), updatedAt: services.now() })
        .returning({ id: scans.id });
      if (inQueue) expect(await listed("paper"), `scan '${status}'`).toContain(scan!.id);
      else expect(await listed("paper"), `scan '${status}' should not wait for a person`).not.toContain(scan!.id);
    }
  });

  it("cancellation requests", async () => {
    for (const status of CANCELLATION_STATUSES) {
      if (!CANCELLATION_STATUS_EXITS[status].some((w) => w.kind === "queue" && w.queue === "cancellation")) continue;
      const app = await applicationIn(services, { e164: `+8132${String(Math.floor(Math.random() * 1e7)).padStart(7, "0")}` });
      const [row] = await services.db
        .insert(cancellations)
        .values({
          reference: String(Math.floor(Math.random() * 1e11)).padStart(11, "0"),
          lineId: app.lineId,
          applicationId: app.applicationId,
          kind: "resumption",
          channel: "web",
          requesterRelation: "family",
          reasonCode: "other",
          status,
          idempotencyKey: randomUUID(),
          createdAt: services.now(),
          updatedAt: services.now(),
        })
        .returning({ id: cancellations.id });
      expect(await listed("cancellation"), `cancellation '${status}'`).toContain(row!.id);
    }
    // The database itself has no status the tables above do not know.
    for (const { status } of await services.db.selectDistinct({ status: cancellations.status }).from(cancellations)) expect(CANCELLATION_STATUSES as readonly string[]).toContain(status);
  });
});
