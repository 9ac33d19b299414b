/**
 * Risk rules for cancellation requests (課題②): withdrawing an application before dispatch, or
 * resuming international calls after completion.
 *
 * A cancellation is exactly what a fraud ring wants (international calls back on), so every request
 * is checked against these rules. Every finding is recorded on the request (risk_reasons, evidence)
 * and shown to operators with a plain explanation, but only some send the request to a person: the
 * routing table below (severity × config) says which. The rules never approve anything: nothing is
 * approved without the subscriber's own confirmation on the line (cancellation-state.ts), whatever
 * the routing says.
 *
 * Routing (ADR 016), for the default config:
 *
 *   rule                               severity  route
 *   requester_not_subscriber           medium    record             — the confirmation call asks the subscriber anyway
 *   requester_differs_from_applicant   medium    record             — the cooling-off notice tells the applicant anyway
 *   not_verified_on_line               high      confirmation_call  — its check IS the call; a person only if it fails
 *   soon_after_application             low       record
 *   contact_seen_on_other_lines        high      review             — a ring: a person looks first
 *   burst_in_same_area                 high      review             — a name list, possibly coached subscribers
 *   burst_from_same_number             high      review
 *   applicant_cannot_be_told           high      review             — the objection window has nobody to tell
 *
 * Pure: no I/O. Facts that need the database (how often a contact number or an area shows up in other
 * cancellations) are counted by the caller over the windows named in the config, and passed in.
 */
import type { ApplicationStatus } from "./application-state";
import { typedDigitsOrNull } from "./typed-text";

export const CANCELLATION_CHANNELS = ["web", "ivr", "paper", "operator"] as const;
export type CancellationChannel = (typeof CANCELLATION_CHANNELS)[number];

export const CANCELLATION_CHANNEL_LABELS: Readonly<Record<CancellationChannel, string>> = {
  web: "ウェブ",
  ivr: "電話（自動音声）",
  paper: "用紙（郵送・FAX）",
  operator: "電話（オペレーター）",
};

/** Who is speaking: the same three values as applications.relation and cancellations.requester_relation. */
export const RELATIONS = ["self", "family", "other"] as const;
export type Relation = (typeof RELATIONS)[number];

export const RELATION_LABELS: Readonly<Record<Relation, string>> = {
  self: "ご本人（ご契約者）",
  family: "ご家族",
  other: "その他",
};

/**
 * How the request itself was tied to the line, at intake:
 * - callback_press_1: the centre called the line back and someone pressed 1;
 * - ivr_call_from_line: the request was made by calling the IVR from the line (caller ID = the line);
 * - caller_id: an operator took the call and the caller ID was the line;
 * - none: nothing ties the request to the line (another phone, the web without call-back, paper).
 */
export const LINE_VERIFICATION_METHODS = ["callback_press_1", "ivr_call_from_line", "caller_id", "none"] as const;
export type LineVerificationMethod = (typeof LINE_VERIFICATION_METHODS)[number];

/**
 * The line verifications each channel can actually perform. A channel cannot vouch for a check it has
 * no way to make (a web form showing "caller_id" is bad data), so such a claim counts as no check.
 */
export const LINE_VERIFICATIONS_BY_CHANNEL: Readonly<Record<CancellationChannel, readonly LineVerificationMethod[]>> = {
  web: ["callback_press_1"],
  ivr: ["ivr_call_from_line", "callback_press_1"],
  paper: ["callback_press_1"],
  operator: ["caller_id", "callback_press_1"],
};

export function isVerifiedOnLine(channel: CancellationChannel, method: LineVerificationMethod): boolean {
  return LINE_VERIFICATIONS_BY_CHANNEL[channel]?.includes(method) ?? false;
}

/** The cancellation request as received on any channel. */
export type CancellationRequestFacts = {
  channel: CancellationChannel;
  requesterRelation: Relation;
  /** 続柄 ("長男", "娘", …) when family; the organisation when "other". Shown to operators only. */
  requesterRelationDetail?: string | null;
  /** Keyed hash of the requester's contact number (cancellations.requester_contact_hash). */
  requesterContactHash: string | null;
  lineVerification: LineVerificationMethod;
  receivedAt: Date;
};

/** The application being cancelled. */
export type OriginalApplicationFacts = {
  createdAt: Date;
  channel: CancellationChannel;
  applicantRelation: Relation;
  /** applications.contact_phone_hash, same key as the requester's hash. */
  applicantContactHash: string | null;
  status: ApplicationStatus;
};

/**
 * Counts from the database, made by the caller. Each counts OTHER cancellations only (never the
 * request being evaluated), over the windows in CancellationRuleConfig.
 */
export type CancellationContextFacts = {
  /** Distinct other lines whose cancellations used this requester contact hash, within contactReuseWindowDays. */
  otherLinesWithSameContact: number;
  /** Other cancellations for lines in the same area (exchangeAreaKey, or the prefecture), within burstWindowHours. */
  recentCancellationsInSameArea: number;
  /** Other cancellations from the same requester contact hash (any line, this one included), within burstWindowHours. */
  recentCancellationsFromSameNumber: number;
};

export type CancellationRuleInput = {
  request: CancellationRequestFacts;
  application: OriginalApplicationFacts;
  context: CancellationContextFacts;
};

export const RISK_SEVERITIES = ["low", "medium", "high"] as const;
export type RiskSeverity = (typeof RISK_SEVERITIES)[number];

export const RISK_SEVERITY_LABELS: Readonly<Record<RiskSeverity, string>> = {
  low: "注意",
  medium: "要確認",
  high: "危険",
};

export type CancellationRuleConfig = {
  /** A request less than this many days after the application counts as "soon". */
  soonAfterApplicationDays: number;
  /** How far back the caller looks for the requester's contact number on other lines. */
  contactReuseWindowDays: number;
  /** Flag when the contact number was used for at least this many other lines. */
  contactReuseMinOtherLines: number;
  /** The "short time" of the burst rules; the caller counts over this window. */
  burstWindowHours: number;
  /** Flag when the area has this many cancellations in the window, this one included. */
  areaBurstMinCount: number;
  /** Flag when one contact number made this many cancellations in the window, this one included. */
  numberBurstMinCount: number;
  /**
   * Findings at or above this severity route the request (see routeOf); findings below it are only
   * recorded on the request and shown to operators, they do not send it to a person.
   */
  minimumSeverityToFlag: RiskSeverity;
  /**
   * Rules whose operator task is to call the line: the automatic confirmation call already does that,
   * so they send the request to the confirmation call, and to a person only when the confirmation does
   * not come (awaiting_confirmation → confirmation_failed → flagged, in cancellation-state.ts).
   */
  answeredByConfirmationCall: readonly RiskReasonCode[];
};

/**
 * Defaults. Low detection thresholds on purpose (a ring is caught at its second line), but only high
 * findings route to a person: every request still needs the subscriber's own confirmation on the
 * line, and a resumption still waits out the cooling-off with the original applicant told, so a
 * low or medium finding would only make a person repeat what the call and the notice already do
 * (ADR 016: 17 of 17 legitimate cancellations in a measured day went to review for nothing).
 */
export const DEFAULT_RULE_CONFIG: Readonly<CancellationRuleConfig> = {
  soonAfterApplicationDays: 30,
  contactReuseWindowDays: 365,
  contactReuseMinOtherLines: 1,
  burstWindowHours: 24,
  areaBurstMinCount: 5,
  numberBurstMinCount: 3,
  minimumSeverityToFlag: "high",
  answeredByConfirmationCall: ["not_verified_on_line"],
};

export class InvalidRuleConfigError extends RangeError {
  readonly code = "invalid_rule_config";
  constructor(readonly field: keyof CancellationRuleConfig) {
    super(`Invalid cancellation rule config: ${field}`);
    this.name = "InvalidRuleConfigError";
  }
}

/** The config is editable by an admin, so a typo must fail loudly instead of switching a rule off. */
export function assertValidRuleConfig(config: CancellationRuleConfig): void {
  const positive: (keyof Omit<CancellationRuleConfig, "minimumSeverityToFlag" | "answeredByConfirmationCall">)[] = [
    "soonAfterApplicationDays",
    "contactReuseWindowDays",
    "contactReuseMinOtherLines",
    "burstWindowHours",
    "areaBurstMinCount",
    "numberBurstMinCount",
  ];
  for (const field of positive) {
    const value = config[field];
    if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) throw new InvalidRuleConfigError(field);
  }
  // A burst needs at least two requests; a threshold of 1 would flag every request.
  if (config.areaBurstMinCount < 2) throw new InvalidRuleConfigError("areaBurstMinCount");
  if (config.numberBurstMinCount < 2) throw new InvalidRuleConfigError("numberBurstMinCount");
  if (!RISK_SEVERITIES.includes(config.minimumSeverityToFlag)) throw new InvalidRuleConfigError("minimumSeverityToFlag");
  if (!Array.isArray(config.answeredByConfirmationCall) || !config.answeredByConfirmationCall.every(isRiskReasonCode)) {
    throw new InvalidRuleConfigError("answeredByConfirmationCall");
  }
}

export const RISK_REASON_CODES = [
  "requester_not_subscriber",
  "requester_differs_from_applicant",
  "not_verified_on_line",
  "soon_after_application",
  "contact_seen_on_other_lines",
  "burst_in_same_area",
  "burst_from_same_number",
  "applicant_cannot_be_told",
] as const;
export type RiskReasonCode = (typeof RISK_REASON_CODES)[number];

export function isRiskReasonCode(value: unknown): value is RiskReasonCode {
  return typeof value === "string" && (RISK_REASON_CODES as readonly string[]).includes(value);
}

/** Numbers and codes behind a finding, for the review screen and cancellations.evidence. No personal data. */
export type RiskEvidence = Readonly<Record<string, number | string>>;

export type RiskRule = {
  code: RiskReasonCode;
  severity: RiskSeverity;
  /** For operators: what was found and what to check, in plain Japanese. */
  operatorText: string;
  /**
   * For the requester or applicant, when they are told why it takes longer. Null when saying it would
   * only teach a fraud ring which signal to avoid.
   */
  applicantText: string | null;
  applies: (input: CancellationRuleInput, config: CancellationRuleConfig) => boolean;
  evidence: (input: CancellationRuleInput, config: CancellationRuleConfig) => RiskEvidence;
};

const MS_PER_HOUR = 60 * 60 * 1000;
const MS_PER_DAY = 24 * MS_PER_HOUR;

/** Whole days from the application to the request (0 on the same day); never negative. */
export function daysSinceApplication(input: CancellationRuleInput): number {
  const elapsed = input.request.receivedAt.getTime() - input.application.createdAt.getTime();
  return Math.max(0, Math.floor(elapsed / MS_PER_DAY));
}

function differsFromApplicant({ request, application }: CancellationRuleInput): boolean {
  if (request.requesterRelation !== application.applicantRelation) return true;
  // Both say they are the subscriber: the same person by their own account, and whether that is true
  // is the verification rule's job. A subscriber may well give another contact number the second time.
  if (request.requesterRelation === "self") return false;
  // Two family members (or two helpers) are told apart by their contact numbers, when both are known.
  const requester = request.requesterContactHash;
  const applicant = application.applicantContactHash;
  return requester !== null && applicant !== null && requester !== applicant;
}

/** The rules, in the order operators read them. Data: texts and severities may be tuned without code changes elsewhere. */
export const RISK_RULES: readonly RiskRule[] = [
  {
    code: "requester_not_subscriber",
    severity: "medium",
    operatorText:
      "お申し出の方は、ご契約者ご本人ではありません。ご契約者ご本人のお気持ちを、回線への折り返し電話で確かめてください。",
    applicantText: "ご契約者ご本人のお気持ちを確かめるため、センターからご契約の電話にお電話します。",
    applies: ({ request }) => request.requesterRelation !== "self",
    evidence: ({ request }) => ({
      requesterRelation: request.requesterRelation,
      ...(request.requesterRelationDetail ? { relationDetail: request.requesterRelationDetail } : {}),
    }),
  },
  {
    code: "requester_differs_from_applicant",
    severity: "medium",
    operatorText:
      "お申し込みをした方と、取り消しを申し出た方がちがいます（ご本人が申し込んでご家族が取り消す、またはその逆など）。両方のお気持ちを確かめてください。",
    applicantText: "最初にお申し込みをされた方にも、このお申し出をお知らせします。",
    applies: (input) => differsFromApplicant(input),
    evidence: ({ request, application }) => ({
      applicantRelation: application.applicantRelation,
      requesterRelation: request.requesterRelation,
    }),
  },
  {
    code: "not_verified_on_line",
    severity: "high",
    operatorText:
      "ご契約の回線で確かめられていないお申し出です（受付の方法では回線を確かめられません）。回線への折り返し電話でご契約者ご本人が確かめるまで、進めないでください。",
    applicantText: "ご契約の電話番号に、センターから確認のお電話をします。",
    applies: ({ request }) => !isVerifiedOnLine(request.channel, request.lineVerification),
    evidence: ({ request }) => ({ channel: request.channel, lineVerification: request.lineVerification }),
  },
  {
    code: "soon_after_application",
    severity: "low",
    operatorText:
      "お申し込みから間もない取り消しです。まちがいのお申し込みか、だれかに言われて取り消そうとしていないか、確かめてください。",
    applicantText: null,
    applies: ({ request, application }, config) =>
      request.receivedAt.getTime() - application.createdAt.getTime() < config.soonAfterApplicationDays * MS_PER_DAY,
    evidence: (input, config) => ({
      daysSinceApplication: daysSinceApplication(input),
      thresholdDays: config.soonAfterApplicationDays,
    }),
  },
  {
    code: "contact_seen_on_other_lines",
    severity: "high",
    operatorText:
      "この連絡先の電話番号は、ほかの回線の取り消しにも使われています。詐欺グループが家族のふりをしているおそれがあります。",
    applicantText: null,
    applies: ({ request, context }, config) =>
      request.requesterContactHash !== null && context.otherLinesWithSameContact >= config.contactReuseMinOtherLines,
    evidence: ({ context }, config) => ({
      otherLines: context.otherLinesWithSameContact,
      windowDays: config.contactReuseWindowDays,
    }),
  },
  {
    code: "burst_in_same_area",
    // High (was medium): with findings below high no longer routing, this is the only signal of a ring
    // that coaches subscribers from one exchange's name list, each request from a throw-away number.
    severity: "high",
    operatorText:
      "同じ地域から、短いあいだに取り消しが続いています。名簿を使った詐欺のおそれがあります。",
    applicantText: null,
    // +1: the counts exclude this request, the threshold includes it ("the 5th in 24 hours").
    applies: ({ context }, config) => context.recentCancellationsInSameArea + 1 >= config.areaBurstMinCount,
    evidence: ({ context }, config) => ({
      countInWindow: context.recentCancellationsInSameArea + 1,
      windowHours: config.burstWindowHours,
    }),
  },
  {
    code: "burst_from_same_number",
    severity: "high",
    operatorText: "同じ電話番号から、短いあいだに何件も取り消しのお申し出が来ています。",
    applicantText: null,
    applies: ({ request, context }, config) =>
      request.requesterContactHash !== null && context.recentCancellationsFromSameNumber + 1 >= config.numberBurstMinCount,
    evidence: ({ context }, config) => ({
      countInWindow: context.recentCancellationsFromSameNumber + 1,
      windowHours: config.burstWindowHours,
    }),
  },
  {
    code: "applicant_cannot_be_told",
    // The one safeguard against a subscriber talked into pressing 1 is the original applicant's
    // objection during the cooling-off (ADR 016). When a family member or a helper applied and gave no
    // number the centre can reach (a phone application asks for none; a contact on paper the OCR could
    // not read with confidence is not kept), and the request comes from neither the subscriber nor
    // someone the centre can tell apart from that applicant, nobody could object: a person looks first.
    // Measured by bench:centre (issue 11): a coached subscriber on such a line was the one fraud RESUME.
    severity: "high",
    operatorText:
      "ご家族などが申し込んだ回線ですが、申し込んだ方の連絡先がわからず、このお申し出をお知らせできません。申し込んだ方とご契約者ご本人の両方に、お気持ちを確かめてください。",
    applicantText: null,
    applies: ({ request, application }) =>
      application.applicantRelation !== "self" && request.requesterRelation !== "self" && application.applicantContactHash === null,
    evidence: ({ request, application }) => ({
      applicantRelation: application.applicantRelation,
      requesterRelation: request.requesterRelation,
      applicantChannel: application.channel,
    }),
  },
];

export function ruleFor(code: RiskReasonCode): RiskRule {
  const rule = RISK_RULES.find((candidate) => candidate.code === code);
  if (!rule) throw new RangeError(`Unknown risk reason code: ${code}`);
  return rule;
}

export function severityRank(severity: RiskSeverity): number {
  return RISK_SEVERITIES.indexOf(severity);
}

/**
 * What a finding does to the request's path:
 * - review: the request goes to the review queue before anything else (a person looks first);
 * - confirmation_call: the automatic confirmation call is the check; a person only if it fails;
 * - record: recorded on the request and shown to operators; the request goes on without a person.
 * Whatever the route, nothing is approved without the subscriber's own confirmation on the line.
 */
export const RISK_ROUTES = ["review", "confirmation_call", "record"] as const;
export type RiskRoute = (typeof RISK_ROUTES)[number];

export const RISK_ROUTE_LABELS: Readonly<Record<RiskRoute, string>> = {
  review: "係が確認",
  confirmation_call: "確認の電話で確かめる（応答がなければ係が確認）",
  record: "記録のみ",
};

/** The route of one rule under a config: the routing decision, as data (severity table + config). */
export function routeOf(code: RiskReasonCode, config: CancellationRuleConfig = DEFAULT_RULE_CONFIG): RiskRoute {
  const rule = ruleFor(code);
  if (severityRank(rule.severity) < severityRank(config.minimumSeverityToFlag)) return "record";
  if (config.answeredByConfirmationCall.includes(code)) return "confirmation_call";
  return "review";
}

/** Every rule with its severity and route, in reading order: the table ADR 016 and the tests read. */
export function routingTable(
  config: CancellationRuleConfig = DEFAULT_RULE_CONFIG,
): Readonly<Record<RiskReasonCode, { severity: RiskSeverity; route: RiskRoute }>> {
  assertValidRuleConfig(config);
  return Object.fromEntries(
    RISK_RULES.map((rule) => [rule.code, { severity: rule.severity, route: routeOf(rule.code, config) }] as const),
  ) as Record<RiskReasonCode, { severity: RiskSeverity; route: RiskRoute }>;
}

/** One rule that fired, with everything the review screen needs. */
export type RiskReason = {
  code: RiskReasonCode;
  severity: RiskSeverity;
  route: RiskRoute;
  operatorText: string;
  applicantText: string | null;
  evidence: RiskEvidence;
};

export type RiskEvaluation = {
  /** True when at least one reason routes to review: the request goes to the review queue at intake. */
  flagged: boolean;
  /** Every rule that fired, most severe first (ties in RISK_RULES order), routing or not. */
  reasons: RiskReason[];
};

export function evaluateCancellation(
  input: CancellationRuleInput,
  config: CancellationRuleConfig = DEFAULT_RULE_CONFIG,
): RiskEvaluation {
  assertValidRuleConfig(config);
  const reasons = RISK_RULES.filter((rule) => rule.applies(input, config))
    .map(
      (rule): RiskReason => ({
        code: rule.code,
        severity: rule.severity,
        route: routeOf(rule.code, config),
        operatorText: rule.operatorText,
        applicantText: rule.applicantText,
        evidence: rule.evidence(input, config),
      }),
    )
    // Array.prototype.sort is stable, so rules of equal severity keep their reading order.
    .sort((a, b) => severityRank(b.severity) - severityRank(a.severity));
  return { flagged: reasons.some((reason) => reason.route === "review"), reasons };
}

/**
 * The area key for burst counting: the first six national digits, i.e. "0" + area code + local
 * exchange (市外局番 + 市内局番). In 0AB-J numbers the last four digits are always the subscriber
 * number, so this groups the lines of one exchange whatever the length of the area code.
 * Accepts "+81312345678", "81312345678" or "0312345678"; null when it is not a 10-digit fixed number.
 */
export function exchangeAreaKey(number: string): string | null {
  const digits = typedDigitsOrNull(number, { allowPlus: true })?.replace(/^\+/, "") ?? "";
  // A national number always starts with "0", so a leading "81" is the country code ("+81 (0)3…" keeps a 0).
  const national = digits.startsWith("81") ? `0${digits.slice(2).replace(/^0/, "")}` : digits;
  return /^0\d{9}$/.test(national) ? national.slice(0, 6) : null;
}

/** Milliseconds of each window in the config, for the caller's database queries. */
export function contextWindowsMs(config: CancellationRuleConfig = DEFAULT_RULE_CONFIG): {
  contactReuse: number;
  burst: number;
} {
  return { contactReuse: config.contactReuseWindowDays * MS_PER_DAY, burst: config.burstWindowHours * MS_PER_HOUR };
}
