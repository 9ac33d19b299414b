import { checkboxMarks, decideCheckbox } from "../../app/lib/ocr/checkbox-marks";
import { createGray, type GrayImage } from "../../app/lib/ocr/gray-image";

/** A box's neighbourhood as readCheckbox cuts it: 12 pt left, 6 pt above, right and below, 3 px/pt. */
const S = 3;
const BOX = 18;
const M = { left: 12, top: 6, right: 6, bottom: 6 };

function blank(): GrayImage {
  const img = createGray((M.left + BOX + M.right) * S, (M.top + BOX + M.bottom) * S);
  // The printed box (1.2 pt border).
  strokeRect(img, M.left, M.top, BOX, BOX, 1.2);
  return img;
}

/** Ink on a disc of radius `r` points at (x, y) points. */
function dot(img: GrayImage, x: number, y: number, r: number): void {
  for (let py = Math.floor((y - r) * S); py <= Math.ceil((y + r) * S); py++) {
    for (let px = Math.floor((x - r) * S); px <= Math.ceil((x + r) * S); px++) {
      if (px < 0 || py < 0 || px >= img.width || py >= img.height) continue;
      if ((px / S - x) ** 2 + (py / S - y) ** 2 <= r * r) img.data[py * img.width + px] = 20;
    }
  }
}

function line(img: GrayImage, x0: number, y0: number, x1: number, y1: number, width = 1.5): void {
  const steps = Math.ceil(Math.hypot(x1 - x0, y1 - y0) * S * 2);
  for (let i = 0; i <= steps; i++) dot(img, x0 + ((x1 - x0) * i) / steps, y0 + ((y1 - y0) * i) / steps, width / 2);
}

function strokeRect(img: GrayImage, x: number, y: number, w: number, h: number, width: number): void {
  line(img, x, y, x + w, y, width);
  line(img, x + w, y, x + w, y + h, width);
  line(img, x + w, y + h, x, y + h, width);
  line(img, x, y + h, x, y, width);
}

/** A round loop around the box, `out` points outside its edges. */
function circleAround(img: GrayImage, out: number): void {
  const cx = M.left + BOX / 2;
  const cy = M.top + BOX / 2;
  const r = BOX / 2 + out;
  const clear = BOX / 2 + 1;
  const dx = r - Math.sqrt(r * r - clear * clear) + 1;
  const left = M.left - dx;
  const right = M.left + BOX + dx;
  const half = (right - left) / 2;
  for (let a = 0; a < 2 * Math.PI; a += 0.02) {
    // A squashed circle: round ends, flatter top and bottom.
    dot(img, cx + half * Math.cos(a), cy + r * Math.sign(Math.sin(a)) * Math.abs(Math.sin(a)) ** 0.5, 0.75);
  }
}

const marksOf = (img: GrayImage) => checkboxMarks({ image: img, scale: S, margin: { left: M.left * S, top: M.top * S }, boxSize: BOX * S });

describe("check box marks (checkbox-marks.ts)", () => {
  it("reads an empty box as not ticked", () => {
    expect(decideCheckbox(marksOf(blank()))).toEqual({ value: false });
  });

  it("reads a tick inside the box", () => {
    const img = blank();
    line(img, M.left + 4, M.top + 10, M.left + 7.5, M.top + 14, 2);
    line(img, M.left + 7.5, M.top + 14, M.left + 14.5, M.top + 4, 2);
    expect(decideCheckbox(marksOf(img))).toEqual({ value: true, how: "inside" });
  });

  it("reads a circle drawn around the box as a mark", () => {
    const img = blank();
    circleAround(img, 3);
    const marks = marksOf(img);
    expect(marks.interior).toBeLessThan(0.01);
    expect(decideCheckbox(marks)).toEqual({ value: true, how: "circled" });
  });

  it("reads a circle around the box and its label (open to the right of this crop) as a mark", () => {
    const img = blank();
    const top = M.top - 3;
    const bottom = M.top + BOX + 3;
    const x0 = M.left - 5;
    line(img, x0, top + 4, x0, bottom - 4);
    line(img, x0, top + 4, x0 + 4, top);
    line(img, x0, bottom - 4, x0 + 4, bottom);
    line(img, x0 + 4, top, img.width / S, top);
    line(img, x0 + 4, bottom, img.width / S, bottom);
    expect(decideCheckbox(marksOf(img))).toEqual({ value: true, how: "circled" });
  });

  it("does not take a neighbour's circle passing just above or below for a mark", () => {
    const img = blank();
    // The arcs of the circles round the boxes above and below (rows are 6 pt apart).
    line(img, M.left - 4, M.top - 3, M.left + BOX + 6, M.top - 3);
    line(img, M.left - 4, M.top + BOX + 3, M.left + BOX + 6, M.top + BOX + 3);
    expect(decideCheckbox(marksOf(img))).toEqual({ value: false });
  });

  it("sends a stroke beside the box, or half a circle, to an operator", () => {
    const beside = blank();
    line(beside, M.left + BOX + 2, M.top + 2, M.left + BOX + 4.5, M.top - 4, 2);
    line(beside, M.left + BOX + 2, M.top + 16, M.left + BOX + 4.5, M.top + 4, 2);
    expect(decideCheckbox(marksOf(beside))).toMatchObject({ value: null });
    const half = blank();
    line(half, M.left - 5, M.top + 1, M.left - 5, M.top + BOX - 1);
    expect(decideCheckbox(marksOf(half))).toMatchObject({ value: null, why: "outside" });
  });
});
