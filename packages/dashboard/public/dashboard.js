// The dashboard page's script: receives the board's state and round updates as server-sent events
// and draws them with uPlot. Plain browser JavaScript (served as is, no build step). Node names are
// untrusted: they are only ever set with textContent (uPlot sets legend labels and titles the same way).
/* global uPlot */
'use strict';
(function () {
  const PALETTE = ['#1f5fa8', '#c0392b', '#1e8449', '#8e44ad', '#b9770e', '#117a8b', '#6e2c00', '#34495e', '#d35400', '#7d3c98'];
  const AGGREGATED = 'All nodes (sample-weighted)';
  /** The uPlot instance of each chart by id (`global-accuracy`, `durations`, ...): read by the browser tests. */
  const charts = {};
  let state = { experimentId: '', nodes: {}, rounds: [] };
  window.fedbiomedDashboard = { charts, state: () => state };

  const events = new EventSource('api/events');
  events.addEventListener('state', (message) => {
    state = JSON.parse(message.data);
    render();
  });
  events.addEventListener('round', (message) => {
    const update = JSON.parse(message.data);
    state.nodes = update.nodes;
    state.rounds = state.rounds.filter((round) => round.round !== update.round.round).concat([update.round]).sort((a, b) => a.round - b.round);
    render();
  });
  events.addEventListener('error', () => {
    if (events.readyState === EventSource.CLOSED || events.readyState === EventSource.CONNECTING) {
      setStatus(`${describeRounds()} Not connected to the researcher: showing what was received.`);
    }
  });

  function render() {
    setStatus(describeRounds());
    const completed = state.rounds.filter((round) => round.status === 'completed');
    renderMetricCharts(completed);
    renderParticipation();
    const timed = state.rounds.filter((round) => round.durationMs !== null);
    replaceCharts('duration-chart', [
      chart('durations', 'Round duration (seconds)', 'seconds', timed, [{ label: 'round duration', values: timed.map((round) => round.durationMs / 1000) }]),
    ]);
    const counted = completed.filter((round) => round.bytesSent !== null || round.bytesReceived !== null);
    replaceCharts('bytes-chart', [
      chart('bytes', 'Tensor bytes per round', 'bytes', counted, [
        { label: 'sent to nodes', values: counted.map((round) => round.bytesSent) },
        { label: 'received from nodes', values: counted.map((round) => round.bytesReceived) },
      ]),
    ]);
    renderPrivacy(completed);
  }

  /** ε so far: the experiment's (server-side DP, or as the researcher reports it) and each node's dataset's. */
  function renderPrivacy(completed) {
    const rounds = completed.filter((round) => round.epsilon !== null || Object.keys(round.nodeEpsilon || {}).length > 0);
    document.getElementById('privacy').hidden = rounds.length === 0;
    const nodeIds = [...new Set(rounds.flatMap((round) => Object.keys(round.nodeEpsilon || {})))].sort((a, b) => label(a).localeCompare(label(b)));
    const series = (rounds.some((round) => round.epsilon !== null) ? [{ label: 'experiment', values: rounds.map((round) => round.epsilon) }] : []).concat(
      nodeIds.map((nodeId) => ({ label: label(nodeId), values: rounds.map((round) => value((round.nodeEpsilon || {})[nodeId])) })),
    );
    replaceCharts('privacy-chart', rounds.length === 0 ? [] : [chart('epsilon', 'Privacy spent so far (ε)', 'ε', rounds, series)]);
  }

  function describeRounds() {
    const done = state.rounds.filter((round) => round.status === 'completed').length;
    const failed = state.rounds.filter((round) => round.status === 'failed').length;
    const running = state.rounds.find((round) => round.status === 'running');
    return (
      `${done} round${done === 1 ? '' : 's'} completed` +
      (failed > 0 ? `, ${failed} failed` : '') +
      (running ? `; round ${running.round} running (${running.replied.length}/${running.selected.length} replied).` : '.')
    );
  }

  /** One chart per phase and metric: the sample-weighted aggregate, then one series per node. */
  function renderMetricCharts(completed) {
    const figures = [];
    for (const phase of ['global', 'local']) {
      const names = new Set();
      for (const round of completed) {
        Object.keys(round[phase].aggregated).forEach((name) => names.add(name));
        Object.values(round[phase].nodes).forEach((metrics) => Object.keys(metrics).forEach((name) => names.add(name)));
      }
      for (const name of [...names].sort()) {
        const nodeIds = nodesOf(completed, phase, name);
        const series = [{ label: AGGREGATED, values: completed.map((round) => value(round[phase].aggregated[name])) }].concat(
          nodeIds.map((nodeId) => ({ label: label(nodeId), values: completed.map((round) => value((round[phase].nodes[nodeId] || {})[name])) })),
        );
        const title = `${phase === 'global' ? 'Global model' : 'Local models'}: ${name}`;
        figures.push(chart(`${phase}-${name}`, title, name, completed, series));
      }
    }
    replaceCharts('metric-charts', figures);
  }

  function nodesOf(rounds, phase, name) {
    const ids = new Set();
    for (const round of rounds) for (const [nodeId, metrics] of Object.entries(round[phase].nodes)) if (name in metrics) ids.add(nodeId);
    return [...ids].sort((a, b) => label(a).localeCompare(label(b)));
  }

  /** Rows: nodes; columns: rounds; each cell says what the node did in that round. */
  function renderParticipation() {
    const container = document.getElementById('participation');
    container.replaceChildren();
    if (state.rounds.length === 0) {
      container.append(text('p', 'No round has started yet.'));
      return;
    }
    const table = document.createElement('table');
    table.className = 'participation';
    table.id = 'participation-table';
    table.append(text('caption', 'Who was selected, replied or dropped out in each round'));
    const head = document.createElement('tr');
    head.append(text('th', 'Node', 'col'));
    state.rounds.forEach((round) => head.append(text('th', `Round ${round.round}`, 'col')));
    table.append(wrap('thead', head));
    const body = document.createElement('tbody');
    const nodeIds = new Set(Object.keys(state.nodes));
    state.rounds.forEach((round) => round.selected.forEach((id) => nodeIds.add(id)));
    for (const nodeId of [...nodeIds].sort((a, b) => label(a).localeCompare(label(b)))) {
      const row = document.createElement('tr');
      row.append(text('th', label(nodeId), 'row'));
      for (const round of state.rounds) {
        const dropped = round.dropped.find((drop) => drop.nodeId === nodeId);
        const cell = dropped
          ? text('td', `dropped (${dropped.code})`)
          : round.replied.includes(nodeId)
            ? text('td', 'replied')
            : round.selected.includes(nodeId)
              ? text('td', round.status === 'running' ? 'training…' : 'selected')
              : text('td', 'not selected');
        cell.className = dropped ? 'dropped' : round.replied.includes(nodeId) ? 'replied' : round.selected.includes(nodeId) ? 'selected' : 'idle';
        if (dropped) cell.title = dropped.reason;
        row.append(cell);
      }
      body.append(row);
    }
    table.append(body);
    container.append(table);
  }

  function chart(id, title, unit, rounds, series) {
    return { id, title, unit, xs: rounds.map((round) => round.round), series };
  }

  function replaceCharts(containerId, figures) {
    const container = document.getElementById(containerId);
    for (const figure of container.querySelectorAll('figure')) {
      const id = figure.dataset.chart;
      charts[id]?.destroy();
      delete charts[id];
    }
    container.replaceChildren();
    // Lay every figure out first, then size each chart to its figure's width in the grid.
    const placed = figures.map((spec) => {
      const figure = document.createElement('figure');
      figure.dataset.chart = spec.id;
      figure.id = `chart-${spec.id}`;
      figure.append(text('figcaption', spec.title));
      const plot = document.createElement('div');
      figure.append(plot);
      container.append(figure);
      return { spec, figure, plot };
    });
    for (const { spec, figure, plot } of placed) {
      if (spec.xs.length === 0) {
        plot.append(text('p', 'No data yet.'));
        continue;
      }
      const options = {
        width: Math.max(280, figure.clientWidth),
        height: 220,
        legend: { live: false },
        scales: { x: { time: false } },
        axes: [
          { label: 'round', incrs: [1, 2, 5, 10, 20, 50, 100], values: (_u, ticks) => ticks.map((tick) => String(tick)) },
          { label: spec.unit, size: 70 },
        ],
        series: [{ label: 'round' }].concat(
          spec.series.map((serie, index) => (serie.label === AGGREGATED
            ? { label: serie.label, stroke: '#111', width: 3, dash: [8, 4], points: { show: true, size: 7 } }
            : { label: serie.label, stroke: PALETTE[index % PALETTE.length], width: 2, points: { show: true, size: 6 } })),
        ),
      };
      charts[spec.id] = new uPlot(options, [spec.xs].concat(spec.series.map((serie) => serie.values)), plot);
    }
  }

  function label(nodeId) {
    return state.nodes[nodeId] || nodeId;
  }

  function value(v) {
    return typeof v === 'number' ? v : null;
  }

  function setStatus(message) {
    document.getElementById('status').textContent = message;
  }

  function text(tag, content, scope) {
    const element = document.createElement(tag);
    element.textContent = content;
    if (scope) element.scope = scope;
    return element;
  }

  function wrap(tag, child) {
    const element = document.createElement(tag);
    element.append(child);
    return element;
  }
})();
