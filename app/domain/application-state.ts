/**
 * The lifecycle of an application (DESIGN.md §5), as a transition table.
 *
 * received → verified (or needs_review) → queued → sent → acknowledged → completed | rejected
 * rejected → queued (re-routed to another carrier); withdrawn before dispatch; resumed after completion.
 *
 * The table is the single source of truth: services call transition() before writing the new status
 * and its event, so an impossible jump (e.g. withdrawing an order the carrier already has) fails
 * loudly instead of corrupting the timeline.
 */

export const STATUSES = [
  "received",
  "verified",
  "needs_review",
  "queued",
  "sent",
  "acknowledged",
  "completed",
  "rejected",
  "withdrawn",
  "resumed",
] as const;

export type ApplicationStatus = (typeof STATUSES)[number];

export const TRANSITIONS: Readonly<Record<ApplicationStatus, readonly ApplicationStatus[]>> = {
  received: ["verified", "needs_review", "withdrawn"],
  needs_review: ["verified", "withdrawn", "rejected"],
  verified: ["queued", "withdrawn"],
  // Withdrawal is possible until the order leaves the centre; after that only the carrier can answer.
  queued: ["sent", "withdrawn"],
  // Some carriers skip the acknowledgement and answer with the result straight away.
  sent: ["acknowledged", "completed", "rejected"],
  acknowledged: ["completed", "rejected"],
  // Rejected is not the end: e.g. "not our subscriber" sends the order on to another carrier.
  rejected: ["queued"],
  // Releasing a suspension (moving house, or the subscriber's own wish) is recorded on the same application.
  completed: ["resumed"],
  withdrawn: [],
  resumed: [],
};

export function isStatus(value: unknown): value is ApplicationStatus {
  return typeof value === "string" && (STATUSES as readonly string[]).includes(value);
}

export function canTransition(from: ApplicationStatus, to: ApplicationStatus): boolean {
  // Looked up defensively: statuses read from the database are only typed, not guaranteed.
  return isStatus(from) && TRANSITIONS[from].includes(to);
}

export class IllegalTransitionError extends Error {
  readonly code = "illegal_transition";
  constructor(
    readonly from: ApplicationStatus,
    readonly to: ApplicationStatus,
  ) {
    super(`Illegal application status transition: ${from} → ${to}`);
    this.name = "IllegalTransitionError";
  }
}

/** Returns `to` when the move is legal; throws IllegalTransitionError otherwise. */
export function transition(from: ApplicationStatus, to: ApplicationStatus): ApplicationStatus {
  if (!canTransition(from, to)) throw new IllegalTransitionError(from, to);
  return to;
}

export function nextStatuses(from: ApplicationStatus): readonly ApplicationStatus[] {
  return isStatus(from) ? TRANSITIONS[from] : [];
}

/** Nothing can happen after a terminal status. */
export function isTerminal(status: ApplicationStatus): boolean {
  return nextStatuses(status).length === 0;
}

export type StatusLabel = {
  /** Short label for lists and the status page heading. */
  label: string;
  /** One plain sentence for the applicant (also read out by the IVR). */
  description: string;
};

export const STATUS_LABELS: Readonly<Record<ApplicationStatus, StatusLabel>> = {
  received: {
    label: "受け付けました",
    description: "お申し込みを受け付けて、これから内容を確かめます。",
  },
  verified: {
    label: "確認できました",
    description: "お申し込みの電話番号と内容を確かめました。",
  },
  needs_review: {
    label: "確認しています",
    description: "センターの係の者が、お申し込みの内容を確かめています。",
  },
  queued: {
    label: "送る準備をしています",
    description: "電話会社に送る準備をしています。",
  },
  sent: {
    label: "電話会社に送りました",
    description: "お申し込みを、電話会社に送りました。",
  },
  acknowledged: {
    label: "電話会社が手続き中です",
    description: "電話会社がお申し込みを受け取り、手続きをしています。",
  },
  completed: {
    label: "手続きが終わりました",
    description: "国際電話を止める手続きが終わりました。",
  },
  rejected: {
    label: "手続きができませんでした",
    // Said both when a carrier could not do it and when the centre could not accept it (a letter follows).
    description: "手続きができなかったため、センターで確かめて、お知らせします。",
  },
  withdrawn: {
    label: "取り下げました",
    description: "このお申し込みは、取り下げになりました。",
  },
  resumed: {
    label: "元に戻しました",
    description: "国際電話の休止をやめて、元のように使えるようにしました。",
  },
};
