// Who may talk to the sidecar (Jupyter's model): a web page must not be able to drive it.
// Host must be a loopback name (DNS rebinding), Origin — when a browser sends one — must be the
// sidecar's own, and the session token must come as `Authorization: Bearer`. A browser cannot add
// that header, so the dashboard page alone takes ?token=, once: it answers with the token in an
// HttpOnly, SameSite=Strict cookie and a redirect that drops it from the URL (and from history).
// The API takes that cookie only together with the sidecar's own Origin, so it proves a request
// came from the sidecar's own page; ?token= is never accepted there.
import { timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import type { IncomingHttpHeaders } from 'node:http';

export interface Refusal {
  status: 401 | 403 | 503;
  reason: string;
}

export interface GuardConfig {
  token: string;
  /** the --host the server was bound to */
  host: string;
  /** the port actually listened on (known after listen) */
  port(): number;
}

export function isLoopbackHost(name: string): boolean {
  const host = name.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host.endsWith('.localhost') || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function splitHost(value: string): { hostname: string; port: string } | null {
  try {
    const url = new URL(`http://${value}`);
    return { hostname: url.hostname.replace(/^\[|\]$/g, ''), port: url.port };
  } catch {
    return null;
  }
}

export class Guard {
  private readonly token: Buffer;

  constructor(private readonly config: GuardConfig) {
    this.token = Buffer.from(config.token);
  }

  private hostAllowed(hostname: string): boolean {
    if (isLoopbackHost(hostname)) return true;
    const bound = this.config.host.replace(/^\[|\]$/g, '');
    // Bound elsewhere on purpose (--host): its own name, and IP literals, which cannot be rebound.
    return !isLoopbackHost(bound) && (hostname === bound || isIP(hostname) !== 0);
  }

  private tokenMatches(candidate: string | null | undefined): boolean {
    if (!candidate) return false;
    const given = Buffer.from(candidate);
    return given.length === this.token.length && timingSafeEqual(given, this.token);
  }

  /** The cookie that carries the token for the dashboard; named per port, as cookies do not tell ports apart. */
  cookieName(): string {
    return `metabalance-token-${this.config.port()}`;
  }

  /** The page's ?token=, when it is the session token (the page then trades it for the cookie). */
  pageToken(rawUrl: string | undefined): string | null {
    const query = new URL(rawUrl ?? '/', 'http://localhost').searchParams.get('token');
    return this.tokenMatches(query) ? query : null;
  }

  private cookieToken(headers: IncomingHttpHeaders): string | null {
    const name = `${this.cookieName()}=`;
    for (const part of (headers.cookie ?? '').split(';')) {
      const pair = part.trim();
      if (pair.startsWith(name)) return pair.slice(name.length);
    }
    return null;
  }

  /** null when the request may proceed. `page`: the dashboard page (?token=, or the cookie alone, as a navigation sends no Origin). */
  check(headers: IncomingHttpHeaders, rawUrl: string | undefined, page: boolean): Refusal | null {
    const host = headers.host === undefined ? null : splitHost(headers.host);
    if (!host || !this.hostAllowed(host.hostname)) {
      return { status: 403, reason: `forbidden: Host ${JSON.stringify(headers.host ?? '')} is not a loopback address` };
    }
    const origin = headers.origin;
    if (origin !== undefined && !this.isOwnOrigin(origin)) {
      return { status: 403, reason: `forbidden: Origin ${JSON.stringify(origin)} is not this sidecar's` };
    }
    const auth = headers.authorization;
    // The auth scheme name is case-insensitive (RFC 7235).
    const bearer = auth !== undefined && /^bearer /i.test(auth) ? auth.slice('Bearer '.length).trim() : null;
    if (this.tokenMatches(bearer)) return null;
    if (page && this.pageToken(rawUrl) !== null) return null;
    // The Origin, when present, was checked above: here it must be present.
    if (this.tokenMatches(this.cookieToken(headers)) && (page || origin !== undefined)) return null;
    return { status: 401, reason: 'unauthorized: send Authorization: Bearer <token> (the token is in DIR/.metabalance/token)' };
  }

  private isOwnOrigin(origin: string): boolean {
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      return false;
    }
    const port = url.port === '' ? '80' : url.port;
    return url.protocol === 'http:' && port === String(this.config.port()) && this.hostAllowed(url.hostname.replace(/^\[|\]$/g, ''));
  }
}
