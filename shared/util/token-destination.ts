// Where an access token may travel: over https, or over plain http to this machine only (the local simulator).
// One rule for the API URL, its redirects and the git clone URL, so none of them can send a token in clear.

/** Whether `hostname` (as `URL.hostname` gives it) names this machine: `localhost`, 127.0.0.0/8 or `[::1]`. */
export function isLoopbackHost(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127(?:\.\d{1,3}){3}$/.test(hostname);
}

/** Whether a token may be sent to `url`: https anywhere, plain http only to a loopback host. */
export function isTokenSafeUrl(url: string | URL): boolean {
  let parsed: URL;
  try {
    parsed = typeof url === 'string' ? new URL(url) : url;
  } catch {
    return false;
  }
  return parsed.protocol === 'https:' || (parsed.protocol === 'http:' && isLoopbackHost(parsed.hostname));
}

/** What to accept, for messages: the API URL's rule in words. */
export const TOKEN_SAFE_URL_RULE = 'an https:// URL such as https://api.bitbucket.org/2.0 (plain http only to this machine)';
