/**
 * What the verification call-back says when the subscriber answers (TwiML), used by the Twilio
 * webhook and by the back office's call simulator alike.
 */
import { and, eq } from "drizzle-orm";
import twilio from "twilio";
import { outbox } from "../../db/schema";
import type { CallContent } from "./comms.server";
import type { Services } from "./services.server";
import { hearConfirm, isLowConfidence } from "./speech";
import { voiceOf } from "./twiml-voice";
import { recordConsent, spokenCode } from "./verification.server";

function consentGather(response: twilio.twiml.VoiceResponse, services: Services, verificationId: string, prompt: string) {
  const gather = response.gather({
    input: ["dtmf", "speech"],
    numDigits: 1,
    timeout: 8,
    language: "ja-JP",
    hints: "はい,いいえ,同意する,同意しない",
    action: `${services.config.publicBaseUrl}/ivr/verification/${verificationId}/consent`,
    method: "POST",
  });
  gather.say(voiceOf(services.config), prompt);
}

async function promptFor(services: Services, verificationId: string): Promise<string | null> {
  const [row] = await services.db
    .select({ bodyEnc: outbox.bodyEnc })
    .from(outbox)
    .where(and(eq(outbox.verificationId, verificationId), eq(outbox.channel, "call")))
    .limit(1);
  if (!row) return null;
  const content = JSON.parse(services.pii.open(row.bodyEnc)) as CallContent;
  return content.kind === "url" ? content.fallbackText : null;
}

/** The subscriber picked up: ask for consent (press 1 / say はい), twice, then say goodbye. */
export async function verificationCallTwiml(services: Services, verificationId: string): Promise<string> {
  const VOICE = voiceOf(services.config);
  const response = new twilio.twiml.VoiceResponse();
  const prompt = await promptFor(services, verificationId);
  if (!prompt) {
    response.say(VOICE, "国際電話不取扱受付センターです。このお電話の確認は終わっています。失礼いたします。");
    response.hangup();
    return response.toString();
  }
  consentGather(response, services, verificationId, prompt);
  consentGather(response, services, verificationId, `もう一度申し上げます。${prompt}`);
  response.say(VOICE, "ボタンが押されませんでした。お申し込みは進みません。失礼いたします。");
  response.hangup();
  return response.toString();
}

/**
 * 1 / 「はい」「同意します」 (true), 2 / 「いいえ」「同意しません」 (false), or null: ask again. Speech is
 * read as people say it (app/lib/speech.ts: corrections, negation, 「1番です」); speech heard with low
 * Confidence is never taken as an answer on these calls, which only a key press or a clear word settles.
 */
export function consentAnswer(params: { Digits?: string; SpeechResult?: string; Confidence?: string }): boolean | null {
  if (params.Digits === "1") return true;
  if (params.Digits === "2") return false;
  if (params.Digits) return null;
  if (isLowConfidence(params.Confidence)) return null;
  const heard = hearConfirm(params.SpeechResult);
  return heard.kind === "key" ? heard.key === "1" : null;
}

/** The subscriber's answer: 1 reads a fresh code twice; 2 records the refusal; anything else asks again. */
export async function verificationConsentTwiml(services: Services, verificationId: string, params: { Digits?: string; SpeechResult?: string }): Promise<string> {
  const VOICE = voiceOf(services.config);
  const response = new twilio.twiml.VoiceResponse();
  const answer = consentAnswer(params);
  if (answer === null) {
    const prompt = (await promptFor(services, verificationId)) ?? "";
    consentGather(response, services, verificationId, `聞き取れませんでした。${prompt}`);
    response.say(VOICE, "失礼いたします。");
    response.hangup();
    return response.toString();
  }
  const result = await recordConsent(services, verificationId, answer);
  if (!result.ok) {
    response.say(VOICE, "このお電話の確認は、有効期限が過ぎています。失礼いたします。");
  } else if (result.consent === "agreed" && result.code) {
    response.say(VOICE, `ありがとうございます。${spokenCode(result.code)}`);
  } else {
    response.say(VOICE, "同意されないことを、承りました。このお申し込みは進みません。お電話ありがとうございました。");
  }
  response.hangup();
  return response.toString();
}
