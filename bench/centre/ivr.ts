/**
 * People on the phone: calls to the IVR signed as Twilio signs them (CallSimulator), answered prompt by
 * prompt. The prompt is known by its node (the Gather's action URL), so the caller answers whatever the
 * IVR asks next; a prompt the bench does not know is met with silence and recorded.
 */
import { CallSimulator, type Turn } from "../../app/lib/ivr-simulator.server";
import type { CancellationPlan, Submission } from "./plan";
import { Random } from "../../test/fixtures/forms/random";

export type IvrContext = { serverUrl: string; publicBaseUrl: string; authToken: string; centreNumber: string };

export type IvrResult = { callSid: string; says: string[]; reference: string | null; unknownPrompts: string[]; ended: boolean };

function nodeOf(turn: Turn): string | null {
  if (turn.waiting.kind !== "gather") return null;
  try {
    return new URL(turn.waiting.action, "http://x").searchParams.get("node");
  } catch {
    return null;
  }
}

type Reply = { digits: string } | { speech: string } | { record: true } | { silence: true };

async function play(call: CallSimulator, answer: (node: string) => Reply | null): Promise<IvrResult> {
  let turn = await call.start();
  const unknownPrompts: string[] = [];
  for (let hops = 0; hops < 40 && turn.waiting.kind !== "ended"; hops++) {
    if (turn.waiting.kind === "record") {
      turn = await call.record();
      continue;
    }
    const node = nodeOf(turn) ?? "?";
    const reply = answer(node);
    if (!reply) {
      unknownPrompts.push(node);
      if (turn.waiting.kind === "gather" && turn.waiting.silenceUrl) turn = await call.silence();
      else break;
      continue;
    }
    if ("digits" in reply) turn = await call.press(reply.digits);
    else if ("speech" in reply) turn = await call.speak(reply.speech);
    else if ("silence" in reply && turn.waiting.kind === "gather" && turn.waiting.silenceUrl) turn = await call.silence();
    else break;
  }
  await call.hangup();
  const text = call.transcript.join(" ");
  const spoken = text.match(/受付番号を申し上げます。(.+?)。/)?.[1];
  return { callSid: call.callSid, says: call.transcript, reference: spoken ? spoken.replace(/\D/g, "") || null : null, unknownPrompts, ended: true };
}

function simulator(ctx: IvrContext, from: string): CallSimulator {
  return new CallSimulator({ serverUrl: ctx.serverUrl, publicBaseUrl: ctx.publicBaseUrl, authToken: ctx.authToken, from, to: ctx.centreNumber });
}

/** An application by phone from the line, in the caller's own way of answering. */
export async function ivrApplication(ctx: IvrContext, sub: Submission): Promise<IvrResult> {
  const rnd = new Random(sub.pageSeed ^ 0x2545f491);
  if (sub.withheldFirst) {
    // The first try comes with the number withheld: the IVR says to dial 186 first, and the caller does.
    await play(simulator(ctx, "anonymous"), (node) => (node === "menu" ? { digits: "1" } : null));
  }
  const voice = (digits: string, words: string): Reply => (sub.speech && rnd.chance(0.6) ? { speech: words } : { digits });
  const scopeKey = sub.scopes.length === 2 ? "2" : sub.scopes[0] === "incoming" ? "1" : "3";
  const scopeWords = sub.scopes.length === 2 ? "りょうほう" : sub.scopes[0] === "incoming" ? "着信だけ" : "発信だけ";
  const carrier = sub.carrier;
  const nttLike = carrier === "ntt" || carrier === "ntt-east" || carrier === "ntt-west";
  return play(simulator(ctx, sub.e164), (node) => {
    switch (node) {
      case "menu":
        return voice("1", "申し込み");
      case "apply_scope":
        return voice(scopeKey, scopeWords);
      case "apply_carrier":
        if (carrier === "unknown") return voice("3", "わからない");
        return nttLike ? voice("1", "NTT") : voice("2", "ほかの会社");
      case "apply_carrier_other":
        return carrier === "kddi" ? voice("1", "KDDI") : carrier === "softbank" ? voice("2", "ソフトバンク") : voice("3", "ドコモ");
      case "apply_name":
        return { speech: sub.nameGiven };
      case "apply_who":
        return sub.relation === "self" ? voice("1", "本人") : voice("2", "家族");
      case "apply_contact":
        // A family caller gives their own mobile (every family applicant in the plan has one).
        return { digits: sub.applicantContact ? `${sub.applicantContact}#` : "0#" };
      case "apply_confirm":
        return voice("1", "はい");
      default:
        return null;
    }
  });
}

/** A cancellation by phone from the line (the subscriber, or a family member at the subscriber's home). */
export async function ivrCancellation(ctx: IvrContext, plan: CancellationPlan, from: string): Promise<IvrResult> {
  return play(simulator(ctx, from), (node) => {
    switch (node) {
      case "menu":
        return { digits: "4" };
      case "cancel_who":
        return { digits: plan.relation === "self" ? "1" : "2" };
      case "cancel_confirm":
        return { digits: "1" };
      default:
        return null;
    }
  });
}

/**
 * The subscriber calls the centre from the line after a message on the answering machine asked for it
 * (ADR 029): the IVR asks the waiting paper application's question first, and the subscriber answers
 * 1 (it is what they asked for) or 2. Anything else (the menu: nothing waits any more) and they hang up.
 * Returns what was asked, or null when the call did not ask about a paper application.
 */
export async function ivrPaperCallIn(ctx: IvrContext, from: string, agrees: boolean): Promise<{ answered: boolean; says: string[] }> {
  const call = simulator(ctx, from);
  let turn = await call.start();
  let answered = false;
  if (turn.waiting.kind === "gather" && /\/ivr\/paper\/[^/]+\/answer/.test(turn.waiting.action)) {
    turn = await call.press(agrees ? "1" : "2");
    answered = true;
  }
  await call.hangup();
  return { answered, says: call.transcript };
}
