/** A read by id, where a 404 is an answer ("not found") rather than an error. */
export type Found<T> = { missing: true } | { missing: false; found: T };

/** A foreign id answers 404 exactly like a missing one (the API's rule), and both are "not found" on screen. */
export async function orMissing<T>(
  call: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<{ data?: Found<T>; error?: unknown }> {
  const { data, error, response } = await call;
  if (response.status === 404) return { data: { missing: true } };
  return data === undefined ? { error } : { data: { missing: false, found: data } };
}
