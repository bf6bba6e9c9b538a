// The dashboard in real headless Chromium: the page loads with ?token=, shows the levels and the
// predicted-vs-observed plot, and its loss curve grows live while a training job runs.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { chromium } from 'playwright-core';
import { makeProjectDir } from './fixture.js';
import { serve, trainSmall } from './harness.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

test('dashboard: levels, predicted vs observed, and a live training curve in headless Chromium', async (t) => {
  // Not a skip: CI installs Debian's chromium, and a missing browser must fail loudly.
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install chromium (or set CHROMIUM_PATH)`);
  const server = await serve(await makeProjectDir({ levels: 8, playtestsPerLevel: 8 }));
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  try {
    const client = await server.connect();
    await trainSmall(client, 60);
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    const problems: string[] = [];
    page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console: ${m.text()}`);
    });
    await page.goto(server.info.dashboard);
    await page.waitForFunction(() => document.getElementById('conn')?.textContent === 'connected');
    await page.waitForFunction(() => document.querySelectorAll('#levels tbody tr').length === 8);
    await page.waitForFunction(() => Number(document.getElementById('scatter')?.dataset.points) === 8, undefined, { timeout: 30_000 });
    await page.waitForFunction(() => !Array.from(document.querySelectorAll('#levels tbody td')).some((td) => td.textContent === '…'), undefined, { timeout: 60_000 });
    assert.match((await page.textContent('#model')) ?? '', /^model m-/);

    await page.fill('#train-steps', '100000');
    await page.click('#train-button');
    const points = () => page.$eval('#curve', (el) => Number((el as SVGElement).dataset.points));
    await page.waitForFunction(() => Number(document.getElementById('curve')?.dataset.points) >= 3, undefined, { timeout: 60_000 });
    const first = await points();
    await page.waitForFunction((n) => Number(document.getElementById('curve')?.dataset.points) >= n + 3, first, { timeout: 30_000 });
    const later = await points();
    assert.ok(later > first, `curve points ${first} → ${later}`);
    assert.equal(await page.$$eval('#curve polyline.loss', (ls) => ls.length), 1);

    const dir = await mkdtemp(path.join(tmpdir(), 'mb-dashboard-'));
    const shot = path.join(dir, 'dashboard.png');
    await page.screenshot({ path: shot, fullPage: true });
    t.diagnostic(`screenshot: ${shot}`);

    await page.click('#cancel-button');
    await page.waitForFunction(() => /cancelled/.test(document.getElementById('job-status')?.textContent ?? ''), undefined, { timeout: 10_000 });
    assert.deepEqual(problems, []);
    await client.close();
  } finally {
    await browser.close();
    await server.stop();
  }
});
