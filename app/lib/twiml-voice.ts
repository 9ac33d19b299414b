/**
 * The one place that says how TwiML speaks: every <Say> (inbound IVR and outbound calls alike)
 * names a Japanese voice Twilio supports, with language ja-JP. Twilio's default voice is not
 * documented for ja-JP, so a prompt without a voice may fail or be read wrongly.
 * The voice is set with TWILIO_VOICE (app/lib/env.server.ts); Polly.Mizuki by default.
 */
import type VoiceResponse from "twilio/lib/twiml/VoiceResponse";

type SayVoice = NonNullable<VoiceResponse.SayAttributes["voice"]>;

/** ja-JP voices of Twilio's <Say> (Amazon Polly and Google), as listed in Twilio's TwiML reference. */
export const JA_JP_VOICES = [
  "Polly.Mizuki",
  "Polly.Takumi",
  "Polly.Kazuha-Neural",
  "Polly.Takumi-Neural",
  "Polly.Tomoko-Neural",
  "Google.ja-JP-Standard-A",
  "Google.ja-JP-Standard-B",
  "Google.ja-JP-Standard-C",
  "Google.ja-JP-Standard-D",
  "Google.ja-JP-Wavenet-A",
  "Google.ja-JP-Wavenet-B",
  "Google.ja-JP-Wavenet-C",
  "Google.ja-JP-Wavenet-D",
  "Google.ja-JP-Neural2-B",
  "Google.ja-JP-Neural2-C",
  "Google.ja-JP-Neural2-D",
] as const satisfies readonly SayVoice[];

export type JaVoice = (typeof JA_JP_VOICES)[number];

export const DEFAULT_TWILIO_VOICE: JaVoice = "Polly.Mizuki";

/** The attributes of every <Say>: `response.say(sayOptions(voice), text)`. */
export function sayOptions(voice: JaVoice | null | undefined = DEFAULT_TWILIO_VOICE): { voice: JaVoice; language: "ja-JP" } {
  return { voice: voice ?? DEFAULT_TWILIO_VOICE, language: "ja-JP" };
}

/** The configured voice's <Say> attributes (a configuration built by hand may leave it out). */
export function voiceOf(config: { twilioVoice?: JaVoice }): {
  voice: JaVoice;
  language: "ja-JP";
} {
  return sayOptions(config.twilioVoice);
}
