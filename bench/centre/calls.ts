/**
 * The subscribers' phones: every call and SMS the centre places (outbox rows, delivered by the offline
 * provider) reaches the persona who owns the number. A call with a `url` is played as Twilio plays an
 * outbound call: POST to the URL signed as Twilio signs it, follow the TwiML, and answer the <Gather>
 * with 1 (agree) or 2 (refuse) — or the phone is not picked up. A `say` call is listened to (codes are
 * read this way). Nothing here looks inside the service: what a person hears is what they act on.
 *
 * Which question a call asks is read from the row: a call tied to a cancellation asks about turning
 * international calls back on; any other asks the subscriber to agree to a suspension.
 */
import { and, gte, inArray } from "drizzle-orm";
import { outbox } from "../../db/schema";
import { machineDetectionFor, type CallContent } from "../../app/lib/comms.server";
import { CallSimulator, parseTwiml } from "../../app/lib/ivr-simulator.server";
import type { Services } from "../../app/lib/services.server";
import { Random } from "../../test/fixtures/forms/random";
import type { IvrContext } from "./ivr";
import type { Persona, Plan } from "./plan";
import { HOUR } from "./clock";

export type PhoneStats = {
  byPurpose: Map<string, { placed: number; answered: number; pressed1: number; pressed2: number; notAnswered: number; toNobody: number; machine: number; messages: number }>;
  sms: number;
  errors: string[];
};

export type PhoneEvents = {
  /** A 4-digit code heard on a call to this number. */
  onCode(to: string, code: string): void;
  /** A message (SMS or a call read aloud) with an objection code reached this number. */
  onNotice(to: string, text: string): Promise<void>;
  /** The subscriber of this line pressed 1 to a call about turning calls back on. */
  onResumeConfirmed(persona: Persona, at: Date): void;
  /** The answering machine of this line recorded a message asking to call the centre from it. */
  onCallBackMessage(persona: Persona, heardAt: Date): void;
};

/** The code a verification call reads out (「確認番号は、1、2、3、4、です」). */
export function codeIn(text: string): string | null {
  const match = text.match(/確認番号は、?((?:\d、?){4})/);
  return match ? match[1]!.replace(/\D/g, "") : null;
}

export function createPhones(services: Services, plan: Plan, ivr: IvrContext, events: PhoneEvents, seed: number) {
  const handled = new Set<string>();
  let watermark = new Date(0);
  const rnd = new Random(seed ^ 0x68e31da4);
  const stats: PhoneStats = { byPurpose: new Map(), sms: 0, errors: [] };
  const tally = (purpose: string) => {
    let t = stats.byPurpose.get(purpose);
    if (!t) stats.byPurpose.set(purpose, (t = { placed: 0, answered: 0, pressed1: 0, pressed2: 0, notAnswered: 0, toNobody: 0, machine: 0, messages: 0 }));
    return t;
  };

  const picksUp = (persona: Persona) => persona.pickup === "always" || (persona.pickup === "sometimes" && rnd.chance(0.5));

  /**
   * Plays an outbound call whose TwiML lives at `url`, pressing `digit` at the first question. With
   * `answeredBy`, a machine took the call: Twilio's first request carries what detection decided.
   */
  async function answerUrlCall(url: string, to: string, digit: string, answeredBy?: string): Promise<string[]> {
    const call = new CallSimulator({ serverUrl: ivr.serverUrl, publicBaseUrl: ivr.publicBaseUrl, authToken: ivr.authToken, from: ivr.centreNumber, to });
    const extra: Record<string, string> = { Direction: "outbound-api", From: ivr.centreNumber, To: to, ...(answeredBy ? { AnsweredBy: answeredBy } : {}) };
    const says: string[] = [];
    let next: { url: string; params: Record<string, string> } | null = { url, params: extra };
    let pressed = false;
    for (let hops = 0; next && hops < 10; hops++) {
      const response = await call.post(next.url, next.params);
      if (!response.ok) throw new Error(`call webhook ${new URL(next.url).pathname} answered ${response.status}`);
      const verbs = parseTwiml(await response.text());
      next = null;
      for (const verb of verbs) {
        if (verb.type === "say") says.push(verb.text);
        else if (verb.type === "gather") {
          says.push(...verb.says);
          if (!pressed) {
            pressed = true;
            next = { url: verb.action, params: { ...extra, Digits: digit } };
            break;
          }
        } else if (verb.type === "redirect") {
          next = { url: verb.url, params: extra };
          break;
        } else if (verb.type === "hangup") break;
      }
    }
    return says;
  }

  async function handle(row: typeof outbox.$inferSelect): Promise<void> {
    const to = services.pii.open(row.toEnc);
    const body = services.pii.open(row.bodyEnc);
    const persona = plan.personas.get(to);
    const contact = plan.contacts.get(to);
    if (row.channel === "sms") {
      stats.sms++;
      if (contact || persona) await events.onNotice(to, body);
      return;
    }
    const t = tally(row.purpose);
    t.placed++;
    const content = JSON.parse(body) as CallContent;
    if (!persona && !contact) t.toNobody++;
    if (content.kind === "say") {
      // A call read aloud: whoever holds the phone hears it.
      if (!persona && !contact) {
        t.notAnswered++;
        return;
      }
      t.answered++;
      const code = codeIn(content.text);
      if (code) events.onCode(to, code);
      if (content.text.includes("確認コード")) await events.onNotice(to, content.text);
      return;
    }
    let digit: "1" | "2" | null;
    const aboutResumption = row.cancellationId !== null;
    if (!persona) {
      // A number nobody in the bench owns (a misread digit): a stranger hangs up or says no.
      digit = rnd.chance(0.5) ? null : "2";
    } else if (aboutResumption) {
      const answer = persona.cancellation?.subscriberAnswer ?? "refuse";
      digit = answer === "no_answer" ? null : answer === "press_1" ? "1" : "2";
    } else {
      digit = picksUp(persona) ? (persona.wanted.length > 0 ? "1" : "2") : null;
    }
    if (digit === null) {
      t.notAnswered++;
      // The subscriber did not pick up; a machine does, if the line has one. Twilio's detection says
      // what the call asked for (MachineDetection, as comms.server.ts places it): the greeting's end
      // for a call that leaves a message, the machine's first words otherwise.
      const detection = machineDetectionFor(content);
      if (persona?.answeringMachine && detection) {
        t.machine++;
        const recorded = (await answerUrlCall(content.url, to, "", detection === "DetectMessageEnd" ? "machine_end_beep" : "machine_start")).join(" ");
        // What the subscriber hears when playing the messages back: a request to call from this phone.
        if (recorded.includes("この電話から")) {
          t.messages++;
          events.onCallBackMessage(persona, services.now());
        }
      }
      return;
    }
    t.answered++;
    if (digit === "1") t.pressed1++;
    else t.pressed2++;
    const says = await answerUrlCall(content.url, to, digit);
    if (persona && aboutResumption && digit === "1") events.onResumeConfirmed(persona, services.now());
    const code = codeIn(says.join(" "));
    if (code) events.onCode(to, code);
  }

  /** Every call and SMS delivered since the last look. */
  async function poll(): Promise<number> {
    const rows = await services.db
      .select()
      .from(outbox)
      .where(and(inArray(outbox.channel, ["call", "sms"]), inArray(outbox.status, ["held", "sent"]), gte(outbox.createdAt, watermark)))
      .orderBy(outbox.createdAt);
    let n = 0;
    for (const row of rows) {
      if (handled.has(row.id)) continue;
      handled.add(row.id);
      n++;
      try {
        await handle(row);
      } catch (error) {
        if (stats.errors.length < 20) stats.errors.push(`${row.purpose}: ${(error as Error).message}`.slice(0, 300));
      }
    }
    // Rows are delivered within minutes of being written; look back a few hours to be safe.
    const latest = rows.at(-1)?.createdAt;
    if (latest) watermark = new Date(Math.max(watermark.getTime(), latest.getTime() - 6 * HOUR));
    return n;
  }

  return { poll, stats };
}
