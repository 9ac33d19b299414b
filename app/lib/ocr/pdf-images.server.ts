/**
 * Pulls the page images out of an image-only PDF: what scanners and FAX servers produce (one JPEG,
 * CCITT G4 or deflated bitmap per page). This is not a PDF renderer: a page made of vector text
 * (e.g. a form filled in on a computer) has no image and is reported as such; decode-image.server.ts
 * then renders the file with pdf.js (pdf-render.server.ts, ADR 024).
 *
 * A deliberately small parser: objects are found by scanning for "N G obj", object streams are
 * expanded, the page tree is walked from the catalog, and each page's largest image XObject wins.
 */
import { inflateSync } from "node:zlib";
import { createGray, type GrayImage } from "./gray-image";
import { checkPageSize, LimitExceededError, MAX_INFLATED_BYTES, MAX_PAGES_PER_FILE } from "./safe-decode-limits";

/** inflateSync with a ceiling: a deflate bomb stops at MAX_INFLATED_BYTES instead of filling memory. */
function inflateBounded(data: Buffer, limit = MAX_INFLATED_BYTES): Buffer {
  try {
    return inflateSync(data, { maxOutputLength: limit });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE" || error instanceof RangeError) {
      throw new LimitExceededError("image_too_large", `a PDF stream inflates to more than ${limit} bytes`);
    }
    throw error;
  }
}

class Name {
  constructor(readonly name: string) {}
}
class Ref {
  constructor(
    readonly num: number,
    readonly gen: number,
  ) {}
}
type Dict = Map<string, PdfValue>;
type PdfValue = number | boolean | null | string | Name | Ref | PdfValue[] | Dict;
type PdfObject = { value: PdfValue; stream?: Buffer };

export type PdfImage = (
  | { kind: "jpeg"; bytes: Buffer }
  | { kind: "tiff"; bytes: Buffer }
  | { kind: "gray"; image: GrayImage }
) & {
  /** The decoded samples are inverted (Decode [1 0], BlackIs1). */
  invert: boolean;
  /** Page height / width from the MediaBox (after /Rotate), to undo FAX stretching. */
  pageAspect?: number;
};

const DELIMITERS = new Set(["(", ")", "<", ">", "[", "]", "{", "}", "/", "%"]);
const isSpace = (c: string | undefined) => c === " " || c === "\n" || c === "\r" || c === "\t" || c === "\f" || c === "\0";

class Parser {
  pos: number;
  constructor(
    private readonly text: string,
    start: number,
  ) {
    this.pos = start;
  }
  private skip(): void {
    for (;;) {
      while (isSpace(this.text[this.pos])) this.pos++;
      if (this.text[this.pos] !== "%") return;
      while (this.pos < this.text.length && this.text[this.pos] !== "\n" && this.text[this.pos] !== "\r") this.pos++;
    }
  }
  private token(): string {
    const start = this.pos;
    while (this.pos < this.text.length && !isSpace(this.text[this.pos]) && !DELIMITERS.has(this.text[this.pos]!)) this.pos++;
    return this.text.slice(start, this.pos);
  }
  peekKeyword(): string {
    this.skip();
    const save = this.pos;
    const t = this.token();
    this.pos = save;
    return t;
  }
  value(): PdfValue {
    this.skip();
    const c = this.text[this.pos];
    if (c === "/") {
      this.pos++;
      return new Name(this.token().replace(/#([0-9a-fA-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))));
    }
    if (c === "<" && this.text[this.pos + 1] === "<") {
      this.pos += 2;
      const dict: Dict = new Map();
      for (;;) {
        this.skip();
        if (this.text.startsWith(">>", this.pos) || this.pos >= this.text.length) {
          this.pos += 2;
          return dict;
        }
        const key = this.value();
        if (!(key instanceof Name)) throw new Error("PDF dictionary key is not a name");
        dict.set(key.name, this.value());
      }
    }
    if (c === "<") {
      let end = this.text.indexOf(">", this.pos);
      if (end < 0) end = this.text.length; // unterminated: take the rest, and move on
      const hex = this.text.slice(this.pos + 1, end).replace(/\s/g, "");
      this.pos = end + 1;
      return Buffer.from(hex.length % 2 ? `${hex}0` : hex, "hex").toString("latin1");
    }
    if (c === "[") {
      this.pos++;
      const items: PdfValue[] = [];
      for (;;) {
        this.skip();
        if (this.text[this.pos] === "]" || this.pos >= this.text.length) {
          this.pos++;
          return items;
        }
        items.push(this.value());
      }
    }
    if (c === "(") {
      let depth = 0;
      let out = "";
      for (this.pos++; this.pos < this.text.length; this.pos++) {
        const ch = this.text[this.pos]!;
        if (ch === "\\") {
          out += this.text[++this.pos] ?? "";
          continue;
        }
        if (ch === "(") depth++;
        if (ch === ")" && depth-- === 0) break;
        out += ch;
      }
      this.pos++;
      return out;
    }
    const word = this.token();
    if (word === "") {
      this.pos++;
      return null;
    }
    if (word === "true" || word === "false") return word === "true";
    if (word === "null") return null;
    const n = Number(word);
    if (Number.isNaN(n)) return new Name(word); // an operator or keyword; harmless here
    // "12 0 R" is a reference: look ahead without consuming anything else.
    const save = this.pos;
    this.skip();
    const gen = this.token();
    this.skip();
    if (/^\d+$/.test(gen) && this.text[this.pos] === "R" && /^\d+$/.test(word)) {
      this.pos++;
      return new Ref(n, Number(gen));
    }
    this.pos = save;
    return n;
  }
}

function name(v: PdfValue | undefined): string | undefined {
  return v instanceof Name ? v.name : undefined;
}

class PdfFile {
  private readonly objects = new Map<number, PdfObject>();

  constructor(private readonly bytes: Buffer) {
    const text = bytes.toString("latin1");
    const header = /(\d+)\s+(\d+)\s+obj\b/g;
    let m: RegExpExecArray | null;
    while ((m = header.exec(text))) {
      const parser = new Parser(text, m.index + m[0].length);
      let value: PdfValue;
      try {
        value = parser.value();
      } catch {
        continue;
      }
      const object: PdfObject = { value };
      if (parser.peekKeyword() === "stream") {
        let start = text.indexOf("stream", parser.pos) + 6;
        if (text[start] === "\r") start++;
        if (text[start] === "\n") start++;
        const declared = value instanceof Map ? value.get("Length") : undefined;
        let end = typeof declared === "number" ? start + declared : -1;
        if (end < 0 || end > bytes.length || !text.startsWith("endstream", skipSpaces(text, end))) {
          end = text.indexOf("endstream", start);
          // No endstream at all (a truncated file): the stream runs to the end of the file.
          if (end < 0) end = bytes.length;
          while (end > start && (text[end - 1] === "\n" || text[end - 1] === "\r")) end--;
        }
        if (end < start) end = start;
        object.stream = bytes.subarray(start, end);
        // Always forward: a lastIndex at or before this match would scan the same bytes forever.
        header.lastIndex = Math.max(end, m.index + m[0].length);
      }
      this.objects.set(Number(m[1]), object); // later definitions (incremental updates) win
      if (value instanceof Map && name(value.get("Type")) === "ObjStm" && object.stream) {
        this.expandObjectStream(value, object.stream);
      }
    }
  }

  private expandObjectStream(dict: Dict, raw: Buffer): void {
    const data = this.decodeStreamBytes(dict, raw).toString("latin1");
    const count = this.resolve(dict.get("N"));
    const first = this.resolve(dict.get("First"));
    if (typeof count !== "number" || typeof first !== "number") return;
    const header = data.slice(0, first).trim().split(/\s+/).map(Number);
    for (let i = 0; i < count; i++) {
      const num = header[2 * i];
      const offset = header[2 * i + 1];
      if (num === undefined || offset === undefined || this.objects.has(num)) continue;
      try {
        this.objects.set(num, { value: new Parser(data, first + offset).value() });
      } catch {
        /* skip a malformed entry */
      }
    }
  }

  resolve(v: PdfValue | undefined, depth = 0): PdfValue | undefined {
    if (v instanceof Ref && depth < 20) return this.resolve(this.objects.get(v.num)?.value, depth + 1);
    return v;
  }

  object(v: PdfValue | undefined): PdfObject | undefined {
    return v instanceof Ref ? this.objects.get(v.num) : undefined;
  }

  dict(v: PdfValue | undefined): Dict | undefined {
    const r = this.resolve(v);
    return r instanceof Map ? r : undefined;
  }

  /** Applies FlateDecode filters (with PNG predictors); leaves image codecs (DCT, CCITT) alone. */
  decodeStreamBytes(dict: Dict, raw: Buffer): Buffer {
    const { filters, params } = this.filters(dict);
    let data = raw;
    for (let i = 0; i < filters.length; i++) {
      if (filters[i] !== "FlateDecode") break;
      data = inflateBounded(data);
      data = undoPredictor(data, params[i], this);
    }
    return data;
  }

  filters(dict: Dict): { filters: string[]; params: (Dict | undefined)[] } {
    const f = this.resolve(dict.get("Filter"));
    const p = this.resolve(dict.get("DecodeParms"));
    const filters = (Array.isArray(f) ? f : f === undefined ? [] : [f]).map((x) => name(this.resolve(x)) ?? "");
    const params = Array.isArray(p) ? p.map((x) => this.dict(x)) : [this.dict(p)];
    return { filters, params };
  }

  /** Pages in order, with inherited resources and media box. */
  pages(): { resources?: Dict; mediaBox?: number[]; rotate: number }[] {
    const out: { resources?: Dict; mediaBox?: number[]; rotate: number }[] = [];
    const catalog = [...this.objects.values()].map((o) => o.value).find((v) => v instanceof Map && name(v.get("Type")) === "Catalog");
    const root = catalog instanceof Map ? this.dict(catalog.get("Pages")) : undefined;
    const walk = (node: Dict | undefined, inherited: { resources?: Dict; mediaBox?: number[]; rotate: number }, depth: number) => {
      if (!node || depth > 50) return;
      const resources = this.dict(node.get("Resources")) ?? inherited.resources;
      const box = this.resolve(node.get("MediaBox"));
      const mediaBox = Array.isArray(box) ? box.map((x) => Number(this.resolve(x))) : inherited.mediaBox;
      const rot = this.resolve(node.get("Rotate"));
      const rotate = typeof rot === "number" ? rot : inherited.rotate;
      if (name(node.get("Type")) === "Page" || !node.has("Kids")) {
        out.push({ resources, mediaBox, rotate });
        return;
      }
      const kids = this.resolve(node.get("Kids"));
      if (Array.isArray(kids)) for (const kid of kids) walk(this.dict(kid), { resources, mediaBox, rotate }, depth + 1);
    };
    walk(root, { rotate: 0 }, 0);
    return out;
  }

  /** The largest image XObject reachable from these resources (one level of form XObjects). */
  largestImage(resources: Dict | undefined, depth = 0): { dict: Dict; stream: Buffer } | undefined {
    const xobjects = this.dict(resources?.get("XObject"));
    let best: { dict: Dict; stream: Buffer; area: number } | undefined;
    for (const ref of xobjects?.values() ?? []) {
      const obj = this.object(ref);
      if (!(obj?.value instanceof Map) || !obj.stream) continue;
      const subtype = name(obj.value.get("Subtype"));
      let found: { dict: Dict; stream: Buffer } | undefined;
      if (subtype === "Image") found = { dict: obj.value, stream: obj.stream };
      else if (subtype === "Form" && depth < 2) found = this.largestImage(this.dict(obj.value.get("Resources")), depth + 1);
      if (!found) continue;
      const area = Number(this.resolve(found.dict.get("Width"))) * Number(this.resolve(found.dict.get("Height")));
      if (!best || area > best.area) best = { ...found, area };
    }
    return best;
  }
}

function skipSpaces(text: string, pos: number): number {
  while (isSpace(text[pos])) pos++;
  return pos;
}

function undoPredictor(data: Buffer, params: Dict | undefined, pdf: PdfFile): Buffer {
  const predictor = Number(pdf.resolve(params?.get("Predictor")) ?? 1);
  if (predictor < 10) return data;
  const colors = Number(pdf.resolve(params?.get("Colors")) ?? 1);
  const bpc = Number(pdf.resolve(params?.get("BitsPerComponent")) ?? 8);
  const columns = Number(pdf.resolve(params?.get("Columns")) ?? 1);
  const bpp = Math.max(1, Math.ceil((colors * bpc) / 8));
  const rowLength = Math.ceil((colors * bpc * columns) / 8);
  const rows = Math.floor(data.length / (rowLength + 1));
  const out = Buffer.alloc(rows * rowLength);
  for (let r = 0; r < rows; r++) {
    const type = data[r * (rowLength + 1)]!;
    const src = r * (rowLength + 1) + 1;
    const dst = r * rowLength;
    for (let i = 0; i < rowLength; i++) {
      const raw = data[src + i]!;
      const left = i >= bpp ? out[dst + i - bpp]! : 0;
      const up = r > 0 ? out[dst - rowLength + i]! : 0;
      const upLeft = r > 0 && i >= bpp ? out[dst - rowLength + i - bpp]! : 0;
      let v: number;
      switch (type) {
        case 1: v = raw + left; break;
        case 2: v = raw + up; break;
        case 3: v = raw + ((left + up) >> 1); break;
        case 4: {
          const p = left + up - upLeft;
          const pa = Math.abs(p - left);
          const pb = Math.abs(p - up);
          const pc = Math.abs(p - upLeft);
          v = raw + (pa <= pb && pa <= pc ? left : pb <= pc ? up : upLeft);
          break;
        }
        default: v = raw;
      }
      out[dst + i] = v & 0xff;
    }
  }
  return out;
}

/** A one-strip TIFF around raw CCITT data, so that utif2's FAX decoders can read it. */
function ccittAsTiff(data: Buffer, width: number, height: number, k: number): Buffer {
  const entries: [number, number, number][] = [
    [256, 4, width],
    [257, 4, height],
    [258, 3, 1],
    [259, 3, k < 0 ? 4 : 3],
    [262, 3, 0],
    [273, 4, 0], // patched below
    [277, 3, 1],
    [278, 4, height],
    [279, 4, data.length],
    [k < 0 ? 293 : 292, 4, k > 0 ? 1 : 0],
  ];
  const ifdSize = 2 + entries.length * 12 + 4;
  const dataOffset = 8 + ifdSize;
  const buf = Buffer.alloc(dataOffset + data.length);
  buf.write("II", 0, "latin1");
  buf.writeUInt16LE(42, 2);
  buf.writeUInt32LE(8, 4);
  buf.writeUInt16LE(entries.length, 8);
  entries.forEach(([tag, type, value], i) => {
    const p = 10 + i * 12;
    buf.writeUInt16LE(tag, p);
    buf.writeUInt16LE(type, p + 2);
    buf.writeUInt32LE(1, p + 4);
    const v = tag === 273 ? dataOffset : value;
    if (type === 3) buf.writeUInt16LE(v, p + 8);
    else buf.writeUInt32LE(v, p + 8);
  });
  data.copy(buf, dataOffset);
  return buf;
}

function rawToGray(data: Buffer, width: number, height: number, bpc: number, components: number, palette?: Buffer, paletteComponents = 3): GrayImage {
  const img = createGray(width, height);
  const rowBits = width * components * bpc;
  const rowBytes = Math.ceil(rowBits / 8);
  const max = (1 << bpc) - 1;
  const sample = (row: number, index: number): number => {
    if (bpc === 8) return data[row * rowBytes + index] ?? 255;
    const bit = index * bpc;
    const byte = data[row * rowBytes + (bit >> 3)] ?? 0;
    return (byte >> (8 - bpc - (bit & 7))) & max;
  };
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let v: number;
      if (palette) {
        const i = sample(y, x) * paletteComponents;
        v = paletteComponents === 1 ? palette[i]! : (palette[i]! * 77 + palette[i + 1]! * 150 + palette[i + 2]! * 29) >> 8;
      } else if (components === 1) {
        v = Math.round((sample(y, x) * 255) / max);
      } else if (components === 3) {
        const s = x * 3;
        v = ((sample(y, s) * 77 + sample(y, s + 1) * 150 + sample(y, s + 2) * 29) >> 8) * (255 / max);
      } else {
        const s = x * 4; // CMYK: darkness from K and the average of C, M, Y
        v = 255 - Math.min(255, ((sample(y, s + 3) + (sample(y, s) + sample(y, s + 1) + sample(y, s + 2)) / 3) * 255) / max);
      }
      img.data[y * width + x] = v;
    }
  }
  return img;
}

/** The image of each page of an image-only PDF. Throws when a page has no image we can decode. */
export function extractPdfPageImages(bytes: Buffer): PdfImage[] {
  const pdf = new PdfFile(bytes);
  const pages = pdf.pages();
  if (pages.length === 0) throw new Error("no pages found in the PDF");
  if (pages.length > MAX_PAGES_PER_FILE) throw new LimitExceededError("too_many_pages", `${pages.length} PDF pages`);
  return pages.map((page, index) => {
    const found = pdf.largestImage(page.resources);
    if (!found) throw new Error(`page ${index + 1} has no image (a PDF made of text cannot be read without a renderer)`);
    const { dict, stream } = found;
    const width = Number(pdf.resolve(dict.get("Width")));
    const height = Number(pdf.resolve(dict.get("Height")));
    checkPageSize(width, height, `PDF page ${index + 1} image`);
    const decode = pdf.resolve(dict.get("Decode"));
    const decodeInverted = Array.isArray(decode) && Number(pdf.resolve(decode[0])) === 1;
    let pageAspect: number | undefined;
    if (page.mediaBox && page.mediaBox.length === 4) {
      const [x0, y0, x1, y1] = page.mediaBox as [number, number, number, number];
      const aspect = Math.abs(y1 - y0) / Math.abs(x1 - x0);
      pageAspect = page.rotate % 180 === 0 ? aspect : 1 / aspect;
    }
    const { filters, params } = pdf.filters(dict);
    let data = stream;
    let i = 0;
    for (; i < filters.length && filters[i] === "FlateDecode"; i++) data = undoPredictor(inflateBounded(data), params[i], pdf);
    const codec = filters[i];
    if (codec === "DCTDecode") return { kind: "jpeg", bytes: data, invert: decodeInverted, pageAspect };
    if (codec === "CCITTFaxDecode") {
      const p = params[i];
      const k = Number(pdf.resolve(p?.get("K")) ?? 0);
      const columns = Number(pdf.resolve(p?.get("Columns")) ?? 1728);
      const rows = Number(pdf.resolve(p?.get("Rows")) ?? height);
      const blackIs1 = pdf.resolve(p?.get("BlackIs1")) === true;
      checkPageSize(columns, rows || height, `PDF page ${index + 1} FAX image`);
      if (k >= 0 && pdf.resolve(p?.get("EndOfLine")) !== true) throw new Error("CCITT Group 3 without end-of-line codes is not supported");
      return { kind: "tiff", bytes: ccittAsTiff(data, columns, rows || height, k), invert: blackIs1 !== decodeInverted, pageAspect };
    }
    if (codec !== undefined) throw new Error(`image codec ${codec} is not supported`);
    const imageMask = pdf.resolve(dict.get("ImageMask")) === true;
    const bpc = imageMask ? 1 : Number(pdf.resolve(dict.get("BitsPerComponent")) ?? 8);
    const cs = pdf.resolve(dict.get("ColorSpace"));
    let components = 1;
    let palette: Buffer | undefined;
    let paletteComponents = 3;
    const csName = name(cs) ?? (Array.isArray(cs) ? name(pdf.resolve(cs[0])) : undefined);
    if (csName === "DeviceRGB" || csName === "CalRGB") components = 3;
    else if (csName === "DeviceCMYK") components = 4;
    else if (csName === "ICCBased" && Array.isArray(cs)) {
      const iccDict = pdf.dict(cs[1]);
      components = Number(pdf.resolve(iccDict?.get("N")) ?? 3);
    } else if (csName === "Indexed" && Array.isArray(cs)) {
      const base = pdf.resolve(cs[1]);
      const baseName = name(base) ?? (Array.isArray(base) ? name(pdf.resolve(base[0])) : undefined);
      paletteComponents = baseName === "DeviceGray" || baseName === "CalGray" ? 1 : 3;
      const lookup = cs[3];
      const lookupObj = pdf.object(lookup);
      if (lookupObj?.stream && lookupObj.value instanceof Map) palette = pdf.decodeStreamBytes(lookupObj.value, lookupObj.stream);
      else {
        const s = pdf.resolve(lookup);
        palette = Buffer.from(typeof s === "string" ? s : "", "latin1");
      }
    }
    return { kind: "gray", image: rawToGray(data, width, height, bpc, components, palette, paletteComponents), invert: decodeInverted, pageAspect };
  });
}
