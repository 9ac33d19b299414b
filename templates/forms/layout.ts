/**
 * The field layout of the paper forms: DATA shared by the PDF templates, the evaluation-set
 * generator and the OCR. Each form's geometry lives in `<form>.layout.json` beside this file and
 * nowhere else, so that what is printed and what is read cannot drift apart.
 *
 * Coordinates are PDF points (1/72 inch) from the top-left corner of the A4 page, as in pdfkit.
 * The JSON is checked with zod when this module loads: a typo in a hand-edited layout fails fast
 * (at the first import) instead of producing crops in the wrong place.
 */
import { z } from "zod";
import applicationLayoutJson from "./application.layout.json";
import cancellationLayoutJson from "./cancellation.layout.json";

export const FORM_TYPES = ["application", "cancellation"] as const;
export type FormType = (typeof FORM_TYPES)[number];

/**
 * What a field holds, which decides how it is read:
 * digits = comb boxes, one digit per cell; kana = katakana line; kanji = a name in kanji;
 * text = free Japanese text (addresses, reasons); checkbox = one square; signature = ink or not.
 */
export const FIELD_KINDS = ["digits", "kana", "kanji", "text", "checkbox", "signature"] as const;
export type FieldKind = (typeof FIELD_KINDS)[number];

/** Domain checks run on what was read; a failed check always sends the field to an operator. */
export const FIELD_VALIDATIONS = ["phone", "contact_phone", "postal_code", "reference", "date"] as const;
export type FieldValidation = (typeof FIELD_VALIDATIONS)[number];

const rectSchema = z.object({
  x: z.number(),
  y: z.number(),
  width: z.number().positive(),
  height: z.number().positive(),
});
export type LayoutRect = z.infer<typeof rectSchema>;

const fieldSchema = z
  .object({
    name: z.string().min(1),
    kind: z.enum(FIELD_KINDS),
    box: rectSchema,
    /** Number of cells of a comb (digits); the cells split `box` evenly. */
    cells: z.number().int().positive().optional(),
    /** Thicker separators after these cell indexes (0-based), e.g. 〒123|4567. */
    groupAfter: z.array(z.number().int().nonnegative()).optional(),
    /** Number of writing lines in a text box (addresses); default 1. */
    lines: z.number().int().positive().optional(),
    /** Check boxes: the set of choices this box belongs to and the value it stands for. */
    group: z.string().optional(),
    choice: z.string().optional(),
    /** Check boxes: the choice's text, printed to the right of the box. */
    label: z.string().optional(),
    required: z.boolean().optional(),
    validate: z.enum(FIELD_VALIDATIONS).optional(),
    /** May be printed in advance on a form mailed on request. */
    prefill: z.boolean().optional(),
  })
  .superRefine((field, ctx) => {
    if (field.kind === "digits" && !field.cells) {
      ctx.addIssue({ code: "custom", message: `${field.name}: a digits comb needs "cells"` });
    }
    if (field.kind === "checkbox" && (!field.group || !field.choice)) {
      ctx.addIssue({ code: "custom", message: `${field.name}: a check box needs "group" and "choice"` });
    }
  });
export type LayoutField = z.infer<typeof fieldSchema>;

const textSchema = z.object({
  text: z.string(),
  x: z.number(),
  y: z.number(),
  size: z.number().positive(),
  bold: z.boolean().optional(),
  width: z.number().positive().optional(),
});
export type LayoutText = z.infer<typeof textSchema>;

const groupSchema = z.object({
  name: z.string(),
  label: z.string(),
  /** single = exactly one box may be ticked (carrier, relation); multiple = any number. */
  select: z.enum(["single", "multiple"]),
  required: z.boolean(),
});
export type LayoutGroup = z.infer<typeof groupSchema>;

const layoutSchema = z.object({
  formType: z.enum(FORM_TYPES),
  version: z.string().regex(/^[0-9A-Z]+$/),
  title: z.string(),
  page: z.object({ width: z.number().positive(), height: z.number().positive() }),
  registrationMarks: z.object({
    topLeft: rectSchema,
    topRight: rectSchema,
    bottomLeft: rectSchema,
    bottomRight: rectSchema,
  }),
  /** The QR code's square, quiet zone included. At the same place on every form (see OCR). */
  qr: rectSchema,
  groups: z.array(groupSchema),
  fields: z.array(fieldSchema),
  /** Printed text that is not a field: title, instructions, section labels, hints. */
  texts: z.array(textSchema),
});
export type FormLayout = z.infer<typeof layoutSchema>;
export type RegistrationCorner = keyof FormLayout["registrationMarks"];
export const REGISTRATION_CORNERS: readonly RegistrationCorner[] = [
  "topLeft",
  "topRight",
  "bottomRight",
  "bottomLeft",
];

function parseLayout(json: unknown): FormLayout {
  const layout = layoutSchema.parse(json);
  const names = new Set<string>();
  for (const field of layout.fields) {
    if (names.has(field.name)) throw new Error(`${layout.formType} layout: duplicate field ${field.name}`);
    names.add(field.name);
  }
  return layout;
}

/** Every layout the OCR knows, by form type and version (old versions stay readable). */
export const FORM_LAYOUTS: readonly FormLayout[] = [
  parseLayout(applicationLayoutJson),
  parseLayout(cancellationLayoutJson),
];

/** The current (newest) layout of a form type. */
export function currentLayout(formType: FormType): FormLayout {
  const layout = FORM_LAYOUTS.filter((l) => l.formType === formType).at(-1);
  if (!layout) throw new Error(`No layout for form type ${formType}`);
  return layout;
}

/** The layout a printed form was made from, or undefined when this version is unknown here. */
export function findLayout(formType: string, version: string): FormLayout | undefined {
  return FORM_LAYOUTS.find((l) => l.formType === formType && l.version === version);
}

/** The rectangle of each cell of a comb field, left to right. */
export function combCells(field: LayoutField): LayoutRect[] {
  const cells = field.cells ?? 1;
  const width = field.box.width / cells;
  return Array.from({ length: cells }, (_, i) => ({
    x: field.box.x + i * width,
    y: field.box.y,
    width,
    height: field.box.height,
  }));
}

/** The rectangle of each writing line of a text field, top to bottom. */
export function textLines(field: LayoutField): LayoutRect[] {
  const lines = field.lines ?? 1;
  const height = field.box.height / lines;
  return Array.from({ length: lines }, (_, i) => ({
    x: field.box.x,
    y: field.box.y + i * height,
    width: field.box.width,
    height,
  }));
}

/** Centre of a registration mark: what the OCR aligns on. */
export function markCentre(layout: FormLayout, corner: RegistrationCorner): { x: number; y: number } {
  const r = layout.registrationMarks[corner];
  return { x: r.x + r.width / 2, y: r.y + r.height / 2 };
}
