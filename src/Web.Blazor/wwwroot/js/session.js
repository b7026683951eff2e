// Ends an idle console session and keeps an active one alive. The console talks over one long-lived connection,
// so the sliding session cookie would otherwise expire while the user is busy, or never while a tab sits open.
(function () {
  const meta = document.querySelector('meta[name="cocktail-idle-seconds"]');
  if (!meta) return;
  const idleMs = Number(meta.content) * 1000;
  let lastActivity = Date.now();
  let lastPing = Date.now();
  for (const type of ['mousemove', 'keydown', 'click', 'scroll', 'touchstart']) {
    addEventListener(type, () => { lastActivity = Date.now(); }, { passive: true });
  }
  setInterval(() => {
    const now = Date.now();
    if (now - lastActivity > idleMs) {
      location.href = '/account/idle';
      return;
    }
    if (lastActivity > lastPing && now - lastPing > 60000) {
      lastPing = now;
      fetch('/account/keepalive', { credentials: 'same-origin' }).then(r => {
        if (r.status === 401 || r.redirected) location.href = '/login';
      });
    }
  }, 15000);
})();
