/**
 * The digit shapes the product ships (app/lib/ocr/digit-shapes.json, made by
 * `npm run ocr:digit-shapes` from calibration pages), one set per resolution class: standard-mode FAX
 * ("low", rows stretched to square pixels) and everything else ("normal").
 */
import stored from "./digit-shapes.json";
import { classifyDigitShape, digitShapeFeature, parseDigitShapeSet, type DigitShapeSet, type ShapeOpinion } from "./digit-shapes";
import type { GrayImage } from "./gray-image";

let sets: { low: DigitShapeSet; normal: DigitShapeSet } | undefined;

function loaded(): { low: DigitShapeSet; normal: DigitShapeSet } {
  sets ??= { low: parseDigitShapeSet(stored.low), normal: parseDigitShapeSet(stored.normal) };
  return sets;
}

/** The shapes' opinion on a written cell interior (0 = ink), or undefined (empty cell, no shapes). */
export function digitShapeOpinion(cell: GrayImage, lowResolution: boolean): ShapeOpinion | undefined {
  const feature = digitShapeFeature(cell);
  if (!feature) return undefined;
  const all = loaded();
  return classifyDigitShape(feature, lowResolution ? all.low : all.normal);
}
