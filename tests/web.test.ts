/**
 * The dashboard in a real Chromium against a real server: login, the live hosts table, grants
 * hiding actions, a power cycle through a real simulated BMC with its audit trail, bulk disable.
 * Screenshots of the main pages go to test-artifacts/screenshots/ (gitignored).
 */
import { mkdirSync } from 'node:fs';
import { parse, validate } from 'graphql';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, buildDashboard, launchBrowser } from '../clients/web/e2e/browser.js';
import * as queries from '../clients/web/src/api/queries.js';
import { writeAudit } from '../src/core/audit.js';
import { ANONYMOUS } from '../src/core/auth/principal.js';
import { recordSuspectSweep } from '../src/core/checks/suspect-sweep.js';
import { buildSchema } from '../src/schema/schema.js';
import { hasPeers, isRoot } from './helpers/peers.js';
import { createNetnsLab, type NetnsLab } from './peers/netns.js';
import { seed } from './helpers/seed.js';
import { ADMIN_PASSWORD, startTestServer, type TestServer } from './helpers/server.js';
import { type IpmiSimPeer, startIpmiSim } from './peers/ipmi-sim.js';

const SHOTS = 'test-artifacts/screenshots';

describe('web client documents', () => {
  it('every query, mutation and subscription the dashboard sends validates against the schema', () => {
    const schema = buildSchema();
    const problems: string[] = [];
    for (const [name, doc] of Object.entries(queries)) {
      const ast = typeof doc === 'string' ? parse(doc) : doc;
      for (const e of validate(schema, ast)) problems.push(`${name}: ${e.message}`);
    }
    expect(problems).toEqual([]);
  });
});

describe.runIf(hasPeers('chromium', 'ipmi_sim', 'ipmitool', 'sdrcomp', 'ip') && isRoot())('web dashboard in Chromium', () => {
  let web: Awaited<ReturnType<typeof buildDashboard>>;
  let srv: TestServer;
  let browser: Browser;
  let bmc: IpmiSimPeer;
  let lab: NetnsLab;

  // Test-side GraphQL: untyped data on purpose, each test reads the fields it asked for.
  const gql = async (query: string, variables: Record<string, unknown> = {}) => {
    const r = await srv.gql(query, variables, srv.adminToken);
    if (r.errors) throw new Error(JSON.stringify(r.errors));
    return r.data;
  };

  /** A fresh tab (its own sessionStorage) signed in as this user, on the hosts page. */
  /** `prepare` runs on the new page before it loads (to watch its traffic from the start). */
  async function signIn(username: string, password: string, prepare?: (page: Page) => void): Promise<Page> {
    const page = await browser.context.newPage();
    page.on('pageerror', (e) => console.error('page error:', e.message));
    prepare?.(page);
    await page.goto(srv.url);
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Hosts' }).waitFor();
    return page;
  }
  const row = (page: Page, host: string) => page.locator(`tr[data-host="${host}"]`);
  const cell = (page: Page, host: string, kind: string) => row(page, host).locator(`td[data-kind="${kind}"]`);

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    // r01 is a test host in a network namespace with its link down: dark, and the failing pings
    // stay on this machine's own links.
    [web, bmc, lab] = await Promise.all([buildDashboard(), startIpmiSim({ power: 'on' }), createNetnsLab(1)]);
    await lab.setLinkUp(0, false);
    // powerCycleAfterS 0: a host that stops answering ping is recommended for a power cycle at once.
    srv = await startTestServer({ config: { webDir: web.dir, powerCycleAfterS: 0 } });
    browser = await launchBrowser();
    await seed(srv.server.app.db)
      .host('r01', { groups: ['render'], address: lab.hosts[0]!.address, labels: { state: '0' } })
      .host('r02', { groups: ['render'], address: '127.0.0.2', labels: { state: '1' } })
      .host('r03', { groups: ['render'], address: '127.0.0.3', labels: { state: '2' } })
      .host('r04', { groups: ['render'], address: '127.0.0.4', labels: { state: '0' } })
      .host('b01', { groups: ['batch'], address: '127.0.0.5', labels: { state: '0' } })
      .host('b02', { groups: ['batch'], address: '127.0.0.6', labels: { state: '3' } })
      .done();
    // A real check: Nagios' check_dummy exits with the state in each host's label.
    const c = await gql(
      `mutation($i: CreateCheckInput!){ createCheck(input: $i){ __typename ... on Error { message } } }`,
      { i: { name: 'dummy', kind: 'exec', params: { program: 'check_dummy', args: ['{label:state}', 'dummy says {host}'] }, failThreshold: 1, okThreshold: 1 } },
    );
    expect(c.createCheck.__typename).toBe('CheckPayload');
    const s = await gql(
      `mutation($s: JSON!){ setHostSettings(host: "r01", plugin: "ipmi", settings: $s){ __typename ... on Error { message } } }`,
      { s: { address: '127.0.0.1', port: bmc.port, user: bmc.admin.user, password: bmc.admin.password, cipherSuite: 3 } },
    );
    expect(s.setHostSettings.__typename).not.toMatch(/Error/);
    // r01 is dark (ping CRIT) while its BMC answers with power on: POWER_CYCLE is recommended.
    for (const [name, kind] of [['ping', 'ping'], ['bmc', 'ipmi']]) {
      const r = await gql(`mutation($i: CreateCheckInput!){ createCheck(input: $i){ __typename ... on Error { message } } }`, {
        i: { name, kind, hosts: ['r01'], failThreshold: 1, okThreshold: 1 },
      });
      expect(r.createCheck.__typename).toBe('CheckPayload');
    }
    await gql(`mutation { runChecks(hosts: ["@render", "@batch"]) { host status } }`);
    const recs = await gql(`{ host(name: "r01") { recommendations { action } } }`);
    expect(recs.host.recommendations.map((r: { action: string }) => r.action)).toContain('POWER_CYCLE');
    await srv.userToken('viewer', 'VIEWER');
    await srv.userToken('renderop', 'OPERATOR', ['render']);
  });

  afterAll(async () => {
    await browser?.close();
    await srv?.stop();
    await bmc?.stop();
    await lab?.cleanup();
    web?.remove();
  });

  it('logs in and shows every seeded host with its check states, colour-coded, summary on hover', async () => {
    const page = await browser.context.newPage();
    await page.goto(srv.url);
    await page.screenshot({ path: `${SHOTS}/login.png` });
    await page.getByLabel('Username').fill('admin');
    await page.getByLabel('Password').fill('wrong-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toBeTruthy();
    await page.close();

    const admin = await signIn('admin', ADMIN_PASSWORD);
    for (const h of ['r01', 'r02', 'r03', 'r04', 'b01', 'b02']) await row(admin, h).waitFor();
    expect(await cell(admin, 'r01', 'exec').textContent()).toBe('OK');
    expect(await cell(admin, 'r01', 'ping').textContent()).toBe('CRIT');
    expect(await cell(admin, 'r01', 'ipmi').textContent()).toBe('OK');
    expect(await cell(admin, 'r02', 'exec').textContent()).toBe('WARN');
    expect(await cell(admin, 'r03', 'exec').textContent()).toBe('CRIT');
    expect(await cell(admin, 'b02', 'exec').textContent()).toBe('UNKNOWN');
    expect(await cell(admin, 'r03', 'exec').locator('.badge').getAttribute('title')).toContain('dummy says r03');
    expect(await cell(admin, 'r03', 'exec').locator('.badge').getAttribute('class')).toContain('s-crit');
    await admin.screenshot({ path: `${SHOTS}/hosts.png` });

    // Health filter and search narrow the table; sorting by health puts the worst first.
    const shown = () => admin.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-host')));
    await admin.getByRole('checkbox', { name: 'CRIT' }).check();
    await expect.poll(shown).toEqual(['r01', 'r03']);
    await admin.getByRole('checkbox', { name: 'CRIT' }).uncheck();
    await admin.getByLabel('Search').fill('b0');
    await expect.poll(shown).toEqual(['b01', 'b02']);
    await admin.getByLabel('Search').fill('');
    await admin.getByRole('button', { name: 'Health' }).click();
    await expect.poll(shown).toEqual(['r01', 'r03', 'r02', 'b02', 'b01', 'r04']);
    // A hidden column stays hidden.
    await admin.getByText('Columns', { exact: true }).click();
    await admin.getByRole('checkbox', { name: 'address' }).uncheck();
    await expect.poll(() => admin.getByText('127.0.0.3').count()).toBe(0);
    await admin.getByRole('checkbox', { name: 'address' }).check();
    await admin.close();
  });

  it('a viewer sees no action buttons, neither in bulk nor on a host page', async () => {
    const page = await signIn('viewer', 'viewer-password');
    await row(page, 'r01').getByRole('checkbox').check();
    await page.getByText('1 selected').waitFor();
    for (const name of ['Disable…', 'Enable…', 'Power cycle…', 'Drain…']) expect(await page.getByRole('button', { name }).count()).toBe(0);
    await page.getByRole('link', { name: 'r01', exact: true }).click();
    await page.getByRole('heading', { name: /r01/ }).waitFor();
    await page.getByRole('heading', { name: 'Checks' }).waitFor();
    await page.waitForLoadState('networkidle');
    expect(await page.locator('fieldset.actions button').count()).toBe(0);
    await page.close();
  });

  it('an operator power-cycles a host of their group through the confirmation, and the audit log shows it', async () => {
    const page = await signIn('renderop', 'renderop-password');
    // A host of their group without a recommendation: no power cycle; not their group: no actions.
    await page.goto(`${srv.url}/hosts/r02`);
    await page.getByRole('button', { name: 'Disable…' }).waitFor();
    await page.waitForLoadState('networkidle');
    // The host's labels (as genders attributes import them) are among its facts.
    expect(await page.locator('.facts dt:text-is("Labels") + dd').textContent()).toBe('state=1');
    // An enabled host offers Disable only.
    expect(await page.getByRole('button', { name: 'Enable…' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Power cycle…' }).count()).toBe(0);
    await page.goto(`${srv.url}/hosts/b01`);
    await page.getByRole('heading', { name: /b01/ }).waitFor();
    await page.waitForLoadState('networkidle');
    expect(await page.getByRole('button', { name: 'Disable…' }).count()).toBe(0);

    await page.goto(`${srv.url}/hosts/r01`);
    const cycle = page.getByRole('button', { name: 'Power cycle…' });
    await cycle.waitFor({ timeout: 15_000 }); // shown once the BMC answers the power query
    await page.screenshot({ path: `${SHOTS}/host.png`, fullPage: true });
    await cycle.click();
    const dialog = page.getByRole('dialog');
    await expect.poll(() => dialog.textContent()).toContain('r01');
    await dialog.getByLabel(/Reason/).fill('hung node, web test');
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    const outcome = dialog.getByRole('table', { name: 'Outcome per host' });
    await dialog.locator('table, [role=alert]').first().waitFor({ timeout: 30_000 });
    expect(await dialog.getByRole('alert').allTextContents()).toEqual([]);
    expect(await outcome.locator('tbody tr').count()).toBe(1);
    expect(await outcome.locator('tbody tr td').nth(1).textContent()).toBe('OK');
    await page.screenshot({ path: `${SHOTS}/confirm-outcome.png` });
    await dialog.getByRole('button', { name: 'Close' }).click();
    expect(bmc.power()).toBe('on'); // cycled: off and on again

    await page.getByRole('link', { name: 'Audit log' }).click();
    const audit = page.locator('table.audit tbody tr', { hasText: 'hung node, web test' });
    await audit.first().waitFor();
    const text = await audit.first().textContent();
    expect(text).toContain('renderop');
    expect(text).toContain('r01');
    expect(text).toMatch(/power/i);
    await page.screenshot({ path: `${SHOTS}/audit.png` });
    await page.close();
  });

  it('pages through a long audit log by cursor: every event once, newest first, filtered', async () => {
    for (let i = 0; i < 120; i++) {
      await writeAudit(srv.server.app.db, null, { principal: ANONYMOUS, action: 'test.paging', targets: [`p${String(i).padStart(3, '0')}`], outcome: 'OK' });
    }
    const page = await signIn('admin', ADMIN_PASSWORD);
    await page.goto(`${srv.url}/audit?action=test.paging`);
    const rows = page.locator('table.audit tbody tr');
    await expect.poll(() => rows.count()).toBe(50);
    for (const expected of [100, 120]) {
      await page.getByRole('button', { name: 'Show more' }).click();
      await expect.poll(() => rows.count()).toBe(expected);
    }
    expect(await page.getByRole('button', { name: 'Show more' }).count()).toBe(0);
    const targets = (await rows.allTextContents()).map((t) => /p\d{3}/.exec(t)?.[0]);
    expect(targets).toEqual(Array.from({ length: 120 }, (_, i) => `p${String(119 - i).padStart(3, '0')}`));
    await page.close();
  });

  it('a state change made through the API appears in the open page within a second, without a reload', async () => {
    const page = await signIn('admin', ADMIN_PASSWORD);
    await row(page, 'r04').waitFor();
    await page.evaluate(() => {
      (window as unknown as { marker: number }).marker = 42;
    });
    const watch = (host: string, selector: string, text: string) =>
      page.waitForFunction(([h, s, t]) => document.querySelector(`tr[data-host="${h}"] ${s}`)?.textContent === t, [host, selector, text] as const, { timeout: 1000, polling: 'raf' });

    let seen = watch('r04', 'td[data-col="health"]', 'DISABLED');
    await gql(`mutation { setHostsEnabled(hosts: ["r04"], enabled: false, reason: "live test") { okCount } }`);
    await seen;

    await gql(`mutation { updateHost(input: { name: "b01", labels: { state: "2" } }) { __typename } }`);
    seen = watch('b01', 'td[data-kind="exec"]', 'CRIT');
    await gql(`mutation { runChecks(hosts: ["b01"]) { status } }`);
    await seen;
    expect(await page.evaluate(() => (window as unknown as { marker: number }).marker)).toBe(42);
    await page.close();
  });

  it('a bulk disable of three hosts asks for a reason and shows each host’s outcome', async () => {
    const page = await signIn('renderop', 'renderop-password');
    for (const h of ['r01', 'r02', 'r03']) await row(page, h).getByRole('checkbox').check();
    await page.getByText('3 selected').waitFor();
    await page.getByRole('button', { name: 'Disable…' }).click();
    const dialog = page.getByRole('dialog');
    const names = await dialog.locator('.hostnames').textContent();
    expect(names).toBe('r01, r02, r03');
    // No reason: the dialog refuses to send.
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    expect(await dialog.getByLabel(/Reason/).evaluate((el) => (el as HTMLTextAreaElement).validity.valueMissing)).toBe(true);
    expect(await dialog.getByRole('table').count()).toBe(0);
    await dialog.getByLabel(/Reason/).fill('rack maintenance');
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    const outcome = dialog.getByRole('table', { name: 'Outcome per host' });
    await outcome.waitFor();
    const rows = await outcome.locator('tbody tr').allTextContents();
    expect(rows.map((r) => r.slice(0, 5))).toEqual(['r01OK', 'r02OK', 'r03OK']);
    await page.screenshot({ path: `${SHOTS}/bulk-disable.png` });
    await dialog.getByRole('button', { name: 'Close' }).click();
    for (const h of ['r01', 'r02', 'r03']) {
      await page.waitForFunction((h) => document.querySelector(`tr[data-host="${h}"] td[data-col="health"]`)?.textContent === 'DISABLED', h, { timeout: 2000 });
    }
    const db = await gql(`{ hosts(filter: { enabled: false }) { edges { node { name disabledReason } } } }`);
    expect(db.hosts.edges.map((e: any) => e.node.name).sort()).toEqual(['r01', 'r02', 'r03', 'r04']);
    // A disabled host's page offers Enable only.
    await page.goto(`${srv.url}/hosts/r01`);
    await page.getByRole('button', { name: 'Enable…' }).waitFor();
    expect(await page.getByRole('button', { name: 'Disable…' }).count()).toBe(0);
    await page.close();
  });

  it('is readable in light and dark: text and every status badge meet WCAG AA contrast in both schemes', async () => {
    const page = await signIn('admin', ADMIN_PASSWORD);
    for (const h of ['r01', 'r02', 'r03', 'b02']) await row(page, h).waitFor();
    // Contrast of an element's text over the nearest opaque background, computed in the page.
    const contrasts = () =>
      page.evaluate(`(() => {
        const rgb = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
        const lum = ([r, g, b]) => [r, g, b].map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; })
          .reduce((a, v, i) => a + v * [0.2126, 0.7152, 0.0722][i], 0);
        const bg = (el) => { for (let e = el; e; e = e.parentElement) { const c = rgb(getComputedStyle(e).backgroundColor); if (c.length === 3 || c[3] > 0) return c.slice(0, 3); } return [255, 255, 255]; };
        const ratio = (el) => { const a = lum(rgb(getComputedStyle(el).color)), b = lum(bg(el)); return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05); };
        const out = { body: ratio(document.querySelector('h1')), bodyLum: lum(bg(document.body)) };
        for (const s of ['ok', 'warn', 'crit', 'unknown']) { const b = document.querySelector('td .badge.s-' + s); out[s] = b ? ratio(b) : 0; }
        return out;
      })()`) as Promise<Record<string, number>>;
    await page.emulateMedia({ colorScheme: 'light' });
    const light = await contrasts();
    await page.emulateMedia({ colorScheme: 'dark' });
    const dark = await contrasts();
    await page.screenshot({ path: `${SHOTS}/hosts-dark.png` });
    expect(light.bodyLum).toBeGreaterThan(0.7);
    expect(dark.bodyLum).toBeLessThan(0.05);
    for (const scheme of [light, dark]) for (const k of ['body', 'ok', 'warn', 'crit', 'unknown']) expect(scheme[k], k).toBeGreaterThanOrEqual(4.5);
    await page.close();
  });

  it('renders groups, checks and admin pages (screenshots)', async () => {
    const page = await signIn('admin', ADMIN_PASSWORD);
    await page.getByRole('link', { name: 'Groups' }).click();
    await page.getByRole('link', { name: 'render' }).waitFor();
    await page.screenshot({ path: `${SHOTS}/groups.png` });
    await page.getByRole('link', { name: 'Checks' }).click();
    await page.getByRole('cell', { name: 'dummy', exact: true }).waitFor();
    await page.screenshot({ path: `${SHOTS}/checks.png` });
    await page.getByRole('link', { name: 'Users & tokens' }).click();
    await page.getByRole('cell', { name: 'renderop', exact: true }).waitFor();
    await page.screenshot({ path: `${SHOTS}/admin.png`, fullPage: true });
    // Logout ends the session: the login form is back and a reload does not restore it.
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await page.reload();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await page.close();
  });

  // Last: the alert stays on every page for an hour.
  it('a suspect sweep puts an alert on every page, live, for any signed-in user', async () => {
    // The alert is live once the page's audit-event subscription has gone out.
    let subscribed!: () => void;
    const subscribing = new Promise<void>((r) => (subscribed = r));
    const page = await signIn('viewer', 'viewer-password', (p) =>
      p.on('websocket', (ws) => ws.on('framesent', (f) => void (String(f.payload).includes('AuditEventLive') && subscribed()))),
    );
    await subscribing;
    await page.waitForLoadState('networkidle');
    expect(await page.locator('.monitor-alert').count()).toBe(0);
    // As the scheduler records a sweep where most healthy hosts failed (tests/checks/hysteresis.test.ts).
    await recordSuspectSweep(srv.server.app.db, srv.server.app.pubsub, { check: 'dummy', kind: 'exec', failing: 5, total: 6 });
    const alert = page.locator('.monitor-alert[role=alert]');
    await alert.waitFor({ timeout: 5000 });
    expect(await alert.textContent()).toContain('5 of 6 hosts failed check dummy at once: the monitor itself is suspect; no host was marked bad');
    await page.screenshot({ path: `${SHOTS}/monitor-alert.png` });
    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.getByRole('heading', { name: /Audit/ }).waitFor();
    expect(await alert.count()).toBe(1);
    await page.close();
  });
});
