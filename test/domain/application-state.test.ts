import {
  canTransition,
  IllegalTransitionError,
  isStatus,
  isTerminal,
  nextStatuses,
  STATUS_LABELS,
  STATUSES,
  transition,
  type ApplicationStatus,
} from "../../app/domain/application-state";

/** DESIGN.md §5, written out independently of the module's table. */
const LEGAL: readonly (readonly [ApplicationStatus, ApplicationStatus])[] = [
  ["received", "verified"],
  ["received", "needs_review"],
  ["received", "withdrawn"],
  ["needs_review", "verified"],
  ["needs_review", "withdrawn"],
  ["needs_review", "rejected"],
  ["verified", "queued"],
  ["verified", "withdrawn"],
  ["queued", "sent"],
  ["queued", "withdrawn"],
  ["sent", "acknowledged"],
  ["sent", "completed"],
  ["sent", "rejected"],
  ["acknowledged", "completed"],
  ["acknowledged", "rejected"],
  ["rejected", "queued"],
  ["completed", "resumed"],
];

const isLegal = (from: ApplicationStatus, to: ApplicationStatus) =>
  LEGAL.some(([legalFrom, legalTo]) => legalFrom === from && legalTo === to);

const ALL_PAIRS = STATUSES.flatMap((from) => STATUSES.map((to) => [from, to] as const));
const ILLEGAL = ALL_PAIRS.filter(([from, to]) => !isLegal(from, to));

describe("STATUSES", () => {
  it("lists the ten statuses of the lifecycle", () => {
    expect([...STATUSES]).toEqual([
      "received",
      "verified",
      "needs_review",
      "queued",
      "sent",
      "acknowledged",
      "completed",
      "rejected",
      "withdrawn",
      "resumed",
    ]);
  });

  it("checks the matrix size: 100 pairs, 17 legal, 83 illegal", () => {
    expect(ALL_PAIRS).toHaveLength(100);
    expect(LEGAL).toHaveLength(17);
    expect(ILLEGAL).toHaveLength(83);
  });
});

describe("legal transitions", () => {
  it.each(LEGAL)("%s → %s", (from, to) => {
    expect(canTransition(from, to)).toBe(true);
    expect(transition(from, to)).toBe(to);
  });
});

describe("illegal transitions (every other pair of the from × to matrix)", () => {
  it.each(ILLEGAL)("%s → %s", (from, to) => {
    expect(canTransition(from, to)).toBe(false);
    expect(() => transition(from, to)).toThrow(IllegalTransitionError);
    try {
      transition(from, to);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(Error);
      expect(error).toMatchObject({ code: "illegal_transition", from, to, name: "IllegalTransitionError" });
    }
  });

  it("includes the obvious mistakes", () => {
    const illegal = ILLEGAL.map(([from, to]) => `${from}→${to}`);
    expect(illegal).toEqual(
      expect.arrayContaining([
        "received→queued", // skipping verification
        "sent→withdrawn", // the carrier already has the order
        "completed→withdrawn",
        "withdrawn→received",
        "resumed→completed",
        "received→received", // staying put is not a transition
      ]),
    );
  });

  it("refuses statuses that are not in the table (e.g. a bad database value)", () => {
    const bogus = "lost" as ApplicationStatus;
    expect(canTransition(bogus, "queued")).toBe(false);
    expect(canTransition("queued", bogus)).toBe(false);
    expect(() => transition(bogus, "queued")).toThrow(IllegalTransitionError);
    expect(nextStatuses(bogus)).toEqual([]);
  });
});

describe("nextStatuses and isTerminal", () => {
  it.each(STATUSES)("nextStatuses(%s) matches the legal list", (from) => {
    const expected = LEGAL.filter(([legalFrom]) => legalFrom === from).map(([, to]) => to);
    expect([...nextStatuses(from)].sort()).toEqual([...expected].sort());
  });

  it.each(STATUSES.map((status) => [status, status === "withdrawn" || status === "resumed"] as const))(
    "isTerminal(%s) → %s",
    (status, terminal) => {
      expect(isTerminal(status)).toBe(terminal);
    },
  );
});

describe("isStatus", () => {
  it.each([
    ["queued", true],
    ["needs_review", true],
    ["QUEUED", false],
    ["", false],
    [undefined, false],
  ])("%j → %s", (value, expected) => {
    expect(isStatus(value)).toBe(expected);
  });
});

describe("STATUS_LABELS", () => {
  it.each(STATUSES)("%s has a Japanese label and one polite sentence", (status) => {
    const { label, description } = STATUS_LABELS[status];
    expect(label).toMatch(/[ぁ-んァ-ヶ一-龠]/u);
    expect(description).toMatch(/^[^。]+。$/u); // exactly one sentence
    expect(description).toMatch(/(ます|ました)。$/u);
  });

  it("explains queued the way the applicant should hear it", () => {
    expect(STATUS_LABELS.queued.description).toBe("電話会社に送る準備をしています。");
  });
});
