/**
 * Outbound messages: SMS, voice calls (a Japanese text read aloud) and letters, behind one interface.
 *
 * Every message is first written to `outbox` (sealed, idempotent by key) in the caller's transaction,
 * with a delivery job. The worker then hands SMS and calls to the provider: Twilio when TWILIO_* are
 * set, otherwise the offline provider, which keeps them in the outbox ("held") where the back office
 * shows them — so a person trying the demo reads a verification call's code there. Letters wait for
 * the print queue in both cases.
 */
import { eq, sql } from "drizzle-orm";
import twilio from "twilio";
import type { DbOrTx } from "../../db/client";
import { outbox, verifications } from "../../db/schema";
import { JOB_NAMES } from "./jobs";
import type { PiiCipher } from "./pii.server";
import type { JobQueue } from "./queue.server";
import { sayOptions, type JaVoice } from "./twiml-voice";

export type CallContent =
  /** Read this text aloud in Japanese (twice is the caller's choice of text). */
  | { kind: "say"; text: string }
  /**
   * Fetch TwiML from our own IVR endpoint when the callee answers (e.g. a consent menu). `voicemail`:
   * an answering machine gets a message (the call is placed with MachineDetection=DetectMessageEnd, so
   * Twilio fetches the URL after the greeting's beep and the whole message is recorded); otherwise a
   * machine is only told apart (MachineDetection=Enable) and hears who called.
   */
  | { kind: "url"; url: string; fallbackText: string; voicemail?: boolean };

export type DeliveryResult = { providerRef: string; status: "sent" | "held" };

/** How one outbound call reports back (Twilio's "Making calls" parameters). */
export type PlaceCallOptions = {
  /** Where Twilio posts this call's progress (StatusCallback), naming the outbox row. */
  statusCallbackUrl?: string;
  /**
   * Answering-machine detection, for calls whose answer is a key press, so a machine that picks up is
   * told apart (AnsweredBy=machine_*) and can never confirm anything. "Enable": AnsweredBy as soon as
   * Twilio knows; "DetectMessageEnd": for a machine, only after its greeting ended (machine_end_beep,
   * machine_end_silence, machine_end_other), so a message said then is recorded whole (Twilio, "Answering
   * Machine Detection": MachineDetection).
   */
  machineDetection?: MachineDetection;
};

export type MachineDetection = "Enable" | "DetectMessageEnd";

/** The detection a call's content asks for: none for a text read aloud (nothing to press). */
export function machineDetectionFor(content: CallContent): MachineDetection | undefined {
  if (content.kind !== "url") return undefined;
  return content.voicemail ? "DetectMessageEnd" : "Enable";
}

/** The call progress events Twilio posts to the StatusCallback (StatusCallbackEvent). */
export const STATUS_CALLBACK_EVENTS = ["initiated", "ringing", "answered", "completed"] as const;

/** The provider interface: Twilio for real, the outbox provider offline. */
export interface MessageProvider {
  readonly name: "twilio" | "outbox";
  sendSms(to: string, body: string): Promise<DeliveryResult>;
  placeCall(to: string, content: CallContent, options?: PlaceCallOptions): Promise<DeliveryResult>;
}

export function sayTwiml(text: string, voice?: JaVoice): string {
  const response = new twilio.twiml.VoiceResponse();
  response.say(sayOptions(voice), text);
  return response.toString();
}

/** Offline provider: nothing leaves the machine; the row stays in the outbox as "held". */
export function createOutboxProvider(): MessageProvider {
  return {
    name: "outbox",
    async sendSms() {
      return { providerRef: "outbox", status: "held" };
    },
    async placeCall() {
      return { providerRef: "outbox", status: "held" };
    },
  };
}

export function createTwilioProvider(options: {
  accountSid: string;
  authToken: string;
  fromNumber: string;
  statusCallbackUrl?: string;
  /** The Japanese voice of calls that only read a message (TWILIO_VOICE); default Polly.Mizuki. */
  voice?: JaVoice;
  /** Injected in tests to capture the exact HTTP payloads sent to Twilio. */
  httpClient?: ConstructorParameters<typeof twilio.Twilio>[2] extends infer O
    ? O extends { httpClient?: infer H }
      ? H
      : never
    : never;
}): MessageProvider {
  const client = twilio(options.accountSid, options.authToken, {
    httpClient: options.httpClient,
    autoRetry: true,
    maxRetries: 3,
  });
  return {
    name: "twilio",
    async sendSms(to, body) {
      const message = await client.messages.create({ to, from: options.fromNumber, body });
      return { providerRef: message.sid, status: "sent" };
    },
    async placeCall(to, content, callOptions = {}) {
      const statusCallback = callOptions.statusCallbackUrl ?? options.statusCallbackUrl;
      const call = await client.calls.create({
        to,
        from: options.fromNumber,
        ...(content.kind === "say" ? { twiml: sayTwiml(content.text, options.voice) } : { url: content.url, method: "POST" }),
        ...(statusCallback
          ? { statusCallback, statusCallbackMethod: "POST", statusCallbackEvent: [...STATUS_CALLBACK_EVENTS] }
          : {}),
        ...(callOptions.machineDetection ? { machineDetection: callOptions.machineDetection } : {}),
      });
      return { providerRef: call.sid, status: "sent" };
    },
  };
}

export type QueueMessageInput = {
  idempotencyKey: string;
  purpose: string;
  to: string;
  applicationId?: string;
  cancellationId?: string;
  verificationId?: string;
};

export type QueueCallInput = QueueMessageInput & {
  content: CallContent;
  /** Not before this time (an automatic retry after an unanswered call); the delivery job waits for it. */
  notBefore?: Date;
};

export type Comms = {
  providerName: MessageProvider["name"];
  queueSms(input: QueueMessageInput & { body: string }, tx?: DbOrTx): Promise<string>;
  queueCall(input: QueueCallInput, tx?: DbOrTx): Promise<string>;
  /** `to` is the address block; `data` is what the template renders. */
  queueLetter(input: QueueMessageInput & { template: string; data: Record<string, unknown> }, tx?: DbOrTx): Promise<string>;
  /** Worker side: hand one outbox row to the provider. Safe to run twice. */
  deliver(outboxId: string): Promise<void>;
  /** Opens a row's body for the back office (the caller audits the view). */
  readBody(row: { bodyEnc: string }): string;
};

export function createComms(deps: {
  db: DbOrTx;
  pii: PiiCipher;
  queue: JobQueue;
  provider: MessageProvider;
  now?: () => Date;
  /**
   * The public URL of the status-callback webhook (`<PUBLIC_BASE_URL>/ivr/status`): every call is
   * placed with `?outbox=<row id>` appended, so its outcome lands on its own row.
   */
  statusCallbackUrl?: string;
}): Comms {
  const { db, pii, queue, provider } = deps;
  const now = deps.now ?? (() => new Date());

  async function insert(
    channel: "sms" | "call" | "letter",
    input: QueueMessageInput & { notBefore?: Date },
    body: string,
    template: string | null,
    tx: DbOrTx | undefined,
  ): Promise<string> {
    const run = async (t: DbOrTx) => {
      const inserted = await t
        .insert(outbox)
        .values({
          channel,
          purpose: input.purpose,
          toEnc: pii.seal(input.to),
          bodyEnc: pii.seal(body),
          template,
          idempotencyKey: input.idempotencyKey,
          applicationId: input.applicationId,
          cancellationId: input.cancellationId,
          verificationId: input.verificationId,
          notBefore: input.notBefore ?? null,
          createdAt: now(),
          updatedAt: now(),
        })
        .onConflictDoNothing({ target: outbox.idempotencyKey })
        .returning({ id: outbox.id });
      if (inserted[0]) {
        if (channel !== "letter") {
          await queue.enqueue(
            JOB_NAMES.deliverMessage,
            { outboxId: inserted[0].id },
            { tx: t, singletonKey: inserted[0].id, ...(input.notBefore ? { startAfter: input.notBefore } : {}) },
          );
        }
        return inserted[0].id;
      }
      const existing = await t.select({ id: outbox.id }).from(outbox).where(eq(outbox.idempotencyKey, input.idempotencyKey));
      return existing[0]!.id;
    };
    return tx ? run(tx) : (db as { transaction: (f: (t: DbOrTx) => Promise<string>) => Promise<string> }).transaction(run);
  }

  return {
    providerName: provider.name,
    queueSms: (input, tx) => insert("sms", input, input.body, null, tx),
    queueCall: (input, tx) => insert("call", input, JSON.stringify(input.content), null, tx),
    queueLetter: (input, tx) => insert("letter", input, JSON.stringify(input.data), input.template, tx),
    readBody(row) {
      return pii.open(row.bodyEnc);
    },
    async deliver(outboxId) {
      /**
       * An automatic retry of a verification call (the only calls queued with a not-before time) whose
       * verification is no longer waiting for an answer. A person's own "call me again" is never held.
       */
      async function answeredAlready(row: typeof outbox.$inferSelect): Promise<boolean> {
        if (row.channel !== "call" || row.purpose !== "verification" || !row.verificationId || row.notBefore === null) return false;
        const [v] = await db
          .select({ verifiedAt: verifications.verifiedAt, consent: verifications.consent, expiresAt: verifications.expiresAt })
          .from(verifications)
          .where(eq(verifications.id, row.verificationId));
        return !v || v.verifiedAt !== null || v.consent !== null || v.expiresAt.getTime() <= now().getTime();
      }
      // Claim the row: only a queued (or failed, on retry) row moves to "sending"; a second run of the
      // same job finds nothing to claim and does nothing, so a message is never sent twice.
      const claimed = await db
        .update(outbox)
        .set({ status: "sending", attempts: sql`${outbox.attempts} + 1`, updatedAt: now() })
        .where(
          sql`${outbox.id} = ${outboxId} and ${outbox.status} in ('queued','failed') and ${outbox.channel} <> 'letter'
            and (${outbox.notBefore} is null or ${outbox.notBefore} <= ${now().toISOString()}::timestamptz)`,
        )
        .returning();
      const row = claimed[0];
      if (!row) return;
      if (await answeredAlready(row)) {
        // A retry queued after an unanswered call, when the person has meanwhile confirmed (the code
        // entered, a call-in from the line) or the request has lapsed: ringing again would be a second
        // call for a question already settled.
        await db.update(outbox).set({ status: "not_needed", updatedAt: now() }).where(eq(outbox.id, row.id));
        return;
      }
      try {
        const to = pii.open(row.toEnc);
        const body = pii.open(row.bodyEnc);
        const content = row.channel === "call" ? (JSON.parse(body) as CallContent) : null;
        const detection = content ? machineDetectionFor(content) : undefined;
        const result = content
          ? await provider.placeCall(to, content, {
              ...(deps.statusCallbackUrl ? { statusCallbackUrl: `${deps.statusCallbackUrl}?outbox=${row.id}` } : {}),
              ...(detection ? { machineDetection: detection } : {}),
            })
          : await provider.sendSms(to, body);
        await db
          .update(outbox)
          .set({ status: result.status, provider: provider.name, providerRef: result.providerRef, sentAt: now(), updatedAt: now(), lastError: null })
          .where(eq(outbox.id, row.id));
      } catch (error) {
        // The error text from a provider can echo the number: keep only its class and code.
        const code = (error as { code?: unknown; status?: unknown }).code ?? (error as { status?: unknown }).status ?? "error";
        await db
          .update(outbox)
          .set({ status: "failed", lastError: `${(error as Error).name}:${String(code)}`, updatedAt: now() })
          .where(eq(outbox.id, row.id));
        throw error;
      }
    },
  };
}
