const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A route parameter that must be a row id: anything else is a plain 404, not a database error. */
export function requireUuid(value: string | undefined): string {
  if (!value || !UUID.test(value)) throw new Response("Not Found", { status: 404 });
  return value;
}
