/** What the bench did and saw, per application and per cancellation (filled during the run, read by the report). */
import type { ScanMode } from "../../test/fixtures/forms/render-page";
import type { PageTruth } from "../../test/fixtures/forms/truth";
import type { CancellationPlan, Submission } from "./plan";

export type PageRun = { intakeId: string | null; ingest: string; mode: ScanMode; font: string; rotation: number; truth: PageTruth };

export type SubmissionRun = {
  submission: Submission;
  /** done | covered | no_code (the line did not confirm) | failed | ingested | ivr_done | ivr_unfinished */
  outcome: string;
  reference: string | null;
  callSid: string | null;
  page: PageRun | null;
  error: string | null;
};

export type CancellationRun = {
  plan: CancellationPlan;
  /** filed | not_filed (the service said no) | failed | ingested | ivr_done */
  outcome: string;
  reference: string | null;
  page: PageRun | null;
  error: string | null;
  objected: boolean;
  /** Phone: the last things the IVR said. */
  lastWords: string | null;
};

export type Timings = { cronMs: number; jobsMs: number; renderMs: number; ingestMs: number; webMs: number; ivrMs: number; phonesMs: number; carriersMs: number; queuesMs: number; totalMs: number };
