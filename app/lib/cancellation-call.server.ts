/**
 * What the cancellation confirmation call says (TwiML), for the Twilio webhooks
 * /ivr/cancellation/:id and /ivr/cancellation/:id/answer (":id" is the call's verification row).
 * It asks the SUBSCRIBER, naming the request plainly: 1 to agree, 2 to refuse.
 */
import { confirmationCallQuestion, recordSubscriberAnswer } from "./cancellations.server";
import type { Services } from "./services.server";
import { askAgainTwiml, goodbyeTwiml, questionTwiml, type YesNoCall } from "./yes-no-call-twiml";
import { consentAnswer } from "./verification-call.server";

const cancellationCall = (verificationId: string): YesNoCall => ({
  answerPath: `/ivr/cancellation/${verificationId}/answer`,
  ended: "国際電話不取扱受付センターです。このお電話の確認は、終わっています。失礼いたします。",
  noAnswer:
    "ボタンが押されませんでした。国際電話は、止めたままにします。あとで、センターの係の者から、もう一度お電話することがあります。失礼いたします。",
});

/** The subscriber picked up: the question, twice, then goodbye without changing anything. */
export async function cancellationCallTwiml(services: Services, verificationId: string): Promise<string> {
  const question = await confirmationCallQuestion(services, verificationId);
  return questionTwiml(services, cancellationCall(verificationId), question.ok ? question.prompt : null);
}

/** The key press (or speech): 1 confirms, 2 refuses, anything else asks once more. */
export async function cancellationAnswerTwiml(
  services: Services,
  verificationId: string,
  params: { Digits?: string; SpeechResult?: string; Confidence?: string },
): Promise<string> {
  const answer = consentAnswer(params);
  if (answer === null) {
    const question = await confirmationCallQuestion(services, verificationId);
    return askAgainTwiml(services, cancellationCall(verificationId), question.ok ? question.prompt : null);
  }
  const result = await recordSubscriberAnswer(services, verificationId, answer);
  if (!result.ok) return goodbyeTwiml(services, "このお電話の確認は、有効期限が過ぎています。国際電話は、止めたままです。失礼いたします。");
  if (result.answer === "agreed") {
    // Says what happens next as it is: done (a withdrawal), the notice period (a resumption), or a person first.
    const next =
      result.status === "approved" && result.kind === "withdrawal"
        ? "お申し込みを、取り下げました。国際電話は、止まりません。"
        : result.status === "cooling_off"
          ? "最初にお申し込みをされた方にもお知らせするため、国際電話がつながるようになるまで、数日かかります。"
          : result.kind === "resumption"
            ? "センターで確かめてから、お手続きをします。国際電話がつながるようになるまで、数日かかります。"
            : "センターで確かめてから、お申し込みを取り下げます。";
    return goodbyeTwiml(services, `ありがとうございます。同意されたことを、承りました。${next}センターが、お金や暗証番号をお聞きすることはありません。失礼いたします。`);
  }
  const kept = result.kind === "resumption" ? "国際電話は、止めたままにします。" : "国際電話を止めるお申し込みは、そのまま進めます。";
  return goodbyeTwiml(services, `同意されないことを、承りました。${kept}お電話ありがとうございました。`);
}
