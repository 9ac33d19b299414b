/** What the centre can do for this applicant's carrier and scopes, from the capability table. */
import { explainScopes, routeApplication, SCOPES, type Scope } from "../domain/carriers";
import type { ApplyAnswers } from "../domain/apply-journey";
import { loadCapabilities } from "./applications.server";
import type { Services } from "./services.server";

export async function routeForAnswers(services: Pick<Services, "db">, answers: ApplyAnswers, scopes: readonly Scope[] = SCOPES) {
  const capabilities = await loadCapabilities(services.db);
  const route = routeApplication({
    choice: answers.carrier?.choice ?? "unknown",
    prefecture: answers.address?.prefecture,
    // The line's own number decides NTT東日本／西日本 (issue 17): the same route submitApplication takes.
    line: answers.number?.e164,
    scopes: [...scopes],
    capabilities,
  });
  const explanations =
    route.kind === "direct"
      ? explainScopes(route.carrier, capabilities, scopes)
      : route.kind === "inquiry"
        ? [route.message, "着信休止（海外からの電話を止める）は、どの電話会社でもお手続きできます。発信休止は、電話会社によっては、センターではお手続きできません。"]
        : [route.message];
  return { route, explanations };
}
