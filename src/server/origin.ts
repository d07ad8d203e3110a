/**
 * Host and Origin checks for websocket upgrades (DNS rebinding, cross-site
 * websocket hijacking). Browsers always send Origin on a websocket; a request
 * without one comes from a non-browser client and is judged by Host alone.
 */
export interface OriginPolicy {
  /** `scheme://host` (any port) or `scheme://host:port`; `*` allows any. */
  allowedOrigins: readonly string[];
  /** Host names without port (`localhost`, `[::1]`, `registry.example.com`); `*` allows any. */
  allowedHosts: readonly string[];
}

export function hostAllowed(host: string | undefined, policy: OriginPolicy): boolean {
  if (policy.allowedHosts.includes('*')) return true;
  if (!host) return false;
  const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.split(':')[0]!;
  return policy.allowedHosts.some((h) => h.toLowerCase() === name.toLowerCase());
}

export function originAllowed(origin: string | undefined, policy: OriginPolicy): boolean {
  if (origin === undefined) return true;
  if (policy.allowedOrigins.includes('*')) return true;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  return policy.allowedOrigins.some((allowed) => {
    let a: URL;
    try {
      a = new URL(allowed);
    } catch {
      return false;
    }
    if (a.protocol !== url.protocol || a.hostname !== url.hostname) return false;
    // An entry without a port allows every port of that host.
    return a.port === '' || a.port === url.port;
  });
}
