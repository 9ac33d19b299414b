import {
  assertValidRuleConfig,
  CANCELLATION_CHANNELS,
  contextWindowsMs,
  DEFAULT_RULE_CONFIG,
  evaluateCancellation,
  exchangeAreaKey,
  InvalidRuleConfigError,
  isRiskReasonCode,
  isVerifiedOnLine,
  LINE_VERIFICATION_METHODS,
  RISK_REASON_CODES,
  RISK_ROUTES,
  RISK_RULES,
  routeOf,
  routingTable,
  ruleFor,
  type CancellationChannel,
  type CancellationRuleConfig,
  type CancellationRuleInput,
  type LineVerificationMethod,
  type RiskReasonCode,
  type RiskRoute,
  type RiskSeverity,
} from "../../app/domain/cancellation-rules";

const DAY = 24 * 60 * 60 * 1000;
const APPLIED_AT = new Date("2025-10-01T10:00:00+09:00");
const daysAfterApplication = (days: number) => new Date(APPLIED_AT.getTime() + days * DAY);

/**
 * The quiet case: the subscriber applied, and 60 days later cancels by calling the IVR from the line.
 * Nothing should fire; each test changes one thing.
 */
const QUIET: CancellationRuleInput = {
  request: {
    channel: "ivr",
    requesterRelation: "self",
    requesterRelationDetail: null,
    requesterContactHash: "hash:subscriber",
    lineVerification: "ivr_call_from_line",
    receivedAt: daysAfterApplication(60),
  },
  application: {
    createdAt: APPLIED_AT,
    channel: "web",
    applicantRelation: "self",
    applicantContactHash: "hash:subscriber",
    status: "completed",
  },
  context: { otherLinesWithSameContact: 0, recentCancellationsInSameArea: 0, recentCancellationsFromSameNumber: 0 },
};

type Change = {
  request?: Partial<CancellationRuleInput["request"]>;
  application?: Partial<CancellationRuleInput["application"]>;
  context?: Partial<CancellationRuleInput["context"]>;
};

function input(change: Change): CancellationRuleInput {
  return {
    request: { ...QUIET.request, ...change.request },
    application: { ...QUIET.application, ...change.application },
    context: { ...QUIET.context, ...change.context },
  };
}

const codesOf = (value: CancellationRuleInput, config?: CancellationRuleConfig) =>
  evaluateCancellation(value, config).reasons.map((reason) => reason.code);

describe("the quiet case", () => {
  it("fires no rule and is not flagged", () => {
    expect(evaluateCancellation(QUIET)).toEqual({ flagged: false, reasons: [] });
  });
});

type RuleCase = [description: string, change: Change];

const POSITIVE: Record<RiskReasonCode, RuleCase[]> = {
  requester_not_subscriber: [
    ["a family member (長男) asks", { request: { requesterRelation: "family", requesterRelationDetail: "長男" } }],
    ["a helper (その他) asks", { request: { requesterRelation: "other", requesterRelationDetail: "民生委員" } }],
  ],
  requester_differs_from_applicant: [
    [
      "the subscriber applied and a family member cancels",
      { request: { requesterRelation: "family", requesterContactHash: "hash:son" } },
    ],
    [
      "a family member applied and the subscriber cancels (the reverse)",
      { application: { applicantRelation: "family", applicantContactHash: "hash:daughter" } },
    ],
    [
      "a daughter applied and another family member cancels",
      {
        application: { applicantRelation: "family", applicantContactHash: "hash:daughter" },
        request: { requesterRelation: "family", requesterContactHash: "hash:nephew" },
      },
    ],
    [
      "a helper applied and a family member cancels",
      { application: { applicantRelation: "other" }, request: { requesterRelation: "family" } },
    ],
  ],
  not_verified_on_line: [
    ["web without call-back", { request: { channel: "web", lineVerification: "none" } }],
    ["paper", { request: { channel: "paper", lineVerification: "none" } }],
    ["IVR called from another phone", { request: { channel: "ivr", lineVerification: "none" } }],
    ["operator call from another phone", { request: { channel: "operator", lineVerification: "none" } }],
    [
      "a web form claiming caller ID (a check the web cannot make)",
      { request: { channel: "web", lineVerification: "caller_id" } },
    ],
    [
      "paper claiming an IVR call from the line",
      { request: { channel: "paper", lineVerification: "ivr_call_from_line" } },
    ],
  ],
  soon_after_application: [
    ["on the day of the application", { request: { receivedAt: daysAfterApplication(0) } }],
    ["29 days after", { request: { receivedAt: daysAfterApplication(29) } }],
    ["one minute before 30 days", { request: { receivedAt: new Date(daysAfterApplication(30).getTime() - 60_000) } }],
  ],
  contact_seen_on_other_lines: [
    ["one other line", { context: { otherLinesWithSameContact: 1 } }],
    ["a fraud ring's number on 12 other lines", { context: { otherLinesWithSameContact: 12 } }],
  ],
  burst_in_same_area: [
    ["the 5th in the window", { context: { recentCancellationsInSameArea: 4 } }],
    ["the 20th in the window", { context: { recentCancellationsInSameArea: 19 } }],
  ],
  burst_from_same_number: [
    ["the 3rd from the number in the window", { context: { recentCancellationsFromSameNumber: 2 } }],
    ["the 10th from the number", { context: { recentCancellationsFromSameNumber: 9 } }],
  ],
  applicant_cannot_be_told: [
    [
      "a grandson applied by phone (no contact asked) and a 孫 asks to resume",
      {
        application: { channel: "ivr", applicantRelation: "family", applicantContactHash: null },
        request: { channel: "web", requesterRelation: "family", requesterRelationDetail: "孫", requesterContactHash: "hash:caller", lineVerification: "callback_press_1" },
      },
    ],
    [
      "a helper applied on paper whose number the OCR could not read, and a helper cancels",
      {
        application: { channel: "paper", applicantRelation: "other", applicantContactHash: null },
        request: { channel: "paper", requesterRelation: "other", requesterContactHash: null, lineVerification: "callback_press_1" },
      },
    ],
  ],
};

const NEGATIVE: Record<RiskReasonCode, RuleCase[]> = {
  requester_not_subscriber: [["the subscriber asks", {}]],
  requester_differs_from_applicant: [
    ["the subscriber applied and cancels", {}],
    ["the subscriber cancels with another contact number", { request: { requesterContactHash: "hash:new-mobile" } }],
    [
      "the same family member applied and cancels",
      {
        application: { applicantRelation: "family", applicantContactHash: "hash:daughter" },
        request: { requesterRelation: "family", requesterContactHash: "hash:daughter" },
      },
    ],
    [
      "family both times, one contact number unknown (paper without a number)",
      {
        application: { applicantRelation: "family", applicantContactHash: null },
        request: { requesterRelation: "family", requesterContactHash: "hash:daughter" },
      },
    ],
  ],
  not_verified_on_line: [
    ["IVR call from the line", {}],
    ["IVR request confirmed by call-back", { request: { channel: "ivr", lineVerification: "callback_press_1" } }],
    ["web with the call-back press-1", { request: { channel: "web", lineVerification: "callback_press_1" } }],
    ["paper confirmed by call-back", { request: { channel: "paper", lineVerification: "callback_press_1" } }],
    ["operator call with the line's caller ID", { request: { channel: "operator", lineVerification: "caller_id" } }],
  ],
  soon_after_application: [
    ["exactly 30 days after", { request: { receivedAt: daysAfterApplication(30) } }],
    ["a year after", { request: { receivedAt: daysAfterApplication(365) } }],
  ],
  contact_seen_on_other_lines: [
    ["no other line", {}],
    [
      "no contact number given, whatever the count says",
      { request: { requesterContactHash: null }, context: { otherLinesWithSameContact: 3 } },
    ],
  ],
  burst_in_same_area: [
    ["the 4th in the window", { context: { recentCancellationsInSameArea: 3 } }],
    ["the first", {}],
  ],
  burst_from_same_number: [
    ["the 2nd from the number", { context: { recentCancellationsFromSameNumber: 1 } }],
    [
      "no contact number given, whatever the count says",
      { request: { requesterContactHash: null }, context: { recentCancellationsFromSameNumber: 5 } },
    ],
  ],
  applicant_cannot_be_told: [
    ["the subscriber applied (the subscriber is told on the line)", { request: { requesterRelation: "family" }, application: { applicantContactHash: null } }],
    [
      "a family member applied without a number, and the subscriber asks from the line",
      { application: { applicantRelation: "family", applicantContactHash: null } },
    ],
    [
      "a family member applied with a number the centre can use",
      { application: { applicantRelation: "family", applicantContactHash: "hash:daughter" }, request: { requesterRelation: "family", requesterContactHash: "hash:nephew" } },
    ],
  ],
};

/**
 * The routing (issue 11, ADR 016), written out independently of the module: only findings that ask a
 * person to judge something the line cannot settle route to review; not_verified_on_line's task is the
 * call the centre makes anyway; the rest are recorded and shown, and the request goes on.
 */
const EXPECTED_ROUTING: Record<RiskReasonCode, readonly [RiskSeverity, RiskRoute]> = {
  requester_not_subscriber: ["medium", "record"],
  requester_differs_from_applicant: ["medium", "record"],
  not_verified_on_line: ["high", "confirmation_call"],
  soon_after_application: ["low", "record"],
  contact_seen_on_other_lines: ["high", "review"],
  burst_in_same_area: ["high", "review"],
  burst_from_same_number: ["high", "review"],
  applicant_cannot_be_told: ["high", "review"],
};

describe.each(RISK_REASON_CODES.map((code) => [code] as const))("rule %s", (code) => {
  it.each(POSITIVE[code])("fires: %s", (_, change) => {
    const evaluation = evaluateCancellation(input(change));
    expect(evaluation.reasons.map((reason) => reason.code)).toContain(code);
    const reason = evaluation.reasons.find((candidate) => candidate.code === code)!;
    expect([reason.severity, reason.route]).toEqual(EXPECTED_ROUTING[code]);
    // Only a finding routed to review sends the request to a person at intake.
    if (EXPECTED_ROUTING[code][1] === "review") expect(evaluation.flagged).toBe(true);
    if (evaluation.reasons.every((candidate) => candidate.route !== "review")) expect(evaluation.flagged).toBe(false);
  });

  it.each(NEGATIVE[code])("does not fire: %s", (_, change) => {
    expect(codesOf(input(change))).not.toContain(code);
  });

  it("explains itself to operators in Japanese and has a severity", () => {
    const rule = ruleFor(code);
    expect(rule.operatorText).toMatch(/[ぁ-んァ-ン一-龯]/);
    expect(["low", "medium", "high"]).toContain(rule.severity);
  });
});

describe("routing (issue 11: straight through)", () => {
  it("is the table written out above, for the default config", () => {
    expect(routingTable()).toEqual(
      Object.fromEntries(RISK_REASON_CODES.map((code) => [code, { severity: EXPECTED_ROUTING[code][0], route: EXPECTED_ROUTING[code][1] }])),
    );
    expect(DEFAULT_RULE_CONFIG.minimumSeverityToFlag).toBe("high");
    expect(DEFAULT_RULE_CONFIG.answeredByConfirmationCall).toEqual(["not_verified_on_line"]);
    for (const code of RISK_REASON_CODES) expect(RISK_ROUTES).toContain(routeOf(code));
  });

  it("does not flag a family withdrawal soon after the application that the subscriber confirmed with 1 on the call", () => {
    const evaluation = evaluateCancellation(
      input({
        request: {
          channel: "web",
          requesterRelation: "family",
          requesterRelationDetail: "長男",
          requesterContactHash: "hash:son",
          lineVerification: "callback_press_1",
          receivedAt: daysAfterApplication(3),
        },
        application: { status: "verified" },
      }),
    );
    // Still recorded, with their severity and route, for the operators' timeline.
    expect(evaluation.reasons.map((reason) => [reason.code, reason.route])).toEqual([
      ["requester_not_subscriber", "record"],
      ["requester_differs_from_applicant", "record"],
      ["soon_after_application", "record"],
    ]);
    expect(evaluation.flagged).toBe(false);
  });

  it("sends an unverified request to the confirmation call, not to a person", () => {
    const evaluation = evaluateCancellation(input({ request: { channel: "paper", lineVerification: "none", receivedAt: daysAfterApplication(5) } }));
    expect(evaluation.reasons.map((reason) => [reason.code, reason.route])).toEqual([
      ["not_verified_on_line", "confirmation_call"],
      ["soon_after_application", "record"],
    ]);
    expect(evaluation.flagged).toBe(false);
  });

  it("still sends what the rules rate high to a person, confirmed on the line or not", () => {
    for (const context of [{ otherLinesWithSameContact: 1 }, { recentCancellationsInSameArea: 4 }, { recentCancellationsFromSameNumber: 2 }]) {
      const confirmed = input({ request: { channel: "web", lineVerification: "callback_press_1" }, context });
      expect(evaluateCancellation(confirmed).flagged).toBe(true);
    }
  });

  it("follows the config: the threshold, and which rules the confirmation call answers", () => {
    const unverified = input({ request: { channel: "paper", lineVerification: "none", requesterRelation: "family" } });
    expect(evaluateCancellation(unverified, { ...DEFAULT_RULE_CONFIG, answeredByConfirmationCall: [] }).flagged).toBe(true);
    expect(routeOf("not_verified_on_line", { ...DEFAULT_RULE_CONFIG, answeredByConfirmationCall: [] })).toBe("review");
    const medium = { ...DEFAULT_RULE_CONFIG, minimumSeverityToFlag: "medium" as const };
    expect(routeOf("requester_not_subscriber", medium)).toBe("review");
    expect(routeOf("soon_after_application", medium)).toBe("record");
    expect(evaluateCancellation(unverified, medium).flagged).toBe(true);
    expect(routeOf("soon_after_application", { ...DEFAULT_RULE_CONFIG, minimumSeverityToFlag: "low" })).toBe("review");
  });
});

describe("issue 7 scenarios", () => {
  it("a family member cancelling the subscriber's own application is flagged with both relation rules", () => {
    const codes = codesOf(
      input({
        request: {
          channel: "web",
          requesterRelation: "family",
          requesterRelationDetail: "長女",
          requesterContactHash: "hash:daughter",
          lineVerification: "none",
        },
      }),
    );
    expect(codes).toEqual(["not_verified_on_line", "requester_not_subscriber", "requester_differs_from_applicant"]);
  });

  it("a fraudster using one number for many lines, soon after the application, is flagged on every signal", () => {
    const evaluation = evaluateCancellation(
      input({
        request: {
          channel: "operator",
          requesterRelation: "family",
          requesterRelationDetail: "孫",
          requesterContactHash: "hash:ring",
          lineVerification: "none",
          receivedAt: daysAfterApplication(10),
        },
        context: { otherLinesWithSameContact: 8, recentCancellationsFromSameNumber: 4, recentCancellationsInSameArea: 6 },
      }),
    );
    expect(evaluation.flagged).toBe(true);
    // Every signal but applicant_cannot_be_told: the subscriber applied here, and is asked on the line.
    expect(new Set(evaluation.reasons.map((reason) => reason.code))).toEqual(
      new Set(RISK_REASON_CODES.filter((code) => code !== "applicant_cannot_be_told")),
    );
    expect(evaluation.reasons.find((reason) => reason.code === "contact_seen_on_other_lines")?.evidence).toEqual({
      otherLines: 8,
      windowDays: DEFAULT_RULE_CONFIG.contactReuseWindowDays,
    });
  });
});

describe("evaluateCancellation", () => {
  it("orders reasons most severe first, keeping rule order within a severity", () => {
    const evaluation = evaluateCancellation(
      input({
        request: { requesterRelation: "family", receivedAt: daysAfterApplication(1), lineVerification: "none" },
        context: { recentCancellationsInSameArea: 10 },
      }),
    );
    expect(evaluation.reasons.map((reason) => [reason.code, reason.severity])).toEqual([
      ["not_verified_on_line", "high"],
      ["burst_in_same_area", "high"],
      ["requester_not_subscriber", "medium"],
      ["requester_differs_from_applicant", "medium"],
      ["soon_after_application", "low"],
    ]);
  });

  it("reports reasons below minimumSeverityToFlag without flagging", () => {
    const config = { ...DEFAULT_RULE_CONFIG, minimumSeverityToFlag: "medium" as const };
    const evaluation = evaluateCancellation(input({ request: { receivedAt: daysAfterApplication(3) } }), config);
    expect(evaluation.flagged).toBe(false);
    expect(evaluation.reasons.map((reason) => reason.code)).toEqual(["soon_after_application"]);
  });

  it("keeps the rules configurable", () => {
    const config: CancellationRuleConfig = {
      ...DEFAULT_RULE_CONFIG,
      soonAfterApplicationDays: 90,
      contactReuseMinOtherLines: 3,
      areaBurstMinCount: 10,
      numberBurstMinCount: 5,
    };
    expect(codesOf(input({ request: { receivedAt: daysAfterApplication(60) } }), config)).toEqual([
      "soon_after_application",
    ]);
    const busy = input({
      request: { receivedAt: daysAfterApplication(120) },
      context: { otherLinesWithSameContact: 2, recentCancellationsInSameArea: 8, recentCancellationsFromSameNumber: 3 },
    });
    expect(codesOf(busy, config)).toEqual([]);
    expect(codesOf(busy)).toEqual(["contact_seen_on_other_lines", "burst_in_same_area", "burst_from_same_number"]);
  });

  it("gives applicant texts only where telling does not help a fraudster", () => {
    const silent: RiskReasonCode[] = [
      "soon_after_application",
      "contact_seen_on_other_lines",
      "burst_in_same_area",
      "burst_from_same_number",
      // "Nobody can object" is exactly what a fraudster would like to hear.
      "applicant_cannot_be_told",
    ];
    for (const rule of RISK_RULES) {
      if (silent.includes(rule.code)) expect(rule.applicantText).toBeNull();
      else expect(rule.applicantText).toMatch(/。$/);
    }
  });

  it("has exactly one rule per reason code", () => {
    expect(RISK_RULES.map((rule) => rule.code)).toEqual([...RISK_REASON_CODES]);
    expect(isRiskReasonCode("burst_in_same_area")).toBe(true);
    expect(isRiskReasonCode("made_up")).toBe(false);
    expect(() => ruleFor("made_up" as RiskReasonCode)).toThrow(RangeError);
  });
});

describe("rule config validation", () => {
  it.each([
    ["soonAfterApplicationDays", 0],
    ["contactReuseWindowDays", -1],
    ["contactReuseMinOtherLines", Number.NaN],
    ["burstWindowHours", 0],
    ["areaBurstMinCount", 1],
    ["numberBurstMinCount", 1],
    ["minimumSeverityToFlag", "extreme"],
    ["answeredByConfirmationCall", ["made_up"]],
  ] as const)("refuses %s = %s", (field, value) => {
    const config = { ...DEFAULT_RULE_CONFIG, [field]: value } as CancellationRuleConfig;
    expect(() => assertValidRuleConfig(config)).toThrow(InvalidRuleConfigError);
    expect(() => evaluateCancellation(QUIET, config)).toThrow(expect.objectContaining({ field }));
  });

  it("accepts the defaults and gives the caller its query windows", () => {
    expect(() => assertValidRuleConfig(DEFAULT_RULE_CONFIG)).not.toThrow();
    expect(contextWindowsMs()).toEqual({ contactReuse: 365 * DAY, burst: 24 * 60 * 60 * 1000 });
  });
});

describe("line verification by channel", () => {
  const VERIFIED: Record<CancellationChannel, LineVerificationMethod[]> = {
    web: ["callback_press_1"],
    ivr: ["callback_press_1", "ivr_call_from_line"],
    paper: ["callback_press_1"],
    operator: ["callback_press_1", "caller_id"],
  };
  const matrix = CANCELLATION_CHANNELS.flatMap((channel) =>
    LINE_VERIFICATION_METHODS.map((method) => [channel, method, VERIFIED[channel].includes(method)] as const),
  );
  it.each(matrix)("%s + %s → %s", (channel, method, expected) => {
    expect(isVerifiedOnLine(channel, method)).toBe(expected);
  });
});

describe("exchangeAreaKey", () => {
  it.each([
    ["+81312345678", "031234"],
    ["0312345678", "031234"],
    ["03-1234-5678", "031234"],
    ["81312345678", "031234"],
    ["+81 (0)3 1234 5678", "031234"],
    ["0422-12-3456", "042212"],
    ["01564-2-1234", "015642"],
    ["090-1234-5678", null],
    ["12345", null],
  ])("%s → %s", (number, key) => {
    expect(exchangeAreaKey(number)).toBe(key);
  });
});
