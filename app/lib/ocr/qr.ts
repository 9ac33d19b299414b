/**
 * Reads the form's QR code with jsQR. The QR sits at the same place on every form layout, so the
 * aligned page is cut there and decoded; when the page cannot be aligned the whole page is tried
 * (to tell "our form, badly scanned" from "not our form").
 */
import jsQR from "jsqr";
import { decodeQrPayload, type QrPayload } from "../../../templates/forms/qr-payload";
import { grayToRgba, resizeGray, type GrayImage } from "./gray-image";

export type QrRead = { payload: QrPayload; text: string; upright: boolean };

/** Decodes a QR code in `img`; `upright` is false when the code is turned in the image. */
export function readQr(img: GrayImage): QrRead | undefined {
  const code = jsQR(grayToRgba(img), img.width, img.height, { inversionAttempts: "dontInvert" });
  if (!code) return undefined;
  const payload = decodeQrPayload(code.data);
  if (!payload) return undefined;
  const { topLeftCorner: a, topRightCorner: b } = code.location;
  const upright = Math.abs(b.x - a.x) > Math.abs(b.y - a.y) && b.x > a.x;
  return { payload, text: code.data, upright };
}

/** Any QR text on the page (ours or not), searched on a reduced copy of the whole page. */
export function findAnyQrText(img: GrayImage): string | undefined {
  const longSide = Math.max(img.width, img.height);
  const factor = longSide > 1800 ? longSide / 1800 : 1;
  const small = factor > 1 ? resizeGray(img, img.width / factor, img.height / factor) : img;
  return jsQR(grayToRgba(small), small.width, small.height, { inversionAttempts: "dontInvert" })?.data;
}
