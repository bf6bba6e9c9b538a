// The metabalance dashboard: one WebSocket to the sidecar's /rpc (token from ?token=), live
// training curves from job.progress, a level table and a predicted-vs-observed plot.
// Plain browser JavaScript, no build step; all data is rendered as text, never as HTML.
'use strict';

const token = new URLSearchParams(location.search).get('token') || '';
const $ = (id) => document.getElementById(id);
const SVG = 'http://www.w3.org/2000/svg';
const BATCH = 200;

const state = {
  project: null,
  model: null,
  levels: [],
  playtests: [],
  balanced: new Map(),
  predictedMeans: new Map(), // levelId -> {metric: mean prediction at its playtests}
  jobs: new Map(), // jobId -> {points: Map(step -> {step, loss, valLoss}), state, status}
  currentJob: null,
};

// ---- JSON-RPC over WebSocket -------------------------------------------------------------
let socket = null;
let nextId = 1;
const pending = new Map();

function connect() {
  socket = new WebSocket(`ws://${location.host}/rpc?token=${encodeURIComponent(token)}`);
  socket.onopen = () => { setConn(true); loadAll(); };
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
  const el = $('conn');
  el.textContent = up ? 'connected' : 'disconnected';
  el.className = `tag ${up ? 'conn-up' : 'conn-down'}`;
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
  state.project = (await call('project.get')).project;
  fillMetricSelect();
  await loadModel();
  await loadLevels();
}

async function loadModel() {
  try {
    state.model = await call('model.info');
    $('model').textContent = `model ${state.model.modelId} (${state.model.algorithm}, ${state.model.steps} steps)`;
  } catch (err) {
    state.model = null;
    $('model').textContent = err.code === -32002 ? 'no model yet' : `model: ${err.message}`;
  }
}

/** Levels with model answers (predictions at their playtests, a balance): the first ones only,
 *  since every level's first answer costs the sidecar an adaptation. */
const MODEL_LEVELS = 40;

async function loadLevels() {
  const before = new Map(state.levels.map((l) => [l.id, l.playtestCount]));
  state.levels = (await call('levels.list')).levels;
  const all = [];
  for (let offset = 0; ; offset += 10000) {
    const page = await call('playtests.list', { offset, limit: 10000 });
    all.push(...page.playtests);
    if (all.length >= page.total || page.playtests.length === 0) break;
  }
  state.playtests = all;
  // Only levels whose playtests changed (or never computed) are asked again.
  const stale = state.levels.slice(0, MODEL_LEVELS).filter((l) => before.get(l.id) !== l.playtestCount || !state.balanced.has(l.id));
  renderTable();
  renderScatter();
  if (state.model) await loadPredictions(stale);
}

async function loadPredictions(levels) {
  const byLevel = groupBy(state.playtests, (t) => t.levelId);
  const predicts = [];
  for (const level of levels) {
    for (const t of (byLevel.get(level.id) || []).slice(0, 20)) predicts.push([level.id, t]);
  }
  const answers = await batch(predicts.map(([levelId, t]) => ['level.predict', { levelId, params: t.params || {} }]));
  const sums = new Map();
  answers.forEach((a, i) => {
    if (!a.result) return;
    const levelId = predicts[i][0];
    const s = sums.get(levelId) || { n: 0, metrics: {} };
    s.n++;
    for (const [m, p] of Object.entries(a.result.predicted)) s.metrics[m] = (s.metrics[m] || 0) + p.mean;
    sums.set(levelId, s);
  });
  for (const [levelId, s] of sums) {
    const means = {};
    for (const [m, v] of Object.entries(s.metrics)) means[m] = v / s.n;
    state.predictedMeans.set(levelId, means);
  }
  renderTable();
  renderScatter();
  const balances = await batch(levels.map((l) => ['level.balance', { levelId: l.id }]));
  balances.forEach((b, i) => { if (b.result) state.balanced.set(levels[i].id, b.result); });
  renderTable();
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
      state.balanced.clear();
      state.predictedMeans.clear();
      loadModel().then(loadLevels);
    }
  } else if (method === 'project.changed') {
    scheduleReload();
  }
}

let reloadTimer = null;
function scheduleReload() {
  clearTimeout(reloadTimer);
  reloadTimer = setTimeout(() => loadLevels(), 2000);
}

function jobEntry(jobId) {
  if (!state.jobs.has(jobId)) state.jobs.set(jobId, { points: new Map(), state: 'running', status: null, fresh: true });
  return state.jobs.get(jobId);
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
  const parts = [`job ${state.currentJob.slice(0, 14)}…`, job.state];
  if (s) {
    parts.push(`step ${s.step}/${s.total}`);
    if (s.loss !== null) parts.push(`loss ${fmt(s.loss)}`);
    if (s.valLoss !== null) parts.push(`val ${fmt(s.valLoss)}`);
    if (running && s.etaSec !== null) parts.push(`eta ${Math.round(s.etaSec)} s`);
  }
  if (job.error) parts.push(job.error.message);
  $('job-status').textContent = parts.join(' · ');
  drawCurve([...job.points.values()].sort((a, b) => a.step - b.step), s ? s.total : 0);
}

// ---- charts ----------------------------------------------------------------------------
function el(name, attrs = {}, text) {
  const node = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

function frame(svg, w, h, pad, xr, yr, xLabel, yLabel) {
  svg.replaceChildren();
  const sx = (x) => pad.l + ((x - xr[0]) / (xr[1] - xr[0] || 1)) * (w - pad.l - pad.r);
  const sy = (y) => h - pad.b - ((y - yr[0]) / (yr[1] - yr[0] || 1)) * (h - pad.t - pad.b);
  for (let i = 0; i <= 4; i++) {
    const yv = yr[0] + ((yr[1] - yr[0]) * i) / 4;
    svg.append(el('line', { class: 'grid', x1: pad.l, x2: w - pad.r, y1: sy(yv), y2: sy(yv) }));
    svg.append(el('text', { x: pad.l - 6, y: sy(yv) + 4, 'text-anchor': 'end' }, tick(yv, yr[1] - yr[0])));
    const xv = xr[0] + ((xr[1] - xr[0]) * i) / 4;
    svg.append(el('text', { x: sx(xv), y: h - pad.b + 16, 'text-anchor': 'middle' }, tick(xv, xr[1] - xr[0])));
  }
  svg.append(el('line', { class: 'axis', x1: pad.l, x2: w - pad.r, y1: h - pad.b, y2: h - pad.b }));
  svg.append(el('line', { class: 'axis', x1: pad.l, x2: pad.l, y1: pad.t, y2: h - pad.b }));
  svg.append(el('text', { x: (pad.l + w - pad.r) / 2, y: h - 4, 'text-anchor': 'middle' }, xLabel));
  svg.append(el('text', { x: 12, y: (pad.t + h - pad.b) / 2, transform: `rotate(-90 12 ${(pad.t + h - pad.b) / 2})`, 'text-anchor': 'middle' }, yLabel));
  return { sx, sy };
}

function drawCurve(points, total) {
  const svg = $('curve');
  svg.dataset.points = String(points.length);
  const values = points.flatMap((p) => [p.loss, p.valLoss]).filter((v) => v !== null);
  if (points.length === 0 || values.length === 0) return;
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const margin = (hi - lo) * 0.05 || Math.abs(hi) * 0.05 || 1;
  // The x axis spans the steps so far (the status line says how many are planned), so a long
  // run's early curve is not squeezed against the left edge.
  const last = points[points.length - 1].step;
  const xMax = total > 0 && total <= last * 1.5 ? total : Math.max(last, 10);
  const { sx, sy } = frame(svg, 640, 260, { l: 56, r: 24, t: 10, b: 34 }, [0, xMax], [lo - margin, hi + margin], 'step', 'loss');
  for (const [key, cls] of [['loss', 'loss'], ['valLoss', 'val']]) {
    const pts = points.filter((p) => p[key] !== null).map((p) => `${sx(p.step).toFixed(1)},${sy(p[key]).toFixed(1)}`);
    if (pts.length > 0) svg.append(el('polyline', { class: cls, points: pts.join(' ') }));
  }
}

function fillMetricSelect() {
  const select = $('metric');
  select.replaceChildren(...state.project.metrics.map((m) => Object.assign(document.createElement('option'), { value: m.name, textContent: m.name })));
  select.onchange = renderScatter;
}

function observedMeans(levelId) {
  const rows = state.playtests.filter((t) => t.levelId === levelId);
  const out = {};
  for (const m of state.project.metrics) {
    const vs = rows.map((t) => t.metrics[m.name]).filter((v) => typeof v === 'number');
    if (vs.length > 0) out[m.name] = vs.reduce((a, b) => a + b, 0) / vs.length;
  }
  return out;
}

function renderScatter() {
  const svg = $('scatter');
  const metric = $('metric').value;
  const pairs = [];
  for (const level of state.levels) {
    const predicted = state.predictedMeans.get(level.id);
    const observed = observedMeans(level.id);
    if (predicted && predicted[metric] !== undefined && observed[metric] !== undefined) pairs.push({ id: level.id, x: observed[metric], y: predicted[metric] });
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

// ---- level table -----------------------------------------------------------------------
function renderTable() {
  const metrics = state.project ? state.project.metrics.map((m) => m.name) : [];
  const head = ['level', 'playtests', 'adapted params', ...metrics.map((m) => `${m} obs / pred`), 'balanced: predicted', 'pMeet'];
  $('levels').tHead.replaceChildren(row('th', head));
  const body = $('levels').tBodies[0];
  body.replaceChildren(
    ...state.levels.map((level, i) => {
      const observed = observedMeans(level.id);
      const predicted = state.predictedMeans.get(level.id) || {};
      const b = state.balanced.get(level.id);
      const cells = [
        level.id,
        String(level.playtestCount),
        b ? Object.entries(b.params).map(([k, v]) => `${k}=${fmt(v)}`).join(' ') : pendingText(i),
        ...metrics.map((m) => `${fmt(observed[m])} / ${fmt(predicted[m])}`),
        b ? Object.entries(b.predicted).map(([k, p]) => `${k} ${fmt(p.mean)}±${fmt(p.std)}`).join(', ') : pendingText(i),
        b ? fmt(b.pMeet) : pendingText(i),
      ];
      const tr = row('td', cells);
      tr.children[2].className = 'params';
      if (b) tr.lastChild.className = b.meetsTargets ? 'met' : 'unmet';
      return tr;
    }),
  );
  const capped = state.levels.length > MODEL_LEVELS ? `; model answers for the first ${MODEL_LEVELS}` : '';
  $('levels-note').textContent = `${state.levels.length} levels, ${state.playtests.length} playtests${capped}`;
}

/** What a level's model columns show before (or instead of) an answer. */
function pendingText(i) {
  if (!state.model) return '–';
  return i < MODEL_LEVELS ? '…' : 'not computed';
}

function row(tag, cells) {
  const tr = document.createElement('tr');
  for (const c of cells) tr.append(Object.assign(document.createElement(tag), { textContent: c }));
  return tr;
}

function fmt(v) {
  if (v === undefined || v === null) return '–';
  if (typeof v !== 'number') return String(v);
  if (Number.isInteger(v)) return String(v);
  const a = Math.abs(v);
  return a >= 100 ? v.toFixed(0) : a >= 1 ? v.toFixed(2) : v.toFixed(3);
}

/** An axis label with just enough decimals to tell neighbouring ticks apart. */
function tick(v, span) {
  const decimals = Math.max(0, Math.min(6, Math.ceil(-Math.log10(span / 4 || 1)) + 1));
  return v.toFixed(decimals);
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
