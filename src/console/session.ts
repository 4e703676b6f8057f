/**
 * Who may talk to the console: a one-time login token (printed in the URL, Jupyter style) is exchanged
 * on the first visit for a session cookie (HttpOnly, SameSite=Strict); every later request needs that
 * cookie. Tokens and session ids are 256-bit random values compared in constant time.
 */
import { randomBytes, timingSafeEqual } from "node:crypto";

export interface ConsoleSessions {
  /** The cookie's name; it carries the port, since browsers share cookies between ports of one host. */
  readonly cookieName: string;
  /** The one-time login token, until it is used. */
  readonly loginToken: string;
  /** Exchanges the login token for a new session id; undefined when it is wrong or already used. */
  exchange(token: string): string | undefined;
  /** True when the request's Cookie header carries a live session. */
  authorized(cookieHeader: string | undefined): boolean;
  /** The Set-Cookie value for a session id. */
  cookie(sessionId: string): string;
}

function randomToken(): string {
  return randomBytes(32).toString("base64url");
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Reads one cookie from a Cookie header (RFC 6265 §5.4: `name=value` pairs separated by `; `). */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq !== -1 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export function createSessions(port: number): ConsoleSessions {
  const loginToken = randomToken();
  let used = false;
  const sessions = new Set<string>();
  const cookieName = `cxda_console_${port}`;
  return {
    cookieName,
    loginToken,
    exchange(token) {
      if (used || !same(token, loginToken)) return undefined;
      used = true;
      const id = randomToken();
      sessions.add(id);
      return id;
    },
    authorized(cookieHeader) {
      const value = readCookie(cookieHeader, cookieName);
      if (value === undefined) return false;
      for (const id of sessions) if (same(value, id)) return true;
      return false;
    },
    cookie(sessionId) {
      return `${cookieName}=${sessionId}; Path=/; HttpOnly; SameSite=Strict`;
    },
  };
}
