import {
  DAMM_TABLE,
  dammCheckDigit,
  formatReference,
  generateReference,
  isValidReference,
  makeReference,
  normalizeReference,
  parseReference,
  REFERENCE_ERROR_MESSAGES,
  REFERENCE_ERROR_REASONS,
  speakableGroups,
} from "../../app/domain/reference-number";

const SAMPLE_PAYLOADS = ["1234567890", "0000000000", "9999999999", "5724019386", "0909090909", "3141592653"];
const SAMPLES = SAMPLE_PAYLOADS.map(makeReference);

describe("Damm table", () => {
  const digits = [...Array(10).keys()];

  it("is a quasigroup: every row and column is a permutation of 0-9", () => {
    for (const i of digits) {
      expect(new Set(DAMM_TABLE[i])).toEqual(new Set(digits));
      expect(new Set(digits.map((j) => DAMM_TABLE[j]![i]))).toEqual(new Set(digits));
    }
  });

  it("has zeros on its diagonal, so a correct number ends at 0", () => {
    for (const i of digits) expect(DAMM_TABLE[i]![i]).toBe(0);
  });

  it("is weakly totally anti-symmetric, which is what catches adjacent transpositions", () => {
    const t = (a: number, b: number) => DAMM_TABLE[a]![b]!;
    for (const c of digits)
      for (const x of digits)
        for (const y of digits) if (x !== y) expect(t(t(c, x), y)).not.toBe(t(t(c, y), x));
  });

  it("gives the published example: 572 → check digit 4", () => {
    expect(dammCheckDigit("572")).toBe("4");
  });
});

describe("makeReference", () => {
  it.each([
    ["1234567890", "12345678906"],
    ["0000000000", "00000000000"],
  ])("%s → %s", (payload, reference) => {
    expect(makeReference(payload)).toBe(reference);
  });

  it.each(["123456789", "12345678901", "12345abcde", "１２３４５６７８９０", ""])("rejects payload %j", (payload) => {
    expect(() => makeReference(payload)).toThrow(RangeError);
  });

  it("makes 11 valid digits", () => {
    for (const reference of SAMPLES) {
      expect(reference).toMatch(/^\d{11}$/);
      expect(isValidReference(reference)).toBe(true);
    }
  });
});

describe("generateReference", () => {
  it("takes its randomness from the caller", () => {
    expect(generateReference(() => "1234567890")).toBe("12345678906");
  });

  it("refuses a bad random source instead of making a bad reference", () => {
    expect(() => generateReference(() => "12")).toThrow(RangeError);
  });
});

describe("error detection", () => {
  it.each(SAMPLES)("catches every single-digit substitution in %s", (reference) => {
    let checked = 0;
    for (let position = 0; position < reference.length; position++) {
      for (let digit = 0; digit <= 9; digit++) {
        if (String(digit) === reference[position]) continue;
        const typo = reference.slice(0, position) + digit + reference.slice(position + 1);
        expect(isValidReference(typo), typo).toBe(false);
        checked++;
      }
    }
    expect(checked).toBe(11 * 9);
  });

  it.each(SAMPLES)("catches every adjacent transposition in %s", (reference) => {
    for (let position = 0; position < reference.length - 1; position++) {
      const a = reference[position]!;
      const b = reference[position + 1]!;
      if (a === b) continue; // swapping equal digits changes nothing
      const swapped = reference.slice(0, position) + b + a + reference.slice(position + 2);
      expect(isValidReference(swapped), swapped).toBe(false);
    }
  });
});

describe("normalizeReference and isValidReference", () => {
  it.each([
    ["1234-5678-906", "12345678906"],
    ["１２３４－５６７８－９０６", "12345678906"],
    ["1234 5678 906", "12345678906"],
    ["1234ー5678ー906", "12345678906"],
    ["　1234　5678　906　", "12345678906"],
  ])("%j → %s, valid", (input, normalized) => {
    expect(normalizeReference(input)).toBe(normalized);
    expect(isValidReference(input)).toBe(true);
  });
});

describe("parseReference", () => {
  const cases = [
    ["empty", ""],
    ["empty", " - "],
    ["not_digits", "1234-5678-90A"],
    ["wrong_length", "1234-5678-90"],
    ["wrong_length", "1234-5678-9061"],
    ["check_digit", "1234-5678-903"],
    ["check_digit", "2134-5678-906"],
  ] as const;

  it.each(cases)("%s: %j", (reason, input) => {
    expect(parseReference(input)).toEqual({ ok: false, reason, message: REFERENCE_ERROR_MESSAGES[reason] });
  });

  it("covers every reason", () => {
    expect(new Set(cases.map(([reason]) => reason))).toEqual(new Set(REFERENCE_ERROR_REASONS));
  });

  it("returns the normalised reference when valid", () => {
    expect(parseReference("１２３４ ５６７８ ９０６")).toEqual({ ok: true, reference: "12345678906" });
  });
});

describe("formatReference and speakableGroups", () => {
  it.each([
    ["12345678906", "1234-5678-906", ["1234", "5678", "906"]],
    ["1234 5678 906", "1234-5678-906", ["1234", "5678", "906"]],
    ["00000000000", "0000-0000-000", ["0000", "0000", "000"]],
  ])("%j → %s", (reference, formatted, groups) => {
    expect(formatReference(reference)).toBe(formatted);
    expect(speakableGroups(reference)).toEqual(groups);
  });
});
