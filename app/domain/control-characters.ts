/**
 * Control characters (U+0000–U+001F, U+007F–U+009F) and the invisible format characters that
 * corrupt a name without showing: they never belong in a name, a kana reading or an address, which
 * carriers match and the back office searches by (issue 16, point 11). Forms refuse them with a
 * message; the data layer refuses them outright (applications.server.ts).
 */
const CONTROL = /[\u0000-\u001F\u007F-\u009F\u200B-\u200F\u2028-\u202E\u2060-\u2064\uFEFF]/u;

export function hasControlCharacters(value: string | null | undefined): boolean {
  return typeof value === "string" && CONTROL.test(value);
}

/** The names of the fields of `record` whose text has control characters. */
export function fieldsWithControlCharacters(record: Readonly<Record<string, unknown>>, fields: readonly string[]): string[] {
  return fields.filter((field) => hasControlCharacters(record[field] as string | null | undefined));
}
