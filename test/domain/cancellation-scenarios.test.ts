import { DEFAULT_HOLDOUT_SEED, headlineOf, meetsTargets, upsertSection } from "../../bench/cancellations";
import { isTerminal, QUEUE_STATUSES } from "../../app/domain/cancellation-state";
import { createRandom } from "../fixtures/cancellations/random";
import {
  applicationStatusAt,
  generateScenarios,
  PATTERN_LABEL,
  SCENARIO_PATTERNS,
  type ScenarioStream,
} from "../fixtures/cancellations/scenarios";
import { simulateStream, summarize } from "../fixtures/cancellations/simulator";

const streams = new Map<number, ScenarioStream>();
/** Generated once per seed: 10,000 applications take about half a second. */
function streamFor(seed: number): ScenarioStream {
  if (!streams.has(seed)) streams.set(seed, generateScenarios({ seed }));
  return streams.get(seed)!;
}

describe("createRandom", () => {
  it("repeats itself for a seed and stays in range", () => {
    const a = createRandom(7);
    const b = createRandom(7);
    const values = Array.from({ length: 1000 }, () => a.next());
    expect(values).toEqual(Array.from({ length: 1000 }, () => b.next()));
    expect(values.every((value) => value >= 0 && value < 1)).toBe(true);
    const r = createRandom(1);
    const sample = r.sample([1, 2, 3, 4, 5], 3);
    expect(new Set(sample).size).toBe(3);
    expect(r.int(3, 3)).toBe(3);
    expect(() => r.pick([])).toThrow(RangeError);
  });
});

describe("generateScenarios", () => {
  it("is deterministic for a seed, and another seed gives another stream", () => {
    const small = (seed: number) => JSON.stringify(generateScenarios({ seed, applicationCount: 2000 }));
    expect(small(42)).toBe(small(42));
    expect(small(42)).not.toBe(small(43));
  });

  it("produces every pattern, labelled consistently, in time order", () => {
    const stream = streamFor(20251103);
    expect(stream.applications).toHaveLength(10_000);
    const patterns = new Set(stream.cancellations.map((cancellation) => cancellation.pattern));
    expect(patterns).toEqual(new Set(SCENARIO_PATTERNS));
    for (const cancellation of stream.cancellations) expect(cancellation.label).toBe(PATTERN_LABEL[cancellation.pattern]);
    const times = stream.cancellations.map((cancellation) => cancellation.request.receivedAt.getTime());
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it("keeps to its own ground rules", () => {
    const stream = streamFor(20251103);
    const applications = new Map(stream.applications.map((application) => [application.id, application] as const));
    const targeted = stream.cancellations.map((cancellation) => cancellation.applicationId);
    expect(new Set(targeted).size).toBe(targeted.length);
    for (const cancellation of stream.cancellations) {
      const application = applications.get(cancellation.applicationId)!;
      // Nobody cancels while the order is with the carrier: they are told to call again later.
      expect(["sent", "acknowledged"]).not.toContain(applicationStatusAt(application, cancellation.request.receivedAt));
      expect(cancellation.request.receivedAt.getTime()).toBeGreaterThan(application.createdAt.getTime());
      if (cancellation.label === "fraud") {
        // Fraud never comes from the subscriber's line.
        expect(["none", "callback_press_1"]).toContain(cancellation.request.lineVerification);
        expect(cancellation.requesterWithdraws).toBe(false);
      }
      if (cancellation.pattern === "fraud_coached_subscriber") {
        expect(application.applicantRelation).toBe("family");
        expect(cancellation).toMatchObject({ subscriberAnswer: "press_1", applicantObjects: true });
      }
      if (cancellation.label === "unwanted") expect(cancellation.subscriberAnswer).not.toBe("press_1");
    }
    const ring = stream.cancellations.filter((cancellation) => cancellation.pattern === "fraud_one_number_many_lines");
    const numbersPerRing = new Map<string, Set<string | null>>();
    for (const attempt of ring) {
      const numbers = numbersPerRing.get(attempt.campaignId!) ?? new Set();
      numbers.add(attempt.request.requesterContactHash);
      numbersPerRing.set(attempt.campaignId!, numbers);
    }
    for (const numbers of numbersPerRing.values()) expect(numbers.size).toBe(1);
  });

  it("refuses a count that is not a positive integer", () => {
    expect(() => generateScenarios({ applicationCount: 0 })).toThrow(RangeError);
  });
});

describe("simulateStream (issue 7: done when)", () => {
  it.each([20251103, 1, 777])("seed %i: 100%% of fraud attempts end without a RESUME order", (seed) => {
    const stream = streamFor(seed);
    const outcomes = simulateStream(stream);
    const summary = summarize(stream, outcomes);
    const { fraud, unwanted, legitimate } = summary.byLabel;
    expect(fraud.total).toBeGreaterThan(50);
    expect(fraud.resumeIssued).toBe(0);
    expect(fraud.approved).toBe(0);
    expect(unwanted.approved).toBe(0);
    expect(summary.approvedNotLegitimate).toBe(0);
    // The protection must not come from refusing everyone.
    expect(legitimate.approved / legitimate.total).toBeGreaterThan(0.8);
    for (const outcome of outcomes) {
      if (outcome.finalStatus !== "not_possible") expect(isTerminal(outcome.finalStatus)).toBe(true);
      if (outcome.resumeIssued) expect(outcome.trail).toContain("cooling_off");
    }
  });

  it("sends the ring's later attempts to review with the reused number as a reason", () => {
    const stream = streamFor(20251103);
    const outcomes = simulateStream(stream).filter((outcome) => outcome.cancellation.pattern === "fraud_one_number_many_lines");
    const later = outcomes.filter(
      (outcome, index) => outcomes.findIndex((other) => other.cancellation.campaignId === outcome.cancellation.campaignId) !== index,
    );
    expect(later.length).toBeGreaterThan(0);
    for (const outcome of later) {
      expect(outcome.evaluation?.reasons.map((reason) => reason.code)).toContain("contact_seen_on_other_lines");
    }
  });
});

describe("straight through (issue 11), on seeds the routing was not chosen on", () => {
  it.each([DEFAULT_HOLDOUT_SEED, 1, 777])("seed %i: at most 20%% of legitimate cancellations need a person, and no fraud RESUME", (seed) => {
    const stream = streamFor(seed);
    const summary = summarize(stream, simulateStream(stream));
    const headline = headlineOf(seed, "held-out", summary);
    expect(headline.fraudWithoutResume).toBe(headline.fraud);
    expect(headline.legitimateNeedingPerson / headline.legitimate).toBeLessThanOrEqual(0.2);
    expect(meetsTargets(headline)).toBe(true);
  });

  it("a legitimate request confirmed with 1, with no high finding and no objection, never meets a person", () => {
    const outcomes = simulateStream(streamFor(DEFAULT_HOLDOUT_SEED)).filter(
      (outcome) =>
        outcome.cancellation.label === "legitimate" &&
        outcome.cancellation.subscriberAnswer === "press_1" &&
        !outcome.cancellation.applicantObjects &&
        !outcome.cancellation.requesterWithdraws &&
        outcome.evaluation !== null &&
        outcome.evaluation.reasons.every((reason) => reason.route !== "review"),
    );
    expect(outcomes.length).toBeGreaterThan(300);
    // Within 30 days of the application too (soon_after_application is recorded, not routed).
    expect(outcomes.filter((outcome) => outcome.evaluation!.reasons.some((reason) => reason.code === "soon_after_application")).length).toBeGreaterThan(50);
    for (const outcome of outcomes) {
      expect(outcome.trail.some((status) => QUEUE_STATUSES.includes(status)), outcome.cancellation.id).toBe(false);
      expect(outcome.finalStatus).toBe("approved");
      if (outcome.kind === "resumption" || outcome.becameResumption) expect(outcome.trail).toContain("cooling_off");
    }
  });

  it("a withdrawal still open when the carrier completes becomes a resumption, and RESUMEs only after the cooling-off", () => {
    const converted = [DEFAULT_HOLDOUT_SEED, 1, 777, 20251103].flatMap((seed) => simulateStream(streamFor(seed)).filter((outcome) => outcome.becameResumption));
    expect(converted.length).toBeGreaterThan(0);
    for (const outcome of converted) {
      expect(outcome.kind).toBe("withdrawal");
      expect(outcome.applicationWithdrawn).toBe(false);
      if (outcome.resumeIssued) expect(outcome.trail).toEqual(expect.arrayContaining(["confirmed", "cooling_off", "approved"]));
    }
  });
});

describe("upsertSection (BENCHMARKS.md)", () => {
  const section = "## Cancellations (npm run bench:cancellations)\n\nnew figures\n";

  it("creates the file content when there is none", () => {
    expect(upsertSection(null, section)).toBe(`# Benchmarks\n\n${section}`);
  });

  it("appends when the section is missing, leaving the rest alone", () => {
    expect(upsertSection("# Benchmarks\n\n## Other\n\nx\n", section)).toBe(`# Benchmarks\n\n## Other\n\nx\n\n${section}`);
  });

  it("replaces only its own section", () => {
    const before = [
      "# Benchmarks",
      "",
      "## Other",
      "",
      "keep",
      "",
      "## Cancellations (npm run bench:cancellations)",
      "",
      "old figures",
      "### a subheading stays inside the section",
      "",
      "## Later",
      "",
      "keep too",
      "",
    ].join("\n");
    const after = upsertSection(before, section);
    expect(after).toContain("## Other\n\nkeep\n");
    expect(after).toContain("## Later\n\nkeep too\n");
    expect(after).toContain("new figures");
    expect(after).not.toContain("old figures");
    expect(after).not.toContain("a subheading");
    expect(upsertSection(after, section)).toBe(after);
  });
});
