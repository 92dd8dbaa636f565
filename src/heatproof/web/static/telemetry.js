// Plot a run's telemetry (temperatures in K against time in s) from /api/runs/ID/telemetry.
async function plotRun(runId) {
  const response = await fetch(`/api/runs/${runId}/telemetry?max_points=1500`, {credentials: "same-origin"});
  if (!response.ok) { return; }
  const data = await response.json();
  const cols = data.columns;
  const traces = Object.keys(cols)
    .filter((name) => name.endsWith("_k"))
    .map((name) => ({x: cols.t_s, y: cols[name], name: name, mode: "lines"}));
  const title = `run ${runId}${data.simulated ? " (SIMULATED)" : ""}`;
  Plotly.newPlot("telemetry-chart", traces,
    {title: title, xaxis: {title: "t (s)"}, yaxis: {title: "K"}, margin: {t: 40}});
}
document.querySelectorAll("button.plot-run").forEach((b) => b.addEventListener("click", () => plotRun(b.dataset.run)));
const first = document.querySelector("button.plot-run");
if (first) { plotRun(first.dataset.run); }
