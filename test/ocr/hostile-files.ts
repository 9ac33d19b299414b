/** The three files of issue 14 that took the server down, built byte by byte (tiny on disk, huge when decoded). */
import { deflateSync } from "node:zlib";
import { grayToPng } from "../../app/lib/ocr/safe-decode-encode.server";
import { createGray } from "../../app/lib/ocr/gray-image";

function crc32(buf: Buffer): number {
  let c = ~0;
  for (const byte of buf) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return ~c >>> 0;
}
function chunk(type: string, data: Buffer): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, "latin1");
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** A valid 1-bit PNG of width × height white pixels: a few hundred KB that decode to width × height × 4 bytes. */
export function bombPng(width = 20_000, height = 20_000): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 1; // bit depth
  ihdr[9] = 0; // greyscale
  const rowBytes = 1 + Math.ceil(width / 8);
  const raw = Buffer.alloc(rowBytes * height, 0xff);
  for (let y = 0; y < height; y++) raw[y * rowBytes] = 0; // filter type none
  return Buffer.concat([Buffer.from("\x89PNG\r\n\x1a\n", "latin1"), chunk("IHDR", ihdr), chunk("IDAT", deflateSync(raw, { level: 9 })), chunk("IEND", Buffer.alloc(0))]);
}

/** A ~130-byte little-endian TIFF whose one page declares width × height, G4-compressed, with 4 bytes of data. */
export function bombTiff(width = 100_000, height = 100_000): Buffer {
  const entries: [number, number, number][] = [
    [256, 4, width],
    [257, 4, height],
    [258, 3, 1],
    [259, 3, 4],
    [262, 3, 0],
    [273, 4, 0],
    [278, 4, height],
    [279, 4, 4],
  ];
  const dataOffset = 8 + 2 + entries.length * 12 + 4;
  const buf = Buffer.alloc(dataOffset + 4);
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
  return buf;
}

/** The 47-byte malformed PDF that sent the PDF reader round forever. */
export const LOOPING_PDF = Buffer.from("%PDF-1.4\n2 0 obj << /Length 5 >> stream\nxx", "latin1");

/** A small, ordinary page: what a good file decodes to. */
export function goodPng(seed = 0): Buffer {
  const img = createGray(240, 340);
  for (let i = 0; i < 200; i++) img.data[(seed * 37 + i * 113) % img.data.length] = 0;
  return grayToPng(img);
}
