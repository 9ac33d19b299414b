/** "1分以内" / "3分前" / "5時間前" / "2日前": how long ago, for queue ages. */
export function formatAge(iso: string | null, now: Date | string): string {
  if (!iso) return "—";
  const ms = new Date(now).getTime() - new Date(iso).getTime();
  const minutes = Math.max(0, Math.floor(ms / 60_000));
  if (minutes < 1) return "1分以内";
  if (minutes < 60) return `${minutes}分前`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours}時間前`;
  return `${Math.floor(hours / 24)}日前`;
}
