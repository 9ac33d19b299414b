/** Starts the job handlers and the schedules on a running job queue. */
import type { Services } from "../app/lib/services.server";
import type { JobName } from "../app/lib/jobs";
import { HANDLERS } from "./handlers";
import { closeFormReader } from "./ocr-reader";
import { SCHEDULES, SCHEDULE_TIMEZONE } from "./schedules";

export type RunningWorkers = { stop(): Promise<void> };

export async function startWorkers(services: Services, options: { pollingIntervalSeconds?: number } = {}): Promise<RunningWorkers> {
  const { boss } = services.queue;
  const workIds: string[] = [];
  for (const [name, handler] of Object.entries(HANDLERS) as [JobName, (s: Services, d: unknown) => Promise<void>][]) {
    const id = await boss.work(name, { batchSize: 1, pollingIntervalSeconds: options.pollingIntervalSeconds ?? 0.5 }, async (jobs) => {
      for (const job of jobs) {
        const started = Date.now();
        try {
          await handler(services, job.data);
          services.logger.debug({ job: name, jobId: job.id, ms: Date.now() - started }, "job done");
        } catch (error) {
          services.logger.warn({ job: name, jobId: job.id, error: (error as Error).name }, "job failed; pg-boss will retry");
          throw error;
        }
      }
    });
    workIds.push(id);
  }
  for (const schedule of SCHEDULES) {
    await boss.schedule(schedule.name, schedule.cron, {}, { tz: SCHEDULE_TIMEZONE });
  }
  services.logger.info({ handlers: workIds.length, schedules: SCHEDULES.length }, "workers started");
  return {
    async stop() {
      // Finish the job in hand, then stop taking new ones.
      await Promise.all(workIds.map((id) => boss.offWork({ id }).catch(() => {})));
      await closeFormReader();
    },
  };
}
