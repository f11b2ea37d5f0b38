/* Civicloop staff console: maps (Leaflet) and charts (ECharts). No network
 * access beyond this site: tiles only when MAP_TILE_URL is configured. */
(function () {
  "use strict";

  function data(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  function baseMap(el, cfg, options) {
    var map = L.map(el, Object.assign({ zoomSnap: 0.5 }, options || {}));
    if (cfg.tileUrl) {
      var subdomains = cfg.tileSubdomains || "abc";
      if (subdomains.indexOf(",") >= 0) subdomains = subdomains.split(",");
      L.tileLayer(cfg.tileUrl, {
        attribution: cfg.tileAttribution || "",
        subdomains: subdomains,
        maxZoom: 19,
      }).addTo(map);
    } else {
      el.classList.add("no-tiles");
    }
    return map;
  }

  function listUrl(cfg, params) {
    var q = new URLSearchParams(params);
    return cfg.listUrl + "?" + q.toString();
  }

  function streetsLayer(map, cfg, clickable) {
    return fetch(cfg.streetsUrl, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (geojson) {
        var layer = L.geoJSON(geojson, {
          style: { color: "#3b5b85", weight: 1.5, fillColor: "#dfe7f2", fillOpacity: 0.35 },
          onEachFeature: function (f, l) {
            var p = f.properties;
            l.bindTooltip(escapeHtml(p.name) + (clickable ? " · " + escapeHtml(p.open) : ""),
              { sticky: true });
            if (clickable) {
              l.on("click", function () {
                window.location = listUrl(cfg, { street: p.id, state: "open" });
              });
            }
          },
        }).addTo(map);
        layer.bringToBack();
        return layer;
      });
  }

  function caseIcon(light) {
    return L.divIcon({
      className: "case-marker light-" + (light || "none"),
      iconSize: [14, 14],
      iconAnchor: [7, 7],
    });
  }

  function clusterIcon(p) {
    var size = p.n >= 1000 ? 46 : p.n >= 100 ? 38 : 30;
    var cls = p.red ? "red" : p.yellow ? "yellow" : "green";
    return L.divIcon({
      className: "case-cluster cluster-" + cls,
      html: "<span>" + p.n + "</span>",
      iconSize: [size, size],
      iconAnchor: [size / 2, size / 2],
    });
  }

  function escapeHtml(s) {
    return String(s == null ? "" : s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function dashboardMap(cfg) {
    var el = document.getElementById("dashboard-map");
    if (!el) return;
    var map = baseMap(el, cfg);
    map.setView([34.72, 113.63], 12);
    var cases = L.layerGroup().addTo(map);
    var cells = L.layerGroup().addTo(map);
    var seq = 0;

    function loadCases() {
      var b = map.getBounds();
      var bbox = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(function (v) { return v.toFixed(5); }).join(",");
      var mine = ++seq;
      var url = cfg.casesUrl + "?bbox=" + bbox + "&zoom=" + Math.round(map.getZoom());
      fetch(url, { credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (geojson) {
          if (mine !== seq) return;
          cases.clearLayers();
          geojson.features.forEach(function (f) {
            var c = f.geometry.coordinates, p = f.properties;
            var latlng = [c[1], c[0]];
            if (p.cluster) {
              L.marker(latlng, { icon: clusterIcon(p), title: String(p.n) })
                .on("click", function () { map.setView(latlng, Math.min(map.getZoom() + 2, 19)); })
                .addTo(cases);
            } else {
              var url = cfg.caseUrl.replace("{id}", p.id);
              L.marker(latlng, { icon: caseIcon(p.light), title: p.number })
                .bindPopup('<a href="' + url + '"><b>' + escapeHtml(p.number) + "</b></a><br>" +
                  escapeHtml(p.category) + " · " + escapeHtml(p.state_label))
                .addTo(cases);
            }
          });
          el.dataset.loaded = String(geojson.features.length);
        });
      if (map.getZoom() >= cfg.cellsMinZoom) {
        fetch(cfg.cellsUrl + "?bbox=" + bbox, { credentials: "same-origin" })
          .then(function (r) { return r.json(); })
          .then(function (geojson) {
            cells.clearLayers();
            L.geoJSON(geojson, {
              style: { color: "#8aa1bf", weight: 0.6, fill: false, dashArray: "2 2" },
              interactive: false,
            }).addTo(cells);
          });
      } else {
        cells.clearLayers();
      }
    }

    streetsLayer(map, cfg, true).then(function (layer) {
      var bounds = layer.getBounds();
      if (bounds.isValid()) map.fitBounds(bounds, { padding: [8, 8] });
      map.on("moveend", loadCases);
      loadCases();
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

  function caseMap() {
    var cfg = data("map-config"), point = data("case-point");
    var el = document.getElementById("case-map");
    if (!el || !point) return;
    var map = baseMap(el, cfg, { scrollWheelZoom: false });
    var latlng = [point.lat, point.lon];
    map.setView(latlng, 17);
    if (point.cell) {
      L.geoJSON(point.cell, { style: { color: "#3b5b85", weight: 1, fillOpacity: 0.08 } }).addTo(map);
    }
    L.circleMarker(latlng, { radius: 8, color: "#222", weight: 1.5, fillOpacity: 0.9,
      fillColor: { red: "#d33", yellow: "#e5b000", green: "#2e9d5b" }[point.light] || "#777" }).addTo(map);
  }

  function pickMap() {
    var cfg = data("map-config");
    var el = document.getElementById("pick-map");
    if (!el) return;
    var map = baseMap(el, cfg);
    map.setView([34.72, 113.63], 12);
    var lon = document.getElementById("id_lon"), lat = document.getElementById("id_lat");
    var marker = null;
    function place(latlng) {
      if (marker) marker.setLatLng(latlng);
      else marker = L.marker(latlng, { icon: caseIcon("none") }).addTo(map);
    }
    streetsLayer(map, cfg, false).then(function (layer) {
      if (lon.value && lat.value) {
        place([parseFloat(lat.value), parseFloat(lon.value)]);
        map.setView([parseFloat(lat.value), parseFloat(lon.value)], 16);
      } else if (layer.getBounds().isValid()) {
        map.fitBounds(layer.getBounds(), { padding: [8, 8] });
      }
      layer.eachLayer(function (l) { l.on("click", function (e) { pick(e.latlng); }); });
    });
    function pick(latlng) {
      lon.value = latlng.lng.toFixed(6);
      lat.value = latlng.lat.toFixed(6);
      place(latlng);
    }
    map.on("click", function (e) { pick(e.latlng); });
  }

  window.Console = {
    dashboard: function () {
      var cfg = data("map-config");
      dashboardMap(cfg);
      charts(data("chart-data"), cfg);
    },
    caseMap: caseMap,
    pickMap: pickMap,
  };
})();
