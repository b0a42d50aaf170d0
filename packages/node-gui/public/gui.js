// The status page's live parts: the node's log lines arrive as server-sent events and are shown as
// text (never as HTML); lines that change the status re-fetch the server-rendered panel.
'use strict';
(function () {
  const log = document.getElementById('log');
  const panel = document.getElementById('status-panel');
  if (!log || !panel) return;
  const refreshing = new Set(['connecting', 'connected', 'reconnecting', 'refused-by-researcher', 'train-received', 'train-progress', 'round-trained', 'request-refused', 'request-failed']);
  let pending = false;
  const refresh = () => {
    if (pending) return;
    pending = true;
    setTimeout(() => {
      fetch('/status/panel', { credentials: 'same-origin' })
        .then((response) => (response.ok ? response.text() : Promise.reject(new Error(String(response.status)))))
        .then((html) => {
          // Parse the server's (escaped) fragment off-document, then move its nodes in.
          const doc = new DOMParser().parseFromString(html, 'text/html');
          panel.replaceChildren(...doc.body.childNodes);
        })
        .catch(() => undefined)
        .finally(() => (pending = false));
    }, 200);
  };
  const events = new EventSource('/events');
  events.onmessage = (message) => {
    const line = JSON.parse(message.data);
    const item = document.createElement('li');
    item.className = line.level;
    item.textContent = `${new Date(line.time).toLocaleTimeString()} ${line.level.toUpperCase()} ${line.message}`;
    log.append(item);
    while (log.children.length > 500) log.firstElementChild.remove();
    log.scrollTop = log.scrollHeight;
    if (line.event && refreshing.has(line.event)) refresh();
  };
})();
