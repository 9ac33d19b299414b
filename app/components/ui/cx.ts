/** Joins class names, skipping empty values. */
export function cx(...names: Array<string | false | null | undefined>): string {
  return names.filter(Boolean).join(" ");
}

/** Joins element ids for aria-describedby; undefined when there are none (so no empty attribute). */
export function describedBy(...ids: Array<string | false | null | undefined>): string | undefined {
  const list = ids.filter((id): id is string => typeof id === "string" && id.length > 0);
  return list.length > 0 ? list.join(" ") : undefined;
}

/** Ids of the support text and error text that belong to a field (or fieldset) id. */
export function supportIdFor(id: string): string {
  return `${id}-support`;
}
export function errorIdFor(id: string): string {
  return `${id}-error`;
}

/** Error props accept one message, several (as conform gives them), or none. */
export type ErrorMessages = string | readonly string[] | null | undefined;

export function errorList(error: ErrorMessages): string[] {
  if (error == null) return [];
  const list = typeof error === "string" ? [error] : [...error];
  return list.filter((m) => m.trim().length > 0);
}
