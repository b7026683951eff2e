// The console's web terminal and its replay, on xterm.js (vendored under /lib, loaded on demand: no CDN, no inline
// script, so the Content-Security-Policy's script-src 'self' holds).
let loading;
function load() {
  loading ??= new Promise((resolve, reject) => {
    const css = document.createElement('link');
    css.rel = 'stylesheet';
    css.href = '/lib/xterm/xterm.css';
    document.head.appendChild(css);
    const script = (src) => new Promise((ok, fail) => {
      const s = document.createElement('script');
      s.src = src;
      s.onload = ok;
      s.onerror = () => fail(new Error('could not load ' + src));
      document.head.appendChild(s);
    });
    script('/lib/xterm/xterm.js').then(() => script('/lib/addon-fit/addon-fit.js')).then(resolve, reject);
  });
  return loading;
}

function newTerminal(element, options) {
  element.innerHTML = '';
  const term = new window.Terminal({ convertEol: false, cursorBlink: true, fontSize: 14, scrollback: 5000, ...options });
  const fit = new window.FitAddon.FitAddon();
  term.loadAddon(fit);
  term.open(element);
  try { fit.fit(); } catch { /* hidden element */ }
  return { term, fit };
}

const sessions = new Map();

// Opens a terminal in `element`, connected to the pod through Cocktail's WebSocket; `state` shows the connection as text.
export async function open(id, element, state, target) {
  await load();
  close(id);
  const { term, fit } = newTerminal(element, {});
  const setState = (text) => { state.textContent = text; };
  const query = new URLSearchParams({ clusterId: target.clusterId, namespace: target.namespace, pod: target.pod, container: target.container,
    cols: term.cols, rows: term.rows });
  for (const word of target.command) query.append('command', word);
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  const socket = new WebSocket(`${scheme}://${location.host}/terminal/ws?${query}`);
  const session = { term, socket, ended: false };
  sessions.set(id, session);
  setState('Connecting…');
  const send = (message) => { if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message)); };
  term.onData((data) => send({ type: 'stdin', data }));
  term.onResize(({ cols, rows }) => send({ type: 'resize', cols, rows }));
  const onWindowResize = () => { try { fit.fit(); } catch { } };
  window.addEventListener('resize', onWindowResize);
  session.dispose = () => window.removeEventListener('resize', onWindowResize);
  socket.onmessage = (event) => {
    const message = JSON.parse(event.data);
    switch (message.type) {
      case 'status': setState(message.text); break;
      case 'connected':
        setState(message.text);
        element.dataset.sessionId = message.sessionId;
        term.focus();
        break;
      case 'stdout': term.write(message.data); break;
      case 'error':
        session.ended = true;
        setState('Refused: ' + message.message);
        term.write('\r\n\x1b[31m' + message.message + '\x1b[0m\r\n');
        break;
      case 'exit':
        session.ended = true;
        if (message.sessionId) element.dataset.sessionId = message.sessionId;
        setState('Session ended: ' + message.reason);
        term.write('\r\n\x1b[33m[Session ended: ' + message.reason + ']\x1b[0m\r\n');
        socket.close(1000);
        break;
    }
  };
  socket.onclose = () => {
    if (!session.ended) setState('Disconnected: the connection to Cocktail closed.');
  };
  socket.onerror = () => setState('Disconnected: the connection to Cocktail failed.');
}

export function close(id) {
  const session = sessions.get(id);
  if (!session) return;
  sessions.delete(id);
  session.dispose?.();
  try { session.socket.close(1000); } catch { }
  session.term.dispose();
}

export function focus(id) { sessions.get(id)?.term.focus(); }

// Replays an asciicast v2 recording (output and resizes) in `element`; play/pause and speed from the page.
const players = new Map();

export async function replay(id, element, state, cast) {
  await load();
  stopReplay(id);
  const lines = cast.split('\n').filter((l) => l.trim().length > 0);
  const header = JSON.parse(lines[0]);
  const events = lines.slice(1).map((l) => JSON.parse(l));
  const { term } = newTerminal(element, { cols: header.width, rows: header.height, cursorBlink: false, disableStdin: true });
  const player = { term, events, index: 0, position: 0, speed: 1, playing: false, timer: null, state };
  players.set(id, player);
  state.textContent = `Ready: ${events.filter((e) => e[1] === 'o').length} output events, ${formatTime(events.length ? events[events.length - 1][0] : 0)}.`;
  play(id);
}

function formatTime(seconds) { return seconds.toFixed(1) + ' s'; }

function step(player) {
  player.timer = null;
  if (!player.playing) return;
  while (player.index < player.events.length && player.events[player.index][0] <= player.position) {
    const [, code, data] = player.events[player.index++];
    if (code === 'o') player.term.write(data);
    if (code === 'r') {
      const [cols, rows] = data.split('x').map(Number);
      if (cols > 0 && rows > 0) player.term.resize(cols, rows);
    }
  }
  if (player.index >= player.events.length) {
    player.playing = false;
    player.state.textContent = 'Replay finished.';
    return;
  }
  const next = player.events[player.index][0];
  const wait = Math.min(1000, Math.max(0, (next - player.position) * 1000 / player.speed));
  player.position = Math.min(next, player.position + Math.max(wait, 1) * player.speed / 1000);
  player.timer = setTimeout(() => step(player), wait);
}

export function play(id) {
  const player = players.get(id);
  if (!player || player.playing) return;
  if (player.index >= player.events.length) { player.index = 0; player.position = 0; player.term.reset(); }
  player.playing = true;
  player.state.textContent = `Playing at ${player.speed}×…`;
  step(player);
}

export function pause(id) {
  const player = players.get(id);
  if (!player) return;
  player.playing = false;
  if (player.timer) clearTimeout(player.timer);
  player.timer = null;
  player.state.textContent = 'Paused.';
}

export function speed(id, value) {
  const player = players.get(id);
  if (!player) return;
  player.speed = value;
  if (player.playing) player.state.textContent = `Playing at ${value}×…`;
}

export function stopReplay(id) {
  const player = players.get(id);
  if (!player) return;
  players.delete(id);
  if (player.timer) clearTimeout(player.timer);
  player.term.dispose();
}
