/** The signed-in session for every page: user, grants, and logout. */
import { createContext, useContext } from 'react';
import type { SessionUser } from './session.js';

export interface AuthState {
  user: SessionUser;
  logout(): void;
}

export const AuthContext = createContext<AuthState | null>(null);

export function useAuth(): AuthState {
  const a = useContext(AuthContext);
  if (!a) throw new Error('useAuth outside AuthContext');
  return a;
}
