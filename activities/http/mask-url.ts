/** Query parameters whose values are secrets: masked in attempt rows and logs. */
const secretParam = /token|secret|key|sig|pass|auth|hash|hmac/i;

/** The URL with secret-looking query values replaced by ***, so attempt rows can be shown to anyone. */
export function maskUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.username || parsed.password) {
      parsed.username = '***';
      parsed.password = '';
    }
    for (const [name] of parsed.searchParams) if (secretParam.test(name)) parsed.searchParams.set(name, '***');
    return parsed.toString();
  } catch {
    return '(unparseable URL)';
  }
}
