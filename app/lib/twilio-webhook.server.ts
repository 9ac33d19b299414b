/**
 * Twilio webhooks: every request's X-Twilio-Signature is checked against the auth token and the
 * PUBLIC URL Twilio called (behind a proxy, request.url is not what Twilio signed). An invalid one
 * gets 403 and changes nothing. Without Twilio configured, a token derived from the session secret
 * signs the call simulator's requests the same way, so the same checks run offline.
 */
import { createHmac } from "node:crypto";
import type { AppLoadContext } from "@remix-run/node";
import twilio from "twilio";
import type { Config } from "./env.server";

export function ivrAuthToken(config: Config): string {
  return config.twilio?.authToken ?? createHmac("sha256", config.secrets.sessionSecret).update("ivr-simulator").digest("hex");
}

/** The URL Twilio signed: the public base URL plus the path and query of this request. */
export function publicUrlOf(request: Request, config: Config): string {
  const url = new URL(request.url);
  return `${config.publicBaseUrl}${url.pathname}${url.search}`;
}

export function signTwilioRequest(authToken: string, url: string, params: Record<string, string>): string {
  return twilio.getExpectedTwilioSignature(authToken, url, params);
}

/** Reads the form Twilio posted, or throws 403 when the signature is missing or wrong. */
export async function readTwilioForm(request: Request, context: AppLoadContext): Promise<Record<string, string>> {
  const { config } = context.services;
  const body = new URLSearchParams(await request.text());
  const params = Object.fromEntries(body);
  const signature = request.headers.get("X-Twilio-Signature") ?? "";
  if (!signature || !twilio.validateRequest(ivrAuthToken(config), signature, publicUrlOf(request, config), params)) {
    context.services.logger.warn({ path: new URL(request.url).pathname.replace(/[0-9a-f-]{36}/g, "<id>") }, "rejected unsigned webhook");
    throw new Response("Forbidden", { status: 403 });
  }
  return params;
}

export function twimlResponse(twiml: string): Response {
  return new Response(twiml, { headers: { "Content-Type": "text/xml; charset=utf-8", "Cache-Control": "no-store" } });
}
