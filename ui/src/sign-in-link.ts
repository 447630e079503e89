/** The sign-in route a portal link opens (POST /api/portal-links answers `<origin>/ui/sign-in#link=<token>`). */
export const signInPath = '/ui/sign-in';

/**
 * The link's token, if this page was opened from one. It sits after `#`, so it never reached a
 * server log; it is removed from the address bar before it is used, so it is not in the history either.
 */
export function takeLinkToken(): string | undefined {
  if (window.location.pathname.replace(/\/$/, '') !== signInPath) return undefined;
  const token = new URLSearchParams(window.location.hash.slice(1)).get('link') ?? undefined;
  if (window.location.hash) window.history.replaceState(null, '', window.location.pathname);
  return token || undefined;
}

export const usedLinkNotice =
  'This sign-in link has already been used or has expired: each link signs in once, within the time it was made for. ' +
  'Ask your contact at the network for a new link, or sign in below with your partner key (pf_…) if you have one.';
