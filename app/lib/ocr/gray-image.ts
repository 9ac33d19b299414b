/**
 * 8-bit greyscale images (0 = black ink, 255 = white paper) and the few pixel operations the OCR
 * pipeline needs. Pure TypeScript on typed arrays: no canvas, so it runs anywhere and is testable.
 */
export interface GrayImage {
  width: number;
  height: number;
  /** Row-major, one byte per pixel. */
  data: Uint8Array;
}

export function createGray(width: number, height: number, fill = 255): GrayImage {
  const data = new Uint8Array(width * height);
  if (fill !== 0) data.fill(fill);
  return { width, height, data };
}

/** RGBA (canvas ImageData, utif2 toRGBA8) to luminance; transparent pixels count as paper. */
export function grayFromRgba(rgba: Uint8Array | Uint8ClampedArray, width: number, height: number): GrayImage {
  const out = new Uint8Array(width * height);
  for (let i = 0, p = 0; i < out.length; i++, p += 4) {
    const a = rgba[p + 3]!;
    const lum = (rgba[p]! * 77 + rgba[p + 1]! * 150 + rgba[p + 2]! * 29) >> 8;
    if (a === 255) {
      out[i] = lum;
    } else {
      const alpha = a / 255;
      out[i] = Math.round(lum * alpha + 255 * (1 - alpha));
    }
  }
  return { width, height, data: out };
}

/**
 * A bilevel image (1 bit per pixel, rows padded to whole bytes, most significant bit first, as
 * TIFF/CCITT decoders give it) to greyscale, without going through RGBA. `blackIsOne`: TIFF
 * photometric interpretation 0 (WhiteIsZero, FAX) — a set bit is ink.
 */
export function grayFromBits(bits: Uint8Array, width: number, height: number, blackIsOne: boolean): GrayImage {
  const out = new Uint8Array(width * height);
  const stride = (width + 7) >> 3;
  const ink = 0;
  const paper = 255;
  for (let y = 0; y < height; y++) {
    const row = y * stride;
    const o = y * width;
    for (let x = 0; x < width; x++) {
      const bit = (bits[row + (x >> 3)]! >> (7 - (x & 7))) & 1;
      out[o + x] = (bit === 1) === blackIsOne ? ink : paper;
    }
  }
  return { width, height, data: out };
}

export function grayToRgba(img: GrayImage): Uint8ClampedArray {
  const out = new Uint8ClampedArray(img.width * img.height * 4);
  for (let i = 0, p = 0; i < img.data.length; i++, p += 4) {
    const v = img.data[i]!;
    out[p] = v;
    out[p + 1] = v;
    out[p + 2] = v;
    out[p + 3] = 255;
  }
  return out;
}

/** Binary PGM (P5): the cheapest format Tesseract (Leptonica) reads from memory. */
export function grayToPgm(img: GrayImage): Buffer {
  return Buffer.concat([Buffer.from(`P5\n${img.width} ${img.height}\n255\n`, "latin1"), Buffer.from(img.data)]);
}

/** Turns the image by a multiple of 90° clockwise. */
export function rotateGray(img: GrayImage, quarterTurnsClockwise: number): GrayImage {
  const q = ((quarterTurnsClockwise % 4) + 4) % 4;
  if (q === 0) return img;
  const { width: w, height: h, data } = img;
  if (q === 2) {
    const out = new Uint8Array(w * h);
    for (let i = 0; i < out.length; i++) out[i] = data[out.length - 1 - i]!;
    return { width: w, height: h, data: out };
  }
  const out = new Uint8Array(w * h);
  // Output is h wide and w high.
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const v = data[y * w + x]!;
      if (q === 1) out[x * h + (h - 1 - y)] = v;
      else out[(w - 1 - x) * h + y] = v;
    }
  }
  return { width: h, height: w, data: out };
}

/**
 * Resizes with area averaging when shrinking and bilinear interpolation when growing; used to
 * square up non-square FAX pixels (204×98 dpi) and to reduce pages for quick searches.
 */
export function resizeGray(img: GrayImage, width: number, height: number): GrayImage {
  width = Math.max(1, Math.round(width));
  height = Math.max(1, Math.round(height));
  if (width === img.width && height === img.height) return img;
  const sx = img.width / width;
  const sy = img.height / height;
  const out = new Uint8Array(width * height);
  if (sx >= 1 && sy >= 1) {
    for (let y = 0; y < height; y++) {
      const y0 = Math.floor(y * sy);
      const y1 = Math.max(y0 + 1, Math.min(img.height, Math.floor((y + 1) * sy)));
      for (let x = 0; x < width; x++) {
        const x0 = Math.floor(x * sx);
        const x1 = Math.max(x0 + 1, Math.min(img.width, Math.floor((x + 1) * sx)));
        let sum = 0;
        for (let yy = y0; yy < y1; yy++) {
          const row = yy * img.width;
          for (let xx = x0; xx < x1; xx++) sum += img.data[row + xx]!;
        }
        out[y * width + x] = Math.round(sum / ((y1 - y0) * (x1 - x0)));
      }
    }
    return { width, height, data: out };
  }
  if (width === img.width) {
    // Stretching rows only (FAX normal mode's 204×98 dpi squared up): each output row blends two
    // source rows, as sampleBilinear would with no horizontal fraction, whole rows at a time.
    const w = width;
    const src = img.data;
    for (let y = 0; y < height; y++) {
      const fy = (y + 0.5) * sy - 0.5;
      const y0 = Math.floor(fy);
      const f = fy - y0;
      const r0 = y0 >= 0 && y0 < img.height ? y0 * w : -1;
      const r1 = y0 + 1 >= 0 && y0 + 1 < img.height ? (y0 + 1) * w : -1;
      const o = y * w;
      for (let x = 0; x < w; x++) {
        const top = r0 >= 0 ? src[r0 + x]! : 255;
        const bottom = r1 >= 0 ? src[r1 + x]! : 255;
        out[o + x] = Math.round(top * (1 - f) + bottom * f);
      }
    }
    return { width, height, data: out };
  }
  for (let y = 0; y < height; y++) {
    const fy = (y + 0.5) * sy - 0.5;
    for (let x = 0; x < width; x++) {
      out[y * width + x] = sampleBilinear(img, (x + 0.5) * sx - 0.5, fy);
    }
  }
  return { width, height, data: out };
}

/** Bilinear sample; outside the image is white paper. */
export function sampleBilinear(img: GrayImage, x: number, y: number): number {
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  const fx = x - x0;
  const fy = y - y0;
  // Called once per output pixel: no closure here (a per-call closure, wrapped again by tsx's
  // name-keeping, doubled the decode time of a FAX page — issue 14).
  const { width, height, data } = img;
  const x1 = x0 + 1;
  const y1 = y0 + 1;
  const xIn0 = x0 >= 0 && x0 < width;
  const xIn1 = x1 >= 0 && x1 < width;
  const row0 = y0 >= 0 && y0 < height ? y0 * width : -1;
  const row1 = y1 >= 0 && y1 < height ? y1 * width : -1;
  const p00 = row0 >= 0 && xIn0 ? data[row0 + x0]! : 255;
  const p10 = row0 >= 0 && xIn1 ? data[row0 + x1]! : 255;
  const p01 = row1 >= 0 && xIn0 ? data[row1 + x0]! : 255;
  const p11 = row1 >= 0 && xIn1 ? data[row1 + x1]! : 255;
  const top = p00 * (1 - fx) + p10 * fx;
  const bottom = p01 * (1 - fx) + p11 * fx;
  return Math.round(top * (1 - fy) + bottom * fy);
}

/** Otsu's threshold over the histogram: the grey level that best separates ink from paper. */
export function otsuThreshold(img: GrayImage): number {
  const hist = new Float64Array(256);
  for (let i = 0; i < img.data.length; i++) hist[img.data[i]!]!++;
  const total = img.data.length;
  let sumAll = 0;
  for (let t = 0; t < 256; t++) sumAll += t * hist[t]!;
  let sumB = 0;
  let weightB = 0;
  let best = 128;
  let bestVar = -1;
  for (let t = 0; t < 256; t++) {
    weightB += hist[t]!;
    if (weightB === 0) continue;
    const weightF = total - weightB;
    if (weightF === 0) break;
    sumB += t * hist[t]!;
    const meanB = sumB / weightB;
    const meanF = (sumAll - sumB) / weightF;
    const between = weightB * weightF * (meanB - meanF) ** 2;
    if (between > bestVar) {
      bestVar = between;
      best = t;
    }
  }
  return best;
}

/** Share of pixels darker than `threshold` in a rectangle of the image (pixel coordinates). */
export function inkRatio(img: GrayImage, threshold = 128, x0 = 0, y0 = 0, w = img.width, h = img.height): number {
  const xa = Math.max(0, Math.floor(x0));
  const ya = Math.max(0, Math.floor(y0));
  const xb = Math.min(img.width, Math.ceil(x0 + w));
  const yb = Math.min(img.height, Math.ceil(y0 + h));
  if (xb <= xa || yb <= ya) return 0;
  let ink = 0;
  for (let y = ya; y < yb; y++) {
    const row = y * img.width;
    for (let x = xa; x < xb; x++) if (img.data[row + x]! < threshold) ink++;
  }
  return ink / ((xb - xa) * (yb - ya));
}

/** A copy of a pixel rectangle (clipped to the image; outside is white). */
export function cropGray(img: GrayImage, x0: number, y0: number, w: number, h: number): GrayImage {
  const out = createGray(Math.max(1, Math.round(w)), Math.max(1, Math.round(h)));
  const xs = Math.round(x0);
  const ys = Math.round(y0);
  for (let y = 0; y < out.height; y++) {
    const sy = ys + y;
    if (sy < 0 || sy >= img.height) continue;
    for (let x = 0; x < out.width; x++) {
      const sx = xs + x;
      if (sx < 0 || sx >= img.width) continue;
      out.data[y * out.width + x] = img.data[sy * img.width + sx]!;
    }
  }
  return out;
}

/** Adds a white border (Tesseract reads glyphs that touch the image edge badly). */
export function padGray(img: GrayImage, pad: number): GrayImage {
  const out = createGray(img.width + 2 * pad, img.height + 2 * pad);
  for (let y = 0; y < img.height; y++) {
    out.data.set(img.data.subarray(y * img.width, (y + 1) * img.width), (y + pad) * out.width + pad);
  }
  return out;
}

/**
 * Makes the paper white: scans have a grey, noisy background (~240), and a crop pasted onto a
 * white strip then shows its edges as vertical strokes that OCR reads as "1". Levels are stretched
 * so that the paper (the `paperPercentile` brightest share) becomes 255; ink keeps its shades.
 * This is not binarisation (left to Tesseract, which does it better).
 */
export function whitenPaper(img: GrayImage, paperPercentile = 0.6): GrayImage {
  const hist = new Uint32Array(256);
  for (let i = 0; i < img.data.length; i++) hist[img.data[i]!]!++;
  const target = img.data.length * (1 - paperPercentile);
  let seen = 0;
  let paper = 255;
  for (let v = 0; v < 256; v++) {
    seen += hist[v]!;
    if (seen >= target) {
      paper = v;
      break;
    }
  }
  if (paper >= 250 || paper < 96) return img;
  const out = new Uint8Array(img.data.length);
  const gain = 255 / paper;
  for (let i = 0; i < out.length; i++) out[i] = Math.min(255, Math.round(img.data[i]! * gain));
  return { width: img.width, height: img.height, data: out };
}
