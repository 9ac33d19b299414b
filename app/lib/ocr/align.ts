/**
 * Puts a scanned page in register with its layout: registration marks → which way up the page is
 * (the QR code decides between the two candidate turns) → homography from form points to image
 * pixels. Every layout shares the mark positions and the QR position, so this works before the
 * form type is known; the QR then names the layout.
 */
import { currentLayout, findLayout, markCentre, REGISTRATION_CORNERS, type FormLayout } from "../../../templates/forms/layout";
import type { QrPayload } from "../../../templates/forms/qr-payload";
import { EXCEPTION_MESSAGES } from "./exceptions";
import { applyHomography, distance, homographyFromPoints, type Homography, type Point } from "./geometry";
import type { GrayImage } from "./gray-image";
import { findAnyQrText, readQr } from "./qr";
import { decodeQrPayload } from "../../../templates/forms/qr-payload";
import { findRegistrationMarks } from "./registration-marks";
import { cpuSecondsNow, type FormPageFailure, type PageAlignment, type StageTimes } from "./types";
import { warpRegion } from "./warp";

/** Geometry every layout shares (checked by the layout tests). */
const REFERENCE = currentLayout("application");

export type AlignedPage = { ok: true; layout: FormLayout; qr: QrPayload; alignment: PageAlignment };

function fail(reason: FormPageFailure["reason"], detail?: string, qr?: QrPayload): FormPageFailure {
  return {
    ok: false,
    reason,
    message: EXCEPTION_MESSAGES[reason],
    detail,
    formType: qr?.formType,
    formVersion: qr?.version,
    requestId: qr?.requestId,
  };
}

function pageToImage(layout: FormLayout, imageCorners: readonly Point[], quarterTurns: number): Homography | undefined {
  const pagePoints = REGISTRATION_CORNERS.map((c) => markCentre(layout, c));
  // Page corner i (clockwise from top-left) lands on image corner i + turns when the page was
  // scanned turned clockwise by that many quarter turns.
  const imagePoints = pagePoints.map((_, i) => imageCorners[(i + quarterTurns) % 4]!);
  return homographyFromPoints(pagePoints, imagePoints);
}

function scaleOf(h: Homography): number {
  return distance(applyHomography(h, { x: 0, y: 0 }), applyHomography(h, { x: 100, y: 0 })) / 100;
}

function readQrAt(image: GrayImage, h: Homography, layout: FormLayout): ReturnType<typeof readQr> {
  const margin = 10;
  const rect = { x: layout.qr.x - margin, y: layout.qr.y - margin, width: layout.qr.width + 2 * margin, height: layout.qr.height + 2 * margin };
  // Modules are ~2.9 pt. About 6 px per module reads best: sampling at that scale smooths
  // FAX speckle away, which jsQR's binariser trips over at higher magnification. Other scales are
  // tried before giving up.
  for (const ppp of [2, 1.5, 3, 4.5]) {
    const read = readQr(warpRegion(image, h, rect, ppp));
    if (read?.upright) return read;
  }
  return undefined;
}

/** `stages` (optional) receives the CPU seconds of the QR reads under "qr", the rest under "align". */
export function alignPage(image: GrayImage, stages?: StageTimes): AlignedPage | FormPageFailure {
  const started = stages ? cpuSecondsNow() : 0;
  let qrSeconds = 0;
  const done = <T>(result: T): T => {
    if (stages) {
      stages.qr += qrSeconds;
      stages.align += cpuSecondsNow() - started - qrSeconds;
    }
    return result;
  };
  const marks = REFERENCE.registrationMarks;
  const tl = markCentre(REFERENCE, "topLeft");
  const corners = findRegistrationMarks(image, {
    markSize: marks.topLeft.width,
    across: markCentre(REFERENCE, "topRight").x - tl.x,
    down: markCentre(REFERENCE, "bottomLeft").y - tl.y,
  });
  if (!corners) {
    const text = findAnyQrText(image);
    const ours = text === undefined ? undefined : decodeQrPayload(text);
    return done(ours ? fail("marks_not_found", "registration marks not found", ours) : fail("not_a_form", text ? `foreign QR: ${text.slice(0, 40)}` : "no marks, no QR"));
  }
  const portrait = image.height >= image.width;
  for (const turns of portrait ? ([0, 2] as const) : ([1, 3] as const)) {
    const h = pageToImage(REFERENCE, corners, turns);
    if (!h) continue;
    const qrStarted = stages ? cpuSecondsNow() : 0;
    const qr = readQrAt(image, h, REFERENCE);
    if (stages) qrSeconds += cpuSecondsNow() - qrStarted;
    if (!qr) continue;
    const layout = findLayout(qr.payload.formType, qr.payload.version);
    if (!layout) return done(fail("unknown_form", `${qr.payload.formType} v${qr.payload.version}`, qr.payload));
    const exact = pageToImage(layout, corners, turns) ?? h;
    return done({ ok: true, layout, qr: qr.payload, alignment: { quarterTurns: turns, pageToImage: [...exact], scale: scaleOf(exact) } });
  }
  return done(fail("qr_unreadable", "marks found, QR not decoded in either orientation"));
}
