import { CallSimulator } from "../../app/lib/ivr-simulator.server";
import type { Services } from "../../app/lib/services.server";
import { ivrAuthToken } from "../../app/lib/twilio-webhook.server";
import type { TestServer } from "./http";

/** A simulated call from `from` to the test server, signed with the server's token. */
export function callFrom(server: TestServer, services: Services, from: string): CallSimulator {
  return new CallSimulator({ serverUrl: server.url, publicBaseUrl: services.config.publicBaseUrl, authToken: ivrAuthToken(services.config), from });
}
