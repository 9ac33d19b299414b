/**
 * The TwiML of the centre's yes/no calls to a subscriber (the cancellation confirmation, the paper
 * application confirmation): the question twice, 1 or 2 by key or by voice, then goodbye without
 * changing anything when no answer comes. One shape for every such call, so each reads the same to
 * the subscriber and each obeys Twilio's rules the same way (a <Gather> that hears nothing falls
 * through to the next verb, which must end the call politely).
 */
import twilio from "twilio";
import { MACHINE_MESSAGE, noteAnsweredBy } from "./comms-call-status.server";
import type { Services } from "./services.server";
import { voiceOf } from "./twiml-voice";

export type YesNoCall = {
  /** Path of the webhook that receives the key press, e.g. `/ivr/paper/<id>/answer`. */
  answerPath: string;
  /** Said when the call can no longer be answered (already answered, expired). */
  ended: string;
  /** Said when the subscriber pressed nothing. */
  noAnswer: string;
};

function ask(response: twilio.twiml.VoiceResponse, services: Services, call: YesNoCall, prompt: string) {
  const gather = response.gather({
    input: ["dtmf", "speech"],
    numDigits: 1,
    timeout: 8,
    language: "ja-JP",
    hints: "はい,いいえ,同意する,同意しない",
    action: `${services.config.publicBaseUrl}${call.answerPath}`,
    method: "POST",
  });
  gather.say(voiceOf(services.config), prompt);
}

/** The subscriber picked up: the question twice (null: the call has ended), then goodbye. */
export function questionTwiml(services: Services, call: YesNoCall, prompt: string | null): string {
  const response = new twilio.twiml.VoiceResponse();
  if (prompt === null) {
    response.say(voiceOf(services.config), call.ended);
  } else {
    ask(response, services, call, prompt);
    ask(response, services, call, `もう一度申し上げます。${prompt}`);
    response.say(voiceOf(services.config), call.noAnswer);
  }
  response.hangup();
  return response.toString();
}

/** An answer that was neither 1 nor 2: ask once more (null: the call has ended), then goodbye. */
export function askAgainTwiml(services: Services, call: YesNoCall, prompt: string | null): string {
  const response = new twilio.twiml.VoiceResponse();
  if (prompt !== null) ask(response, services, call, `聞き取れませんでした。${prompt}`);
  response.say(voiceOf(services.config), prompt === null ? call.ended : call.noAnswer);
  response.hangup();
  return response.toString();
}

/** The last words of the call. */
export function goodbyeTwiml(services: Services, text: string): string {
  const response = new twilio.twiml.VoiceResponse();
  response.say(voiceOf(services.config), text);
  response.hangup();
  return response.toString();
}

/**
 * Answering-machine detection on the centre's key-press calls (verification consent, cancellation and
 * paper confirmation): when Twilio's AnsweredBy says a machine or a fax picked up, the call only says
 * who called and hangs up, so no tone or word on the recording can ever confirm anything. The status
 * callback then records the outcome "machine" (and the call is retried like an unanswered one).
 * `voicemail` gives the message a call leaves on an answering machine after its greeting (null: none,
 * the call has ended); a call without one says only who called.
 * Returns that TwiML, or null when a person (or AnsweredBy unknown / absent) answered.
 */
export async function machineAnswerTwiml(
  services: Services,
  verificationId: string,
  params: Record<string, string | undefined>,
  voicemail?: (services: Services, verificationId: string) => Promise<string | null>,
): Promise<string | null> {
  if (!(await noteAnsweredBy(services, verificationId, params))) return null;
  // A message is left only after the greeting ended (MachineDetection=DetectMessageEnd), so the
  // recording holds it whole; a fax, or a machine heard at its start, only hears who called.
  const message = voicemail && isGreetingEnd(params.AnsweredBy) ? await voicemail(services, verificationId) : null;
  return goodbyeTwiml(services, message ?? MACHINE_MESSAGE);
}

/** Twilio's AnsweredBy once a machine's greeting ended (MachineDetection=DetectMessageEnd). */
export function isGreetingEnd(answeredBy: string | undefined): boolean {
  return answeredBy === "machine_end_beep" || answeredBy === "machine_end_silence" || answeredBy === "machine_end_other";
}
