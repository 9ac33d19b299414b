import { DIGIT_TWO_READS } from "../../app/lib/ocr/confidence";
import { settledByOneRead, settledByTwoReads } from "../../app/lib/ocr/read-fields.server";

const read = (...cells: [string, number][][]) => cells.map((c) => c.map(([text, confidence]) => ({ text, confidence })));

describe("fewer digit reads unless confidence asks (read-fields DIGIT_TWO_READS)", () => {
  const high = DIGIT_TWO_READS.minConfidence;

  it("settles a field by one read only when every cell holds exactly one digit at the minimum confidence", () => {
    expect(settledByOneRead(read([["0", high]], [["3", 99]]))).toBe(true);
    expect(settledByOneRead(read([["0", high - 1]], [["3", 99]]))).toBe(false);
    // A cell split in two, or missed: more reads.
    expect(settledByOneRead(read([["0", 99], ["6", 99]], [["3", 99]]))).toBe(false);
    expect(settledByOneRead(read([], [["3", 99]]))).toBe(false);
    expect(settledByOneRead([])).toBe(false);
  });

  it("takes the third read when the two first disagree on any digit", () => {
    expect(settledByTwoReads(read([["0", 99]], [["3", 97]]), read([["0", 95]], [["3", 99]]))).toBe(true);
    expect(settledByTwoReads(read([["0", 99]], [["3", 97]]), read([["0", 95]], [["8", 99]]))).toBe(false);
    expect(settledByTwoReads(read([["0", 99]], [["3", 97]]), read([["0", 95]], [["3", high - 1]]))).toBe(false);
  });
});
