import { renderCompletionLetter, isCompletionLetterData, type CompletionLetterData } from "../../templates/letters/completion";

const data: CompletionLetterData = {
  reference: "12345678901",
  referenceDisplay: "1234-5678-901",
  number: "03-1234-5678",
  scopes: ["着信休止", "発信休止"],
  scopeDescriptions: ["外国からの電話が、この電話にかかってこないようにします。"],
  effectiveDate: "2026-11-21",
  carrierName: "KDDI",
  subscriberName: "山田 花子",
  postalCode: "1000001",
  address: "東京都千代田区千代田1-1",
  centrePhone: "0570-000-110",
  preparedAt: "2026-11-21T03:00:00.000Z",
};

describe("completion letter", () => {
  it("renders a one-page A4 PDF, the same bytes for the same data", async () => {
    const first = await renderCompletionLetter(data);
    const second = await renderCompletionLetter(data);
    expect(first.subarray(0, 5).toString()).toBe("%PDF-");
    expect(first.equals(second)).toBe(true);
    expect(first.toString("latin1").match(/\/Type \/Page\b/g)).toHaveLength(1);
    expect(first.toString("latin1")).toContain("/FontFile2");
  });

  it("recognises its data", () => {
    expect(isCompletionLetterData(data)).toBe(true);
    expect(isCompletionLetterData({ reference: "1" })).toBe(false);
  });
});
