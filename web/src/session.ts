/**
 * Who is signed in. Locally the token comes from the development sign-in of the edge (POST
 * /dev/token, served only by `npm start`: no signing key reaches the browser); a production
 * deployment signs people in with its own identity provider. The token is kept in sessionStorage
 * (this tab only) and sent in the Authorization header, never in a URL.
 */
export type Role = 'customer' | 'store_owner';

export interface Session {
  role: Role;
  /** The customer id, or the store id for a store owner. */
  subject: string;
  token: string;
}

const key = 'fooddelivery.session';

export function loadSession(): Session | undefined {
  try {
    const stored = JSON.parse(sessionStorage.getItem(key) ?? 'null') as Partial<Session> | null;
    if (stored && (stored.role === 'customer' || stored.role === 'store_owner') && stored.subject && stored.token) {
      return { role: stored.role, subject: stored.subject, token: stored.token };
    }
  } catch {
    // a damaged entry is the same as none
  }
  return undefined;
}

let current = loadSession();

export function currentToken(): string | undefined {
  return current?.token;
}

export function saveSession(session: Session | undefined): void {
  current = session;
  if (session) sessionStorage.setItem(key, JSON.stringify(session));
  else sessionStorage.removeItem(key);
}

export class SignInUnavailableError extends Error {}

/** A development token for a role and subject, from the edge's development-only endpoint. */
export async function developmentSignIn(role: Role, subject: string): Promise<Session> {
  const response = await fetch('/dev/token', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ role, subject }),
  });
  if (response.status === 404) throw new SignInUnavailableError('Development sign-in is not available on this server.');
  const body = (await response.json().catch(() => ({}))) as { token?: string; message?: string };
  if (!response.ok || !body.token) throw new Error(body.message ?? `Sign-in failed (HTTP ${response.status}).`);
  return { role, subject, token: body.token };
}
