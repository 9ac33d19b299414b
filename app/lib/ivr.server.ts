/**
 * The phone channel (課題⑥): one call from the landline is the whole application, 24 hours a day.
 *
 * Each Twilio webhook names the menu node it answers (`/ivr/step?node=…`); the call's progress and
 * answers live in `ivr_calls` (sealed), keyed by CallSid, so a retried webhook or a hang-up part-way
 * loses nothing. Every node offers keypad and ja-JP speech input; * repeats; silence re-prompts twice,
 * then offers an operator (business hours) or tells the caller how else to reach the centre; three
 * wrong answers in a row do the same. Every <Say> names the configured ja-JP voice (twiml-voice.ts),
 * and every <Gather> and <Record> is followed by a <Redirect> (Twilio runs the next verb when the
 * caller gives nothing), so no document can end a call by accident.
 */
import { directReminderText } from "./direct-reminder.server";
import { and, desc, eq, inArray, sql } from "drizzle-orm";
import twilio from "twilio";
import { applications, ivrCalls, lines, verifications } from "../../db/schema";
import { STATUS_LABELS, type ApplicationStatus } from "../domain/application-state";
import { SCOPE_LABELS, type CarrierChoice, type Scope } from "../domain/carriers";
import { readChoice, readDigits, spellDigits, type CallerInput } from "../domain/ivr-input";
import { callbackDigits } from "../domain/apply-forms";
import {
  hearCallInCode,
  hearCarrier,
  hearCarrierOther,
  hearConfirm,
  hearContactNumber,
  hearMenu,
  hearNumber,
  hearPostalCode,
  hearScope,
  hearWho,
  isLowConfidence,
  type Heard,
} from "./speech";
import { parseJapaneseNumber, toE164 } from "../domain/phone";
import { nttRegionForNumber } from "../domain/regions";
import { parseReference, speakableGroups } from "../domain/reference-number";
import { OPERATOR_HOURS_TEXT, operatorsAvailable } from "../domain/business-hours";
import { confirmPaperFromLine } from "./paper-confirmation.server";
import { COVERING_STATUSES, submitApplication } from "./applications.server";
import { requestCancellationFromCall } from "./cancellations.server";
import type { Services } from "./services.server";
import { voiceOf } from "./twiml-voice";
import { verifyCallIn } from "./verification.server";

export { operatorsAvailable } from "../domain/business-hours";

/** Seconds of silence before a <Gather> gives up (elderly callers: at least 5). */
const GATHER_TIMEOUT_SECONDS = 8;
/** Seconds of silence that end a <Record>. */
const RECORD_SILENCE_SECONDS = 5;
/** Longest recording: names are short, addresses are read slowly. */
const RECORD_MAX_SECONDS: Partial<Record<IvrNode, number>> = { apply_name_record: 20, form_name_record: 20, form_address_record: 30 };
/** The first prompt plus two re-prompts. */
const MAX_PROMPTS = 3;
/** Wrong answers in a row before the caller is handed over, as after silence. */
const MAX_WRONG = 3;

export type IvrNode =
  | "menu"
  | "apply_scope"
  | "apply_carrier"
  | "apply_carrier_other"
  | "apply_name"
  | "apply_name_record"
  | "apply_who"
  | "apply_contact"
  | "apply_confirm"
  | "status_reference"
  | "form_name"
  | "form_name_record"
  | "form_postal"
  | "form_address"
  | "form_address_record"
  | "form_confirm"
  | "cancel_who"
  | "cancel_confirm"
  | "call_in_code"
  | "operator_done"
  /** A spoken answer heard with low Confidence, read back: 1 takes it, 2 asks the question again. */
  | "speech_confirm";

export const IVR_NODES: readonly IvrNode[] = [
  "menu",
  "apply_scope",
  "apply_carrier",
  "apply_carrier_other",
  "apply_name",
  "apply_name_record",
  "apply_who",
  "apply_contact",
  "apply_confirm",
  "status_reference",
  "form_name",
  "form_name_record",
  "form_postal",
  "form_address",
  "form_address_record",
  "form_confirm",
  "cancel_who",
  "cancel_confirm",
  "call_in_code",
  "operator_done",
  "speech_confirm",
];

export type IvrAnswers = {
  scopes?: Scope[];
  carrierChoice?: CarrierChoice;
  nameSpeech?: string | null;
  nameRecordingUrl?: string | null;
  relation?: "self" | "family";
  /**
   * A family caller's own number (national digits), so the centre can tell them of the application and
   * of any request to withdraw it (ADR 029); null when they said they have none.
   */
  contactPhone?: string | null;
  postalCode?: string;
  addressSpeech?: string | null;
  addressRecordingUrl?: string | null;
  reference?: string;
  /** Prompts given at the current node (for the silence re-prompts). */
  prompts?: number;
  /** Wrong answers in a row (three escalate like silence). */
  wrong?: number;
  /** A spoken answer waiting for its read-back confirmation (speech_confirm): the node and its key. */
  heard?: { node: IvrNode; key: string };
};

type Call = {
  id: string;
  callSid: string;
  from: string | null;
  node: IvrNode;
  purpose: string | null;
  answers: IvrAnswers;
  status: string;
  /** What this webhook made (application, cancellation, letter): written with the call's state. */
  made?: { applicationId?: string; cancellationId?: string; outboxId?: string };
};

type Params = Record<string, string | undefined>;

/** Twilio sends these for a withheld or unknown caller ID. */
const WITHHELD = new Set(["", "anonymous", "restricted", "unknown", "unavailable", "private", "+266696687", "+86282452253", "+7378742833", "+2562533"]);

function callerE164(from: string | undefined): string | null {
  if (!from || WITHHELD.has(from.toLowerCase())) return null;
  return toE164(from);
}

function nationalOf(e164: string): string {
  return `0${e164.slice(3)}`;
}

class Twiml {
  readonly response = new twilio.twiml.VoiceResponse();
  private readonly voice: ReturnType<typeof voiceOf>;
  readonly base: string;
  private carried: Call | null = null;
  constructor(private readonly services: Services) {
    this.base = services.config.publicBaseUrl;
    this.voice = voiceOf(services.config);
  }
  /** The call whose state the step URLs of this document carry (sealed: sealCallState). */
  carry(call: Call) {
    this.carried = call;
    return this;
  }
  /** The webhook for a node's answer (or its silence), with the call's state once the document is written. */
  stepUrl(node: IvrNode, silence = false) {
    return `${this.base}/ivr/step?node=${node}${silence ? "&silence=1" : ""}&state=${STATE_MARK}`;
  }
  say(text: string) {
    this.response.say(this.voice, text);
    return this;
  }
  /** A question: keypad and speech, with the no-input path back to the same node. */
  ask(node: IvrNode, text: string, options: { numDigits?: number; finishOnKey?: string; speechOnly?: boolean; hints?: string } = {}) {
    const gather = this.response.gather({
      input: options.speechOnly ? ["speech"] : ["dtmf", "speech"],
      language: "ja-JP",
      timeout: GATHER_TIMEOUT_SECONDS,
      speechTimeout: "auto",
      action: this.stepUrl(node),
      method: "POST",
      ...(options.numDigits ? { numDigits: options.numDigits } : {}),
      ...(options.finishOnKey !== undefined ? { finishOnKey: options.finishOnKey } : {}),
      ...(options.hints ? { hints: options.hints } : {}),
    });
    gather.say(this.voice, text);
    this.response.redirect({ method: "POST" }, this.stepUrl(node, true));
    return this;
  }
  /** A recording; when nothing was recorded Twilio skips the action and runs the <Redirect> after it. */
  record(node: IvrNode, text: string) {
    this.response.say(this.voice, text);
    this.response.record({
      action: this.stepUrl(node),
      method: "POST",
      maxLength: RECORD_MAX_SECONDS[node] ?? 20,
      timeout: RECORD_SILENCE_SECONDS,
      playBeep: true,
      finishOnKey: "#",
    });
    this.response.redirect({ method: "POST" }, this.stepUrl(node, true));
    return this;
  }
  goodbye(text: string) {
    this.response.say(this.voice, text);
    this.response.hangup();
    return this;
  }
  /** Hands the call to another webhook (Twilio fetches it and plays its TwiML). */
  handOver(text: string, path: string) {
    this.response.say(this.voice, text);
    this.response.redirect({ method: "POST" }, `${this.base}${path}`);
    return this;
  }
  /** The document; call it after the call was saved, so the URLs carry the state that was saved. */
  toString() {
    const xml = this.response.toString();
    if (!xml.includes(STATE_MARK)) return xml;
    const token = this.carried ? sealCallState(this.services, this.carried) : null;
    return token ? xml.replaceAll(STATE_MARK, token) : xml.replaceAll(`&amp;state=${STATE_MARK}`, "");
  }
}

const MENU_TEXT =
  "国際電話不取扱受付センターです。お電話ありがとうございます。国際電話を止めるお申し込みは1を、お申し込みの状況の確認は2を、申込書の郵送をご希望の方は3を、止めている国際電話の解除は4を、オペレーターは0を押してください。もう一度お聞きになるときは、米印を押してください。ボタンが使えない電話の方は、番号をお話しください。";

function prompt(node: IvrNode, call: Call): string {
  const a = call.answers;
  switch (node) {
    case "menu":
      return MENU_TEXT;
    case "apply_scope":
      return "海外からかかってくる電話だけを止めるときは1を、海外からの電話と、海外へかける電話の両方を止めるときは2を、海外へかける電話だけを止めるときは3を押してください。";
    case "apply_carrier":
      return "ご契約の電話会社が、NTTのときは1を、KDDIやソフトバンクなど、ほかの会社のときは2を、わからないときは3を押してください。";
    case "apply_carrier_other":
      return "KDDIのときは1を、ソフトバンクのときは2を、NTTドコモビジネスのときは3を押してください。";
    case "apply_name":
      return "電話を契約している方のお名前を、フルネームでおっしゃってください。";
    case "apply_name_record":
      return "確認のため、ピーという音のあとに、もう一度お名前をおっしゃってください。終わったら、シャープを押してください。";
    case "apply_who":
      return "お電話をされているのは、契約者ご本人ですか。ご本人のときは1を、ご家族のときは2を押してください。";
    case "apply_contact":
      return "お電話をされている、ご家族の方の電話番号を、市外局番から押して、最後にシャープを押してください。携帯電話の番号でもかまいません。このお申し込みについてのお知らせを、この番号にお送りします。電話番号がないときは、0を押してから、シャープを押してください。";
    case "apply_confirm": {
      const scopes = (a.scopes ?? []).map((s) => SCOPE_LABELS[s]).join("と");
      const name = a.nameSpeech ? `${a.nameSpeech}さま、` : "";
      const contact = a.relation === "family" && a.contactPhone ? `ご家族の方のご連絡先、${spellDigits(a.contactPhone)}。` : "";
      return `お申し込みの内容です。電話番号、${spellDigits(nationalOf(call.from!))}。${scopes}。${name}${contact}以上でよろしければ1を、はじめからやり直すときは2を押してください。`;
    }
    case "status_reference":
      return "受付番号11けたを押して、最後にシャープを押してください。";
    case "form_name":
      return "申込書をお送りします。お送りする方のお名前を、フルネームでおっしゃってください。";
    case "form_name_record":
      return "確認のため、ピーという音のあとに、もう一度お名前をおっしゃってください。終わったら、シャープを押してください。";
    case "form_postal":
      return "お送り先の郵便番号7けたを押してください。郵便番号がわからないときは、0を押してから、シャープを押してください。";
    case "form_address":
      return "お送り先のご住所を、都道府県からおっしゃってください。";
    case "form_address_record":
      return "確認のため、ピーという音のあとに、もう一度ご住所をおっしゃってください。終わったら、シャープを押してください。";
    case "form_confirm":
      return `${a.addressSpeech ?? ""}、${a.nameSpeech ?? ""}さまあてに、申込書をお送りします。よろしければ1を、やめるときは2を押してください。`;
    case "cancel_who":
      return "止めている国際電話の解除のお申し込みですね。お電話をされているのは、契約者ご本人ですか。ご本人のときは1を、ご家族のときは2を押してください。";
    case "cancel_confirm":
      return "解除のお申し込みをお受けします。センターから、契約者ご本人に確認のご連絡をしてから、お手続きをします。この電話だけで、国際電話がつながるようにはなりません。よろしければ1を、やめるときは2を押してください。";
    case "call_in_code":
      return "ウェブのお申し込みの確認は、画面に表示されている4けたの確認番号を押してください。ほかのご用の方は、9を押してから、シャープを押してください。";
    case "operator_done":
      return "";
    case "speech_confirm":
      return a.heard
        ? `${readBack(a.heard.node, a.heard.key)}と、お聞きしました。よろしければ1を、違うときは2を押してください。`
        : "よろしければ1を、違うときは2を押してください。";
  }
}

/** How each choice is read back when speech was heard with low confidence. */
const CHOICE_LABELS: Partial<Record<IvrNode, Record<string, string>>> = {
  menu: { "1": "国際電話を止めるお申し込み", "2": "お申し込みの状況の確認", "3": "申込書の郵送", "4": "止めている国際電話の解除", "0": "オペレーター" },
  apply_scope: { "1": "海外からかかってくる電話だけを止める", "2": "海外からの電話と、海外へかける電話の両方を止める", "3": "海外へかける電話だけを止める" },
  apply_carrier: { "1": "NTT", "2": "ほかの電話会社", "3": "電話会社はわからない" },
  apply_carrier_other: { "1": "KDDI", "2": "ソフトバンク", "3": "NTTドコモビジネス" },
  apply_who: { "1": "契約者ご本人", "2": "ご家族" },
  cancel_who: { "1": "契約者ご本人", "2": "ご家族" },
  apply_confirm: { "1": "はい", "2": "いいえ" },
  form_confirm: { "1": "はい", "2": "いいえ" },
  cancel_confirm: { "1": "はい", "2": "いいえ" },
  form_postal: { "0": "郵便番号はわからない" },
  call_in_code: { "9": "ほかのご用" },
};

/** 「…」: the answer as the caller will recognise it (numbers digit by digit). */
export function readBack(node: IvrNode, key: string): string {
  return `「${CHOICE_LABELS[node]?.[key] ?? spellDigits(key)}」`;
}

/** Speech at each question, turned into the key it stands for (app/lib/speech.ts). */
const SPEECH_READERS: Partial<Record<IvrNode, (text: string) => Heard>> = {
  menu: hearMenu,
  apply_scope: hearScope,
  apply_carrier: hearCarrier,
  apply_carrier_other: hearCarrierOther,
  apply_who: hearWho,
  cancel_who: hearWho,
  apply_confirm: hearConfirm,
  form_confirm: hearConfirm,
  cancel_confirm: hearConfirm,
  speech_confirm: hearConfirm,
  status_reference: hearNumber,
  apply_contact: hearContactNumber,
  form_postal: hearPostalCode,
  call_in_code: hearCallInCode,
};

const NODE_INPUT: Partial<Record<IvrNode, { numDigits?: number; finishOnKey?: string; speechOnly?: boolean; hints?: string }>> = {
  menu: { numDigits: 1, hints: "いち,に,さん,よん,ゼロ,もう一度,申し込み,状況,申込書,解除,オペレーター" },
  apply_scope: { numDigits: 1 },
  apply_carrier: { numDigits: 1, hints: "NTT,KDDI,ソフトバンク,わからない" },
  apply_carrier_other: { numDigits: 1, hints: "KDDI,ソフトバンク,ドコモ" },
  apply_name: { speechOnly: true },
  apply_who: { numDigits: 1, hints: "本人,家族" },
  apply_contact: { numDigits: 11, finishOnKey: "#", hints: "ない,ありません" },
  apply_confirm: { numDigits: 1, hints: "はい,いいえ" },
  status_reference: { numDigits: 11, finishOnKey: "#" },
  form_name: { speechOnly: true },
  form_postal: { numDigits: 7, finishOnKey: "#", hints: "わからない" },
  form_address: { speechOnly: true },
  form_confirm: { numDigits: 1, hints: "はい,いいえ" },
  cancel_who: { numDigits: 1, hints: "本人,家族" },
  cancel_confirm: { numDigits: 1, hints: "はい,いいえ" },
  call_in_code: { numDigits: 4, finishOnKey: "#", hints: "メニュー,ほかの用事" },
  speech_confirm: { numDigits: 1, hints: "はい,いいえ" },
};

const RECORD_NODES = new Set<IvrNode>(["apply_name_record", "form_name_record", "form_address_record"]);

function render(t: Twiml, node: IvrNode, call: Call, preface = ""): Twiml {
  const text = `${preface}${prompt(node, call)}`;
  if (RECORD_NODES.has(node)) return t.record(node, text);
  return t.ask(node, text, NODE_INPUT[node] ?? {});
}

// ---------------------------------------------------------------------------------------------
// Persistence

/**
 * The call's state travels with the call (ADR 026): every step URL of a document carries the state the
 * step saved, sealed like every personal value at rest (AES-256-GCM under PII_ENCRYPTION_KEY: Twilio's
 * logs of the URLs hold only ciphertext) and bound to the CallSid. The next webhook starts from it
 * instead of reading the row back; the row is still written on every step (a call that hangs up keeps
 * what was said). Twilio follows only the URLs of the latest document, so the carried state is the one
 * saved last; a retried request carries the same state and computes the same step again.
 */
const STATE_MARK = "IVRSTATEMARK";
/** Longer states (long spoken addresses) are not carried: the step reads the row instead. */
const MAX_STATE_CHARS = 1500;

type CarriedState = { v: 1; sid: string; id: string; from: string | null; purpose: string | null; answers: IvrAnswers };

function sealCallState(services: Services, call: Call): string | null {
  const state: CarriedState = { v: 1, sid: call.callSid, id: call.id, from: call.from, purpose: call.purpose, answers: call.answers };
  const token = services.pii.seal(JSON.stringify(state));
  return token.length <= MAX_STATE_CHARS ? token : null;
}

/** The carried state of this CallSid, or null (none, not ours, or not for this call). */
function openCallState(services: Services, token: string | null | undefined, callSid: string): Call | null {
  if (!token || !callSid) return null;
  try {
    const state = JSON.parse(services.pii.open(token)) as Partial<CarriedState>;
    if (state.v !== 1 || state.sid !== callSid || typeof state.id !== "string" || typeof state.answers !== "object" || state.answers === null) return null;
    return { id: state.id, callSid, from: state.from ?? null, node: "menu", purpose: state.purpose ?? null, answers: state.answers, status: "in_progress" };
  } catch {
    return null;
  }
}

/**
 * The two statements every webhook runs (load the call, save it), prepared once per database: drizzle
 * builds their SQL once instead of on every request (ADR 026).
 */
type CallStatements = ReturnType<typeof prepareCallStatements>;
const callStatements = new WeakMap<Services["db"], CallStatements>();

function prepareCallStatements(db: Services["db"]) {
  const load = db
    .select({
      id: ivrCalls.id,
      callSid: ivrCalls.callSid,
      fromEnc: ivrCalls.fromEnc,
      node: ivrCalls.node,
      purpose: ivrCalls.purpose,
      answersEnc: ivrCalls.answersEnc,
      status: ivrCalls.status,
    })
    .from(ivrCalls)
    .where(eq(ivrCalls.callSid, sql.placeholder("callSid")))
    .prepare("ivr_load_call");
  // What a step leaves unset (null) keeps its stored value: the status and end of a call are written
  // only when it ends, the links to what it made only once it made them.
  const save = db
    .update(ivrCalls)
    .set({
      node: sql`${sql.placeholder("node")}::text`,
      purpose: sql`${sql.placeholder("purpose")}::text`,
      answersEnc: sql`${sql.placeholder("answersEnc")}::text`,
      updatedAt: sql`${sql.placeholder("updatedAt")}::timestamptz`,
      status: sql`coalesce(${sql.placeholder("status")}::text, ${ivrCalls.status})`,
      endedAt: sql`coalesce(${sql.placeholder("endedAt")}::timestamptz, ${ivrCalls.endedAt})`,
      applicationId: sql`coalesce(${sql.placeholder("applicationId")}::uuid, ${ivrCalls.applicationId})`,
      cancellationId: sql`coalesce(${sql.placeholder("cancellationId")}::uuid, ${ivrCalls.cancellationId})`,
      outboxId: sql`coalesce(${sql.placeholder("outboxId")}::uuid, ${ivrCalls.outboxId})`,
    })
    .where(eq(ivrCalls.id, sql.placeholder("id")))
    .prepare("ivr_save_call");
  return { load, save };
}

function statementsFor(services: Services): CallStatements {
  let statements = callStatements.get(services.db);
  if (!statements) {
    statements = prepareCallStatements(services.db);
    callStatements.set(services.db, statements);
  }
  return statements;
}

async function loadCall(services: Services, callSid: string): Promise<Call | null> {
  const [row] = await statementsFor(services).load.execute({ callSid });
  if (!row) return null;
  return {
    id: row.id,
    callSid: row.callSid,
    from: services.pii.openNullable(row.fromEnc),
    node: row.node as IvrNode,
    purpose: row.purpose,
    answers: JSON.parse(services.pii.open(row.answersEnc)) as IvrAnswers,
    status: row.status,
  };
}

/** What saveCall may also write: the end of the call, and what the call made (one statement with the step). */
type CallEnd = { status?: "completed" | "incomplete"; endedAt?: Date; applicationId?: string; cancellationId?: string; outboxId?: string };

async function saveCall(services: Services, call: Call, extra: CallEnd = {}) {
  const links = { ...call.made, ...extra };
  await statementsFor(services).save.execute({
    id: call.id,
    node: call.node,
    purpose: call.purpose,
    answersEnc: services.pii.seal(JSON.stringify(call.answers)),
    updatedAt: services.now().toISOString(),
    status: links.status ?? null,
    endedAt: links.endedAt?.toISOString() ?? null,
    applicationId: links.applicationId ?? null,
    cancellationId: links.cancellationId ?? null,
    outboxId: links.outboxId ?? null,
  });
}

// ---------------------------------------------------------------------------------------------
// Webhooks

/** POST /ivr/voice: a new call. */
export async function handleIncomingCall(services: Services, params: Params): Promise<string> {
  const callSid = params.CallSid ?? "";
  const from = callerE164(params.From);
  // A caller with a code from the web journey goes straight to it: no menu to learn.
  const waiting = from !== null ? await waitingForCaller(services, from) : null;
  const callIn = waiting?.webCode === true;
  // A caller whose paper or FAX application waits for the line's confirmation (a message on the
  // answering machine asked them to call, ADR 029) hears that question first, as our call would ask it.
  const paper = !callIn && waiting?.paperPage ? await confirmPaperFromLine(services, from!) : null;
  if (paper) return paperCallIn(services, callSid, from!, paper.verificationId);
  const node: IvrNode = callIn ? "call_in_code" : "menu";
  const preface = callIn ? "国際電話不取扱受付センターです。" : "";
  // A new call is written once, already at its first question (one statement).
  const now = services.now();
  const [row] = await services.db
    .insert(ivrCalls)
    .values({
      callSid,
      fromEnc: services.pii.sealNullable(from),
      fromHash: from ? services.pii.searchHash(from) : null,
      node,
      purpose: callIn ? "call_in" : null,
      answersEnc: services.pii.seal(JSON.stringify({ prompts: 1 } satisfies IvrAnswers)),
      createdAt: now,
      updatedAt: now,
    })
    .onConflictDoNothing({ target: ivrCalls.callSid })
    .returning({ id: ivrCalls.id });
  let call: Call;
  if (row) {
    call = { id: row.id, callSid, from, node, purpose: callIn ? "call_in" : null, answers: { prompts: 1 }, status: "in_progress" };
  } else {
    // Twilio asked again for the same call: it starts over at its first question and keeps its answers.
    call = (await loadCall(services, callSid))!;
    call.node = node;
    if (callIn) call.purpose = "call_in";
    call.answers.prompts = 1;
    await saveCall(services, call);
  }
  return render(new Twiml(services).carry(call), node, call, preface).toString();
}

/** The call is written once, finished: what follows is the paper question's own webhooks. */
async function paperCallIn(services: Services, callSid: string, from: string, verificationId: string): Promise<string> {
  const now = services.now();
  await services.db
    .insert(ivrCalls)
    .values({
      callSid,
      fromEnc: services.pii.seal(from),
      fromHash: services.pii.searchHash(from),
      node: "menu",
      purpose: "paper_call_in",
      status: "completed",
      answersEnc: services.pii.seal(JSON.stringify({} satisfies IvrAnswers)),
      createdAt: now,
      updatedAt: now,
      endedAt: now,
    })
    .onConflictDoNothing({ target: ivrCalls.callSid });
  const t = new Twiml(services);
  return t.handOver("国際電話不取扱受付センターです。郵便か、ファクスでいただいたお申し込みの確認です。", `/ivr/paper/${verificationId}`).toString();
}

/**
 * What waits for a caller from this line, in one round trip: a web journey's call-in code, or a paper
 * page's confirmation (ADR 029). Both false for a line the centre has never seen.
 */
async function waitingForCaller(services: Services, e164: string): Promise<{ webCode: boolean; paperPage: boolean }> {
  const now = services.now().toISOString();
  const [row] = await services.db
    .select({
      // Columns named in full: drizzle writes a select's columns without their table.
      webCode: sql<boolean>`exists (select 1 from verifications v where v.line_id = lines.id and v.method = 'call_in'
        and v.verified_at is null and v.expires_at >= ${now}::timestamptz)`,
      paperPage: sql<boolean>`exists (select 1 from scans s where s.line_id = lines.id and s.status = 'confirming')`,
    })
    .from(lines)
    .where(eq(lines.e164, e164));
  return { webCode: row?.webCode === true, paperPage: row?.paperPage === true };
}

/** POST /ivr/status: Twilio's status callback. A call that ends before its branch finished is incomplete. */
export async function handleCallStatus(services: Services, params: Params): Promise<void> {
  const callSid = params.CallSid ?? "";
  const ended = ["completed", "busy", "no-answer", "failed", "canceled"].includes(params.CallStatus ?? "");
  if (!ended) return;
  const call = await loadCall(services, callSid);
  if (!call || call.status !== "in_progress") return;
  // Hanging up at the menu, or after hearing a status, leaves nothing to follow up.
  const nothingStarted = call.purpose === null || call.purpose === "status" || call.purpose === "operator";
  await services.db
    .update(ivrCalls)
    .set({ status: nothingStarted ? "completed" : "incomplete", endedAt: services.now(), updatedAt: services.now() })
    .where(eq(ivrCalls.id, call.id));
  if (!nothingStarted) services.logger.info({ ivrCallId: call.id, node: call.node }, "call ended part-way");
}

function input(params: Params): CallerInput {
  return { digits: params.Digits ?? null, speech: params.SpeechResult ?? null };
}

/** Silence: re-prompt twice, then hand over or say goodbye. */
function onSilence(services: Services, t: Twiml, node: IvrNode, call: Call): { twiml: Twiml; done: boolean } {
  const prompts = (call.answers.prompts ?? 1) + 1;
  if (prompts <= MAX_PROMPTS) {
    call.answers.prompts = prompts;
    return { twiml: render(t, node, call, "お声やボタンが確認できませんでした。"), done: false };
  }
  return { twiml: operatorOrMessage(services, t), done: true };
}

/**
 * Nothing recorded after the beep: ask once more, then go on without the recording (what speech
 * recognition heard is kept; an operator checks the form or application anyway).
 */
async function onRecordSilence(services: Services, t: Twiml, node: IvrNode, call: Call, params: Params): Promise<Outcome> {
  const prompts = (call.answers.prompts ?? 1) + 1;
  if (prompts <= 2) {
    call.answers.prompts = prompts;
    return { twiml: render(t, node, call, "録音できませんでした。") };
  }
  return answer(services, t, node, call, { ...params, RecordingUrl: undefined });
}

const OPERATOR_CLOSED = `ただいまの時間は、オペレーターにおつなぎできません。${OPERATOR_HOURS_TEXT}ウェブや郵送でも、お申し込みいただけます。お電話ありがとうございました。`;
const OPERATOR_FINISHED = "お電話ありがとうございました。失礼いたします。";
const OPERATOR_UNANSWERED = "ただいま、オペレーターにおつなぎできません。時間をおいて、おかけ直しください。お電話ありがとうございました。";

function operatorOrMessage(services: Services, t: Twiml): Twiml {
  const operator = services.config.operatorNumber;
  if (operator && operatorsAvailable(services.now())) {
    t.say("オペレーターにおつなぎします。そのままお待ちください。");
    // When the operator call ends Twilio requests the action with DialCallStatus: a finished call ends
    // politely, an unanswered one says so. The <Say> after it covers a failed action request.
    t.response.dial({ timeout: 30, action: t.stepUrl("operator_done"), method: "POST" }, operator);
    return t.goodbye(OPERATOR_FINISHED);
  }
  return t.goodbye(OPERATOR_CLOSED);
}

/** POST /ivr/step?node=…: the caller's answer to a node (or silence). */
export async function handleStep(services: Services, node: IvrNode, params: Params, options: { silence: boolean; state?: string | null }): Promise<string> {
  const t = new Twiml(services);
  const callSid = params.CallSid ?? "";
  // The state the previous document carried, else the database (a URL from before ADR 026, or a
  // state that does not open or belongs to another call).
  const call = openCallState(services, options.state, callSid) ?? (await loadCall(services, callSid));
  if (!call) return t.goodbye("恐れ入りますが、はじめからおかけ直しください。").toString();
  t.carry(call);
  call.node = node;

  if (node === "operator_done") {
    // The operator call ended (the <Dial> action): a completed call ends politely.
    t.goodbye(params.DialCallStatus === "completed" ? OPERATOR_FINISHED : OPERATOR_UNANSWERED);
    await saveCall(services, call, { status: call.purpose && call.purpose !== "operator" ? "incomplete" : "completed", endedAt: services.now() });
    return t.toString();
  }
  if (options.silence && RECORD_NODES.has(node)) {
    const next = await onRecordSilence(services, t, node, call, params);
    await saveCall(services, call, next.finished ? { status: "completed", endedAt: services.now() } : {});
    return next.twiml.toString();
  }
  if (options.silence) {
    const { twiml, done } = onSilence(services, t, node, call);
    await saveCall(services, call, done ? { status: call.purpose ? "incomplete" : "completed", endedAt: services.now() } : {});
    return twiml.toString();
  }
  const wrongBefore = call.answers.wrong ?? 0;
  const next = await answer(services, t, node, call, params);
  const wrong = call.answers.wrong ?? 0;
  if (!next.finished && wrong >= MAX_WRONG) {
    // Three wrong answers in a row: hand over as after silence.
    const handed = operatorOrMessage(services, new Twiml(services).carry(call));
    await saveCall(services, call, { status: call.purpose ? "incomplete" : "completed", endedAt: services.now() });
    return handed.toString();
  }
  if (wrong === wrongBefore) call.answers.wrong = 0;
  await saveCall(services, call, next.finished ? { status: "completed", endedAt: services.now() } : {});
  return next.twiml.toString();
}

type Outcome = { twiml: Twiml; finished?: boolean };

function goTo(t: Twiml, node: IvrNode, call: Call, preface = ""): Outcome {
  call.node = node;
  call.answers.prompts = 1;
  return { twiml: render(t, node, call, preface) };
}

/** The same question again: after a wrong answer (counted), or for * / 「もう一度」 (preface ""). */
function again(t: Twiml, node: IvrNode, call: Call, preface = "恐れ入りますが、もう一度お願いします。"): Outcome {
  if (preface !== "") call.answers.wrong = (call.answers.wrong ?? 0) + 1;
  return { twiml: render(t, node, call, preface) };
}

async function answer(services: Services, t: Twiml, node: IvrNode, call: Call, rawParams: Params): Promise<Outcome> {
  let params = rawParams;
  // Speech becomes the key it stands for, so each node's keypad logic below decides. A low-Confidence
  // answer is not taken: it is read back, and 1 takes it (speech_confirm).
  const reader = SPEECH_READERS[node];
  const speech = params.SpeechResult?.trim();
  if (reader && !params.Digits && speech) {
    const heard = reader(speech);
    if (heard.kind === "repeat") {
      params = { ...params, Digits: "*", SpeechResult: undefined };
    } else if (heard.kind === "none") {
      // Not understood: the node asks again in its own words.
      params = { ...params, SpeechResult: "" };
    } else if (isLowConfidence(params.Confidence)) {
      if (node === "speech_confirm") return again(t, node, call, "恐れ入りますが、ボタンでお答えください。");
      call.answers.heard = { node, key: heard.key };
      return goTo(t, "speech_confirm", call);
    } else {
      params = { ...params, Digits: heard.key, SpeechResult: undefined };
    }
  }
  const given = input(params);
  switch (node) {
    case "menu": {
      const choice = readChoice(given, ["1", "2", "3", "4", "0"] as const, {
        "1": ["申し込み", "もうしこみ"],
        "2": ["状況", "じょうきょう", "確認"],
        "3": ["申込書", "郵送"],
        "4": ["解除", "かいじょ"],
        "0": ["オペレーター"],
      });
      if (choice === "repeat") return again(t, "menu", call, "");
      if (choice === null) return again(t, "menu", call);
      if (choice === "0") {
        call.purpose = "operator";
        return { twiml: operatorOrMessage(services, t), finished: true };
      }
      if (choice === "2") return statusByCaller(services, t, call);
      if (choice === "3") {
        call.purpose = "form";
        return goTo(t, "form_name", call);
      }
      // Applying and cancelling happen from the line itself: the caller ID is the proof.
      const check = lineCheck(call.from);
      if (!check.ok) return { twiml: t.goodbye(check.message), finished: true };
      if (choice === "1") {
        call.purpose = "apply";
        return goTo(t, "apply_scope", call);
      }
      call.purpose = "cancel";
      return goTo(t, "cancel_who", call);
    }
    case "apply_scope": {
      const choice = readChoice(given, ["1", "2", "3"] as const, { "1": ["着信"], "2": ["両方", "りょうほう"], "3": ["発信"] });
      if (choice === "repeat" || choice === null) return again(t, node, call, choice === "repeat" ? "" : undefined);
      call.answers.scopes = choice === "1" ? ["incoming"] : choice === "2" ? ["incoming", "outgoing"] : ["outgoing"];
      return goTo(t, "apply_carrier", call);
    }
    case "apply_carrier": {
      const choice = readChoice(given, ["1", "2", "3"] as const, { "1": ["NTT", "エヌティティ"], "2": ["ほか", "その他"], "3": ["わからない", "分からない"] });
      if (choice === "repeat" || choice === null) return again(t, node, call, choice === "repeat" ? "" : undefined);
      if (choice === "2") return goTo(t, "apply_carrier_other", call);
      call.answers.carrierChoice = choice === "3" ? "unknown" : (nttRegionForNumber(nationalOf(call.from!)) ?? "unknown");
      return goTo(t, "apply_name", call);
    }
    case "apply_carrier_other": {
      const choice = readChoice(given, ["1", "2", "3"] as const, { "1": ["KDDI", "ケーディーディーアイ", "au"], "2": ["ソフトバンク"], "3": ["ドコモ"] });
      if (choice === "repeat" || choice === null) return again(t, node, call, choice === "repeat" ? "" : undefined);
      call.answers.carrierChoice = choice === "1" ? "kddi" : choice === "2" ? "softbank" : "ntt-docomo-business";
      return goTo(t, "apply_name", call);
    }
    case "apply_name":
    case "form_name": {
      if (given.digits === "*") return again(t, node, call, "");
      // Speech may fail on a name; the recording that follows is what an operator checks.
      call.answers.nameSpeech = (given.speech ?? "").trim() || null;
      return goTo(t, node === "apply_name" ? "apply_name_record" : "form_name_record", call);
    }
    case "apply_name_record":
      call.answers.nameRecordingUrl = params.RecordingUrl ?? null;
      return goTo(t, "apply_who", call);
    case "apply_who":
    case "cancel_who": {
      const choice = readChoice(given, ["1", "2"] as const, { "1": ["本人", "ほんにん", "はい"], "2": ["家族", "かぞく"] });
      if (choice === "repeat" || choice === null) return again(t, node, call, choice === "repeat" ? "" : undefined);
      call.answers.relation = choice === "1" ? "self" : "family";
      if (node === "apply_who" && choice === "2") return goTo(t, "apply_contact", call);
      return goTo(t, node === "apply_who" ? "apply_confirm" : "cancel_confirm", call);
    }
    case "apply_contact": {
      if (given.digits === "*") return again(t, node, call, "");
      const keyed = readDigits(given);
      if (keyed === "0") {
        call.answers.contactPhone = null;
        return goTo(t, "apply_confirm", call);
      }
      const contact = keyed ? callbackDigits(keyed) : null;
      if (!contact) return again(t, node, call, "電話番号を確認できませんでした。市外局番から、10けたか11けたの数字を押してください。");
      call.answers.contactPhone = contact;
      return goTo(t, "apply_confirm", call);
    }
    case "apply_confirm": {
      const choice = readChoice(given, ["1", "2"] as const, { "1": ["はい", "お願いします"], "2": ["いいえ", "やり直す"] });
      if (choice === "repeat" || choice === null) return again(t, node, call, choice === "repeat" ? "" : undefined);
      if (choice === "2") {
        call.answers = {};
        return goTo(t, "apply_scope", call, "はじめからお伺いします。");
      }
      return applyFromCall(services, t, call);
    }
    case "status_reference": {
      if (given.digits === "*") return again(t, node, call, "");
      const digits = readDigits(given);
      const parsed = parseReference(digits ?? "");
      if (!parsed.ok) return again(t, node, call, "受付番号を確認できませんでした。");
      return statusByReference(services, t, call, parsed.reference);
    }
    case "form_name_record":
      call.answers.nameRecordingUrl = params.RecordingUrl ?? null;
      return goTo(t, "form_postal", call);
    case "form_postal": {
      if (given.digits === "*") return again(t, node, call, "");
      // "I don't know": 0 then # (Twilio ends a Gather on # only after a digit), or 「わからない」.
      if (postalUnknown(given)) {
        delete call.answers.postalCode;
        return goTo(t, "form_address", call, "郵便番号は、ご住所からお調べします。");
      }
      const digits = readDigits(given);
      if (!digits || digits.length !== 7) return again(t, node, call, "郵便番号は7けたです。");
      call.answers.postalCode = digits;
      return goTo(t, "form_address", call);
    }
    case "form_address":
      if (given.digits === "*") return again(t, node, call, "");
      call.answers.addressSpeech = (given.speech ?? "").trim() || null;
      return goTo(t, "form_address_record", call);
    case "form_address_record":
      call.answers.addressRecordingUrl = params.RecordingUrl ?? null;
      return goTo(t, "form_confirm", call);
    case "form_confirm": {
      const choice = readChoice(given, ["1", "2"] as const, { "1": ["はい", "お願いします"], "2": ["いいえ", "やめる"] });
      if (choice === "repeat" || choice === null) return again(t, node, call, choice === "repeat" ? "" : undefined);
      if (choice === "2") return { twiml: t.goodbye("申込書の郵送を取りやめました。お電話ありがとうございました。"), finished: true };
      return formByMail(services, t, call);
    }
    case "cancel_confirm": {
      const choice = readChoice(given, ["1", "2"] as const, { "1": ["はい", "お願いします"], "2": ["いいえ", "やめる"] });
      if (choice === "repeat" || choice === null) return again(t, node, call, choice === "repeat" ? "" : undefined);
      if (choice === "2") return { twiml: t.goodbye("解除のお申し込みを取りやめました。国際電話は止まったままです。お電話ありがとうございました。"), finished: true };
      return cancelFromCall(services, t, call);
    }
    case "call_in_code": {
      if (given.digits === "*") return again(t, node, call, "");
      // The main menu stays within reach of a caller whose line has a pending web code.
      if (given.digits?.replace(/#/g, "") === "9" || /メニュー|ほかの|他の/.test(given.speech ?? "")) {
        call.purpose = null;
        return goTo(t, "menu", call);
      }
      const code = readDigits(given);
      if (!call.from || !code || code.length !== 4) return again(t, node, call, "4けたの番号を確認できませんでした。");
      const result = await verifyCallIn(services, call.from, code);
      if (result.ok) {
        return { twiml: t.goodbye("確認できました。ウェブの画面にもどって、「電話をかけ終わりました」を押してください。お電話ありがとうございました。"), finished: true };
      }
      if (result.reason === "wrong_code") return again(t, node, call, "番号が違います。画面の番号を、もう一度押してください。");
      return { twiml: t.goodbye("この確認番号は使えなくなりました。ウェブの画面から、もう一度お手続きをしてください。"), finished: true };
    }
    case "operator_done":
      return { twiml: t.goodbye(OPERATOR_FINISHED), finished: true };
    case "speech_confirm": {
      const heard = call.answers.heard;
      if (!heard) return goTo(t, "menu", call);
      const choice = readChoice(given, ["1", "2"] as const);
      if (choice === "repeat" || choice === null) return again(t, node, call, choice === "repeat" ? "" : undefined);
      delete call.answers.heard;
      if (choice === "2") return goTo(t, heard.node, call, "失礼いたしました。もう一度お願いします。");
      // Confirmed: exactly as if the caller had pressed the key at that question.
      call.node = heard.node;
      return answer(services, t, heard.node, call, { ...params, Digits: heard.key, SpeechResult: undefined, Confidence: undefined });
    }
  }
}

/** 0 (then #) or 「わからない」 at the postal-code question. */
export function postalUnknown(given: CallerInput): boolean {
  if (given.digits) return given.digits.replace(/#/g, "") === "0";
  return /わから|分から|わかりません|分かりません|知らない|しらない/.test(given.speech ?? "");
}

type LineCheck = { ok: true } | { ok: false; message: string };

/** The caller ID must be an eligible fixed line: a withheld number is told about 186. */
export function lineCheck(from: string | null): LineCheck {
  if (!from) {
    return {
      ok: false,
      message:
        "お電話の番号が通知されていないため、お手続きができません。お手数ですが、電話番号の前に、1、8、6をつけて、おかけ直しください。お電話ありがとうございました。",
    };
  }
  const parsed = parseJapaneseNumber(nationalOf(from));
  if (!parsed.ok) {
    return {
      ok: false,
      message: `${parsed.message} 国際電話を止めたい固定電話から、おかけ直しください。お電話ありがとうございました。`,
    };
  }
  return { ok: true };
}

async function applyFromCall(services: Services, t: Twiml, call: Call): Promise<Outcome> {
  const a = call.answers;
  const result = await submitApplication(services, {
    channel: "ivr",
    idempotencyKey: `ivr:${call.callSid}`,
    actor: "ivr",
    lineE164: call.from!,
    scopes: a.scopes ?? ["incoming"],
    relation: a.relation ?? "self",
    relationDetail: a.relation === "family" ? "家族（電話）" : null,
    // The family caller's own number: the cooling-off of a later withdrawal can tell them (ADR 029).
    contactPhone: a.relation === "family" ? (a.contactPhone ?? null) : null,
    subscriberName: a.nameSpeech ?? null,
    // Heard by speech recognition: advisory, travels to the carrier marked unverified (ADR 015).
    nameUnverified: Boolean(a.nameSpeech),
    carrierChoice: a.carrierChoice ?? "unknown",
    verification: { method: "caller_id", verifiedAt: services.now(), consentAt: null },
  });
  if (result.kind === "already_covered") {
    // The caller is on the line itself (caller ID): say which application covers it and where it is, so
    // a caller whose first call dropped before the reference was read still hears it.
    const [row] = await services.db
      .select({ status: applications.status, reference: applications.reference })
      .from(applications)
      .innerJoin(lines, eq(lines.id, applications.lineId))
      .where(and(eq(lines.e164, call.from!), inArray(applications.status, COVERING_STATUSES)))
      .orderBy(desc(applications.createdAt))
      .limit(1);
    const already = "この電話番号は、すでにお申し込みを受け付けています。新しいお申し込みは不要です。";
    return { twiml: t.goodbye(row ? `${already}${statusSentence(row.status as ApplicationStatus, row.reference)}` : `${already}お電話ありがとうございました。`), finished: true };
  }
  if (result.kind === "not_routable") {
    return { twiml: t.goodbye(`${result.message} お電話ありがとうございました。`), finished: true };
  }
  call.made = { applicationId: result.applicationId };
  call.answers.reference = result.reference;
  const groups = speakableGroups(result.reference).map(spellDigits).join("、の、");
  // Issue 15, point 4: what was not sent to the carrier, and the carrier's number (the same words as the web).
  const reminder = result.kind === "created" && result.refusedScopes.length > 0 ? await directReminderText(services.db, result.applicationId) : null;
  const refused = reminder ? reminder.sentences.join("") : result.kind === "created" ? result.refusedScopes.map((r) => r.message).join("") : "";
  return {
    twiml: t.goodbye(
      `お申し込みを受け付けました。${refused}受付番号を申し上げます。${groups}。もう一度申し上げます。${groups}。手続きが終わりましたら、お知らせします。お電話ありがとうございました。`,
    ),
    finished: true,
  };
}

async function statusByCaller(services: Services, t: Twiml, call: Call): Promise<Outcome> {
  call.purpose = "status";
  if (call.from) {
    // A paper or FAX application for this line waits for the line's confirmation: the caller ID is the
    // line, so the subscriber can give it now instead of waiting for our call.
    const confirmation = await confirmPaperFromLine(services, call.from);
    if (confirmation) {
      return { twiml: t.handOver("郵便かファクスでいただいたお申し込みを、確認しているところです。", `/ivr/paper/${confirmation.verificationId}`), finished: true };
    }
    const [row] = await services.db
      .select({ id: applications.id, status: applications.status, reference: applications.reference })
      .from(applications)
      .innerJoin(lines, eq(lines.id, applications.lineId))
      .where(eq(lines.e164, call.from))
      .orderBy(desc(applications.createdAt))
      .limit(1);
    if (row) return { twiml: t.goodbye(statusSentence(row.status as ApplicationStatus, row.reference, await spokenReminder(services, row.id))), finished: true };
  }
  return goTo(t, "status_reference", call, call.from ? "この電話番号のお申し込みが見つかりませんでした。" : "");
}

async function statusByReference(services: Services, t: Twiml, call: Call, reference: string): Promise<Outcome> {
  const [row] = await services.db.select({ id: applications.id, status: applications.status }).from(applications).where(eq(applications.reference, reference));
  if (!row) return again(t, "status_reference", call, "その受付番号のお申し込みが見つかりませんでした。");
  return { twiml: t.goodbye(statusSentence(row.status as ApplicationStatus, reference, await spokenReminder(services, row.id))), finished: true };
}

/** Issue 15, point 4: a scope the carrier takes only directly, said again on every status read-back. */
async function spokenReminder(services: Services, applicationId: string): Promise<string> {
  const reminder = await directReminderText(services.db, applicationId);
  return reminder ? `${reminder.title}。${reminder.sentences.join("")}` : "";
}

function statusSentence(status: ApplicationStatus, reference: string, reminder = ""): string {
  const label = STATUS_LABELS[status];
  return `受付番号、${speakableGroups(reference).map(spellDigits).join("、の、")}、のお申し込みは、${label.label}。${label.description}${reminder}お電話ありがとうございました。`;
}

async function formByMail(services: Services, t: Twiml, call: Call): Promise<Outcome> {
  const a = call.answers;
  const outboxId = await services.comms.queueLetter({
    idempotencyKey: `ivr-form:${call.callSid}`,
    purpose: "form_request",
    to: [a.postalCode ? `〒${a.postalCode}` : "", a.addressSpeech ?? "", a.nameSpeech ?? ""].filter(Boolean).join(" "),
    template: "application-form-prefilled",
    data: {
      requestId: call.id,
      number: call.from,
      name: a.nameSpeech ?? null,
      postalCode: a.postalCode ?? null,
      address: a.addressSpeech ?? null,
      // The recordings let an operator correct what speech recognition wrote before printing.
      nameRecordingUrl: a.nameRecordingUrl ?? null,
      addressRecordingUrl: a.addressRecordingUrl ?? null,
      needsCheck: true,
    },
  });
  call.made = { outboxId };
  return {
    twiml: t.goodbye("申込書をお送りします。1週間ほどでお届けします。記入して、同封の封筒でお送りください。お電話ありがとうございました。"),
    finished: true,
  };
}

/**
 * Menu 4 takes the request only. The cancellation rules decide; nothing here turns international
 * calls back on (the subscriber's confirmation and the cooling-off come later).
 */
async function cancelFromCall(services: Services, t: Twiml, call: Call): Promise<Outcome> {
  const result = await requestCancellationFromCall(services, { callSid: call.callSid, ivrCallId: call.id, lineE164: call.from!, relation: call.answers.relation ?? "self" });
  if (result.kind === "nothing_to_cancel") {
    return { twiml: t.goodbye("この電話番号で、止めている国際電話や、お手続き中のお申し込みは見つかりませんでした。お電話ありがとうございました。"), finished: true };
  }
  call.made = { cancellationId: result.cancellationId };
  return {
    twiml: t.goodbye(
      "解除のお申し込みを受け付けました。センターで確認してから、お手続きをします。すぐには、国際電話はつながるようになりません。お電話ありがとうございました。",
    ),
    finished: true,
  };
}
