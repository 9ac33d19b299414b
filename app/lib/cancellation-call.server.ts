/**
 * What the cancellation confirmation call says (TwiML), for the Twilio webhooks
 * /ivr/cancellation/:id and /ivr/cancellation/:id/answer (":id" is the call's verification row).
 * It asks the SUBSCRIBER, naming the request plainly: 1 to agree, 2 to refuse.
 */
import twilio from "twilio";
import { confirmationCallQuestion, recordSubscriberAnswer } from "./cancellations.server";
import type { Services } from "./services.server";
import { voiceOf } from "./twiml-voice";
import { consentAnswer } from "./verification-call.server";

function gather(response: twilio.twiml.VoiceResponse, services: Services, verificationId: string, prompt: string) {
  const g = response.gather({
    input: ["dtmf", "speech"],
    numDigits: 1,
    timeout: 8,
    language: "ja-JP",
    hints: "はい,いいえ,同意する,同意しない",
    action: `${services.config.publicBaseUrl}/ivr/cancellation/${verificationId}/answer`,
    method: "POST",
  });
  g.say(voiceOf(services.config), prompt);
}

const ENDED = "国際電話不取扱受付センターです。このお電話の確認は、終わっています。失礼いたします。";
const NO_ANSWER =
  "ボタンが押されませんでした。国際電話は、止めたままにします。あとで、センターの係の者から、もう一度お電話することがあります。失礼いたします。";

/** The subscriber picked up: the question, twice, then goodbye without changing anything. */
export async function cancellationCallTwiml(services: Services, verificationId: string): Promise<string> {
  const VOICE = voiceOf(services.config);
  const response = new twilio.twiml.VoiceResponse();
  const question = await confirmationCallQuestion(services, verificationId);
  if (!question.ok) {
    response.say(VOICE, ENDED);
    response.hangup();
    return response.toString();
  }
  gather(response, services, verificationId, question.prompt);
  gather(response, services, verificationId, `もう一度申し上げます。${question.prompt}`);
  response.say(VOICE, NO_ANSWER);
  response.hangup();
  return response.toString();
}

/** The key press (or speech): 1 confirms, 2 refuses, anything else asks once more. */
export async function cancellationAnswerTwiml(services: Services, verificationId: string, params: { Digits?: string; SpeechResult?: string }): Promise<string> {
  const VOICE = voiceOf(services.config);
  const response = new twilio.twiml.VoiceResponse();
  const answer = consentAnswer(params);
  if (answer === null) {
    const question = await confirmationCallQuestion(services, verificationId);
    if (question.ok) gather(response, services, verificationId, `聞き取れませんでした。${question.prompt}`);
    response.say(VOICE, question.ok ? NO_ANSWER : ENDED);
    response.hangup();
    return response.toString();
  }
  const result = await recordSubscriberAnswer(services, verificationId, answer);
  if (!result.ok) {
    response.say(VOICE, "このお電話の確認は、有効期限が過ぎています。国際電話は、止めたままです。失礼いたします。");
  } else if (result.answer === "agreed") {
    // Says what happens next as it is: done (a withdrawal), the notice period (a resumption), or a person first.
    const next =
      result.status === "approved" && result.kind === "withdrawal"
        ? "お申し込みを、取り下げました。国際電話は、止まりません。"
        : result.status === "cooling_off"
          ? "最初にお申し込みをされた方にもお知らせするため、国際電話がつながるようになるまで、数日かかります。"
          : result.kind === "resumption"
            ? "センターで確かめてから、お手続きをします。国際電話がつながるようになるまで、数日かかります。"
            : "センターで確かめてから、お申し込みを取り下げます。";
    response.say(VOICE, `ありがとうございます。同意されたことを、承りました。${next}センターが、お金や暗証番号をお聞きすることはありません。失礼いたします。`);
  } else {
    const kept = result.kind === "resumption" ? "国際電話は、止めたままにします。" : "国際電話を止めるお申し込みは、そのまま進めます。";
    response.say(VOICE, `同意されないことを、承りました。${kept}お電話ありがとうございました。`);
  }
  response.hangup();
  return response.toString();
}
