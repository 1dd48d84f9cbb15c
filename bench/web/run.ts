/**
 * The hosts page at 10,000 hosts against a plain-DOM baseline measured in the same run:
 * time to first rows, and frame time while scrolling under 100 live updates a second.
 *   npx tsx bench/web/run.ts [hosts]
 */
import { buildDashboard, launchBrowser } from '../../clients/web/e2e/browser.js';
import { seedFleet } from '../../clients/web/e2e/fleet.js';
import { type FrameStats, measureFrames, openSignedIn, timeToFirstRow, whileUpdating } from '../../clients/web/e2e/measure.js';
import { startTestServer } from '../../tests/helpers/server.js';
import { print } from 'graphql';
import { STATUS } from '../../clients/web/src/api/queries.js';
import { baselineHtml } from './baseline.js';

const HOSTS = Number(process.argv[2] ?? 10_000);
const RATE = 100;
const WINDOW_MS = 4000;

const web = await buildDashboard();
const srv = await startTestServer({ config: { webDir: web.dir } });
const browser = await launchBrowser();
try {
  const t = Date.now();
  const fleet = await seedFleet(srv, HOSTS);
  console.log(`seeded ${HOSTS} hosts in ${Date.now() - t} ms`);

  // Dashboard: real subscriptions, RATE state changes a second written and published by the server.
  const dash = await openSignedIn(browser.context, srv.url, srv.adminToken);
  const dashFirst = await timeToFirstRow(dash);
  await dash.getByText(`${HOSTS} of ${HOSTS} hosts`).waitFor();
  const dashIdle = await measureFrames(dash, WINDOW_MS, '.grid-scroll');
  const live = await whileUpdating((n) => fleet.update(n), RATE, measureFrames(dash, WINDOW_MS, '.grid-scroll'));
  await dash.close();

  // Baseline: same data, no React, every row in the DOM, RATE cell patches a second applied in the page.
  await browser.context.route(`${srv.url}/__baseline`, (route) => route.fulfill({ contentType: 'text/html', body: baselineHtml(print(STATUS)) }));
  const base = await openSignedIn(browser.context, `${srv.url}/__baseline`, srv.adminToken);
  const baseFirst = await timeToFirstRow(base);
  const baseIdle = await measureFrames(base, WINDOW_MS, '#scroll');
  await base.evaluate(`window.startUpdates(${RATE})`);
  const baseLive = await measureFrames(base, WINDOW_MS, '#scroll');
  await base.close();

  const row = (name: string, d: number, b: number) => console.log(`${name.padEnd(44)} ${d.toFixed(1).padStart(9)} ${b.toFixed(1).padStart(9)} ${(d / b).toFixed(2).padStart(7)}`);
  const frames = (label: string, d: FrameStats, b: FrameStats) => {
    row(`${label} mean frame ms`, d.meanMs, b.meanMs);
    row(`${label} p95 frame ms`, d.p95Ms, b.p95Ms);
  };
  console.log(`\nhosts page, ${HOSTS} hosts (${(live.sent / (WINDOW_MS / 1000)).toFixed(0)} updates/s delivered by the server to the dashboard)`);
  console.log(`${'metric'.padEnd(44)} ${'dashboard'.padStart(9)} ${'baseline'.padStart(9)} ${'ratio'.padStart(7)}`);
  row('time to first rows ms', dashFirst, baseFirst);
  frames('scrolling, idle:', dashIdle, baseIdle);
  frames(`scrolling, ${RATE} updates/s:`, live.result, baseLive);
} finally {
  await browser.close();
  await srv.stop();
  web.remove();
}
