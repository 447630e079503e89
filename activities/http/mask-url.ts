import { CENSOR, isSecretParam } from '../../domain/secret-names';

/** The URL with secret-looking query values replaced by ***, so attempt rows can be shown to anyone. */
export function maskUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.username || parsed.password) {
      parsed.username = CENSOR;
      parsed.password = '';
    }
    for (const [name] of parsed.searchParams) if (isSecretParam(name)) parsed.searchParams.set(name, CENSOR);
    return parsed.toString();
  } catch {
    return '(unparseable URL)';
  }
}
