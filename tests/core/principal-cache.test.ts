/**
 * Servers remember which principal a bearer token stands for; a change to users, grants or tokens
 * must still count: at once for changes made through this server, within a moment for changes made
 * anywhere else (another server, or SQL typed by hand), and a token's expiry to the second.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PRINCIPAL_TTL_MS } from '../../src/core/auth/principal-cache.js';
import { waitFor } from '../helpers/peers.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

/** Well under the cache's own lifetime: only the change notification can make these deadlines. */
const NOTIFIED_WITHIN_MS = 2_000;

describe('cached principals', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer();
  });
  afterAll(async () => s?.stop());

  const whoAmI = async (token: string) => (await s.gql(`{ viewer { username } }`, {}, token)).data?.viewer?.username ?? null;
  const mayListUsers = async (token: string) => !(await s.gql(`{ users { username } }`, {}, token)).errors;
  const run = (text: string) => s.server.app.db.execute(sql.raw(text));

  it('a repeated request with the same token reads nothing to authenticate', async () => {
    const token = await s.userToken('cache-reader', 'VIEWER');
    expect(await whoAmI(token)).toBe('cache-reader');
    const stats = s.server.app.database.stats;
    const before = stats.statements;
    await s.gql(`{ __typename }`, {}, token);
    expect(stats.statements - before).toBe(0);
    expect(PRINCIPAL_TTL_MS).toBeGreaterThan(NOTIFIED_WITHIN_MS * 2);
  });

  it('changes made through this server count on the very next request', async () => {
    const token = await s.userToken('cache-promoted', 'VIEWER');
    expect(await mayListUsers(token)).toBe(false);
    const grant = await s.gql(`mutation { setUserGrants(username: "cache-promoted", role: ADMIN) { __typename } }`, {}, s.adminToken);
    expect(grant.data?.setUserGrants.__typename).toBe('UserPayload');
    expect(await mayListUsers(token)).toBe(true);

    const made = await s.gql(`mutation { createApiToken(input: { name: "script" }) { ... on CreatedApiToken { token apiToken { id } } } }`, {}, token);
    const script = made.data!.createApiToken as { token: string; apiToken: { id: string } };
    expect(await whoAmI(script.token)).toBe('cache-promoted');
    await s.gql(`mutation($id: ID!) { revokeApiToken(id: $id) { __typename } }`, { id: script.apiToken.id }, token);
    expect(await whoAmI(script.token)).toBeNull();

    await s.gql(`mutation { setUserDisabled(username: "cache-promoted", disabled: true) { __typename } }`, {}, s.adminToken);
    expect(await whoAmI(token)).toBeNull();
  });

  it('changes made outside the server (plain SQL) count within a moment, through the database trigger', async () => {
    const token = await s.userToken('cache-sql', 'ADMIN');
    expect(await mayListUsers(token)).toBe(true);
    await run(`UPDATE grants SET role = 'VIEWER' WHERE user_id = (SELECT id FROM users WHERE username = 'cache-sql')`);
    await waitFor(async () => !(await mayListUsers(token)), NOTIFIED_WITHIN_MS, 'the demotion to count');

    expect(await whoAmI(token)).toBe('cache-sql');
    await run(`UPDATE users SET disabled = true WHERE username = 'cache-sql'`);
    await waitFor(async () => (await whoAmI(token)) === null, NOTIFIED_WITHIN_MS, 'the disabled user to be refused');
  });

  it('a token is refused from the moment it expires, even while remembered', async () => {
    const token = await s.userToken('cache-expiring', 'VIEWER');
    await run(`UPDATE api_tokens SET expires_at = now() + interval '1500 milliseconds' WHERE user_id = (SELECT id FROM users WHERE username = 'cache-expiring')`);
    // the update itself was announced; the next request remembers the token with its new expiry
    await waitFor(async () => (await whoAmI(token)) === 'cache-expiring', NOTIFIED_WITHIN_MS, 'the token to be read again');
    const stats = s.server.app.database.stats;
    const before = stats.statements;
    expect(await whoAmI(token)).toBe('cache-expiring');
    expect(stats.statements - before).toBe(1); // the viewer row only: the token was remembered
    await new Promise((r) => setTimeout(r, 1_600));
    expect(await whoAmI(token)).toBeNull();
  });
});
