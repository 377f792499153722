/** The first line of an error's message: CEL errors append a caret diagram below it. */
export function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0] ?? '';
}
