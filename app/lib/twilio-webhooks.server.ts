/**
 * Every Twilio webhook of the app, as one table: path → the service function that answers it. server.ts
 * serves them on a small Express router in front of the Remix handler (ADR 026): a webhook is a signed
 * form in and TwiML (or 204) out, with no page, loader data or client bundle, so it does not go through
 * Remix's route matching, web Request/Response streams and document rendering. The routes call the
 * same functions the IVR has always used (ivr.server.ts, the outbound-call modules); nothing here
 * decides anything about a call.
 *
 * Every request is checked first: X-Twilio-Signature over the public URL Twilio called (the public
 * base URL plus the path and query the server received) and the posted form (twilio-webhook.server.ts).
 * A wrong or missing signature is 403 and changes nothing; a path with a malformed id is 404.
 */
import { cancellationAnswerTwiml, cancellationCallTwiml } from "./cancellation-call.server";
import { handleOutboundCallStatus } from "./comms-call-status.server";
import { requireUuid } from "./ids";
import { handleCallStatus, handleIncomingCall, handleStep, IVR_NODES, type IvrNode } from "./ivr.server";
import { paperAnswerTwiml, paperCallTwiml, paperVoicemail } from "./paper-confirmation.server";
import type { Services } from "./services.server";
import { signedTwilioForm } from "./twilio-webhook.server";
import { verificationCallTwiml, verificationConsentTwiml } from "./verification-call.server";
import { machineAnswerTwiml } from "./yes-no-call-twiml";

type Form = Record<string, string>;
/** TwiML to play, or null for an empty 204 (status callbacks). */
type Handler = (services: Services, form: Form, url: URL, id: string | undefined) => Promise<string | null>;

const notFound = () => new Response("Not Found", { status: 404 });

/** An outbound call answered (or its question answered): a machine hears who called and never confirms. */
function outboundCall(
  answer: (services: Services, id: string, form: Form) => Promise<string>,
  voicemail?: (services: Services, id: string) => Promise<string | null>,
): Handler {
  return async (services, form, _url, rawId) => {
    const id = requireUuid(rawId);
    return (await machineAnswerTwiml(services, id, form, voicemail)) ?? (await answer(services, id, form));
  };
}

/** The paths of the former Remix routes app/routes/ivr.*.tsx, matched as Remix matched them. */
export const TWILIO_WEBHOOKS: readonly { path: RegExp; handle: Handler; what: string }[] = [
  { path: /^\/ivr\/voice\/?$/i, what: "a call to the centre's number", handle: (services, form) => handleIncomingCall(services, form) },
  {
    path: /^\/ivr\/step\/?$/i,
    what: "the caller's answer to one menu node (?node=…), or silence (&silence=1); &state= carries the call's sealed state",
    handle: (services, form, url) => {
      const node = url.searchParams.get("node") as IvrNode | null;
      if (!node || !IVR_NODES.includes(node)) throw notFound();
      return handleStep(services, node, form, { silence: url.searchParams.get("silence") === "1", state: url.searchParams.get("state") });
    },
  },
  {
    path: /^\/ivr\/status\/?$/i,
    what: "status callbacks: an outbound call of ours (?outbox=<id>), or the number's own for an incoming call",
    handle: async (services, form, url) => {
      const outboxId = url.searchParams.get("outbox");
      if (outboxId !== null) await handleOutboundCallStatus(services, requireUuid(outboxId).toLowerCase(), form);
      else await handleCallStatus(services, form);
      return null;
    },
  },
  { path: /^\/ivr\/verification\/([^/]+)\/?$/i, what: "a verification call-back answered", handle: outboundCall((s, id) => verificationCallTwiml(s, id)) },
  { path: /^\/ivr\/verification\/([^/]+)\/consent\/?$/i, what: "the consent question answered", handle: outboundCall(verificationConsentTwiml) },
  { path: /^\/ivr\/paper\/([^/]+)\/?$/i, what: "a paper application's confirmation call answered", handle: outboundCall((s, id) => paperCallTwiml(s, id), paperVoicemail) },
  { path: /^\/ivr\/paper\/([^/]+)\/answer\/?$/i, what: "the paper application's question answered", handle: outboundCall(paperAnswerTwiml) },
  { path: /^\/ivr\/cancellation\/([^/]+)\/?$/i, what: "a cancellation confirmation call answered", handle: outboundCall((s, id) => cancellationCallTwiml(s, id)) },
  { path: /^\/ivr\/cancellation\/([^/]+)\/answer\/?$/i, what: "the cancellation question answered", handle: outboundCall(cancellationAnswerTwiml) },
];

export type WebhookAnswer = { status: number; contentType: string; body: string };

const TEXT = "text/plain; charset=utf-8";

/** The webhook that answers `pathname`, or undefined (the request is not a Twilio webhook). */
export function twilioWebhookFor(pathname: string): { handle: Handler; id: string | undefined } | undefined {
  for (const webhook of TWILIO_WEBHOOKS) {
    const match = webhook.path.exec(pathname);
    if (match) return { handle: webhook.handle, id: match[1] === undefined ? undefined : safeDecode(match[1]) };
  }
  return undefined;
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/**
 * Answers one webhook POST: `target` is the path and query the server received (normalised), `body`
 * the url-encoded form. Errors other than 403/404 are thrown to the server's error handling.
 */
export async function answerTwilioWebhook(
  services: Services,
  webhook: { handle: Handler; id: string | undefined },
  target: string,
  signature: string | undefined,
  body: string,
): Promise<WebhookAnswer> {
  const form = signedTwilioForm(services, target, signature, body);
  if (!form) return { status: 403, contentType: TEXT, body: "Forbidden" };
  try {
    const twiml = await webhook.handle(services, form, new URL(target, "http://localhost"), webhook.id);
    if (twiml === null) return { status: 204, contentType: "", body: "" };
    return { status: 200, contentType: "text/xml; charset=utf-8", body: twiml };
  } catch (error) {
    if (error instanceof Response && error.status < 500) return { status: error.status, contentType: TEXT, body: error.statusText || (await error.text()) };
    throw error;
  }
}
