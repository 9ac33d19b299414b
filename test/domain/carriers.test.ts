import {
  acceptsViaCentre,
  CARRIER_CHOICE_LABELS,
  CARRIER_CHOICES,
  CARRIER_CODES,
  CARRIER_NAMES,
  DEFAULT_CAPABILITIES,
  explainScopes,
  isCarrierChoice,
  isCarrierCode,
  isScope,
  routeApplication,
  ROUTING_MESSAGES,
  SCOPES,
  type CarrierCapability,
  type CarrierChoice,
  type CarrierCode,
  type Scope,
} from "../../app/domain/carriers";

const BOTH: Scope[] = ["outgoing", "incoming"];
const caps = DEFAULT_CAPABILITIES;

describe("carrier and scope data", () => {
  it("names every carrier in Japanese", () => {
    expect(CARRIER_NAMES).toEqual({
      "ntt-east": "NTT東日本",
      "ntt-west": "NTT西日本",
      "ntt-docomo-business": "NTTドコモビジネス",
      kddi: "KDDI",
      softbank: "ソフトバンク",
    });
  });

  it("labels every choice, including わからない", () => {
    for (const choice of CARRIER_CHOICES) expect(CARRIER_CHOICE_LABELS[choice]).toBeTruthy();
    expect(CARRIER_CHOICE_LABELS.unknown).toBe("わからない");
  });

  const guards = { isCarrierCode, isCarrierChoice, isScope };
  it.each([
    ["isCarrierCode", "kddi", true],
    ["isCarrierCode", "ntt", false],
    ["isCarrierCode", 1, false],
    ["isCarrierChoice", "ntt", true],
    ["isCarrierChoice", "unknown", true],
    ["isCarrierChoice", "docomo", false],
    ["isScope", "incoming", true],
    ["isScope", "both", false],
  ] as const)("%s(%j) → %s", (guard, value, expected) => {
    expect(guards[guard](value)).toBe(expected);
  });
});

describe("DEFAULT_CAPABILITIES", () => {
  it("has exactly one row per carrier and scope", () => {
    expect(caps).toHaveLength(CARRIER_CODES.length * SCOPES.length);
    const keys = new Set(caps.map((row) => `${row.carrier}/${row.scope}`));
    expect(keys.size).toBe(caps.length);
  });

  it.each(
    CARRIER_CODES.flatMap((carrier) =>
      SCOPES.map((scope) => [carrier, scope, scope === "incoming" || carrier === "kddi" || carrier === "softbank"] as const),
    ),
  )("%s %s accepted via the centre: %s", (carrier, scope, expected) => {
    expect(acceptsViaCentre(carrier, scope, caps)).toBe(expected);
  });

  it.each(["ntt-east", "ntt-west"] as const)("explains in the note that %s outgoing goes to NTT directly", (carrier) => {
    const row = caps.find((r) => r.carrier === carrier && r.scope === "outgoing");
    expect(row?.note).toContain(`${CARRIER_NAMES[carrier]}に直接`);
  });

  it("treats a missing row as not accepted", () => {
    expect(acceptsViaCentre("kddi", "outgoing", [])).toBe(false);
  });
});

describe("routeApplication: the applicant names a carrier", () => {
  it.each([
    ["kddi", BOTH, BOTH, []],
    ["softbank", BOTH, BOTH, []],
    ["kddi", ["outgoing"], ["outgoing"], []],
    ["ntt-docomo-business", BOTH, ["incoming"], ["outgoing"]],
    ["ntt-east", BOTH, ["incoming"], ["outgoing"]],
    ["ntt-west", ["incoming"], ["incoming"], []],
    ["ntt-west", ["outgoing"], [], ["outgoing"]],
  ] as [CarrierCode, Scope[], Scope[], Scope[]][])(
    "%s asked %j → accepted %j, refused %j",
    (carrier, scopes, accepted, refused) => {
      const result = routeApplication({ choice: carrier, prefecture: null, scopes, capabilities: caps });
      expect(result).toEqual({
        kind: "direct",
        carrier,
        acceptedScopes: accepted,
        refusedScopes: refused.map((scope) => ({
          scope,
          message: `${scope === "outgoing" ? "発信休止" : "着信休止"}は、${CARRIER_NAMES[carrier]}に直接お申し込みください。`,
        })),
      });
    },
  );

  it("tells NTT東日本 applicants to apply for 発信休止 at NTT東日本", () => {
    const result = routeApplication({ choice: "ntt-east", prefecture: "東京都", scopes: BOTH, capabilities: caps });
    expect(result).toMatchObject({
      kind: "direct",
      refusedScopes: [{ scope: "outgoing", message: "発信休止は、NTT東日本に直接お申し込みください。" }],
    });
  });

  it("follows the capability table it is given, not the defaults", () => {
    const everything: CarrierCapability[] = CARRIER_CODES.flatMap((carrier) =>
      SCOPES.map((scope) => ({ carrier, scope, acceptedViaCentre: true })),
    );
    const result = routeApplication({ choice: "ntt-east", scopes: BOTH, capabilities: everything });
    expect(result).toEqual({ kind: "direct", carrier: "ntt-east", acceptedScopes: BOTH, refusedScopes: [] });
  });

  it("ignores duplicate scopes and keeps outgoing before incoming", () => {
    const result = routeApplication({ choice: "kddi", scopes: ["incoming", "outgoing", "incoming"], capabilities: caps });
    expect(result).toMatchObject({ acceptedScopes: ["outgoing", "incoming"] });
  });

  it.each([
    ["ntt-east", "大阪府", "ntt-west"],
    ["ntt-west", 13, "ntt-east"],
  ] as const)("corrects %s to the NTT serving %j", (choice, prefecture, carrier) => {
    const result = routeApplication({ choice, prefecture, scopes: ["incoming"], capabilities: caps });
    expect(result).toEqual({
      kind: "direct",
      carrier,
      acceptedScopes: ["incoming"],
      refusedScopes: [],
      correctedFrom: choice,
    });
  });

  it("keeps the chosen NTT when the prefecture matches it", () => {
    const result = routeApplication({ choice: "ntt-west", prefecture: "大阪府", scopes: ["incoming"], capabilities: caps });
    expect(result).not.toHaveProperty("correctedFrom");
  });
});

describe("routeApplication: the applicant says NTT", () => {
  it.each([
    ["東京都", "ntt-east"],
    ["北海道", "ntt-east"],
    ["新潟県", "ntt-east"],
    ["山梨", "ntt-east"],
    [20, "ntt-east"], // 長野県
    ["大阪府", "ntt-west"],
    ["静岡県", "ntt-west"],
    ["富山県", "ntt-west"],
    [47, "ntt-west"], // 沖縄県
  ] as const)("in %j goes to %s", (prefecture, carrier) => {
    const result = routeApplication({ choice: "ntt", prefecture, scopes: BOTH, capabilities: caps });
    expect(result).toEqual({
      kind: "direct",
      carrier,
      acceptedScopes: ["incoming"],
      refusedScopes: [{ scope: "outgoing", message: `発信休止は、${CARRIER_NAMES[carrier]}に直接お申し込みください。` }],
    });
  });

  it.each([undefined, null, "", "東京府", 0, 48])("needs the prefecture when it is %j", (prefecture) => {
    const result = routeApplication({ choice: "ntt", prefecture, scopes: BOTH, capabilities: caps });
    expect(result).toEqual({ kind: "needs_prefecture", message: ROUTING_MESSAGES.needsPrefecture });
  });
});

describe("routeApplication: the applicant does not know (わからない)", () => {
  it.each([
    [BOTH, null, ["ntt-east", "ntt-west", "ntt-docomo-business", "kddi", "softbank"]],
    [["incoming"], undefined, ["ntt-east", "ntt-west", "ntt-docomo-business", "kddi", "softbank"]],
    [BOTH, "東京都", ["ntt-east", "ntt-docomo-business", "kddi", "softbank"]],
    [BOTH, 27, ["ntt-west", "ntt-docomo-business", "kddi", "softbank"]],
    [BOTH, "どこか", ["ntt-east", "ntt-west", "ntt-docomo-business", "kddi", "softbank"]],
    [["outgoing"], null, ["kddi", "softbank"]],
    [["outgoing"], "大阪府", ["kddi", "softbank"]],
  ] as [Scope[], string | number | null | undefined, CarrierCode[]][])(
    "scopes %j, prefecture %j → candidates %j",
    (scopes, prefecture, candidates) => {
      const result = routeApplication({ choice: "unknown", prefecture, scopes, capabilities: caps });
      expect(result).toMatchObject({ kind: "inquiry", candidates, message: ROUTING_MESSAGES.inquiry });
    },
  );

  it("sends each candidate only the scopes it accepts", () => {
    const result = routeApplication({ choice: "unknown", prefecture: "東京都", scopes: BOTH, capabilities: caps });
    expect(result).toMatchObject({
      kind: "inquiry",
      acceptedScopesByCarrier: {
        "ntt-east": ["incoming"],
        "ntt-docomo-business": ["incoming"],
        kddi: BOTH,
        softbank: BOTH,
      },
    });
    expect(result.kind === "inquiry" && result.acceptedScopesByCarrier["ntt-west"]).toBeUndefined();
  });

  it("has no candidates when no carrier accepts anything", () => {
    const result = routeApplication({ choice: "unknown", scopes: BOTH, capabilities: [] });
    expect(result).toMatchObject({ kind: "inquiry", candidates: [], acceptedScopesByCarrier: {} });
  });
});

describe("routeApplication: nothing requested", () => {
  it.each(["kddi", "ntt", "unknown"] as CarrierChoice[])("%s with no scope asks for a scope", (choice) => {
    const result = routeApplication({ choice, prefecture: "東京都", scopes: [], capabilities: caps });
    expect(result).toEqual({ kind: "needs_scopes", message: ROUTING_MESSAGES.needsScopes });
  });
});

describe("explainScopes", () => {
  it.each([
    ["ntt-east", ["発信休止は、NTT東日本に直接お申し込みください。", "着信休止は、このセンターでお手続きできます。"]],
    ["ntt-west", ["発信休止は、NTT西日本に直接お申し込みください。", "着信休止は、このセンターでお手続きできます。"]],
    [
      "ntt-docomo-business",
      ["発信休止は、NTTドコモビジネスに直接お申し込みください。", "着信休止は、このセンターでお手続きできます。"],
    ],
    ["kddi", ["発信休止は、このセンターでお手続きできます。", "着信休止は、このセンターでお手続きできます。"]],
    ["softbank", ["発信休止は、このセンターでお手続きできます。", "着信休止は、このセンターでお手続きできます。"]],
  ] as [CarrierCode, string[]][])("%s", (carrier, sentences) => {
    expect(explainScopes(carrier, caps)).toEqual(sentences);
  });

  it("can explain only the scopes that were asked for", () => {
    expect(explainScopes("ntt-east", caps, ["incoming"])).toEqual(["着信休止は、このセンターでお手続きできます。"]);
  });
});
