/**
 * A phone call, played against the IVR webhooks the way Twilio plays it: POST /ivr/voice, follow
 * each TwiML verb, answer <Gather> with keys or speech (or silence), answer <Record>, hang up with a
 * status callback. Requests are signed exactly as Twilio signs them (X-Twilio-Signature over the
 * public URL and the posted parameters). Used by `npm run ivr` in a terminal and by the tests.
 *
 * Outbound calls (the centre calls a subscriber) are played the same way: `answer(url)` is Twilio
 * fetching the call's TwiML when the callee picks up (with AnsweredBy when machine detection was
 * requested), and `statusCallback(url, status)` is Twilio posting the call's progress to its
 * StatusCallback (initiated, ringing, in-progress, completed, busy, no-answer, failed, canceled).
 */
import { randomBytes } from "node:crypto";
import twilio from "twilio";

export type TwimlVerb =
  | { type: "say"; text: string; voice?: string; language?: string }
  | { type: "gather"; action: string; numDigits?: number; finishOnKey?: string; timeout?: number; input: string[]; says: string[] }
  | { type: "record"; action: string; timeout?: number; maxLength?: number }
  | { type: "redirect"; url: string }
  | { type: "dial"; number: string; action?: string }
  | { type: "hangup" };

/** The server did not answer at all (nothing listening on that port, or a wrong --url). */
export class ServerUnreachableError extends Error {
  constructor(readonly url: string, cause: unknown) {
    super(`could not reach ${url}`, { cause });
  }
}

/** A webhook answered with an HTTP error (403: the signature did not match the server's token). */
export class WebhookError extends Error {
  constructor(readonly url: string, readonly status: number) {
    super(`webhook ${url} answered ${status}`);
  }
}

/** The two setup mistakes of `npm run ivr`, in one plain line each (no stack trace); null for anything else. */
export function explainSetupError(error: unknown, serverUrl: string): string | null {
  if (error instanceof ServerUnreachableError) {
    return `サーバーに接続できません: ${serverUrl} でサーバーが動いていません。別の端末で npm start を実行するか、--url で動いているサーバーを指定してください。`;
  }
  if (error instanceof WebhookError && error.status === 403) {
    return "署名がサーバーに拒否されました (403): このコマンドとサーバーとで TWILIO_AUTH_TOKEN（未設定なら DATA_DIR）か PUBLIC_BASE_URL が違います。サーバーと同じ環境変数で実行してください。";
  }
  if (error instanceof WebhookError) return `サーバーがエラーを返しました (${error.status}): ${error.url}`;
  return null;
}

const numberOrUndefined = (v: string | undefined) => (v === undefined ? undefined : Number(v));

const decodeXml = (text: string) =>
  text.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, "&");

function attributes(tag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const match of tag.matchAll(/([A-Za-z]+)="([^"]*)"/g)) out[match[1]!] = decodeXml(match[2]!);
  return out;
}

/** Parses the subset of TwiML the IVR emits (Twilio's own builder writes it, so it is regular). */
export function parseTwiml(xml: string): TwimlVerb[] {
  const body = xml.replace(/^<\?xml[^>]*\?>/, "").replace(/^\s*<Response>/, "").replace(/<\/Response>\s*$/, "");
  const verbs: TwimlVerb[] = [];
  const pattern = /<(Say|Gather|Record|Redirect|Dial|Hangup)([^>]*?)(\/>|>([\s\S]*?)<\/\1>)/g;
  for (const match of body.matchAll(pattern)) {
    const [, name, rawAttributes, , inner = ""] = match;
    const attrs = attributes(rawAttributes ?? "");
    switch (name) {
      case "Say":
        verbs.push({ type: "say", text: decodeXml(inner), ...(attrs.voice ? { voice: attrs.voice } : {}), ...(attrs.language ? { language: attrs.language } : {}) });
        break;
      case "Gather":
        verbs.push({
          type: "gather",
          action: attrs.action ?? "",
          numDigits: attrs.numDigits ? Number(attrs.numDigits) : undefined,
          finishOnKey: attrs.finishOnKey,
          timeout: numberOrUndefined(attrs.timeout),
          input: (attrs.input ?? "dtmf").split(" "),
          says: [...inner.matchAll(/<Say[^>]*>([\s\S]*?)<\/Say>/g)].map((m) => decodeXml(m[1]!)),
        });
        break;
      case "Record":
        verbs.push({ type: "record", action: attrs.action ?? "", timeout: numberOrUndefined(attrs.timeout), maxLength: numberOrUndefined(attrs.maxLength) });
        break;
      case "Redirect":
        verbs.push({ type: "redirect", url: decodeXml(inner) });
        break;
      case "Dial":
        verbs.push({ type: "dial", number: decodeXml(inner), ...(attrs.action ? { action: attrs.action } : {}) });
        break;
      case "Hangup":
        verbs.push({ type: "hangup" });
        break;
    }
  }
  return verbs;
}

export type Waiting =
  | { kind: "gather"; action: string; silenceUrl: string | null; numDigits?: number; input: string[] }
  | { kind: "record"; action: string; silenceUrl: string | null }
  | { kind: "ended" };

export type Turn = { says: string[]; waiting: Waiting; dialed: string | null };

export type SimulatorOptions = {
  /** Where requests are sent (the running server). */
  serverUrl: string;
  /** The public base URL the server signs against (PUBLIC_BASE_URL). */
  publicBaseUrl: string;
  authToken: string;
  /** Caller ID as Twilio sends it: "+81312345678", or "anonymous" for a withheld number. */
  from: string;
  to?: string;
  callSid?: string;
  fetch?: typeof fetch;
  /** How a <Dial> to the operator ends (Twilio's DialCallStatus for the <Dial> action). */
  dialOutcome?: "completed" | "no-answer" | "busy" | "failed";
  /** "inbound" (a call to the centre, the default) or "outbound-api" (a call the centre placed). */
  direction?: "inbound" | "outbound-api";
};

/** The CallStatus values Twilio posts to a StatusCallback. */
export type TwilioCallStatus = "queued" | "initiated" | "ringing" | "in-progress" | "completed" | "busy" | "no-answer" | "failed" | "canceled";

export class CallSimulator {
  readonly callSid: string;
  readonly transcript: string[] = [];
  /** Keys pressed after the greeting (the "at most 6 presses" measure). */
  keyPresses = 0;
  private waiting: Waiting = { kind: "ended" };
  private readonly doFetch: typeof fetch;

  constructor(private readonly options: SimulatorOptions) {
    this.callSid = options.callSid ?? `CA${randomBytes(16).toString("hex")}`;
    this.doFetch = options.fetch ?? fetch;
  }

  get current(): Waiting {
    return this.waiting;
  }

  private baseParams(): Record<string, string> {
    return {
      CallSid: this.callSid,
      AccountSid: "AC" + "0".repeat(32),
      From: this.options.from,
      To: this.options.to ?? "+81570000110",
      Direction: this.options.direction ?? "inbound",
      CallStatus: "in-progress",
      ApiVersion: "2010-04-01",
    };
  }

  /** Sends a signed webhook request. `url` is the public URL Twilio would call. */
  async post(url: string, extra: Record<string, string> = {}): Promise<Response> {
    const params = { ...this.baseParams(), ...extra };
    const signature = twilio.getExpectedTwilioSignature(this.options.authToken, url, params);
    const target = url.startsWith(this.options.publicBaseUrl) ? this.options.serverUrl + url.slice(this.options.publicBaseUrl.length) : url;
    try {
      return await this.doFetch(target, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature },
        body: new URLSearchParams(params),
      });
    } catch (error) {
      throw new ServerUnreachableError(target, error);
    }
  }

  private async play(url: string, extra: Record<string, string> = {}): Promise<Turn> {
    const says: string[] = [];
    let dialed: string | null = null;
    let next: { url: string; extra: Record<string, string> } | null = { url, extra };
    let hops = 0;
    while (next && hops++ < 10) {
      const response = await this.post(next.url, next.extra);
      if (!response.ok) throw new WebhookError(next.url, response.status);
      const verbs = parseTwiml(await response.text());
      next = null;
      this.waiting = { kind: "ended" };
      for (let i = 0; i < verbs.length; i++) {
        const verb = verbs[i]!;
        if (verb.type === "say") says.push(verb.text);
        else if (verb.type === "dial") {
          dialed = verb.number;
          // Twilio requests the <Dial> action when the dialed call ends; the verbs after it are skipped.
          if (verb.action) {
            next = { url: verb.action, extra: { DialCallStatus: this.options.dialOutcome ?? "completed", DialCallDuration: "60" } };
            break;
          }
        } else if (verb.type === "hangup") break;
        else if (verb.type === "gather") {
          says.push(...verb.says);
          const after = verbs[i + 1];
          this.waiting = { kind: "gather", action: verb.action, silenceUrl: after?.type === "redirect" ? after.url : null, numDigits: verb.numDigits, input: verb.input };
          break;
        } else if (verb.type === "record") {
          const after = verbs[i + 1];
          this.waiting = { kind: "record", action: verb.action, silenceUrl: after?.type === "redirect" ? after.url : null };
          break;
        } else if (verb.type === "redirect") {
          next = { url: verb.url, extra: {} };
          break;
        }
      }
    }
    this.transcript.push(...says);
    return { says, waiting: this.waiting, dialed };
  }

  /**
   * An outbound call is picked up: Twilio fetches the call's URL. `answeredBy` is what answering-machine
   * detection decided (human, machine_start, machine_end_beep, fax, unknown), sent only when given.
   */
  answer(url: string, answeredBy?: string): Promise<Turn> {
    return this.play(url, answeredBy ? { AnsweredBy: answeredBy } : {});
  }

  /** Twilio posts one event of the call's progress to its StatusCallback URL (with the call's parameters). */
  async statusCallback(url: string, status: TwilioCallStatus, extra: Record<string, string> = {}): Promise<void> {
    const response = await this.post(url, {
      CallStatus: status,
      ...(status === "completed" ? { CallDuration: "12" } : {}),
      SequenceNumber: String(this.sequence++),
      Timestamp: new Date().toUTCString(),
      CallbackSource: "call-progress-events",
      ...extra,
    });
    if (!response.ok) throw new WebhookError(url, response.status);
    if (["completed", "busy", "no-answer", "failed", "canceled"].includes(status)) this.waiting = { kind: "ended" };
  }

  private sequence = 0;

  start(): Promise<Turn> {
    return this.play(`${this.options.publicBaseUrl}/ivr/voice`);
  }

  private requireGather() {
    if (this.waiting.kind !== "gather") throw new Error(`the call is not waiting for input (${this.waiting.kind})`);
    return this.waiting;
  }

  press(digits: string): Promise<Turn> {
    const gather = this.requireGather();
    this.keyPresses += digits.length;
    return this.play(gather.action, { Digits: digits });
  }

  /** Speech as Twilio's recogniser reports it: SpeechResult and its Confidence (0.0–1.0). */
  speak(speech: string, confidence = 0.9): Promise<Turn> {
    const gather = this.requireGather();
    return this.play(gather.action, { SpeechResult: speech, Confidence: String(confidence) });
  }

  /**
   * Says nothing until the <Gather> times out, or records nothing after the beep: Twilio then skips
   * the action and runs the verb after it (here, the <Redirect>).
   */
  silence(): Promise<Turn> {
    const waiting = this.waiting;
    if (waiting.kind === "ended") throw new Error("the call is not waiting for input (ended)");
    if (!waiting.silenceUrl) throw new Error("this prompt has no silence path: Twilio would end the call here");
    return this.play(waiting.silenceUrl);
  }

  /** Answers a <Record> as Twilio does when the recording ends. */
  record(recordingUrl = `https://api.twilio.com/2010-04-01/Accounts/AC/Recordings/RE${randomBytes(16).toString("hex")}`): Promise<Turn> {
    if (this.waiting.kind !== "record") throw new Error(`the call is not recording (${this.waiting.kind})`);
    return this.play(this.waiting.action, { RecordingUrl: recordingUrl, RecordingDuration: "3", Digits: "#" });
  }

  /** The caller hangs up: Twilio's status callback. */
  async hangup(): Promise<void> {
    const response = await this.post(`${this.options.publicBaseUrl}/ivr/status`, { CallStatus: "completed", CallDuration: "42" });
    if (!response.ok) throw new Error(`status callback answered ${response.status}`);
    this.waiting = { kind: "ended" };
  }
}
