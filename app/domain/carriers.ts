/**
 * Carriers, the two kinds of suspension, and where an application goes.
 *
 * Which scope each carrier accepts through the centre is a business agreement that changes, so it
 * is data (the carrier_capabilities table, editable by an admin) passed into these functions.
 * DEFAULT_CAPABILITIES is only what the database is seeded with.
 */
import { findPrefecture, nttRegionForLine } from "./regions";

export const CARRIER_CODES = ["ntt-east", "ntt-west", "ntt-docomo-business", "kddi", "softbank"] as const;
export type CarrierCode = (typeof CARRIER_CODES)[number];

export const CARRIER_NAMES: Readonly<Record<CarrierCode, string>> = {
  "ntt-east": "NTT東日本",
  "ntt-west": "NTT西日本",
  "ntt-docomo-business": "NTTドコモビジネス",
  kddi: "KDDI",
  softbank: "ソフトバンク",
};

export function isCarrierCode(value: unknown): value is CarrierCode {
  return typeof value === "string" && (CARRIER_CODES as readonly string[]).includes(value);
}

export const SCOPES = ["outgoing", "incoming"] as const;
export type Scope = (typeof SCOPES)[number];

export const SCOPE_LABELS: Readonly<Record<Scope, string>> = {
  outgoing: "発信休止",
  incoming: "着信休止",
};

/** One sentence per scope, for the applicant who does not know the words 発信 and 着信. */
export const SCOPE_DESCRIPTIONS: Readonly<Record<Scope, string>> = {
  outgoing: "この電話から、外国へ電話をかけられないようにします。",
  incoming: "外国からの電話が、この電話にかかってこないようにします。",
};

export function isScope(value: unknown): value is Scope {
  return typeof value === "string" && (SCOPES as readonly string[]).includes(value);
}

export type CarrierCapability = {
  carrier: CarrierCode;
  scope: Scope;
  /** True when the centre may forward this scope to this carrier. */
  acceptedViaCentre: boolean;
  /** For operators and admins: why, or where the applicant should go instead. */
  note?: string;
};

/** Seed for carrier_capabilities, as reported to the working group. */
export const DEFAULT_CAPABILITIES: readonly CarrierCapability[] = [
  ...CARRIER_CODES.map((carrier): CarrierCapability => ({ carrier, scope: "incoming", acceptedViaCentre: true })),
  {
    carrier: "ntt-east",
    scope: "outgoing",
    acceptedViaCentre: false,
    note: "NTT東日本の発信休止は、センターではなく、NTT東日本に直接お申し込みいただく必要があります。",
  },
  {
    carrier: "ntt-west",
    scope: "outgoing",
    acceptedViaCentre: false,
    note: "NTT西日本の発信休止は、センターではなく、NTT西日本に直接お申し込みいただく必要があります。",
  },
  {
    carrier: "ntt-docomo-business",
    scope: "outgoing",
    acceptedViaCentre: false,
    note: "NTTドコモビジネスの発信休止は、センターではなく、NTTドコモビジネスに直接お申し込みいただく必要があります。",
  },
  { carrier: "kddi", scope: "outgoing", acceptedViaCentre: true },
  { carrier: "softbank", scope: "outgoing", acceptedViaCentre: true },
];

/** The applicant's answer to "which carrier?": a carrier, just "NTT", or "I don't know". */
export const CARRIER_CHOICES = [...CARRIER_CODES, "ntt", "unknown"] as const;
export type CarrierChoice = (typeof CARRIER_CHOICES)[number];

export const CARRIER_CHOICE_LABELS: Readonly<Record<CarrierChoice, string>> = {
  ...CARRIER_NAMES,
  ntt: "NTT（東日本か西日本かは、わからない）",
  unknown: "わからない",
};

export function isCarrierChoice(value: unknown): value is CarrierChoice {
  return typeof value === "string" && (CARRIER_CHOICES as readonly string[]).includes(value);
}

export function acceptsViaCentre(
  carrier: CarrierCode,
  scope: Scope,
  capabilities: readonly CarrierCapability[],
): boolean {
  // A carrier or scope missing from the table is not accepted: forwarding an order the carrier has
  // not agreed to would leave the applicant waiting for nothing.
  return capabilities.some((row) => row.carrier === carrier && row.scope === scope && row.acceptedViaCentre);
}

export type RefusedScope = { scope: Scope; message: string };

export type DirectRoute = {
  kind: "direct";
  carrier: CarrierCode;
  acceptedScopes: Scope[];
  refusedScopes: RefusedScope[];
  /** Set when the applicant chose the other NTT company than the one serving the prefecture. */
  correctedFrom?: CarrierCode;
};

export type InquiryRoute = {
  kind: "inquiry";
  /** Carriers that accept at least one requested scope, in CARRIER_CODES order. */
  candidates: CarrierCode[];
  /** The requested scopes each candidate accepts: only these go into its inquiry order. */
  acceptedScopesByCarrier: Partial<Record<CarrierCode, Scope[]>>;
  message: string;
};

/** "NTT" was chosen but the prefecture is missing or unreadable, so East and West cannot be told apart. */
export type NeedsPrefecture = { kind: "needs_prefecture"; message: string };

/** No scope was requested. Forms should prevent this; the domain still refuses to route nothing. */
export type NeedsScopes = { kind: "needs_scopes"; message: string };

export type RouteResult = DirectRoute | InquiryRoute | NeedsPrefecture | NeedsScopes;

export const ROUTING_MESSAGES = {
  needsPrefecture:
    "NTT東日本かNTT西日本かを決めるため、お住まいの都道府県が必要です。郵便番号か住所を入力してください。",
  needsScopes: "「発信休止」か「着信休止」を、1つ以上えらんでください。",
  inquiry: "ご契約の電話会社がわからないため、センターから電話会社に問い合わせます。",
} as const;

export type RouteApplicationInput = {
  choice: CarrierChoice;
  /** JIS code, name ("東京都") or short name; null or undefined when not known yet. */
  prefecture?: string | number | null;
  /**
   * The line itself ("+81312345678"): its area code and exchange decide NTT東日本 or 西日本, whatever
   * the address or postal code say (issue 17, point 1). The prefecture decides only without it.
   */
  line?: string | null;
  scopes: readonly Scope[];
  capabilities: readonly CarrierCapability[];
};

/** Decides which carrier (or carriers, as an inquiry) an application goes to, and for which scopes. */
export function routeApplication({ choice, prefecture, line, scopes, capabilities }: RouteApplicationInput): RouteResult {
  const requested = SCOPES.filter((scope) => scopes.includes(scope));
  if (requested.length === 0) return { kind: "needs_scopes", message: ROUTING_MESSAGES.needsScopes };

  const nttRegion = nttRegionForLine(line) ?? (prefecture == null ? undefined : findPrefecture(prefecture)?.nttRegion);

  if (choice === "unknown") return inquiry(requested, nttRegion, capabilities);

  if (choice === "ntt") {
    if (!nttRegion) return { kind: "needs_prefecture", message: ROUTING_MESSAGES.needsPrefecture };
    return direct(nttRegion, requested, capabilities);
  }

  // NTT東日本 and NTT西日本 cannot serve each other's areas, so when the applicant picked the wrong
  // one the line's number (or, without it, the prefecture) wins; the order would otherwise only come
  // back rejected weeks later. correctedFrom says so: callers flag it to the operator.
  if (isNtt(choice) && nttRegion && nttRegion !== choice) {
    return { ...direct(nttRegion, requested, capabilities), correctedFrom: choice };
  }
  return direct(choice, requested, capabilities);
}

function isNtt(carrier: CarrierCode): carrier is "ntt-east" | "ntt-west" {
  return carrier === "ntt-east" || carrier === "ntt-west";
}

function direct(carrier: CarrierCode, requested: readonly Scope[], capabilities: readonly CarrierCapability[]): DirectRoute {
  const acceptedScopes = requested.filter((scope) => acceptsViaCentre(carrier, scope, capabilities));
  const refusedScopes = requested
    .filter((scope) => !acceptedScopes.includes(scope))
    .map((scope) => ({ scope, message: applyDirectlyMessage(carrier, scope) }));
  return { kind: "direct", carrier, acceptedScopes, refusedScopes };
}

function inquiry(
  requested: readonly Scope[],
  nttRegion: "ntt-east" | "ntt-west" | undefined,
  capabilities: readonly CarrierCapability[],
): InquiryRoute {
  const candidates: CarrierCode[] = [];
  const acceptedScopesByCarrier: Partial<Record<CarrierCode, Scope[]>> = {};
  for (const carrier of CARRIER_CODES) {
    // With a known prefecture, the other NTT company cannot own the line: do not bother it.
    if (nttRegion && isNtt(carrier) && carrier !== nttRegion) continue;
    const accepted = requested.filter((scope) => acceptsViaCentre(carrier, scope, capabilities));
    if (accepted.length === 0) continue;
    candidates.push(carrier);
    acceptedScopesByCarrier[carrier] = accepted;
  }
  return { kind: "inquiry", candidates, acceptedScopesByCarrier, message: ROUTING_MESSAGES.inquiry };
}

function acceptedHereMessage(scope: Scope): string {
  return `${SCOPE_LABELS[scope]}は、このセンターでお手続きできます。`;
}

export function applyDirectlyMessage(carrier: CarrierCode, scope: Scope): string {
  return `${SCOPE_LABELS[scope]}は、${CARRIER_NAMES[carrier]}に直接お申し込みください。`;
}

/**
 * Plain sentences telling the applicant what the centre can do for this carrier, one per scope
 * (all scopes by default), e.g. 「着信休止は、このセンターでお手続きできます。」
 */
export function explainScopes(
  carrier: CarrierCode,
  capabilities: readonly CarrierCapability[],
  scopes: readonly Scope[] = SCOPES,
): string[] {
  return SCOPES.filter((scope) => scopes.includes(scope)).map((scope) =>
    acceptsViaCentre(carrier, scope, capabilities) ? acceptedHereMessage(scope) : applyDirectlyMessage(carrier, scope),
  );
}
