/**
 * Keys and column labels of the cancellation statistics, shared by the page (which renders in the
 * browser too) and the server module that counts. Kept out of `*.server.ts`: the classic Remix
 * compiler empties server modules in the client bundle, so a page reading them there crashes.
 */
export const SINCE_BUCKETS = ["under7", "under30", "under90", "over90"] as const;
export type SinceBucket = (typeof SINCE_BUCKETS)[number];
export const SINCE_BUCKET_LABELS: Readonly<Record<SinceBucket, string>> = {
  under7: "7日未満",
  under30: "7〜29日",
  under90: "30〜89日",
  over90: "90日以上",
};

export const RELATION_KEYS = ["self", "family", "other"] as const;
export const RELATION_COLUMN_LABELS: Readonly<Record<(typeof RELATION_KEYS)[number], string>> = {
  self: "ご本人",
  family: "ご家族",
  other: "その他",
};
