/**
 * Dangerous actions are rate-limited per user and globally, counted in Postgres by the same
 * mechanism as login limits (whose survival across a restart tests/core/restart.test.ts shows).
 * ssh.accept-host-key is a dangerous action that needs no peer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectCode } from '../helpers/gql.js';
import { seed } from '../helpers/seed.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const ACT = `mutation($h: [String!]!) { runAction(id: "ssh.accept-host-key", hosts: $h, reason: "host reinstalled") { okCount } }`;

describe('rate limits on dangerous actions', () => {
  let s: TestServer;
  let other: string;
  let third: string;
  beforeAll(async () => {
    s = await startTestServer({ config: { actionRatePerUser: 2, actionRateGlobal: 3 } });
    await seed(s.server.app.db).host('k01').done();
    other = await s.userToken('admin2', 'ADMIN');
    third = await s.userToken('admin3', 'ADMIN');
  });
  afterAll(async () => {
    await s?.stop();
  });

  it('refuses the third action of one user within a minute, and the fourth of anyone', async () => {
    // Stay inside one minute window: wait if the current one is about to end.
    const intoMinute = Date.now() % 60_000;
    if (intoMinute > 45_000) await new Promise((r) => setTimeout(r, 60_500 - intoMinute));
    expect((await s.gql(ACT, { h: ['k01'] }, s.adminToken)).data.runAction.okCount).toBe(1);
    expect((await s.gql(ACT, { h: ['k01'] }, s.adminToken)).data.runAction.okCount).toBe(1);
    expectCode(await s.gql(ACT, { h: ['k01'] }, s.adminToken), 'RATE_LIMITED');
    // Another user still has room under the global limit (3) …
    expect((await s.gql(ACT, { h: ['k01'] }, other)).data.runAction.okCount).toBe(1);
    // … and then the global limit refuses everyone, even a user who has done nothing yet.
    expectCode(await s.gql(ACT, { h: ['k01'] }, third), 'RATE_LIMITED');
  }, 120_000);
});
