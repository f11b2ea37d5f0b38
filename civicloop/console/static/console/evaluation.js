/* Charts of the evaluation pages (ECharts). Data and translated titles come
   from the page's JSON block #evaluation-charts; no inline script. */
(function () {
  "use strict";
  var source = document.getElementById("evaluation-charts");
  if (!source || typeof echarts === "undefined") return;
  var data = JSON.parse(source.textContent);
  var colours = {A: "#2e7d32", B: "#1976d2", C: "#f9a825", D: "#ef6c00", E: "#c62828"};
  var ROW = 24;

  var r = data.ranking;
  var rankingEl = document.getElementById("chart-ranking");
  if (rankingEl && r) {
    // One row per ranked entry, every name shown: the chart grows with the list.
    rankingEl.style.height = Math.max(240, 70 + ROW * r.names.length) + "px";
    var longest = r.names.reduce(function (m, n) { return Math.max(m, n.length); }, 0);
    echarts.init(rankingEl).setOption({
      title: {text: r.title, left: "center", textStyle: {fontSize: 14}},
      grid: {left: Math.min(260, 20 + longest * 13), right: 60, top: 40, bottom: 20},
      tooltip: {},
      xAxis: {type: "value", max: 100},
      yAxis: {type: "category", inverse: true, data: r.names,
              axisLabel: {interval: 0, fontSize: 12}},
      series: [{type: "bar", data: r.scores.map(function (v, i) {
        return {value: v, itemStyle: {color: colours[r.grades[i]] || "#607d8b"}};
      }), label: {show: true, position: "right", formatter: function (p) {
        return p.value + " " + (r.grades[p.dataIndex] || "");
      }}}]
    });
  }

  var t = data.trend;
  var trendEl = document.getElementById("chart-trend");
  if (trendEl && t) {
    echarts.init(trendEl).setOption({
      title: {text: t.title, subtext: t.as_of, left: "center", textStyle: {fontSize: 14}},
      tooltip: {trigger: "axis"},
      legend: {bottom: 0},
      grid: {left: 50, right: 50, top: 60, bottom: 70},
      xAxis: {type: "category", data: t.months, axisLabel: {interval: 0, rotate: 30}},
      yAxis: [{type: "value", max: 100}, {type: "value"}],
      series: [
        {name: t.labels.on_time, type: "line", data: t.on_time},
        {name: t.labels.closure, type: "line", data: t.closure},
        {name: t.labels.filed, type: "bar", yAxisIndex: 1, data: t.filed, itemStyle: {opacity: 0.3}}
      ]
    });
  }
})();
