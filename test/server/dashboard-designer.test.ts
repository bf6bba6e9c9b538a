// The dashboard as a designer uses it, in real headless Chromium against the real sidecar on a copy
// of the sample project with a model trained by the CLI: every level balanced in the background with
// the new levels (fewest playtests) first, the design targets, current and balanced settings, pMeet
// coloured by its value, a level's own view on click, the saved training curve after a reload and
// for a CLI-trained model, the steps box at the CLI's default, and nothing cut off at 1280 px.
// Screenshots go to the test's temp folder (printed as diagnostics).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { chromium, type Page } from 'playwright-core';
import { sampleProjectDir } from '../../samples/crypt-run/generate.js';
import { defaultConfig } from '../../src/model/index.js';
import type { Project } from '../../src/project/types.js';
import { CLI, serve } from './harness.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const WIDTH = 1280;

interface Balance {
  levelId: string;
  params: Record<string, number | string | boolean>;
  current: Record<string, number | string | boolean>;
  pMeet: number;
}

interface SavedInfo {
  steps: number;
  validation: { bestStep?: number };
  trainingCurve: { plannedSteps: number; points: unknown[] };
}

/** model.info as saved in the newest model folder (what the dashboard must draw) */
async function savedInfo(dir: string): Promise<{ id: string; info: SavedInfo }> {
  const id = (await readdir(path.join(dir, 'models'))).filter((n) => !n.startsWith('.')).sort().at(-1)!;
  const meta = JSON.parse(await readFile(path.join(dir, 'models', id, 'meta.json'), 'utf8')) as { info: SavedInfo };
  return { id, info: meta.info };
}

/** every pMeet shown in the level table, with the class it is coloured by */
function pMeetCells(page: Page): Promise<{ p: number; cls: string }[]> {
  return page.$$eval('#levels tbody .pmeet', (spans) =>
    spans.map((s) => ({ p: Number((s as HTMLElement).dataset.pmeet), cls: Array.from(s.classList).find((c) => c.startsWith('pmeet-')) ?? '' })),
  );
}

function expectedClass(p: number, greenFrom: number): string {
  return p >= greenFrom ? 'pmeet-good' : p >= 0.5 ? 'pmeet-fair' : 'pmeet-poor';
}

/** no horizontal cut-off: the page is no wider than the window and no table needs a scrollbar */
async function assertFits(page: Page, scope: string): Promise<void> {
  const widths = await page.evaluate((sel) => ({
    page: document.documentElement.scrollWidth,
    tables: Array.from(document.querySelectorAll(`${sel} .table-wrap`)).map((w) => ({ id: w.firstElementChild?.id, scroll: w.scrollWidth, client: w.clientWidth })),
  }), scope);
  assert.ok(widths.page <= WIDTH, `page is ${widths.page} px wide at ${WIDTH} px`);
  for (const t of widths.tables) assert.ok(t.scroll <= t.client, `table #${t.id} is cut off: ${t.scroll} px in ${t.client} px`);
}

test('dashboard for a designer: the sample project with a CLI-trained model, in headless Chromium at 1280 px', { timeout: 900_000 }, async (t) => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install chromium (or set CHROMIUM_PATH)`);
  const shots = await mkdtemp(path.join(tmpdir(), 'mb-dashboard-shots-'));
  const dir = await mkdtemp(path.join(tmpdir(), 'mb-dashboard-sample-'));
  await cp(sampleProjectDir(), dir, { recursive: true });
  await promisify(execFile)(process.execPath, [CLI, 'train', '--project', dir, '--steps', '150', '--seed', '0']);
  const cliModel = await savedInfo(dir);
  const project = JSON.parse(await readFile(path.join(dir, 'project.json'), 'utf8')) as Project;

  const server = await serve(dir);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  try {
    const client = await server.connect();
    const levels = (await client.call<{ levels: { id: string; playtestCount: number }[] }>('levels.list')).levels;
    const newLevels = levels.filter((l) => l.playtestCount === Math.min(...levels.map((x) => x.playtestCount)));
    assert.equal(newLevels.length, 20, 'the sample has 20 new levels with few playtests');

    const page = await browser.newPage({ viewport: { width: WIDTH, height: 900 } });
    const problems: string[] = [];
    page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console: ${m.text()}`);
    });
    await page.goto(server.info.dashboard);
    await page.waitForFunction(() => document.body.dataset.ready === '1', undefined, { timeout: 120_000 });

    // The page is ready with the new levels on top, computed, though they are the last in the file.
    const order = await page.$$eval('#levels tbody tr', (rows) => rows.map((r) => (r as HTMLElement).dataset.level!));
    assert.equal(order.length, levels.length);
    assert.deepEqual(new Set(order.slice(0, newLevels.length)), new Set(newLevels.map((l) => l.id)));
    for (const l of newLevels) {
      const shown = await page.$$eval(`#levels tbody tr[data-level="${l.id}"] .pmeet`, (s) => s.map((x) => Number((x as HTMLElement).dataset.pmeet)));
      assert.equal(shown.length, 2, `${l.id}: pMeet now and balanced`);
    }

    // What the table shows for a new level is the sidecar's answer: pMeet, and current → balanced.
    const first = newLevels[0]!.id;
    const b = await client.call<Balance>('level.balance', { levelId: first });
    const row = `#levels tbody tr[data-level="${first}"]`;
    assert.equal(await page.$eval(`${row} td:nth-child(4) .pmeet`, (s) => Number((s as HTMLElement).dataset.pmeet)), b.pMeet);
    const changes = await page.$$eval(`${row} td.changes div`, (ds) => ds.map((d) => d.textContent!));
    const moved = project.params.filter((p) => b.params[p.name] !== b.current[p.name]).map((p) => p.name);
    assert.ok(moved.length > 0 && changes.length > 0, `${first}: the balance changes something`);
    for (const line of changes) {
      const m = /^(\S+) (\S+) → (\S+)/.exec(line);
      assert.ok(m && moved.includes(m[1]!), `change line "${line}" names a param the balance moved (${moved.join(', ')})`);
      const [cur, bal] = [b.current[m[1]!], b.params[m[1]!]];
      if (typeof cur === 'number' && typeof bal === 'number') {
        assert.ok(Math.abs(Number(m[2]) - cur) <= 0.01 * Math.abs(cur) + 1e-3, `${line}: current ${cur}`);
        assert.ok(Math.abs(Number(m[3]) - bal) <= 0.01 * Math.abs(bal) + 1e-3, `${line}: balanced ${bal}`);
      } else assert.deepEqual([m[2], m[3]], [String(cur), String(bal)]);
    }

    // The design targets, each with its range.
    const targets = await page.$$eval('#targets tbody tr', (rows) => rows.map((r) => Array.from(r.children).map((c) => c.textContent!)));
    assert.deepEqual(targets.map((r) => r[0]), project.targets.map((x) => x.metric));
    targets.forEach((r, i) => assert.equal(Number(r[1]!.split(' ± ')[0]), project.targets[i]!.target, `target of ${r[0]}`));

    // The saved curve of the CLI-trained model, with the early-stopping point marked.
    const curve = await page.$eval('#curve', (s) => ({ source: (s as SVGElement).dataset.source, points: (s as SVGElement).dataset.points, best: s.querySelectorAll('line.best').length }));
    assert.equal(curve.source, 'model');
    assert.equal(Number(curve.points), cliModel.info.trainingCurve.points.length);
    assert.equal(curve.best, 1);
    assert.match((await page.textContent('#job-status')) ?? '', new RegExp(`${cliModel.id}.*step ${cliModel.info.validation.bestStep}`));
    assert.equal(await page.inputValue('#train-steps'), String(defaultConfig('joint', 0).steps));
    assert.equal(await page.isHidden('#repairs'), true, 'no repairs banner without repairs');

    // pMeet is coloured by its value: green only from the threshold (0.8 by default, adjustable).
    for (const c of await pMeetCells(page)) assert.equal(c.cls, expectedClass(c.p, 0.8), `pMeet ${c.p}`);
    const values = (await pMeetCells(page)).map((c) => c.p).sort((x, y) => x - y);
    const median = values[Math.floor(values.length / 2)]!;
    await page.fill('#green-from', String(median));
    const recoloured = await pMeetCells(page);
    for (const c of recoloured) assert.equal(c.cls, expectedClass(c.p, median), `pMeet ${c.p} with green from ${median}`);
    assert.ok(recoloured.some((c) => c.cls === 'pmeet-good'));
    await page.fill('#green-from', '0.8');

    await assertFits(page, 'main');
    await page.screenshot({ path: path.join(shots, 'top.png') });
    await page.$eval('#levels-card', (e) => e.scrollIntoView());
    await page.screenshot({ path: path.join(shots, 'levels.png') });

    // A click opens the level: its playtests with predictions, metrics with the spread, settings, suggestions.
    await page.click(row);
    await page.waitForFunction(() => (document.getElementById('detail') as HTMLDialogElement).open && document.getElementById('detail')!.dataset.loaded === '1', undefined, { timeout: 60_000 });
    const stored = (await client.call<{ playtests: { id: string }[] }>('playtests.list', { levelId: first })).playtests;
    assert.match((await page.textContent('#detail-title')) ?? '', new RegExp(first));
    const playtestRows = await page.$$eval('#detail-playtests tbody tr', (rows) => rows.map((r) => Array.from(r.children).map((c) => c.textContent!)));
    assert.deepEqual(playtestRows.map((r) => r[0]), stored.map((p) => p.id));
    for (const r of playtestRows) for (const cell of r.slice(3)) assert.match(cell, /^\S+ \/ \S+ ± \S+$/, 'observed / predicted ± spread');
    const metricRows = await page.$$eval('#detail-metrics tbody tr', (rows) => rows.map((r) => Array.from(r.children).map((c) => c.textContent!)));
    assert.deepEqual(metricRows.map((r) => r[0]), project.metrics.map((m) => m.name));
    for (const r of metricRows) {
      assert.match(r[2]!, new RegExp(`± \\S+ \\(${stored.length}\\)$`), `${r[0]} observed with its spread and count`);
      for (const cell of r.slice(3)) assert.match(cell, /^\S+ ± \S+$/, `${r[0]} predicted with its spread`);
    }
    const settings = await page.$$eval('#detail-settings tbody tr', (rows) => rows.map((r) => Array.from(r.children).map((c) => c.textContent!)));
    assert.deepEqual(settings.map((r) => r[0]), project.params.map((p) => p.name));
    assert.deepEqual(settings.filter((r) => r[4] !== '–').map((r) => r[0]), changes.map((l) => l.split(' ')[0]));
    assert.equal(await page.$$eval('#detail-suggestions tbody tr .pmeet', (s) => s.length), 3);
    assert.equal(await page.$$eval('#detail-badges .pmeet', (s) => s.length), 2);
    await assertFits(page, '#detail');
    await page.screenshot({ path: path.join(shots, 'level.png') });
    await page.keyboard.press('Escape');
    await page.waitForFunction(() => !(document.getElementById('detail') as HTMLDialogElement).open);

    // Every level gets its answers in the background.
    await page.waitForFunction((n) => document.body.dataset.computed === `${n}/${n}`, levels.length, { timeout: 600_000 });
    assert.equal(await page.$$eval('#levels tbody td', (tds) => tds.filter((td) => td.textContent === '…' || td.textContent === 'error').length), 0);
    assert.equal(Number(await page.$eval('#scatter', (s) => (s as SVGElement).dataset.points)), levels.length);
    for (const c of await pMeetCells(page)) assert.equal(c.cls, expectedClass(c.p, 0.8), `pMeet ${c.p}`);
    await assertFits(page, 'main');

    // After a reload, and opened on a level's link, the saved curve is still there.
    await page.goto('about:blank');
    await page.goto(`${server.info.dashboard}#level=${newLevels[1]!.id}`);
    await page.waitForFunction(() => document.body.dataset.ready === '1', undefined, { timeout: 120_000 });
    assert.equal(await page.$eval('#curve', (s) => (s as SVGElement).dataset.source), 'model');
    await page.waitForFunction(() => document.getElementById('detail')!.dataset.loaded === '1', undefined, { timeout: 60_000 });
    assert.match((await page.textContent('#detail-title')) ?? '', new RegExp(newLevels[1]!.id));
    await page.keyboard.press('Escape');

    // Trained from the page: the live curve, then the new model's saved curve, also after a reload.
    await page.fill('#train-steps', '120');
    const finished = client.waitFor((n) => n.method === 'job.finished', 300_000);
    await page.click('#train-button');
    await page.waitForFunction(() => document.getElementById('curve')!.dataset.source === 'job', undefined, { timeout: 60_000 });
    assert.equal((await finished).params.state, 'succeeded');
    const trained = await savedInfo(dir);
    assert.notEqual(trained.id, cliModel.id);
    await page.waitForFunction((id) => (document.getElementById('model')?.textContent ?? '').includes(id) && document.getElementById('curve')!.dataset.source === 'model', trained.id, { timeout: 60_000 });
    assert.equal(Number(await page.$eval('#curve', (s) => (s as SVGElement).dataset.points)), trained.info.trainingCurve.points.length);
    await page.reload();
    await page.waitForFunction(() => document.body.dataset.ready === '1', undefined, { timeout: 120_000 });
    assert.match((await page.textContent('#job-status')) ?? '', new RegExp(trained.id));
    assert.equal(Number(await page.$eval('#curve', (s) => (s as SVGElement).dataset.points)), trained.info.trainingCurve.points.length);
    await page.screenshot({ path: path.join(shots, 'after-training.png') });
    t.diagnostic(`screenshots: ${shots}`);

    assert.deepEqual(problems, []);
    await client.close();
  } finally {
    await browser.close();
    await server.stop();
  }
});
