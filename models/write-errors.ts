const DUPLICATE_KEY = 11000;

/**
 * Whether a failed write failed only because what it writes is there already (duplicate key):
 * a single write's error with code 11000, or a bulk write's error whose every entry is one. A bulk
 * error with no entries is the whole command failing (the server gone, a timeout), never "done":
 * treating it as done once acknowledged writes that were never made.
 */
export function onlyDuplicateKeys(err: unknown): boolean {
  const writeErrors = (err as { writeErrors?: { code?: number; err?: { code?: number } }[] }).writeErrors;
  if (writeErrors === undefined) return (err as { code?: number }).code === DUPLICATE_KEY;
  return writeErrors.length > 0 && writeErrors.every((e) => (e.code ?? e.err?.code) === DUPLICATE_KEY);
}
