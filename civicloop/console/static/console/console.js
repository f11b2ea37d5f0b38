/* Civicloop staff console: charts (ECharts). The maps are in maps.js. No network
 * access beyond this site: tiles only when MAP_TILE_URL is configured. */
(function () {
  "use strict";

  function data(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  function listUrl(cfg, params) {
    var q = new URLSearchParams(params);
    return cfg.listUrl + "?" + q.toString();
  }

  function escapeHtml(s) {
    return String(s == null ? "" : s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function charts(chartData, cfg) {
    if (typeof echarts === "undefined") return;
    var trendEl = document.getElementById("trend-chart");
    var topEl = document.getElementById("top-chart");
    var all = [];
    if (trendEl) {
      var trend = echarts.init(trendEl);
      trend.setOption({
        grid: { left: 36, right: 12, top: 28, bottom: 24 },
        tooltip: { trigger: "axis" },
        legend: { top: 0, data: [chartData.labels.reported, chartData.labels.closed] },
        xAxis: { type: "category", data: chartData.trend.days.map(function (d) { return d.slice(5); }) },
        yAxis: { type: "value", minInterval: 1 },
        series: [
          { name: chartData.labels.reported, type: "bar", data: chartData.trend.reported, itemStyle: { color: "#3b6fb6" } },
          { name: chartData.labels.closed, type: "line", data: chartData.trend.closed, itemStyle: { color: "#2e9d5b" } },
        ],
      });
      trend.on("click", function (e) {
        var day = chartData.trend.days[e.dataIndex];
        var params = e.seriesIndex === 0
          ? { date_from: day, date_to: day }
          : { state: "closed", closed_from: day, closed_to: day };
        window.location = listUrl(cfg, params);
      });
      all.push(trend);
    }
    if (topEl) {
      var top = echarts.init(topEl);
      var rows = chartData.top.slice().reverse();
      top.setOption({
        grid: { left: 110, right: 24, top: 8, bottom: 20 },
        tooltip: {
          formatter: function (p) { return escapeHtml(p.name) + ": " + escapeHtml(p.value); },
        },
        xAxis: { type: "value", minInterval: 1 },
        yAxis: { type: "category", data: rows.map(function (t) { return t.name; }) },
        series: [{ type: "bar", data: rows.map(function (t) { return t.n; }), itemStyle: { color: "#c4762b" } }],
      });
      top.on("click", function (e) {
        window.location = listUrl(cfg, { category: rows[e.dataIndex].id, date_from: chartData.since });
      });
      all.push(top);
    }
    window.addEventListener("resize", function () { all.forEach(function (c) { c.resize(); }); });
  }

  // Pages carry their data in JSON blocks; nothing is called from inline script.
  function boot() {
    var chartData = data("chart-data");
    if (chartData) charts(chartData, data("map-config"));
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", boot);
  else boot();
})();
