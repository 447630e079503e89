/** A textarea of one value per line ↔ the API's list. */
export const toLines = (values: readonly string[] | undefined) => (values ?? []).join('\n');
export const fromLines = (text: string) =>
  text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
