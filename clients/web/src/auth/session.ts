/** The session token lives in sessionStorage: it survives reloads and ends with the tab. */
import { LOGIN } from '../api/queries.js';

export type Role = 'VIEWER' | 'OPERATOR' | 'ADMIN';
export interface Grant {
  role: Role;
  group: string | null;
}
export interface SessionUser {
  username: string;
  role: Role | null;
  grants: Grant[];
}
export interface Session {
  token: string;
  user: SessionUser;
}

const KEY = 'corral.session';

export function loadSession(): Session | null {
  try {
    const raw = sessionStorage.getItem(KEY);
    return raw ? (JSON.parse(raw) as Session) : null;
  } catch {
    return null;
  }
}

export function saveSession(s: Session | null): void {
  if (s) sessionStorage.setItem(KEY, JSON.stringify(s));
  else sessionStorage.removeItem(KEY);
}

/** Logs in over plain HTTP (no client exists before there is a token). Throws with a readable message. */
export async function login(username: string, password: string): Promise<Session> {
  const res = await fetch('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: LOGIN, variables: { u: username, p: password } }),
  });
  const body = (await res.json()) as { data?: { login?: { __typename: string; token?: string; user?: SessionUser; message?: string } }; errors?: { message: string }[] };
  const r = body.data?.login;
  if (r?.token && r.user) return { token: r.token, user: r.user };
  throw new Error(r?.message ?? body.errors?.[0]?.message ?? 'Login failed');
}
