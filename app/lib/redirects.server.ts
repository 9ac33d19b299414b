/**
 * Where a login may send someone afterwards (issue 12): the target is resolved as a browser would
 * resolve it (tabs and newlines dropped, backslashes read as slashes, dot segments applied), and only
 * a path on this site under a known prefix is kept; anything else falls back to the default.
 */
const BASE = new URL("http://redirect.invalid");

export function checkedRedirectPath(target: unknown, options: { prefix: string; fallback: string }): string {
  const { prefix, fallback } = options;
  if (typeof target !== "string" || target.length === 0 || target.length > 2048) return fallback;
  // Relative paths only; a browser strips tabs and newlines and reads "\" as "/" before resolving,
  // which is how "/\t/evil.example" and "/\\evil.example" become another host.
  if (!target.startsWith("/") || /[\u0000-\u001f\u007f\\]/.test(target)) return fallback;
  let url: URL;
  try {
    url = new URL(target, BASE);
  } catch {
    return fallback;
  }
  if (url.origin !== BASE.origin) return fallback;
  const path = url.pathname;
  if (path.includes("//") || !(path === prefix || path.startsWith(`${prefix}/`))) return fallback;
  return `${path}${url.search}`;
}
