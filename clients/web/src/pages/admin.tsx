/** Admin: users and their grants, disabling users, and API tokens. */
import { type FormEvent, useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { errorMessage } from '../api/client.js';
import { API_TOKENS, CREATE_API_TOKEN, CREATE_USER, REVOKE_API_TOKEN, SET_USER_DISABLED, SET_USER_GRANTS, USERS } from '../api/queries.js';
import { formatTime } from '../components/status.js';

interface UserRow {
  id: string;
  username: string;
  role: string | null;
  disabled: boolean;
  grants: { role: string; group: string | null }[];
}
interface TokenRow {
  id: string;
  name: string;
  kind: string;
  role: string | null;
  groups: string[] | null;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

const split = (s: FormDataEntryValue | null) =>
  String(s ?? '')
    .split(/[\s,]+/)
    .filter(Boolean);

/** Runs a mutation whose result is a union with `... on Error { message }`; returns the message or null. */
function failure(r: { error?: unknown; data?: unknown }): string | null {
  if (r.error) return errorMessage(r.error as never);
  const p = Object.values((r.data as Record<string, { message?: string }>) ?? {})[0];
  return p?.message ?? null;
}

export function AdminPage() {
  return (
    <>
      <Users />
      <Tokens />
    </>
  );
}

function Users() {
  const [{ data, error }, refetch] = useQuery<{ users: UserRow[] }>({ query: USERS });
  const [, createUser] = useMutation(CREATE_USER);
  const [, setGrants] = useMutation(SET_USER_GRANTS);
  const [, setDisabled] = useMutation(SET_USER_DISABLED);
  const [message, setMessage] = useState<string | null>(null);
  const done = (r: { error?: unknown; data?: unknown }) => {
    setMessage(failure(r));
    refetch({ requestPolicy: 'network-only' });
  };
  const create = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const groups = split(f.get('groups'));
    const r = await createUser({ input: { username: String(f.get('username')), password: String(f.get('password')), role: String(f.get('role')), groups: groups.length ? groups : undefined } });
    if (!failure(r)) e.currentTarget?.reset();
    done(r);
  };
  const grant = async (e: FormEvent<HTMLFormElement>, username: string) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const groups = split(f.get('groups'));
    done(await setGrants({ username, role: f.get('role') || null, groups: groups.length ? groups : null }));
  };
  return (
    <section aria-labelledby="users-title">
      <h1 id="users-title">Users</h1>
      {error && <p role="alert" className="error">{errorMessage(error)}</p>}
      {message && <p role="alert" className="error">{message}</p>}
      <table className="list">
        <thead>
          <tr>
            <th scope="col">User</th>
            <th scope="col">Grants</th>
            <th scope="col">Change grant</th>
            <th scope="col">Status</th>
          </tr>
        </thead>
        <tbody>
          {(data?.users ?? []).map((u) => (
            <tr key={u.id}>
              <td>{u.username}</td>
              <td>{u.grants.map((g) => `${g.role.toLowerCase()}${g.group ? ` in ${g.group}` : ' everywhere'}`).join('; ') || '–'}</td>
              <td>
                <form className="inline-form" onSubmit={(e) => grant(e, u.username)} aria-label={`Grants of ${u.username}`}>
                  <select name="role" defaultValue={u.role ?? ''} aria-label="Role">
                    <option value="">none</option>
                    <option>VIEWER</option>
                    <option>OPERATOR</option>
                    <option>ADMIN</option>
                  </select>
                  <input name="groups" aria-label="Groups (empty: everywhere)" placeholder="groups" defaultValue={u.grants.flatMap((g) => (g.group ? [g.group] : [])).join(' ')} />
                  <button type="submit">Set</button>
                </form>
              </td>
              <td>
                <button type="button" onClick={async () => done(await setDisabled({ username: u.username, disabled: !u.disabled }))}>
                  {u.disabled ? 'Enable' : 'Disable'}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form className="card form" onSubmit={create} aria-label="New user">
        <h2>New user</h2>
        <label>
          Username <input name="username" required />
        </label>
        <label>
          Password <input name="password" type="password" required minLength={8} autoComplete="new-password" />
        </label>
        <label>
          Role
          <select name="role" defaultValue="VIEWER">
            <option>VIEWER</option>
            <option>OPERATOR</option>
            <option>ADMIN</option>
          </select>
        </label>
        <label>
          Groups (empty: everywhere) <input name="groups" />
        </label>
        <button type="submit" className="primary">
          Create user
        </button>
      </form>
    </section>
  );
}

function Tokens() {
  const [{ data, error }, refetch] = useQuery<{ apiTokens: TokenRow[] }>({ query: API_TOKENS });
  const [, createToken] = useMutation(CREATE_API_TOKEN);
  const [, revoke] = useMutation(REVOKE_API_TOKEN);
  const [secret, setSecret] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const create = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const days = String(f.get('days') ?? '').trim();
    const r = await createToken({ input: { name: String(f.get('name')), role: f.get('role') || undefined, expiresInDays: days ? Number(days) : undefined } });
    setMessage(failure(r));
    setSecret((r.data as { createApiToken?: { token?: string } } | undefined)?.createApiToken?.token ?? null);
    refetch({ requestPolicy: 'network-only' });
  };
  return (
    <section aria-labelledby="tokens-title">
      <h1 id="tokens-title">API tokens</h1>
      {error && <p role="alert" className="error">{errorMessage(error)}</p>}
      {message && <p role="alert" className="error">{message}</p>}
      {secret && (
        <p className="card" role="status">
          New token (shown once, copy it now): <code className="secret">{secret}</code>
        </p>
      )}
      <table className="list">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Kind</th>
            <th scope="col">Role</th>
            <th scope="col">Created</th>
            <th scope="col">Last used</th>
            <th scope="col">Expires</th>
            <th scope="col">State</th>
          </tr>
        </thead>
        <tbody>
          {(data?.apiTokens ?? []).map((t) => (
            <tr key={t.id}>
              <td>{t.name}</td>
              <td>{t.kind}</td>
              <td>
                {t.role ?? 'owner’s'} {t.groups?.length ? `in ${t.groups.join(', ')}` : ''}
              </td>
              <td>{formatTime(t.createdAt)}</td>
              <td>{formatTime(t.lastUsedAt)}</td>
              <td>{formatTime(t.expiresAt)}</td>
              <td>
                {t.revokedAt ? (
                  'revoked'
                ) : (
                  <button
                    type="button"
                    onClick={async () => {
                      setMessage(failure(await revoke({ id: t.id })));
                      refetch({ requestPolicy: 'network-only' });
                    }}
                  >
                    Revoke
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form className="card form" onSubmit={create} aria-label="New API token">
        <h2>New API token</h2>
        <label>
          Name <input name="name" required />
        </label>
        <label>
          Role (at most yours)
          <select name="role" defaultValue="">
            <option value="">same as mine</option>
            <option>VIEWER</option>
            <option>OPERATOR</option>
            <option>ADMIN</option>
          </select>
        </label>
        <label>
          Expires in days <input name="days" type="number" min={1} />
        </label>
        <button type="submit" className="primary">
          Create token
        </button>
      </form>
    </section>
  );
}
