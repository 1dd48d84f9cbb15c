/**
 * In-page measurements shared by the scale test and the bench. The page-side code is kept as
 * source text: a transpiler that rewrites functions (tsx adds `__name(...)` helpers) would break
 * code serialised into the browser.
 */
import type { BrowserContext, Page } from 'playwright-core';

/** A tab already signed in (the session the login page would store), marking when `rowSelector` first shows. */
export async function openSignedIn(context: BrowserContext, url: string, token: string, rowSelector = 'tr[data-host]'): Promise<Page> {
  const page = await context.newPage();
  const session = { token, user: { username: 'admin', role: 'ADMIN', grants: [{ role: 'ADMIN', group: null }] } };
  await page.addInitScript(`
    sessionStorage.setItem('corral.session', ${JSON.stringify(JSON.stringify(session))});
    (function look() {
      if (document.querySelector(${JSON.stringify(rowSelector)})) window.firstRowAt = performance.now();
      else requestAnimationFrame(look);
    })();`);
  await page.goto(url);
  return page;
}

/** Milliseconds from navigation start to the first row on screen. */
export async function timeToFirstRow(page: Page, timeoutMs = 60_000): Promise<number> {
  await page.waitForFunction('window.firstRowAt !== undefined', undefined, { timeout: timeoutMs });
  return (await page.evaluate('window.firstRowAt')) as number;
}

export interface FrameStats {
  frames: number;
  meanMs: number;
  p95Ms: number;
  maxMs: number;
}

/**
 * Rejects with a message naming `label` when `work` takes longer than `ms`: a stuck browser step
 * then fails with what it was doing, instead of the whole test timing out silently.
 */
export async function withDeadline<T>(label: string, work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${label}: not done after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Frame intervals over `ms` while the element (selector, or the page when null) scrolls `step` px
 * per frame. Bounded: a page whose main thread stops producing frames fails after `ms` + 30 s.
 */
export async function measureFrames(page: Page, ms: number, scrollSelector: string | null, step = 40): Promise<FrameStats> {
  return withDeadline(`measuring frames (${scrollSelector ?? 'page'})`, measureFramesUnbounded(page, ms, scrollSelector, step), ms + 30_000);
}

async function measureFramesUnbounded(page: Page, ms: number, scrollSelector: string | null, step: number): Promise<FrameStats> {
  return (await page.evaluate(`new Promise((resolve) => {
    const el = ${scrollSelector ? `document.querySelector(${JSON.stringify(scrollSelector)})` : 'document.scrollingElement'};
    const deltas = [];
    let start = 0, last = 0, dir = 1;
    function tick(t) {
      deltas.push(t - last);
      last = t;
      if (el.scrollTop + el.clientHeight >= el.scrollHeight - 1) dir = -1;
      else if (el.scrollTop <= 0) dir = 1;
      el.scrollTop += dir * ${step};
      if (t - start < ${ms}) return requestAnimationFrame(tick);
      const sorted = deltas.slice(1).sort((a, b) => a - b);
      resolve({ frames: sorted.length, meanMs: sorted.reduce((a, b) => a + b, 0) / sorted.length,
        p95Ms: sorted[Math.floor(sorted.length * 0.95)] || 0, maxMs: sorted[sorted.length - 1] || 0 });
    }
    requestAnimationFrame((t) => { start = last = t; requestAnimationFrame(tick); });
  })`)) as FrameStats;
}

/** Sends `perSecond` updates a second (a batch every 100 ms, as a sweep would) until `work` settles. */
export async function whileUpdating<T>(update: (count: number) => Promise<void>, perSecond: number, work: Promise<T>): Promise<{ result: T; sent: number }> {
  let sent = 0;
  let busy = false;
  const every = 100;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    const n = Math.max(1, Math.round(perSecond / (1000 / every)));
    update(n)
      .then(() => {
        sent += n;
      })
      .finally(() => {
        busy = false;
      });
  }, every);
  try {
    return { result: await work, sent };
  } finally {
    clearInterval(timer);
  }
}
