/** The queues' names and where each item is worked (plain data: the pages read it in the browser too). */

export const QUEUE_TYPES = ["paper", "ivr", "cancellation", "carrier", "letters"] as const;
export type QueueType = (typeof QUEUE_TYPES)[number];

export function isQueueType(value: unknown): value is QueueType {
  return typeof value === "string" && (QUEUE_TYPES as readonly string[]).includes(value);
}

export const QUEUE_INFO: Readonly<Record<QueueType, { label: string; description: string; claimable: boolean; workHref: (id: string) => string }>> = {
  paper: {
    label: "郵送・FAXの申込書",
    description: "読み取った申込書を、画像と見比べて確かめます。",
    claimable: true,
    workHref: (id) => `/ops/paper/${id}`,
  },
  ivr: {
    label: "電話（自動音声）で聞き取ったお名前",
    description: "音声認識で聞き取ったお名前やご住所を、録音と見比べて確かめ、直します。",
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
