/** "a, b ,c" → ["a", "b", "c"]: how forms take roles, tags and other short lists. */
export function splitList(text: string): string[] {
  return text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.length > 0);
}
