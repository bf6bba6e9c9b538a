// The metabalance dashboard: one WebSocket to the sidecar's /rpc (token from ?token=), the design
// targets, the loss curve (live while a job runs, else the saved one of the model in use), a
// predicted-vs-observed plot, every level's balance computed in the background (the levels with
// the fewest playtests first), and a level's own view on click.
// Plain browser JavaScript, no build step; all data is rendered as text, never as HTML.
'use strict';

const token = new URLSearchParams(location.search).get('token') || '';
const $ = (id) => document.getElementById(id);
const SVG = 'http://www.w3.org/2000/svg';
const BATCH = 200;
const PAGE = 1000;
/** predictions at a level's playtests (for observed vs predicted) use at most this many of them */
const PREDICT_PLAYTESTS = 40;
/** pMeet below this is red, from it up to the green threshold amber */
const AMBER_FROM = 0.5;
/** levels in the first screenful: the page counts as ready once these have their answers */
const FIRST_SCREEN = 20;

const state = {
  project: null,
  model: null,
  levels: [],
  playtests: [],
  byLevel: new Map(), // levelId -> its playtests
  answers: new Map(), // levelId -> {balance, now, atPlaytests: [predict results], error}
  queue: [], // level ids still to compute, in order
  computing: false,
  generation: 0, // bumped when every answer becomes stale (a new model)
  jobs: new Map(), // jobId -> {points: Map(step -> {step, loss, valLoss}), state, status}
  currentJob: null,
  detail: null, // the level shown in the dialog
};

// ---- JSON-RPC over WebSocket -------------------------------------------------------------
let socket = null;
let nextId = 1;
const pending = new Map();

function connect() {
  socket = new WebSocket(`ws://${location.host}/rpc?token=${encodeURIComponent(token)}`);
  socket.onopen = () => { setConn(true); loadAll().catch(showLoadError); };
  socket.onclose = () => {
    setConn(false);
    for (const p of pending.values()) p.reject(new Error('connection closed'));
    pending.clear();
    setTimeout(connect, 2000);
  };
  socket.onmessage = (event) => {
    const message = JSON.parse(event.data);
    for (const m of Array.isArray(message) ? message : [message]) {
      if (m.id !== undefined && pending.has(m.id)) {
        pending.get(m.id).resolve(m);
        pending.delete(m.id);
      } else if (m.method) {
        onNotification(m.method, m.params);
      }
    }
  };
}

function setConn(up) {
  const node = $('conn');
  node.textContent = up ? 'connected' : 'disconnected';
  node.className = `tag ${up ? 'conn-up' : 'conn-down'}`;
}

function showLoadError(err) {
  $('levels-note').textContent = `could not load: ${err.message}`;
}

function send(request) {
  return new Promise((resolve, reject) => {
    pending.set(request.id, { resolve, reject });
    socket.send(JSON.stringify(request));
  });
}

async function call(method, params = {}) {
  const reply = await send({ jsonrpc: '2.0', id: nextId++, method, params });
  if (reply.error) throw Object.assign(new Error(reply.error.message), { code: reply.error.code });
  return reply.result;
}

/** Many calls as JSON-RPC batches; answers come back in call order as {result} or {error}. */
async function batch(calls) {
  const out = [];
  for (let i = 0; i < calls.length; i += BATCH) {
    const chunk = calls.slice(i, i + BATCH).map(([method, params]) => ({ jsonrpc: '2.0', id: nextId++, method, params }));
    const replies = await new Promise((resolve, reject) => {
      const got = new Map();
      for (const r of chunk) {
        pending.set(r.id, {
          resolve: (m) => { got.set(r.id, m); if (got.size === chunk.length) resolve(chunk.map((c) => got.get(c.id))); },
          reject,
        });
      }
      socket.send(JSON.stringify(chunk));
    });
    out.push(...replies);
  }
  return out;
}

// ---- loading ---------------------------------------------------------------------------
async function loadAll() {
  const init = await call('initialize', { clientName: 'dashboard', protocolVersion: '1.0' });
  $('project').textContent = `project ${init.project.name}`;
  $('backend').textContent = `backend ${init.backend}`;
  showRepairs(init.repairs);
  const steps = $('train-steps');
  if (!steps.dataset.touched && init.trainDefaults) steps.value = String(init.trainDefaults.steps);
  state.project = (await call('project.get')).project;
  fillMetricSelect();
  renderTargets();
  await loadModel();
  await loadLevels();
  const wanted = levelFromHash();
  if (wanted && !state.detail) openDetail(wanted);
}

/** initialize may list what the store repaired when it opened the project's files. */
function showRepairs(repairs) {
  const banner = $('repairs');
  if (!Array.isArray(repairs) || repairs.length === 0) { banner.hidden = true; return; }
  $('repairs-list').replaceChildren(...repairs.map((r) => text('li', typeof r === 'string' ? r : r && typeof r.message === 'string' ? r.message : JSON.stringify(r))));
  banner.hidden = false;
}

async function loadModel() {
  try {
    state.model = await call('model.info');
    $('model').textContent = `model ${state.model.modelId} (${state.model.algorithm}, ${state.model.steps} steps)`;
  } catch (err) {
    state.model = null;
    $('model').textContent = err.code === -32002 ? 'no model yet' : `model: ${err.message}`;
  }
  if (!runningJob()) renderModelCurve();
}

async function loadLevels() {
  const before = new Map(state.levels.map((l) => [l.id, l.playtestCount]));
  const levels = (await call('levels.list')).levels;
  const all = [];
  for (let offset = 0; ; offset += PAGE) {
    const page = await call('playtests.list', { offset, limit: PAGE });
    all.push(...page.playtests);
    if (all.length >= page.total || page.playtests.length === 0) break;
  }
  // New levels first: the fewest playtests are the ones a designer has come to balance.
  state.levels = levels.sort((a, b) => a.playtestCount - b.playtestCount || a.id.localeCompare(b.id));
  state.playtests = all;
  state.byLevel = groupBy(all, (t) => t.levelId);
  for (const level of state.levels) {
    if (before.get(level.id) !== level.playtestCount) state.answers.delete(level.id);
  }
  renderTable();
  renderScatter();
  enqueueMissing();
}

/** Puts every level without an answer on the queue, in table order, and starts the worker. */
function enqueueMissing() {
  if (!state.model) { markReady(); return; }
  const queued = new Set(state.queue);
  for (const level of state.levels) if (!state.answers.has(level.id) && !queued.has(level.id)) state.queue.push(level.id);
  void computeQueue();
}

/** One level at a time, so the page and a clicked level's own requests are never stuck behind
 *  the whole project's worth of balancing. */
async function computeQueue() {
  if (state.computing) return;
  state.computing = true;
  try {
    while (state.queue.length > 0 && state.model) {
      const levelId = state.queue.shift();
      const level = state.levels.find((l) => l.id === levelId);
      if (!level || state.answers.has(levelId)) continue;
      const generation = state.generation;
      const answer = await computeLevel(level);
      if (generation !== state.generation) continue; // a new model arrived meanwhile
      state.answers.set(levelId, answer);
      renderRow(level);
      renderProgress();
      if (state.answers.size % 10 === 0) renderScatter();
      markReady();
    }
  } catch (err) {
    if (err.message !== 'connection closed') showLoadError(err);
  } finally {
    state.computing = false;
    renderScatter();
    renderProgress();
  }
}

/** The model's answers for one level: its balance (with its current settings), a prediction at
 *  the current settings, and predictions at its playtests' settings (against what was observed). */
async function computeLevel(level) {
  const [b] = await batch([['level.balance', { levelId: level.id }]]);
  if (!b.result) return { error: b.error.message };
  const playtests = (state.byLevel.get(level.id) || []).slice(0, PREDICT_PLAYTESTS);
  const replies = await batch([
    ['level.predict', { levelId: level.id, params: b.result.current }],
    ...playtests.map((t) => ['level.predict', { levelId: level.id, params: t.params || {} }]),
  ]);
  const [now, ...atPlaytests] = replies.map((r) => r.result || null);
  return { balance: b.result, now, atPlaytests };
}

/** mean prediction per metric at the level's playtests, or null before it is computed */
function predictedMeans(levelId) {
  const a = state.answers.get(levelId);
  if (!a || !a.atPlaytests) return null;
  const sums = {};
  let n = 0;
  for (const p of a.atPlaytests) {
    if (!p) continue;
    n++;
    for (const [m, v] of Object.entries(p.predicted)) sums[m] = (sums[m] || 0) + v.mean;
  }
  if (n === 0) return null;
  return Object.fromEntries(Object.entries(sums).map(([m, s]) => [m, s / n]));
}

// ---- notifications ---------------------------------------------------------------------
function onNotification(method, params) {
  if (method === 'job.progress') {
    const job = jobEntry(params.jobId);
    if (job.fresh) { job.fresh = false; backfill(params.jobId); }
    addPoint(job, params);
    job.status = params;
    state.currentJob = params.jobId;
    renderJob();
  } else if (method === 'job.finished') {
    const job = jobEntry(params.jobId);
    job.state = params.state;
    job.error = params.error;
    renderJob();
    if (params.state === 'succeeded') {
      // a new model: every answer is stale
      state.generation++;
      state.answers.clear();
      state.queue = [];
      loadModel().then(loadLevels).then(refreshDetail).catch(showLoadError);
    }
  } else if (method === 'project.changed') {
    if (params.what === 'project') projectChanged = true;
    scheduleReload();
  }
}

let reloadTimer = null;
let projectChanged = false;
function scheduleReload() {
  clearTimeout(reloadTimer);
  reloadTimer = setTimeout(() => reload().catch(showLoadError), 2000);
}

/** After project.json changed, the targets, params and maybe the model did (it is dropped when
 *  it no longer fits), so every answer is stale; after new levels or playtests only theirs. */
async function reload() {
  if (projectChanged) {
    projectChanged = false;
    state.project = (await call('project.get')).project;
    fillMetricSelect();
    renderTargets();
    state.generation++;
    state.answers.clear();
    state.queue = [];
    await loadModel();
  }
  await loadLevels();
}

function jobEntry(jobId) {
  if (!state.jobs.has(jobId)) state.jobs.set(jobId, { points: new Map(), state: 'running', status: null, fresh: true });
  return state.jobs.get(jobId);
}

function runningJob() {
  const job = state.currentJob && state.jobs.get(state.currentJob);
  return job && job.state === 'running' ? job : null;
}

function addPoint(job, p) {
  if (p.loss === null && p.valLoss === null) return;
  job.points.set(p.step, { step: p.step, loss: p.loss, valLoss: p.valLoss });
}

/** A dashboard opened mid-run gets the curve so far from job.status. */
async function backfill(jobId) {
  try {
    const status = await call('job.status', { jobId });
    const job = jobEntry(jobId);
    for (const p of status.curve) if (!job.points.has(p.step)) addPoint(job, p);
    renderJob();
  } catch (_) { /* the job is gone: nothing to backfill */ }
}

// ---- training panel --------------------------------------------------------------------
$('train-steps').addEventListener('input', (event) => { event.target.dataset.touched = '1'; });

$('train-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const steps = Number($('train-steps').value) || undefined;
  try {
    const { jobId } = await call('model.train', steps ? { steps } : {});
    state.currentJob = jobId;
    jobEntry(jobId).fresh = false;
    renderJob();
  } catch (err) {
    $('job-status').textContent = `could not start training: ${err.message}`;
  }
});

$('cancel-button').addEventListener('click', async () => {
  if (state.currentJob) await call('job.cancel', { jobId: state.currentJob }).catch(() => {});
});

function renderJob() {
  const job = state.currentJob && state.jobs.get(state.currentJob);
  if (!job) return;
  const s = job.status;
  const running = job.state === 'running';
  $('train-button').disabled = running;
  $('cancel-button').disabled = !running;
  // Once the job's model is in use, its saved curve (with the early-stopping point) is shown.
  if (job.state === 'succeeded') return;
  const parts = [`job ${state.currentJob.slice(0, 14)}…`, job.state];
  if (s) {
    parts.push(`step ${s.step}/${s.total}`);
    if (s.loss !== null) parts.push(`loss ${fmt(s.loss)}`);
    if (s.valLoss !== null) parts.push(`val ${fmt(s.valLoss)}`);
    if (running && s.etaSec !== null) parts.push(`eta ${Math.round(s.etaSec)} s`);
  }
  if (job.error) parts.push(job.error.message);
  $('job-status').textContent = parts.join(' · ');
  $('curve').dataset.source = 'job';
  drawCurve([...job.points.values()].sort((a, b) => a.step - b.step), s ? s.total : 0, null);
}

/** The curve the model in use was trained with, saved with it (so it survives a reload and a
 *  model trained by `metabalance train`). */
function renderModelCurve() {
  const svg = $('curve');
  const m = state.model;
  const saved = m && m.trainingCurve;
  svg.dataset.source = saved ? 'model' : 'none';
  if (!m) {
    $('job-status').textContent = 'no model yet: train one here or with `metabalance train`';
    drawCurve([], 0, null);
    return;
  }
  const best = m.validation && typeof m.validation.bestStep === 'number' ? m.validation.bestStep : null;
  if (!saved) {
    $('job-status').textContent = `model ${m.modelId} was saved without its training curve (trained by an older version); train again to see it`;
    drawCurve([], 0, null);
    return;
  }
  const stopped = m.steps < saved.plannedSteps
    ? `stopped early at step ${m.steps} of ${saved.plannedSteps}`
    : `${m.steps} steps`;
  const bestText = best !== null ? `; weights from the best validation, step ${best}` : '';
  $('job-status').textContent = `model in use ${m.modelId}, trained ${m.trainedAt.slice(0, 16).replace('T', ' ')} UTC: ${stopped}${bestText}`;
  drawCurve(saved.points, m.steps, best);
}

// ---- charts ----------------------------------------------------------------------------
function el(name, attrs = {}, content) {
  const node = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (content !== undefined) node.textContent = content;
  return node;
}

function frame(svg, w, h, pad, xr, yr, xLabel, yLabel) {
  svg.replaceChildren();
  const sx = (x) => pad.l + ((x - xr[0]) / (xr[1] - xr[0] || 1)) * (w - pad.l - pad.r);
  const sy = (y) => h - pad.b - ((y - yr[0]) / (yr[1] - yr[0] || 1)) * (h - pad.t - pad.b);
  for (const { value, label } of ticks(yr[0], yr[1])) {
    svg.append(el('line', { class: 'grid', x1: pad.l, x2: w - pad.r, y1: sy(value), y2: sy(value) }));
    svg.append(el('text', { x: pad.l - 6, y: sy(value) + 4, 'text-anchor': 'end' }, label));
  }
  for (const { value, label } of ticks(xr[0], xr[1])) {
    svg.append(el('text', { x: sx(value), y: h - pad.b + 16, 'text-anchor': 'middle' }, label));
  }
  svg.append(el('line', { class: 'axis', x1: pad.l, x2: w - pad.r, y1: h - pad.b, y2: h - pad.b }));
  svg.append(el('line', { class: 'axis', x1: pad.l, x2: pad.l, y1: pad.t, y2: h - pad.b }));
  svg.append(el('text', { x: (pad.l + w - pad.r) / 2, y: h - 4, 'text-anchor': 'middle' }, xLabel));
  svg.append(el('text', { x: 12, y: (pad.t + h - pad.b) / 2, transform: `rotate(-90 12 ${(pad.t + h - pad.b) / 2})`, 'text-anchor': 'middle' }, yLabel));
  return { sx, sy };
}

/** bestStep: where the kept weights come from (early stopping), marked with a dashed line */
function drawCurve(points, total, bestStep) {
  const svg = $('curve');
  svg.dataset.points = String(points.length);
  const values = points.flatMap((p) => [p.loss, p.valLoss]).filter((v) => v !== null);
  if (points.length === 0 || values.length === 0) { svg.replaceChildren(); return; }
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const margin = (hi - lo) * 0.05 || Math.abs(hi) * 0.05 || 1;
  // The x axis spans the steps so far (the status line says how many are planned), so a long
  // run's early curve is not squeezed against the left edge.
  const last = points[points.length - 1].step;
  const xMax = total > 0 && total <= last * 1.5 ? total : Math.max(last, 10);
  const yr = [lo - margin, hi + margin];
  const { sx, sy } = frame(svg, 640, 260, { l: 56, r: 24, t: 10, b: 34 }, [0, xMax], yr, 'step', 'loss (validation: negative log-likelihood)');
  for (const [key, cls] of [['loss', 'loss'], ['valLoss', 'val']]) {
    const pts = points.filter((p) => p[key] !== null).map((p) => `${sx(p.step).toFixed(1)},${sy(p[key]).toFixed(1)}`);
    if (pts.length > 0) svg.append(el('polyline', { class: cls, points: pts.join(' ') }));
  }
  if (bestStep !== null) {
    const x = sx(bestStep);
    svg.append(el('line', { class: 'best', x1: x, x2: x, y1: sy(yr[1]), y2: sy(yr[0]) }));
    svg.append(el('text', { class: 'best-label', x: x - 4, y: sy(yr[1]) + 12, 'text-anchor': 'end' }, `best validation, step ${bestStep}`));
  }
}

function fillMetricSelect() {
  const select = $('metric');
  const chosen = select.value;
  select.replaceChildren(...state.project.metrics.map((m) => Object.assign(document.createElement('option'), { value: m.name, textContent: m.name })));
  if (state.project.metrics.some((m) => m.name === chosen)) select.value = chosen;
  select.onchange = renderScatter;
}

/** mean, standard deviation and count of each metric over playtests */
function observedStats(playtests) {
  const out = {};
  for (const m of state.project.metrics) {
    const vs = playtests.map((t) => t.metrics[m.name]).filter((v) => typeof v === 'number');
    if (vs.length === 0) continue;
    const mean = vs.reduce((a, b) => a + b, 0) / vs.length;
    const sd = Math.sqrt(vs.reduce((a, v) => a + (v - mean) ** 2, 0) / vs.length);
    out[m.name] = { mean, sd, n: vs.length };
  }
  return out;
}

function renderScatter() {
  const svg = $('scatter');
  const metric = $('metric').value;
  const pairs = [];
  for (const level of state.levels) {
    const predicted = predictedMeans(level.id);
    const observed = observedStats(state.byLevel.get(level.id) || [])[metric];
    if (predicted && predicted[metric] !== undefined && observed) pairs.push({ id: level.id, x: observed.mean, y: predicted[metric] });
  }
  svg.dataset.points = String(pairs.length);
  if (pairs.length === 0) {
    svg.replaceChildren(el('text', { class: 'empty', x: 320, y: 180, 'text-anchor': 'middle' }, state.model ? 'no playtests to compare yet' : 'train a model to see predictions'));
    return;
  }
  const all = pairs.flatMap((p) => [p.x, p.y]);
  const lo = Math.min(...all);
  const hi = Math.max(...all);
  const m = (hi - lo) * 0.05 || 1;
  const range = [lo - m, hi + m];
  const { sx, sy } = frame(svg, 640, 360, { l: 56, r: 24, t: 10, b: 34 }, range, range, `observed ${metric}`, `predicted ${metric}`);
  svg.append(el('line', { class: 'diag', x1: sx(range[0]), y1: sy(range[0]), x2: sx(range[1]), y2: sy(range[1]) }));
  for (const p of pairs) {
    const dot = el('circle', { class: 'dot', cx: sx(p.x), cy: sy(p.y), r: 4 });
    dot.append(el('title', {}, `${p.id}: observed ${fmt(p.x)}, predicted ${fmt(p.y)}`));
    svg.append(dot);
  }
}

// ---- design targets --------------------------------------------------------------------
function renderTargets() {
  const metrics = new Map(state.project.metrics.map((m) => [m.name, m]));
  $('targets').tHead.replaceChildren(row('th', ['metric', 'target', 'in range', 'weight', 'what it measures']));
  $('targets').tBodies[0].replaceChildren(...state.project.targets.map((t) => {
    const tol = t.tolerance ?? 0;
    return row('td', [t.metric, `${fmt(t.target)} ± ${fmt(tol)}`, `${fmt(t.target - tol)} – ${fmt(t.target + tol)}`, fmt(t.weight ?? 1), (metrics.get(t.metric) || {}).description || '']);
  }));
}

// ---- level table -----------------------------------------------------------------------
function greenFrom() {
  const v = Number($('green-from').value);
  return Number.isFinite(v) && v > 0 && v <= 1 ? v : 0.8;
}

/** green from the threshold (0.8 by default), amber from 0.5, red below */
function pMeetClass(p) {
  return p >= greenFrom() ? 'pmeet-good' : p >= AMBER_FROM ? 'pmeet-fair' : 'pmeet-poor';
}

$('green-from').addEventListener('input', () => { renderTable(); if (state.detail) renderDetail(); });

function metricNames() {
  return state.project ? state.project.metrics.map((m) => m.name) : [];
}

function renderTable() {
  const head = ['level', 'playtests', 'pMeet now', 'pMeet balanced', ...metricNames().map((m) => `${m}\nobs / pred`), 'balanced: predicted', 'changes: current → balanced'];
  $('levels').tHead.replaceChildren(row('th', head));
  $('levels').tBodies[0].replaceChildren(...state.levels.map(levelRow));
  renderProgress();
}

function renderRow(level) {
  const old = document.querySelector(`#levels tbody tr[data-level="${CSS.escape(level.id)}"]`);
  if (old) old.replaceWith(levelRow(level));
}

function levelRow(level) {
  const a = state.answers.get(level.id);
  const b = a && a.balance;
  const observed = observedStats(state.byLevel.get(level.id) || []);
  const predicted = predictedMeans(level.id) || {};
  const waiting = a && a.error ? 'error' : state.model ? '…' : '–';
  const tr = document.createElement('tr');
  tr.dataset.level = level.id;
  tr.tabIndex = 0;
  tr.title = `open ${level.id}: its playtests, predictions and suggested next playtests`;
  const idCell = text('td', level.id);
  if (level.description) idCell.append(text('div', level.description, 'muted'));
  tr.append(idCell, text('td', String(level.playtestCount), 'num'));
  tr.append(pMeetCell(a && a.now ? a.now.pMeet : null, waiting), pMeetCell(b ? b.pMeet : null, waiting));
  for (const m of metricNames()) tr.append(text('td', `${fmt(observed[m] && observed[m].mean)} / ${fmt(predicted[m])}`, 'num'));
  tr.append(lines('td', b ? targetPredictions(b.predicted) : [waiting], 'predicted'));
  tr.append(lines('td', b ? changeLines(b.current, b.params) : [waiting], 'changes'));
  if (a && a.error) tr.title = a.error;
  tr.addEventListener('click', () => openDetail(level.id));
  tr.addEventListener('keydown', (e) => { if (e.key === 'Enter') openDetail(level.id); });
  return tr;
}

function pMeetCell(p, waiting) {
  if (p === null) return text('td', waiting, 'num');
  const td = document.createElement('td');
  td.className = 'num';
  td.append(pMeetTag(fmt(p), p));
  return td;
}

function pMeetTag(label, p) {
  const span = text('span', label, `pmeet ${pMeetClass(p)}`);
  span.dataset.pmeet = String(p);
  return span;
}

/** "won 0.60 ± 0.04" for each metric with a design target */
function targetPredictions(predicted) {
  return state.project.targets.filter((t) => predicted[t.metric]).map((t) => `${t.metric} ${fmt(predicted[t.metric].mean)} ± ${fmt(predicted[t.metric].std)}`);
}

/** the params a balance changes, as "name current → balanced (change)" */
function changeLines(current, balanced) {
  const out = state.project.params.filter((p) => changed(p, current[p.name], balanced[p.name])).map((p) => `${p.name} ${fmt(current[p.name])} → ${fmt(balanced[p.name])}${changeText(current[p.name], balanced[p.name])}`);
  return out.length > 0 ? out : ['no change'];
}

/** a move of less than half a percent of the param's range is no change worth a designer's look */
function changed(param, a, b) {
  if (typeof a === 'number' && typeof b === 'number' && typeof param.min === 'number' && typeof param.max === 'number') return Math.abs(b - a) > 0.005 * (param.max - param.min);
  return a !== b;
}

function changeText(a, b) {
  if (typeof a !== 'number' || typeof b !== 'number' || a === b) return '';
  const d = b - a;
  return a !== 0 ? ` (${d > 0 ? '+' : ''}${(100 * d / Math.abs(a)).toFixed(0)} %)` : ` (${d > 0 ? '+' : ''}${fmt(d)})`;
}

function renderProgress() {
  const done = state.levels.filter((l) => state.answers.has(l.id)).length;
  document.body.dataset.computed = `${done}/${state.levels.length}`;
  const model = !state.model ? '; train a model for predictions and balances'
    : done < state.levels.length ? `; balancing in the background, fewest playtests first: ${done} of ${state.levels.length} done`
    : '; every level balanced';
  $('levels-note').textContent = `${state.levels.length} levels, ${state.playtests.length} playtests${model}. Click a level for its playtests and suggestions.`;
}

/** body[data-ready="1"] once the tables are filled and the first screenful of levels has its
 *  answers, so a screenshot taken then is not empty. */
function markReady() {
  if (document.body.dataset.ready === '1') return;
  const first = state.levels.slice(0, FIRST_SCREEN);
  if (!state.model || first.every((l) => state.answers.has(l.id))) document.body.dataset.ready = '1';
}

// ---- one level's view -------------------------------------------------------------------
function levelFromHash() {
  const m = /^#level=(.+)$/.exec(location.hash);
  return m ? decodeURIComponent(m[1]) : null;
}

$('detail-close').addEventListener('click', () => $('detail').close());
$('detail').addEventListener('close', () => {
  state.detail = null;
  if (levelFromHash()) history.replaceState(null, '', location.pathname + location.search);
});

async function openDetail(levelId) {
  const level = state.levels.find((l) => l.id === levelId);
  if (!level) return;
  state.detail = { level, playtests: null, suggestions: null, error: null };
  history.replaceState(null, '', `${location.pathname}${location.search}#level=${encodeURIComponent(levelId)}`);
  const dialog = $('detail');
  dialog.dataset.loaded = '0';
  renderDetail();
  if (!dialog.open) dialog.showModal();
  await loadDetail(level);
}

async function refreshDetail() {
  if (state.detail) await loadDetail(state.detail.level);
}

/** The level's own playtests, its answers (computed now if the queue has not reached it) and
 *  the suggested next playtests. */
async function loadDetail(level) {
  const d = state.detail;
  try {
    const playtests = [];
    for (let offset = 0; ; offset += PAGE) {
      const page = await call('playtests.list', { levelId: level.id, offset, limit: PAGE });
      playtests.push(...page.playtests);
      if (playtests.length >= page.total || page.playtests.length === 0) break;
    }
    d.playtests = playtests;
    if (state.model) {
      if (!state.answers.has(level.id)) {
        state.answers.set(level.id, await computeLevel(level));
        renderRow(level);
        renderProgress();
      }
      const atPlaytests = await batch(playtests.map((t) => ['level.predict', { levelId: level.id, params: t.params || {} }]));
      d.predictedAt = new Map(playtests.map((t, i) => [t, atPlaytests[i].result || null]));
      d.suggestions = (await call('level.suggest', { levelId: level.id, count: 3 })).suggestions;
    }
  } catch (err) {
    d.error = err.message;
  }
  if (state.detail !== d) return;
  renderDetail();
  $('detail').dataset.loaded = '1';
}

function renderDetail() {
  const d = state.detail;
  if (!d) return;
  const { level } = d;
  const a = state.answers.get(level.id);
  const b = a && a.balance;
  $('detail-title').textContent = `Level ${level.id}`;
  const features = Object.entries(level.features || {}).map(([k, v]) => `${k} ${fmt(v)}`).join(' · ');
  $('detail-sub').textContent = [level.description, `${level.playtestCount} playtests`, features].filter(Boolean).join(' — ');
  const badges = $('detail-badges');
  badges.replaceChildren();
  if (a && a.now) badges.append(badge('pMeet now', a.now.pMeet));
  if (b) badges.append(badge('pMeet balanced', b.pMeet));
  if (d.error || (a && a.error)) badges.append(text('span', `error: ${d.error || a.error}`, 'pmeet-poor'));
  if (!state.model) badges.append(text('span', 'no model yet: train one for predictions, a balance and suggestions', 'muted'));

  renderDetailMetrics(d, a);
  renderDetailSettings(b);
  renderDetailPlaytests(d);
  renderDetailSuggestions(d, b);
}

function badge(label, p) {
  const span = pMeetTag(`${label} ${fmt(p)}`, p);
  span.classList.add('badge');
  return span;
}

function meanStd(p) {
  return p ? `${fmt(p.mean)} ± ${fmt(p.std)}` : '–';
}

function renderDetailMetrics(d, a) {
  const targets = new Map(state.project.targets.map((t) => [t.metric, t]));
  const observed = observedStats(d.playtests || []);
  const atPlaytests = d.predictedAt ? [...d.predictedAt.values()].filter(Boolean) : [];
  const table = $('detail-metrics');
  table.tHead.replaceChildren(row('th', ['metric', 'target', 'observed (mean ± sd, n)', 'predicted at the same settings', 'predicted now', 'predicted balanced']));
  table.tBodies[0].replaceChildren(...state.project.metrics.map((m) => {
    const t = targets.get(m.name);
    const o = observed[m.name];
    const same = atPlaytests.length > 0
      ? { mean: avg(atPlaytests.map((p) => p.predicted[m.name].mean)), std: avg(atPlaytests.map((p) => p.predicted[m.name].std)) }
      : null;
    const tr = row('td', [m.name, t ? `${fmt(t.target)} ± ${fmt(t.tolerance ?? 0)}` : '–']);
    tr.append(
      targetCell(o ? `${fmt(o.mean)} ± ${fmt(o.sd)} (${o.n})` : '–', o && o.mean, t),
      targetCell(meanStd(same), same && same.mean, t),
      targetCell(meanStd(a && a.now && a.now.predicted[m.name]), a && a.now && a.now.predicted[m.name].mean, t),
      targetCell(meanStd(a && a.balance && a.balance.predicted[m.name]), a && a.balance && a.balance.predicted[m.name].mean, t),
    );
    return tr;
  }));
}

/** a value of a metric with a target: marked in or out of the target's range */
function targetCell(content, mean, target) {
  const td = text('td', content);
  if (target && typeof mean === 'number') td.className = Math.abs(mean - target.target) <= (target.tolerance ?? 0) ? 'in-range' : 'out-of-range';
  return td;
}

function renderDetailSettings(b) {
  const table = $('detail-settings');
  table.tHead.replaceChildren(row('th', ['param', 'group', 'current', 'balanced', 'change']));
  table.tBodies[0].replaceChildren(...state.project.params.map((p) => {
    const cur = b ? b.current[p.name] : p.default;
    const bal = b ? b.params[p.name] : undefined;
    const moved = b && changed(p, cur, bal);
    const tr = row('td', [p.name, p.group || 'balance', fmt(cur), b ? fmt(bal) : '…', moved ? `${fmt(cur)} → ${fmt(bal)}${changeText(cur, bal)}` : b ? '–' : '…']);
    if (moved) tr.className = 'changed';
    return tr;
  }));
}

function renderDetailPlaytests(d) {
  const table = $('detail-playtests');
  const metrics = metricNames();
  table.tHead.replaceChildren(row('th', ['playtest', 'tester', 'settings', ...metrics.map((m) => `${m}\nobserved / predicted`)]));
  if (!d.playtests) { table.tBodies[0].replaceChildren(row('td', ['loading…'])); return; }
  table.tBodies[0].replaceChildren(...d.playtests.map((t) => {
    const p = d.predictedAt && d.predictedAt.get(t);
    const tr = row('td', [t.id || '–', t.tester || '–']);
    tr.append(lines('td', Object.entries(t.params || {}).map(([k, v]) => `${k} ${fmt(v)}`), 'settings'));
    for (const m of metrics) tr.append(text('td', `${fmt(t.metrics[m])} / ${p ? meanStd(p.predicted[m]) : '–'}`, 'num'));
    return tr;
  }));
}

function renderDetailSuggestions(d, b) {
  const table = $('detail-suggestions');
  table.tHead.replaceChildren(row('th', ['#', 'settings to try (changes from current)', 'predicted', 'pMeet', 'why']));
  if (!d.suggestions) { table.tBodies[0].replaceChildren(row('td', [state.model ? 'loading…' : 'train a model first'])); return; }
  table.tBodies[0].replaceChildren(...d.suggestions.map((s, i) => {
    const tr = row('td', [String(i + 1)]);
    tr.append(lines('td', b ? changeLines(b.current, s.params) : Object.entries(s.params).map(([k, v]) => `${k} ${fmt(v)}`), 'changes'));
    tr.append(lines('td', targetPredictions(s.predicted), 'predicted'), pMeetCell(s.pMeet, '–'), text('td', s.reason, 'reason'));
    return tr;
  }));
}

// ---- helpers -----------------------------------------------------------------------------
function text(tag, content, className) {
  const node = document.createElement(tag);
  node.textContent = content;
  if (className) node.className = className;
  return node;
}

/** a cell with one line per item */
function lines(tag, items, className) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  for (const item of items) node.append(text('div', item));
  return node;
}

function row(tag, cells) {
  const tr = document.createElement('tr');
  for (const c of cells) tr.append(text(tag, c));
  return tr;
}

function avg(xs) {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

function fmt(v) {
  if (v === undefined || v === null) return '–';
  if (typeof v !== 'number') return String(v);
  if (Number.isInteger(v)) return String(v);
  const a = Math.abs(v);
  return a >= 100 ? v.toFixed(0) : a >= 1 ? v.toFixed(2) : v.toFixed(3);
}

/** Axis ticks at round values (1, 2, 2.5 or 5 times a power of ten), about four to a span. */
function ticks(lo, hi) {
  const span = hi - lo || 1;
  const magnitude = 10 ** Math.floor(Math.log10(span / 4));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((st) => span / st <= 5);
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9) + (String(step / magnitude).includes('.') ? 1 : 0));
  const out = [];
  for (let k = Math.ceil(lo / step - 1e-9); k * step <= hi + step * 1e-9; k++) out.push({ value: k * step, label: (k * step).toFixed(decimals).replace(/^-(0\.?0*)$/, '$1') });
  return out;
}

function groupBy(xs, key) {
  const out = new Map();
  for (const x of xs) {
    const k = key(x);
    if (!out.has(k)) out.set(k, []);
    out.get(k).push(x);
  }
  return out;
}

connect();
