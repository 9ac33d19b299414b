/** "3分" / "5時間" / "2日": how long ago, for queue ages. */
export function formatAge(iso: string | null, now: Date | string): string {
  if (!iso) return "—";
  const ms = new Date(now).getTime() - new Date(iso).getTime();
  const minutes = Math.max(0, Math.floor(ms / 60_000));
  if (minutes < 60) return `${minutes}分`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours}時間`;
  return `${Math.floor(hours / 24)}日`;
}
