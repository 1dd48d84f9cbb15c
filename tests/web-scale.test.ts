/**
 * The hosts page with 10,000 hosts stays responsive: first rows quickly, only a window of rows in
 * the DOM, scrolling to the end and filtering answer within a frame or two, and 100 live updates
 * a second neither stall frames nor move the scroll position.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, buildDashboard, launchBrowser } from '../clients/web/e2e/browser.js';
import { type Fleet, seedFleet } from '../clients/web/e2e/fleet.js';
import { measureFrames, openSignedIn, timeToFirstRow, whileUpdating, withDeadline } from '../clients/web/e2e/measure.js';
import { hasPeers } from './helpers/peers.js';
import { startTestServer, type TestServer } from './helpers/server.js';

const HOSTS = 10_000;

describe.runIf(hasPeers('chromium'))('hosts page at 10,000 hosts', () => {
  let web: Awaited<ReturnType<typeof buildDashboard>>;
  let srv: TestServer;
  let browser: Browser;
  let fleet: Fleet;
  let page: Page | undefined;

  beforeAll(async () => {
    web = await buildDashboard();
    srv = await startTestServer({ config: { webDir: web.dir } });
    fleet = await seedFleet(srv, HOSTS);
    browser = await launchBrowser();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await srv?.stop();
    web?.remove();
  });

  // One retry: this runs beside other heavy test files on a 2-core CI machine, and a rare stall
  // there must not block a landing. A real regression fails both attempts; every step below is
  // bounded and named, so a stall says where it was.
  it('renders, scrolls, filters and takes live updates smoothly', { retry: 1, timeout: 150_000 }, async () => {
    await page?.close(); // the page of a failed first attempt
    page = await withDeadline('opening the hosts page', openSignedIn(browser.context, srv.url, srv.adminToken), 30_000);
    const first = await timeToFirstRow(page, 30_000);
    expect(first).toBeLessThan(15_000);
    await page.getByText(`${HOSTS} of ${HOSTS} hosts`).waitFor({ timeout: 15_000 });
    // Virtualised: a window of rows, not 10,000.
    expect(await page.locator('tbody tr').count()).toBeLessThan(100);

    // Jump to the end: the last host is on screen within a few frames.
    const t0 = Date.now();
    await page.locator('.grid-scroll').evaluate(
      (el) => {
        el.scrollTop = el.scrollHeight;
      },
      undefined,
      { timeout: 10_000 },
    );
    await page.locator(`tr[data-host="${fleet.names.at(-1)}"]`).waitFor({ timeout: 2000 });
    expect(Date.now() - t0).toBeLessThan(2000);

    // Scrolling while up to 100 updates a second stream in: frames stay short.
    const { result: frames, sent } = await whileUpdating((n) => fleet.update(n), 100, measureFrames(page, 3000, '.grid-scroll'));
    // The in-process server on a small machine may deliver fewer than asked; enough to load the page.
    expect(sent).toBeGreaterThan(50);
    // Generous for a 2-core machine that also runs the server; rendering every row instead of a
    // window costs ~600 ms frames here (see bench/web), so a regression to that still fails.
    expect(frames.meanMs).toBeLessThan(100);
    expect(frames.p95Ms).toBeLessThan(250);

    // Live updates do not move the scroll position.
    const before = await page.locator('.grid-scroll').evaluate((el) => el.scrollTop);
    await withDeadline('live updates without scrolling', whileUpdating((n) => fleet.update(n), 100, new Promise((r) => setTimeout(r, 1000))), 15_000);
    await page.waitForTimeout(200);
    expect(await page.locator('.grid-scroll').evaluate((el) => el.scrollTop)).toBe(before);

    // Filtering 10,000 rows answers quickly.
    const t1 = Date.now();
    await page.getByLabel('Search').fill('n09999');
    await page.getByText(`1 of ${HOSTS} hosts`).waitFor({ timeout: 2000 });
    expect(Date.now() - t1).toBeLessThan(2000);
    expect(await page.locator('tbody tr').count()).toBe(1);
    await page.getByLabel('Search').fill('');
    await page.getByRole('checkbox', { name: 'CRIT' }).check();
    await expect.poll(() => page!.locator('tbody tr td[data-col="health"]').allTextContents()).toSatisfy((t: string[]) => t.length > 0 && t.every((s) => s === 'CRIT'));
    await page.screenshot({ path: 'test-artifacts/screenshots/hosts-10k.png', timeout: 15_000 });
    console.log(`10k hosts: first rows ${first.toFixed(0)} ms; scroll + ${(sent / 3).toFixed(0)} updates/s: mean ${frames.meanMs.toFixed(1)} ms, p95 ${frames.p95Ms.toFixed(1)} ms per frame`);
    await page.close();
  });
});
