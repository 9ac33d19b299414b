/**
 * The queues' names, what each one lists and where each item is worked (plain data, no I/O: the pages
 * read it in the browser too, and the "every state has a way out" test reads the status lists).
 */

export const QUEUE_TYPES = ["paper", "application", "ivr", "cancellation", "carrier", "letters"] as const;
export type QueueType = (typeof QUEUE_TYPES)[number];

export function isQueueType(value: unknown): value is QueueType {
  return typeof value === "string" && (QUEUE_TYPES as readonly string[]).includes(value);
}

/**
 * Scan statuses the paper queue lists: pages read by the OCR (all fields accepted, or some to check)
 * and pages it could not read at all (exceptions, keyed by hand from the page image). A page leaves
 * the queue as 'verified' (keyed into one application or cancellation) or 'closed' (cannot become
 * one: the reason is recorded and, where an address is known, a letter goes to the sender).
 */
export const PAPER_QUEUE_STATUSES = ["ocr_done", "needs_review", "exception"] as const;

/** Application statuses the application queue lists: the line was not confirmed (no person or call settled it). */
export const APPLICATION_QUEUE_STATUSES = ["needs_review"] as const;

/** Cancellation statuses that wait for an operator (as the cancellation review screens define them). */
export const CANCELLATION_QUEUE_STATUSES = ["flagged", "in_review", "objected"] as const;

/**
 * IVR call purposes whose heard name and address the IVR queue lists: only forms to mail (a letter needs
 * a correct postal address). Names heard on phone applications are advisory (ADR 015): they travel to
 * the carrier marked unverified, and the carrier checks its contract by the line number.
 */
export const IVR_QUEUE_PURPOSES = ["form"] as const;

/** Outbox letters the print queue lists. */
export const LETTER_QUEUE_STATUSES = ["queued"] as const;

export const QUEUE_INFO: Readonly<Record<QueueType, { label: string; description: string; claimable: boolean; workHref: (id: string) => string }>> = {
  paper: {
    label: "郵送・FAXの申込書",
    description: "読み取った申込書を、画像と見比べて確かめます。読み取れなかったページは、画像を見て入力します。申し込みにできないページは、理由を選んで終わりにします。",
    claimable: true,
    workHref: (id) => `/ops/paper/${id}`,
  },
  application: {
    label: "回線の確認ができていないお申し込み",
    description: "回線の確認がとれていないお申し込みです。回線に電話するなどして確かめ、受け付けるか、お受けできないかを決めます。",
    claimable: true,
    workHref: (id) => `/ops/applications/${id}`,
  },
  ivr: {
    label: "電話（自動音声）で聞き取ったお名前",
    description: "申込書の郵送を電話で頼まれた方の、音声認識で聞き取ったお名前とご住所を、録音と見比べて確かめ、直します。",
    claimable: true,
    workHref: (id) => `/ops/queue/ivr/${id}`,
  },
  cancellation: {
    label: "解除・取り下げのお申し出",
    description: "ご家族などからの解除のお申し出を審査します。",
    claimable: true,
    workHref: (id) => `/ops/cancellations/${id}`,
  },
  carrier: {
    label: "電話会社とのやりとりの例外",
    description: "電話会社が手続きできなかったお申し込みや、どの電話会社も自社の契約ではないと答えたお申し込みです。",
    claimable: true,
    workHref: (id) => `/ops/queue/carrier/${id}`,
  },
  letters: {
    label: "印刷する手紙",
    description: "まとめて印刷し、窓あき封筒で発送します。",
    claimable: false,
    workHref: () => "/ops/letters",
  },
};

/** The page that lists a queue's items (the print queue has its own page). */
export function queueHref(type: QueueType): string {
  return type === "letters" ? "/ops/letters" : `/ops/queue/${type}`;
}
