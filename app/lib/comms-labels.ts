/** The back office's words for an outbound call's outcome (comms-call-status.server.ts); safe in the browser bundle. */
export const CALL_OUTCOME_LABELS: Record<string, string> = {
  answered: "通話中",
  completed: "通話済み",
  busy: "話し中",
  "no-answer": "応答なし",
  failed: "かからず",
  canceled: "取り消し",
  machine: "留守番電話",
};
