// The live page. It speaks only the public protocol (docs/protocol.md, docs/rest-and-page.md):
// REST for the market list and the initial history (trades, candles, ticker), the WebSocket at /ws
// for everything live. The book is never shown unverified: each message must follow the previous one
// (U == u + 1) and its checksum must match the local book after applying it, or the page resubscribes
// for a fresh snapshot and says so.
import { LocalBook } from './book.js';

const DEPTH_SHOWN = 15;
const TAPE_ROWS = 60;
const CANDLES_LOADED = 300;
const CANDLES_KEPT = 1000;
const CANDLES_IN_VIEW = 120;
const RENDER_EVERY_MS = 50;
const MAX_BACKOFF_MS = 15_000;

const $ = id => document.getElementById(id);
const esc = s => String(s).replace(/[&<>"']/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
const decimals = s => { const dot = String(s).indexOf('.'); return dot < 0 ? 0 : String(s).length - dot - 1; };

const state = {
  ws: null, nextId: 1, pending: new Map(), attempts: 0, reconnectTimer: null,
  market: null, interval: '1m', generation: 0,
  book: null, lastCs: null, resyncs: 0,
  trades: { ready: false, held: [], lastId: null },
  ticker: null,
  candles: { ready: false, held: [], byTime: new Map(), token: 0 },
  dirty: new Set(), renderTimer: null,
};
window.marketstream = state; // for the console

const channelsOf = (market, interval) =>
  [`book.${market}`, `trades.${market}`, `ticker.${market}`, `kline.${market}.${interval}`];

// ---------------------------------------------------------------- connection

function status(text, cls) { const s = $('status'); s.textContent = text; s.className = cls || ''; }

function notice(text) {
  const n = $('notice');
  n.textContent = `${new Date().toLocaleTimeString()} — ${text}`;
  n.hidden = false;
}

function connect() {
  clearTimeout(state.reconnectTimer);
  const proto = location.protocol === 'https:' ? 'wss' : 'ws';
  const ws = new WebSocket(`${proto}://${location.host}/ws`);
  state.ws = ws;
  ws.onopen = () => {
    status('live', 'ok');
    state.pending.clear();
    subscribeMarket();
  };
  ws.onmessage = e => {
    state.attempts = 0; // the connection works: the next drop starts the backoff again from the bottom
    let msg;
    try { msg = JSON.parse(e.data); } catch (err) { console.warn('not JSON', e.data); return; }
    onMessage(msg);
  };
  ws.onclose = e => {
    if (state.ws !== ws) return;
    const delay = Math.round(Math.min(MAX_BACKOFF_MS, 500 * 2 ** state.attempts) * (0.5 + Math.random() / 2));
    state.attempts++;
    const why = e.code === 1012 ? 'the server is restarting' : `closed ${e.code}${e.reason ? ' ' + e.reason : ''}`;
    status(`disconnected (${why}), reconnecting in ${(delay / 1000).toFixed(1)} s…`, 'bad');
    state.book = null; // no longer followed: never show it as if it were current
    markDirty('book');
    setBookState('waiting', 'disconnected: the book resumes with a fresh snapshot');
    state.reconnectTimer = setTimeout(connect, delay);
  };
}

function request(op, ch) {
  if (!state.ws || state.ws.readyState !== WebSocket.OPEN) return;
  const id = state.nextId++;
  state.pending.set(id, { op, ch });
  state.ws.send(JSON.stringify({ op, id, ch }));
}

function onMessage(msg) {
  if (msg.op) { onControl(msg); return; }
  const m = state.market;
  if (msg.ch === `book.${m}`) onBook(msg);
  else if (msg.ch === `trades.${m}`) onTrade(msg);
  else if (msg.ch === `ticker.${m}`) onTicker(msg);
  else if (msg.ch === `kline.${m}.${state.interval}`) onKline(msg);
  // anything else belongs to a market or interval just left
}

function onControl(msg) {
  switch (msg.op) {
    case 'ok':
      state.pending.delete(msg.id);
      break;
    case 'error': {
      const req = state.pending.get(msg.id);
      state.pending.delete(msg.id);
      const what = req ? `${req.op} ${req.ch.join(', ')}` : 'request';
      notice(`${what} refused: ${msg.code}: ${msg.reason}`);
      if (req && req.op === 'subscribe' && req.ch.includes(`book.${state.market}`)) {
        setBookState('error', `cannot subscribe to the book: ${msg.reason}`);
      }
      break;
    }
    case 'ping':
      state.ws.send(JSON.stringify({ op: 'pong', id: msg.id }));
      break;
    case 'reconnect': {
      // the node is draining: go elsewhere (a load balancer picks another node) before it closes us with 1012
      notice('the server asked us to reconnect (it is shutting down)');
      const ws = state.ws;
      setTimeout(() => ws.close(1000, 'reconnecting as asked'), Math.random() * 1000);
      break;
    }
    default:
      break; // pong and anything newer
  }
}

// ---------------------------------------------------------------- market and interval

function subscribeMarket() {
  const gen = ++state.generation;
  const m = state.market;
  state.book = null;
  state.lastCs = null;
  setBookState('waiting', 'waiting for the snapshot');
  state.trades = { ready: false, held: [], lastId: null };
  $('trades').replaceChildren();
  state.ticker = null;
  renderTicker();
  request('subscribe', channelsOf(m, state.interval));
  loadTrades(m, gen);
  loadTicker(m, gen);
  loadCandles();
  markDirty('book');
}

function switchMarket(next) {
  if (next === state.market) return;
  request('unsubscribe', channelsOf(state.market, state.interval));
  state.market = next;
  history.replaceState(null, '', `?market=${encodeURIComponent(next)}`);
  subscribeMarket();
}

function switchInterval(next) {
  if (next === state.interval) return;
  request('unsubscribe', [`kline.${state.market}.${state.interval}`]);
  state.interval = next;
  for (const b of $('intervals').querySelectorAll('button')) b.classList.toggle('on', b.dataset.interval === next);
  request('subscribe', [`kline.${state.market}.${next}`]);
  loadCandles();
}

async function getJson(path) {
  const response = await fetch(path, { cache: 'no-store' });
  if (response.status === 404) return null;
  if (!response.ok) throw new Error(`${path}: ${response.status} ${(await response.json()).error}`);
  return response.json();
}

// ---------------------------------------------------------------- book

function setBookState(kind, text) {
  const el = $('book-status');
  el.dataset.state = kind;
  el.textContent = text;
}

function onBook(msg) {
  if (msg.type === 'snapshot') {
    state.book = new LocalBook(msg);
    if (msg.resync) countResync(`the server sent a fresh snapshot (${msg.resync})`);
  } else {
    const book = state.book;
    if (!book) return; // waiting for the snapshot that answers our (re)subscription
    const where = book.follows(msg);
    if (where === 'stale') return;
    if (where === 'gap') { resync(`sequence gap: expected U=${book.u + 1}, got U=${msg.U}`); return; }
    book.apply(msg);
  }
  const cs = state.book.checksum();
  if (cs !== msg.cs) {
    resync(`checksum mismatch at u=${msg.u}: the message says ${msg.cs}, the local book gives ${cs}`);
    return;
  }
  state.lastCs = cs;
  markDirty('book');
}

/** Drops the local book and asks for a fresh snapshot: unsubscribe, then subscribe again. */
function resync(reason) {
  countResync(reason);
  state.book = null;
  setBookState('resyncing', `resyncing: ${reason}`);
  const ch = [`book.${state.market}`];
  request('unsubscribe', ch);
  request('subscribe', ch);
}

function countResync(reason) {
  state.resyncs++;
  console.warn('book resync:', reason);
  const badge = $('resyncs');
  badge.textContent = `resyncs ${state.resyncs}`;
  badge.title = `last: ${reason}`;
  badge.classList.add('warn');
  notice(`order book resynced: ${reason}`);
}

function renderBook() {
  const book = state.book;
  if (!book) { $('bids').replaceChildren(); $('asks').replaceChildren(); $('spread').textContent = '–'; return; }
  const bids = book.bids.levels.slice(0, DEPTH_SHOWN), asks = book.asks.levels.slice(0, DEPTH_SHOWN);
  const sum = levels => levels.reduce((s, l) => s + Number(l[1]), 0);
  const max = Math.max(sum(bids), sum(asks), 1e-12);
  const rows = (levels, cls) => {
    let total = 0;
    return levels.map(([px, qty]) => {
      total += Number(qty);
      const width = (100 * total / max).toFixed(1);
      return `<tr class="level ${cls}" data-px="${esc(px)}" data-qty="${esc(qty)}" style="--w:${width}%">` +
        `<td>${esc(px)}</td><td>${esc(qty)}</td><td>${total.toFixed(decimals(qty))}</td></tr>`;
    });
  };
  $('asks').innerHTML = rows(asks, 'ask').reverse().join('');
  $('bids').innerHTML = rows(bids, 'bid').join('');
  if (bids.length && asks.length) {
    const spread = asks[0][2] - bids[0][2];
    $('spread').textContent = `spread ${spread.toFixed(decimals(asks[0][0]))}`;
  } else {
    $('spread').textContent = '–';
  }
  setBookState('verified', `checksum ${state.lastCs} verified at seq ${book.u} · ` +
    `${book.bids.levels.length} bids / ${book.asks.levels.length} asks`);
  $('book-status').dataset.u = book.u;
}

// ---------------------------------------------------------------- trades

async function loadTrades(market, gen) {
  let recent = [];
  try {
    recent = (await getJson(`/api/v1/trades?market=${encodeURIComponent(market)}&limit=${TAPE_ROWS}`)) || [];
  } catch (e) {
    notice(`cannot load recent trades: ${e.message}`);
  }
  if (gen !== state.generation) return;
  for (const t of [...recent].reverse()) addTrade(t);
  const held = state.trades.held;
  state.trades.ready = true;
  state.trades.held = [];
  for (const t of held) onTrade(t);
}

function onTrade(msg) {
  const tape = state.trades;
  if (!tape.ready) { tape.held.push(msg); return; }
  if (msg.type === 'gap') {
    const { ch, type, ...details } = msg;
    addGap(`trades lost ${Object.keys(details).length ? JSON.stringify(details) : ''}`);
    tape.lastId = null;
    return;
  }
  if (tape.lastId !== null && msg.id <= tape.lastId) return; // already shown (from REST)
  if (tape.lastId !== null && msg.id > tape.lastId + 1) {
    const missed = msg.id - tape.lastId - 1;
    addGap(missed === 1 ? `1 trade missed (id ${tape.lastId + 1})`
      : `${missed} trades missed (ids ${tape.lastId + 1}–${msg.id - 1})`);
  }
  addTrade(msg);
}

function addTrade(t) {
  state.trades.lastId = t.id;
  const row = document.createElement('tr');
  row.className = t.side === 'BUY' ? 'bid' : 'ask';
  row.dataset.id = t.id;
  for (const text of [new Date(t.ts).toLocaleTimeString(), t.px, t.qty]) {
    const td = document.createElement('td');
    td.textContent = text;
    row.append(td);
  }
  prependRow(row);
}

function addGap(text) {
  const row = document.createElement('tr');
  row.className = 'gap';
  const td = document.createElement('td');
  td.colSpan = 3;
  td.textContent = `⚠ ${text}`;
  row.append(td);
  prependRow(row);
  notice(text);
}

function prependRow(row) {
  const body = $('trades');
  body.prepend(row);
  while (body.children.length > TAPE_ROWS) body.lastChild.remove();
}

// ---------------------------------------------------------------- ticker

async function loadTicker(market, gen) {
  try {
    const ticker = await getJson(`/api/v1/ticker?market=${encodeURIComponent(market)}`);
    if (gen === state.generation && ticker && (!state.ticker || ticker.seq > state.ticker.seq)) {
      state.ticker = ticker;
      renderTicker();
    }
  } catch (e) {
    notice(`cannot load the ticker: ${e.message}`);
  }
}

function onTicker(msg) {
  if (state.ticker && msg.seq <= state.ticker.seq) return;
  state.ticker = msg;
  markDirty('ticker');
}

function renderTicker() {
  const t = state.ticker || {};
  $('t-last').textContent = t.last ?? '–';
  const chg = $('t-chg');
  chg.textContent = t.chg !== undefined ? `${t.chg} (${t.chgPct}%)` : '–';
  chg.className = t.chg === undefined ? '' : Number(t.chg) >= 0 ? 'up' : 'down';
  $('t-high').textContent = t.high ?? '–';
  $('t-low').textContent = t.low ?? '–';
  $('t-vol').textContent = t.v ?? '–';
}

// ---------------------------------------------------------------- candles

let chart = null;

function initChart() {
  if (!window.echarts) { $('chart-empty').textContent = 'chart library not loaded'; return; }
  chart = window.echarts.init($('chart'), null, { renderer: 'canvas' });
  const axis = { lineStyle: { color: '#243040' } }, label = { color: '#7d8893' };
  chart.setOption({
    animation: false,
    backgroundColor: 'transparent',
    grid: [{ left: 64, right: 16, top: 10, height: '66%' }, { left: 64, right: 16, top: '80%', height: '14%' }],
    tooltip: { trigger: 'axis', axisPointer: { type: 'cross' } },
    axisPointer: { link: [{ xAxisIndex: 'all' }] },
    xAxis: [
      { type: 'category', data: [], axisLine: axis, axisLabel: label },
      { type: 'category', gridIndex: 1, data: [], axisLine: axis, axisLabel: { show: false } },
    ],
    yAxis: [
      { scale: true, position: 'left', splitLine: axis, axisLabel: label },
      { scale: true, gridIndex: 1, splitNumber: 2, splitLine: { show: false }, axisLabel: { show: false } },
    ],
    dataZoom: [{ type: 'inside', xAxisIndex: [0, 1], start: 0, end: 100 }],
    series: [
      { name: 'price', type: 'candlestick', data: [],
        itemStyle: { color: '#1fb978', color0: '#ef5350', borderColor: '#1fb978', borderColor0: '#ef5350' } },
      { name: 'volume', type: 'bar', xAxisIndex: 1, yAxisIndex: 1, data: [], itemStyle: { color: '#3a4a5c' } },
    ],
  });
  window.addEventListener('resize', () => chart.resize());
}

async function loadCandles() {
  const token = ++state.candles.token;
  const market = state.market, interval = state.interval;
  state.candles = { ready: false, held: [], byTime: new Map(), token };
  markDirty('chart');
  let history = [];
  try {
    history = (await getJson(`/api/v1/klines?market=${encodeURIComponent(market)}&interval=${interval}` +
      `&limit=${CANDLES_LOADED}`)) || [];
  } catch (e) {
    notice(`cannot load candles: ${e.message}`);
  }
  if (token !== state.candles.token) return;
  for (const k of history) putCandle(k);
  const held = state.candles.held;
  state.candles.ready = true;
  state.candles.held = [];
  state.candles.zoomToLatest = true;
  for (const k of held) putCandle(k);
  markDirty('chart');
}

function onKline(msg) {
  if (!state.candles.ready) { state.candles.held.push(msg); return; }
  putCandle(msg);
  markDirty('chart');
}

/** Each message is the whole candle: the newest state (highest channel seq) for an open time wins. */
function putCandle(k) {
  const byTime = state.candles.byTime, old = byTime.get(k.t);
  if (old && old.seq > k.seq) return;
  byTime.set(k.t, k);
  if (byTime.size > CANDLES_KEPT) byTime.delete(Math.min(...byTime.keys()));
}

function candleLabel(t) {
  const d = new Date(t), pad = n => String(n).padStart(2, '0');
  const day = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  return state.interval === '1d' ? day : `${day} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

function renderChart() {
  const candles = [...state.candles.byTime.values()].sort((a, b) => a.t - b.t);
  $('chart-empty').hidden = candles.length > 0;
  $('chart').dataset.candles = candles.length;
  if (!chart) return;
  const labels = candles.map(k => candleLabel(k.t));
  const option = {
    xAxis: [{ data: labels }, { data: labels }],
    series: [
      { data: candles.map(k => [Number(k.o), Number(k.c), Number(k.l), Number(k.h)]) },
      { data: candles.map(k => Number(k.v)) },
    ],
  };
  if (state.candles.zoomToLatest && candles.length) {
    // after loading a history, show its latest candles; later the user's zoom and pan stay as they are
    state.candles.zoomToLatest = false;
    const start = candles.length > CANDLES_IN_VIEW ? 100 - 100 * CANDLES_IN_VIEW / candles.length : 0;
    option.dataZoom = [{ start, end: 100 }];
  }
  chart.setOption(option);
}

// ---------------------------------------------------------------- rendering

/** Renders at most every RENDER_EVERY_MS, whatever the message rate. */
function markDirty(part) {
  state.dirty.add(part);
  if (state.renderTimer === null) {
    state.renderTimer = setTimeout(() => {
      state.renderTimer = null;
      const dirty = state.dirty;
      state.dirty = new Set();
      if (dirty.has('book')) renderBook();
      if (dirty.has('ticker')) renderTicker();
      if (dirty.has('chart')) renderChart();
    }, RENDER_EVERY_MS);
  }
}

// ---------------------------------------------------------------- start

async function init() {
  initChart();
  const markets = await getJson('/api/v1/markets');
  const select = $('market');
  for (const m of markets) select.append(new Option(m.symbol, m.symbol));
  const asked = new URLSearchParams(location.search).get('market');
  state.market = markets.some(m => m.symbol === asked) ? asked : markets[0].symbol;
  select.value = state.market;
  select.onchange = () => switchMarket(select.value);
  $('intervals').addEventListener('click', e => {
    if (e.target.dataset.interval) switchInterval(e.target.dataset.interval);
  });
  connect();
}

init().catch(e => status(`cannot load the markets: ${e.message}`, 'bad'));
