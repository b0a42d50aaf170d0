/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/**
 * The dashboard's page: a server-rendered shell whose sections the browser script
 * (`public/dashboard.js`) fills from the server-sent events. The only server-side text is the
 * experiment id, escaped; node names reach the page as JSON and are set as text, never as HTML.
 */
export function dashboardPage(experimentId: string): string {
  const id = escapeHtml(experimentId);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Fed-BioMed dashboard: ${id}</title>
<link rel="stylesheet" href="vendor/uplot/uPlot.min.css">
<link rel="stylesheet" href="assets/dashboard.css">
<script src="vendor/uplot/uPlot.iife.min.js" defer></script>
<script src="assets/dashboard.js" defer></script>
</head>
<body>
<header>
<h1>Fed-BioMed experiment <span id="experiment-id">${id}</span></h1>
<p id="status" role="status" aria-live="polite">Connecting to the researcher…</p>
</header>
<main>
<section aria-labelledby="metrics-heading">
<h2 id="metrics-heading">Metrics per round</h2>
<p>Global: the global model on each node's test split before local training. Local: each node's model after training. "All nodes" is the sample-weighted mean.</p>
<div id="metric-charts" class="charts"></div>
</section>
<section aria-labelledby="participation-heading">
<h2 id="participation-heading">Participation</h2>
<div id="participation"></div>
</section>
<section aria-labelledby="durations-heading">
<h2 id="durations-heading">Round durations</h2>
<div id="duration-chart" class="charts"></div>
</section>
<section aria-labelledby="bytes-heading">
<h2 id="bytes-heading">Bytes sent and received</h2>
<div id="bytes-chart" class="charts"></div>
</section>
<section id="privacy" aria-labelledby="privacy-heading" hidden>
<h2 id="privacy-heading">Privacy spent (ε)</h2>
<div id="privacy-chart" class="charts"></div>
</section>
</main>
<noscript><p>The charts need JavaScript.</p></noscript>
</body>
</html>
`;
}
