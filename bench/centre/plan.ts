/**
 * The day's ground truth, deterministic from a seed: the subscribers (one persona per line: name on the
 * contract, carrier, whether they pick up the phone), the applications of the day on each channel with
 * who sent them and whether the subscriber agrees, and the cancellations that follow over the next days
 * (legitimate, unwanted, fraud), with what the subscriber will answer when the centre calls the line.
 *
 * The cancellation patterns and their shapes follow test/fixtures/cancellations/scenarios.ts (same
 * names and labels), compressed into the days after one day of applications.
 */
import { parseJapaneseNumber } from "../../app/domain/phone";
import { nttRegionForPrefecture, prefectureFromAddress } from "../../app/domain/regions";
import { DEFAULT_CAPABILITIES, type CarrierCode, type Scope } from "../../app/domain/carriers";
import { Random } from "../../test/fixtures/forms/random";
import { address as sampleAddress, fixedLine, mobile, person } from "../../test/fixtures/forms/sample-data";
import { atJst, DAY, HOUR, MINUTE } from "./clock";

export type Channel = "web" | "ivr" | "paper";
export type Relation = "self" | "family" | "other";
export type Pickup = "always" | "sometimes" | "never";
/** What the applicant says the carrier is (the web has a plain "NTT" choice too). */
export type StatedCarrier = CarrierCode | "ntt" | "unknown";

export type Persona = {
  e164: string;
  /** "0312345678" */
  national: string;
  name: string;
  kana: string;
  /** The name on the carrier's contract (a spouse's, now and then). */
  contractName: string;
  postalCode: string;
  addressLines: [string, string];
  prefecture: number | null;
  carrier: CarrierCode;
  pickup: Pickup;
  /**
   * An answering machine takes the calls the subscriber does not pick up (many older subscribers keep
   * one on to screen calls, as the police advise against fraud), and whether the subscriber calls the
   * number a message gives, from this phone. Drawn from the line's own seed, so adding them left every
   * other draw of the plan as it was. Assumptions, not measurements: see HABITS.
   */
  answeringMachine: boolean;
  returnsMessages: boolean;
  /** Ground truth: the subscriber wants these scopes stopped (empty: wants nothing). */
  wanted: Scope[];
  submissionId: string;
  cancellation: CancellationPlan | null;
  /** Set when the subscriber confirmed a resumption on the line (pressed 1, or cancelled by calling from it). */
  confirmedResumeAt: Date | null;
};

/**
 * Assumed shares (no Japanese survey was at hand): subscribers who never pick up mostly screen calls
 * with a machine; a subscriber who hears a message from the centre on it calls back in 3 cases of 4.
 */
export const HABITS = {
  answeringMachine: { never: 0.6, sometimes: 0.5, always: 0.3 } as Readonly<Record<Pickup, number>>,
  returnsMessages: 0.75,
} as const;

/** FNV-1a of the line, for draws that must not move the plan's own sequence. */
function lineSeed(e164: string, seed: number): number {
  let h = 0x811c9dc5 ^ seed;
  for (let i = 0; i < e164.length; i++) h = Math.imul(h ^ e164.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/**
 * When a subscriber who heard the centre's message on the answering machine calls back from the line:
 * 30 minutes to 5 hours after the message was recorded, between 9:00 and 21:00 JST; a message left
 * later is returned the next morning (9:00–11:00).
 */
export function callBackTime(heardAt: Date, e164: string, seed: number): Date {
  const rnd = new Random(lineSeed(e164, seed ^ 0x3c6ef372));
  const at = new Date(heardAt.getTime() + rnd.int(30, 300) * MINUTE);
  const hourJst = (at.getUTCHours() + 9) % 24;
  if (hourJst >= 9 && hourJst < 21) return at;
  const dayOffset = hourJst >= 21 ? 1 : 0;
  return atJst(at, dayOffset, 9 * 60 + rnd.int(0, 120));
}

export type Submission = {
  id: string;
  channel: Channel;
  at: Date;
  e164: string;
  relation: Relation;
  relationDetail: string | null;
  applicantName: string | null;
  /** National digits of the applicant's own phone (a mobile), or null. */
  applicantContact: string | null;
  scopes: Scope[];
  carrier: StatedCarrier;
  /** The subscriber agrees to what is asked (always, for the subscriber's own application). */
  subscriberAgrees: boolean;
  /** How the name comes across: typed on the web, heard by the IVR, written on paper. */
  nameGiven: string;
  kanaGiven: string;
  /** Web: how the number is typed. IVR: spoken instead of keyed where the flag is set. */
  typedNumber: string;
  speech: boolean;
  /** IVR: the first call comes with a withheld number (and is told to dial 186). */
  withheldFirst: boolean;
  /** Paper: the scan mode and the random stream of the page. */
  pageSeed: number;
  ip: string;
};

export const PATTERN_LABEL = {
  self_moving: "legitimate",
  self_mistaken: "legitimate",
  self_cancels_family_application: "legitimate",
  family_with_agreement: "legitimate",
  family_against_wish: "unwanted",
  fraud_one_number_many_lines: "fraud",
  fraud_area_burst: "fraud",
  fraud_soon_after: "fraud",
  fraud_posing_as_subscriber: "fraud",
  fraud_coached_subscriber: "fraud",
} as const;
export type Pattern = keyof typeof PATTERN_LABEL;
export type Label = (typeof PATTERN_LABEL)[Pattern];

export type CancellationPlan = {
  id: string;
  pattern: Pattern;
  label: Label;
  e164: string;
  submissionId: string;
  channel: Channel;
  at: Date;
  relation: "self" | "family";
  requesterName: string | null;
  requesterKana: string | null;
  relationDetail: string | null;
  /** National digits of the requester's phone. */
  contact: string;
  /** The web form's reason code, and the paper form's reason box. */
  reason: "need_international" | "moving" | "mistaken" | "not_wanted";
  /** What the subscriber answers when the centre calls the line about it. */
  subscriberAnswer: "press_1" | "refuse" | "no_answer";
  /** The original applicant objects when told during the cooling-off. */
  applicantObjects: boolean;
  campaign: string | null;
  ip: string;
  pageSeed: number;
};

export type Plan = {
  seed: number;
  start: Date;
  personas: Map<string, Persona>;
  submissions: Submission[];
  cancellations: CancellationPlan[];
  /** Phones other than lines (applicants' and requesters' mobiles), by E.164. */
  contacts: Map<string, { role: "applicant" | "requester"; e164Line: string }>;
};

export type PlanOptions = {
  seed: number;
  count: number;
  shares: { web: number; ivr: number; paper: number };
  /** Cancellations per application. */
  cancellationRate: number;
  start: Date;
};

const FAMILY_DETAILS = ["長男", "長女", "次男", "次女", "息子", "娘", "孫", "息子の妻"] as const;
const OTHER_DETAILS = ["地域包括支援センター", "民生委員", "〇〇警察署 生活安全課", "ケアマネジャー"] as const;

function weighted<T>(rnd: Random, items: readonly (readonly [T, number])[]): T {
  const total = items.reduce((s, [, w]) => s + w, 0);
  let roll = rnd.next() * total;
  for (const [item, weight] of items) {
    roll -= weight;
    if (roll < 0) return item;
  }
  return items[items.length - 1]![0];
}

/** A minute of the day, drawn from busy hours (JST minutes after midnight). */
function arrival(rnd: Random, channel: Channel): number {
  if (channel === "paper" && rnd.chance(0.1)) return rnd.int(18 * 60, 23 * 60 + 30); // FAX machines take pages at night too
  const [from, to] = channel === "web" ? [9 * 60 + 30, 21 * 60] : channel === "ivr" ? [9 * 60 + 30, 19 * 60] : [9 * 60 + 30, 17 * 60 + 30];
  return rnd.int(from, to);
}

function formatTyped(rnd: Random, national: string): string {
  const parsed = parseJapaneseNumber(national);
  const display = parsed.ok ? parsed.display : national;
  return rnd.chance(0.5) ? display : rnd.chance(0.5) ? national : display.replace(/-/g, "ー");
}

function toHiragana(kana: string): string {
  return kana.replace(/[\u30a1-\u30f6]/g, (ch) => String.fromCharCode(ch.charCodeAt(0) - 0x60));
}

/** The name as speech recognition writes it: mostly right, sometimes in kana, sometimes another kanji. */
function heardName(rnd: Random, name: string, kana: string): string {
  const roll = rnd.next();
  if (roll < 0.8) return rnd.chance(0.5) ? name.replace(/\s/g, "") : name;
  if (roll < 0.92) return kana;
  const other = person(rnd);
  return `${other.name.slice(0, 2)}${name.replace(/\s/g, "").slice(2)}`;
}

function trueCarrier(rnd: Random, prefecture: number | null): CarrierCode {
  const ntt = prefecture ? nttRegionForPrefecture(prefecture) : "ntt-east";
  return weighted<CarrierCode>(rnd, [
    [ntt, 55],
    ["kddi", 20],
    ["softbank", 15],
    ["ntt-docomo-business", 10],
  ]);
}

function statedCarrier(rnd: Random, truth: CarrierCode, channel: Channel): StatedCarrier {
  const roll = rnd.next();
  const unknownShare = channel === "paper" ? 0.2 : 0.17;
  if (roll < unknownShare) return "unknown";
  if (roll < unknownShare + 0.03) {
    const others = (["kddi", "softbank", "ntt-docomo-business", "ntt-east", "ntt-west"] as const).filter((c) => c !== truth);
    return rnd.pick(others);
  }
  if (channel === "web" && (truth === "ntt-east" || truth === "ntt-west") && rnd.chance(0.5)) return "ntt";
  return truth;
}

/** Whether the carrier takes outgoing suspensions through the centre (the seeded capability table). */
function outgoingViaCentre(carrier: StatedCarrier): boolean {
  if (carrier === "unknown") return true;
  const codes: CarrierCode[] = carrier === "ntt" ? ["ntt-east", "ntt-west"] : [carrier];
  return codes.every((code) => DEFAULT_CAPABILITIES.some((c) => c.carrier === code && c.scope === "outgoing" && c.acceptedViaCentre));
}

function scopesFor(rnd: Random, carrier: CarrierCode, stated: StatedCarrier): Scope[] {
  // Outgoing only, where the carrier takes it only directly, is sent to the carrier by every channel:
  // such subscribers are not in the day's mix (they would be told to call their carrier).
  const outgoingOnly = outgoingViaCentre(carrier) && outgoingViaCentre(stated);
  return weighted<Scope[]>(rnd, [
    [["incoming"], 35],
    [["incoming", "outgoing"], 55],
    [["outgoing"], outgoingOnly ? 10 : 0],
  ]);
}

const ip = (rnd: Random) => `10.${rnd.int(0, 255)}.${rnd.int(0, 255)}.${rnd.int(1, 254)}`;

export function makePlan(options: PlanOptions): Plan {
  const rnd = new Random(options.seed);
  const personas = new Map<string, Persona>();
  const contacts: Plan["contacts"] = new Map();
  const submissions: Submission[] = [];
  const usedMobiles = new Set<string>();
  const freshMobile = () => {
    for (;;) {
      const m = mobile(rnd);
      if (!usedMobiles.has(m)) {
        usedMobiles.add(m);
        return m;
      }
    }
  };

  const totalShare = options.shares.web + options.shares.ivr + options.shares.paper;
  const webCount = Math.round((options.count * options.shares.web) / totalShare);
  const ivrCount = Math.round((options.count * options.shares.ivr) / totalShare);
  const paperCount = options.count - webCount - ivrCount;
  const channels: Channel[] = [...Array<Channel>(webCount).fill("web"), ...Array<Channel>(ivrCount).fill("ivr"), ...Array<Channel>(paperCount).fill("paper")];

  channels.forEach((channel, index) => {
    const where = sampleAddress(rnd);
    let national: string;
    do national = fixedLine(rnd, where.area);
    while (personas.has(`+81${national.slice(1)}`));
    const e164 = `+81${national.slice(1)}`;
    const who = person(rnd);
    const address = where.lines.filter(Boolean).join(" ");
    const prefecture = prefectureFromAddress(address)?.code ?? null;
    const carrier = trueCarrier(rnd, prefecture);
    const relation = weighted<Relation>(
      rnd,
      channel === "web"
        ? [["self", 60], ["family", 35], ["other", 5]]
        : channel === "ivr"
          ? [["self", 85], ["family", 15]]
          : [["self", 65], ["family", 25], ["other", 10]],
    );
    // On the phone a family member calls from the subscriber's own line (visiting): the line agrees.
    const subscriberAgrees = relation === "self" || channel === "ivr" ? true : rnd.chance(0.93);
    const stated = statedCarrier(rnd, carrier, channel);
    const scopes = scopesFor(rnd, carrier, stated);
    const id = `${channel}-${String(index + 1).padStart(4, "0")}`;
    const applicantContact = relation === "self" ? (rnd.chance(0.5) ? freshMobile() : null) : freshMobile();
    const submission: Submission = {
      id,
      channel,
      at: atJst(options.start, 0, arrival(rnd, channel)),
      e164,
      relation,
      relationDetail: relation === "family" ? rnd.pick(FAMILY_DETAILS) : relation === "other" ? rnd.pick(OTHER_DETAILS) : null,
      applicantName: relation === "self" ? null : person(rnd).name,
      applicantContact,
      scopes,
      carrier: stated,
      subscriberAgrees,
      nameGiven: channel === "ivr" ? heardName(rnd, who.name, who.kana) : who.name,
      kanaGiven: channel === "web" && rnd.chance(0.4) ? toHiragana(who.kana) : who.kana,
      typedNumber: formatTyped(rnd, national),
      speech: rnd.chance(0.2),
      withheldFirst: channel === "ivr" && rnd.chance(0.03),
      pageSeed: rnd.int(1, 2 ** 30),
      ip: ip(rnd),
    };
    if (submission.at < options.start) submission.at = new Date(options.start.getTime() + rnd.int(0, 30) * MINUTE);
    submissions.push(submission);
    const pickup = weighted<Pickup>(rnd, [["always", 88], ["sometimes", 8], ["never", 4]]);
    const habits = new Random(lineSeed(e164, options.seed));
    personas.set(e164, {
      e164,
      national,
      name: who.name,
      kana: who.kana,
      contractName: rnd.chance(0.03) ? person(rnd).name : who.name,
      postalCode: where.postalCode,
      addressLines: where.lines,
      prefecture,
      carrier,
      pickup,
      answeringMachine: habits.chance(HABITS.answeringMachine[pickup]),
      returnsMessages: habits.chance(HABITS.returnsMessages),
      wanted: subscriberAgrees ? scopes : [],
      submissionId: id,
      cancellation: null,
      confirmedResumeAt: null,
    });
    if (applicantContact && relation !== "self") contacts.set(`+81${applicantContact.slice(1)}`, { role: "applicant", e164Line: e164 });
  });
  submissions.sort((a, b) => a.at.getTime() - b.at.getTime() || a.id.localeCompare(b.id));

  const cancellations = planCancellations(rnd, options, submissions, personas, contacts, freshMobile);
  return { seed: options.seed, start: options.start, personas, submissions, cancellations, contacts };
}

/** Moves a moment into 8:00–21:00 JST (people write and call in the day). */
function daytime(at: Date, rnd: Random): Date {
  const minutes = Math.floor(((at.getTime() + 9 * HOUR) % DAY) / MINUTE);
  if (minutes >= 8 * 60 && minutes < 21 * 60) return at;
  const dayOffset = minutes >= 21 * 60 ? 1 : 0;
  return atJst(at, dayOffset, rnd.int(8 * 60, 10 * 60));
}

function planCancellations(
  rnd: Random,
  options: PlanOptions,
  submissions: Submission[],
  personas: Map<string, Persona>,
  contacts: Plan["contacts"],
  freshMobile: () => string,
): CancellationPlan[] {
  const total = Math.round(submissions.length * options.cancellationRate);
  if (total === 0) return [];
  const pool = submissions.filter((s) => s.subscriberAgrees);
  const taken = new Set<string>();
  const pickTarget = (accept: (s: Submission) => boolean): Submission | null => {
    const candidates = pool.filter((s) => !taken.has(s.e164) && accept(s));
    if (candidates.length === 0) return null;
    const chosen = rnd.pick(candidates);
    taken.add(chosen.e164);
    return chosen;
  };
  const plans: Omit<CancellationPlan, "id">[] = [];
  const hours = (h: number) => h * HOUR;
  const after = (s: Submission, fromHours: number, toHours: number) => daytime(new Date(s.at.getTime() + hours(rnd.range(fromHours, toHours))), rnd);
  const mix: [Pattern, number][] = [
    ["self_mistaken", 0.15],
    ["self_moving", 0.1],
    ["self_cancels_family_application", 0.1],
    ["family_with_agreement", 0.2],
    ["family_against_wish", 0.2],
    ["fraud_soon_after", 0.06],
    ["fraud_posing_as_subscriber", 0.04],
    ["fraud_coached_subscriber", 0.03],
  ];
  const push = (s: Submission, plan: Omit<CancellationPlan, "id" | "e164" | "submissionId" | "label" | "pageSeed" | "requesterKana">) => {
    const requesterKana = plan.relation === "self" && plan.pattern !== "fraud_posing_as_subscriber" ? personas.get(s.e164)!.kana : plan.requesterName === s.applicantName ? null : lastKana;
    plans.push({ ...plan, requesterKana, e164: s.e164, submissionId: s.id, label: PATTERN_LABEL[plan.pattern], pageSeed: rnd.int(1, 2 ** 30) });
  };
  let lastKana: string | null = null;
  const familyName = () => {
    const p = person(rnd);
    lastKana = p.kana;
    return p.name;
  };

  for (const [pattern, share] of mix) {
    const n = Math.max(1, Math.round(total * share));
    for (let i = 0; i < n; i++) {
      if (pattern === "self_mistaken" || pattern === "self_moving") {
        const s = pickTarget(() => true);
        if (!s) continue;
        const channel = weighted<Channel>(rnd, [["ivr", 45], ["web", 40], ["paper", 15]]);
        push(s, {
          pattern,
          channel,
          at: pattern === "self_mistaken" ? after(s, 1, 30) : after(s, 20, 84),
          relation: "self",
          requesterName: personas.get(s.e164)!.name,
          relationDetail: null,
          contact: rnd.chance(0.7) ? personas.get(s.e164)!.national : freshMobile(),
          reason: pattern === "self_mistaken" ? "mistaken" : "moving",
          subscriberAnswer: rnd.chance(0.93) ? "press_1" : "no_answer",
          applicantObjects: false,
          campaign: null,
          ip: ip(rnd),
        });
      } else if (pattern === "self_cancels_family_application") {
        const s = pickTarget((c) => c.relation === "family");
        if (!s) continue;
        push(s, {
          pattern,
          channel: weighted<Channel>(rnd, [["ivr", 60], ["web", 20], ["paper", 20]]),
          at: after(s, 10, 84),
          relation: "self",
          requesterName: personas.get(s.e164)!.name,
          relationDetail: null,
          contact: personas.get(s.e164)!.national,
          reason: "need_international",
          subscriberAnswer: rnd.chance(0.95) ? "press_1" : "no_answer",
          applicantObjects: rnd.chance(0.25),
          campaign: null,
          ip: ip(rnd),
        });
      } else if (pattern === "family_with_agreement" || pattern === "family_against_wish") {
        const agrees = pattern === "family_with_agreement";
        const s = pickTarget(() => true);
        if (!s) continue;
        const byApplicant = s.relation === "family" && rnd.chance(agrees ? 0.75 : 0.4);
        const contact = byApplicant ? s.applicantContact! : freshMobile();
        push(s, {
          pattern,
          channel: agrees ? weighted<Channel>(rnd, [["web", 60], ["paper", 20], ["ivr", 20]]) : weighted<Channel>(rnd, [["web", 70], ["paper", 30]]),
          at: after(s, 20, 90),
          relation: "family",
          requesterName: byApplicant ? s.applicantName : familyName(),
          relationDetail: byApplicant ? s.relationDetail : rnd.pick(FAMILY_DETAILS),
          contact,
          reason: agrees ? rnd.pick(["need_international", "not_wanted"] as const) : "need_international",
          subscriberAnswer: agrees ? (rnd.chance(0.92) ? "press_1" : "no_answer") : rnd.chance(0.75) ? "refuse" : "no_answer",
          applicantObjects: !byApplicant && s.relation === "family" && rnd.chance(agrees ? 0.1 : 0.6),
          campaign: null,
          ip: ip(rnd),
        });
      } else {
        const coached = pattern === "fraud_coached_subscriber";
        // A coached subscriber is stopped by the family applicant's objection when told, or — when the
        // centre has no number for that applicant (a phone application asks for none; a number on paper
        // may not be read) — by the applicant_cannot_be_told rule sending it to a person first.
        const s = pickTarget((c) => (coached ? c.relation === "family" : true));
        if (!s) continue;
        push(s, {
          pattern,
          channel: weighted<Channel>(rnd, [["web", 80], ["paper", 20]]),
          at: pattern === "fraud_soon_after" ? after(s, 2, 20) : after(s, 24, 84),
          relation: pattern === "fraud_posing_as_subscriber" ? "self" : "family",
          requesterName: familyName(),
          relationDetail: pattern === "fraud_posing_as_subscriber" ? null : rnd.pick(["孫", "長男", "息子", "甥"]),
          contact: freshMobile(),
          reason: "need_international",
          subscriberAnswer: coached ? "press_1" : rnd.chance(0.55) ? "refuse" : "no_answer",
          applicantObjects: coached,
          campaign: null,
          ip: ip(rnd),
        });
      }
    }
  }

  // A ring: one contact number for many lines, through the web, over an afternoon.
  const ringSize = Math.max(2, Math.round(total * 0.08));
  const ringContact = freshMobile();
  const ringIp = ip(rnd);
  const ringStart = atJst(options.start, 2, rnd.int(13 * 60, 15 * 60));
  for (let i = 0; i < ringSize; i++) {
    const s = pickTarget(() => true);
    if (!s) break;
    push(s, {
      pattern: "fraud_one_number_many_lines",
      channel: "web",
      at: new Date(ringStart.getTime() + rnd.int(0, 240) * MINUTE),
      relation: "family",
      requesterName: familyName(),
      relationDetail: rnd.pick(["孫", "長男", "息子"]),
      contact: ringContact,
      reason: "need_international",
      subscriberAnswer: rnd.chance(0.6) ? "refuse" : "no_answer",
      applicantObjects: false,
      campaign: "ring-1",
      ip: ringIp,
    });
  }
  // A burst: lines of one area, within an hour, each from a different throw-away number.
  const burstSize = Math.max(2, Math.round(total * 0.05));
  const byArea = new Map<string, Submission[]>();
  for (const s of pool) {
    if (taken.has(s.e164)) continue;
    const key = s.e164.slice(0, 5);
    byArea.set(key, [...(byArea.get(key) ?? []), s]);
  }
  const area = [...byArea.values()].sort((a, b) => b.length - a.length)[0] ?? [];
  const burstStart = atJst(options.start, 3, rnd.int(10 * 60, 16 * 60));
  for (const s of area.slice(0, burstSize)) {
    taken.add(s.e164);
    push(s, {
      pattern: "fraud_area_burst",
      channel: "web",
      at: new Date(burstStart.getTime() + rnd.int(0, 60) * MINUTE),
      relation: "family",
      requesterName: familyName(),
      relationDetail: rnd.pick(["孫", "長男", "息子", "甥"]),
      contact: freshMobile(),
      reason: "need_international",
      subscriberAnswer: rnd.chance(0.55) ? "refuse" : "no_answer",
      applicantObjects: false,
      campaign: "burst-1",
      ip: ip(rnd),
    });
  }

  plans.sort((a, b) => a.at.getTime() - b.at.getTime() || a.e164.localeCompare(b.e164));
  return plans.map((plan, i) => {
    const full: CancellationPlan = { ...plan, id: `can-${String(i + 1).padStart(4, "0")}` };
    personas.get(plan.e164)!.cancellation = full;
    if (plan.relation !== "self" || plan.contact !== personas.get(plan.e164)!.national) {
      const key = `+81${plan.contact.slice(1)}`;
      if (!contacts.has(key)) contacts.set(key, { role: "requester", e164Line: plan.e164 });
    }
    return full;
  });
}
