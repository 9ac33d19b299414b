/**
 * Twilio webhooks: every request's X-Twilio-Signature is checked against the auth token and the
 * PUBLIC URL Twilio called (behind a proxy, request.url is not what Twilio signed). An invalid one
 * gets 403 and changes nothing. Without Twilio configured, a token derived from the session secret
 * signs the call simulator's requests the same way, so the same checks run offline.
 *
 * The webhooks themselves are served by server.ts before the Remix handler (twilio-webhooks.server.ts,
 * ADR 026); both paths check the signature here.
 */
import { createHmac } from "node:crypto";
import twilio from "twilio";
import type { Config } from "./env.server";
import type { Services } from "./services.server";

const simulatorTokens = new WeakMap<Config, string>();

export function ivrAuthToken(config: Config): string {
  if (config.twilio?.authToken) return config.twilio.authToken;
  // Derived once per configuration, not on every webhook.
  let token = simulatorTokens.get(config);
  if (token === undefined) {
    token = createHmac("sha256", config.secrets.sessionSecret).update("ivr-simulator").digest("hex");
    simulatorTokens.set(config, token);
  }
  return token;
}

/**
 * The URL Twilio signed: the public base URL plus the path and query of this request (`target` is
 * the request URL or the request target as the server received it, after path normalisation).
 */
export function publicUrlOf(target: Request | string, config: Config): string {
  const url = new URL(typeof target === "string" ? target : target.url, "http://localhost");
  return `${config.publicBaseUrl}${url.pathname}${url.search}`;
}

export function signTwilioRequest(authToken: string, url: string, params: Record<string, string>): string {
  return twilio.getExpectedTwilioSignature(authToken, url, params);
}

/**
 * The form Twilio posted (`body`, url-encoded) when its signature is right for `target` (the path and
 * query the server received); null (and a warning without the values) when it is missing or wrong.
 */
export function signedTwilioForm(
  services: Pick<Services, "config" | "logger">,
  target: string,
  signature: string | null | undefined,
  body: string,
): Record<string, string> | null {
  const { config } = services;
  const params = Object.fromEntries(new URLSearchParams(body));
  if (!signature || !twilio.validateRequest(ivrAuthToken(config), signature, publicUrlOf(target, config), params)) {
    services.logger.warn({ path: new URL(target, "http://localhost").pathname.replace(/[0-9a-f-]{36}/g, "<id>") }, "rejected unsigned webhook");
    return null;
  }
  return params;
}
