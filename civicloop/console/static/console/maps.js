/* Civicloop console maps (Leaflet): the place layers, clustered cases, picking a point.
 *
 * Pages carry their data in <script type="application/json"> blocks (map-config,
 * case-point) and mark the map element (#dashboard-map, #case-map, #pick-map);
 * this file finds them on load. No inline script. Coordinates from the server
 * are already in the tiles' system (MAP_TILE_CRS); a point picked on a shifted
 * map is turned back into WGS-84 by the server (toWgs84Url) before it is stored.
 */
(function () {
  "use strict";

  var CENTRE = [34.72, 113.63];
  // Cases are clustered (leaflet.markercluster) when more than this many are in view.
  var CLUSTER_FROM = 40;
  var PLACE_ZOOM = { street: 14, community: 15, road: 15, section: 16, crossing: 17,
    compound: 17, cell: 17, address: 18 };

  function data(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error(url + ": " + r.status); return r.json(); });
  }

  function esc(s) {
    return String(s == null ? "" : s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function baseMap(el, cfg, options) {
    // markercluster needs a finite maxZoom (a map without tiles has none).
    var map = L.map(el, Object.assign({ zoomSnap: 0.5, minZoom: 9, maxZoom: 19 }, options || {}));
    if (cfg.tileUrl) {
      var subdomains = cfg.tileSubdomains || "abc";
      if (subdomains.indexOf(",") >= 0) subdomains = subdomains.split(",");
      L.tileLayer(cfg.tileUrl, {
        attribution: cfg.tileAttribution || "", subdomains: subdomains, maxZoom: 19,
      }).addTo(map);
    } else {
      el.classList.add("no-tiles");
    }
    // Areas under lines under markers, whatever order the layers arrive in.
    map.createPane("cl-areas").style.zIndex = 410;
    map.createPane("cl-cells").style.zIndex = 415;
    map.createPane("cl-lines").style.zIndex = 430;
    // Labels appear by zoom: CSS shows .map-label-zN from zoom N on.
    function zoomClasses() {
      var z = Math.floor(map.getZoom());
      for (var n = 10; n <= 19; n++) el.classList.toggle("z-ge-" + n, z >= n);
    }
    map.on("zoomend", zoomClasses);
    map.whenReady(zoomClasses);
    return map;
  }

  function listUrl(cfg, params) {
    return cfg.listUrl + "?" + new URLSearchParams(params).toString();
  }

  function label(layer, text, minZoom, extraClass) {
    layer.bindTooltip(esc(text), {
      permanent: true, direction: "center", interactive: false,
      className: "map-label map-label-z" + minZoom + (extraClass ? " " + extraClass : ""),
    });
  }

  // --- the place layers -----------------------------------------------------------

  function streetsLayer(cfg, opts) {
    var group = L.featureGroup();
    var ready = getJSON(cfg.streetsUrl).then(function (geojson) {
      L.geoJSON(geojson, {
        pane: "cl-areas",
        style: { color: "#2f4e7a", weight: 2.5, fillColor: "#dfe7f2", fillOpacity: 0.25 },
        onEachFeature: function (f, l) {
          var p = f.properties;
          var tip = "<b>" + esc(p.name) + "</b>";
          if (opts.counts) tip += "<br>" + esc(cfg.labels.openCases) + " " + esc(p.open);
          l.bindTooltip(tip, { sticky: true });
          if (opts.clickable) {
            l.on("click", function () { window.location = listUrl(cfg, { street: p.id, state: "open" }); });
          }
          if (opts.pick) l.on("click", function (e) { opts.pick(e.latlng); });
        },
      }).eachLayer(function (l) { group.addLayer(l); });
      // Street names: one label per street, on the map at low zoom.
      geojson.features.forEach(function (f) {
        var b = L.geoJSON(f).getBounds();
        if (!b.isValid()) return;
        L.marker(b.getCenter(), {
          icon: L.divIcon({ className: "map-label street-label", html: "<span>" + esc(f.properties.name) + "</span>", iconSize: null }),
          interactive: false, keyboard: false, pane: "cl-lines",
        }).addTo(group);
      });
      return group;
    });
    return { layer: group, ready: ready };
  }

  function geoLayer(url, options) {
    var group = L.featureGroup();
    var ready = getJSON(url).then(function (geojson) {
      L.geoJSON(geojson, options).eachLayer(function (l) { group.addLayer(l); });
      return group;
    });
    return { layer: group, ready: ready };
  }

  function communitiesLayer(cfg, opts) {
    return geoLayer(cfg.layerUrls.communities, {
      pane: "cl-areas",
      interactive: !!opts.pick,
      style: { color: "#5d79a3", weight: 1, dashArray: "4 3", fillOpacity: 0, fill: !!opts.pick },
      onEachFeature: function (f, l) {
        label(l, f.properties.name, 15, "community-label");
        if (opts.pick) l.on("click", function (e) { opts.pick(e.latlng); });
      },
    });
  }

  var ROAD_STYLE = {
    arterial: { color: "#d9822b", weight: 5 },
    secondary: { color: "#e9a650", weight: 3.5 },
    branch: { color: "#f0c27a", weight: 2.5 },
    alley: { color: "#f3d3a0", weight: 2 },
  };

  function roadsLayer(cfg) {
    var part = geoLayer(cfg.layerUrls.roads, {
      pane: "cl-lines",
      style: function (f) {
        var s = ROAD_STYLE[f.properties.grade] || ROAD_STYLE.secondary;
        return { color: s.color, weight: s.weight, opacity: 0.9, lineCap: "round" };
      },
      interactive: false,
    });
    // The road's name along the line (every ~1.2 km), shown from zoom 14 on.
    part.ready = part.ready.then(function (group) {
      group.eachLayer(function (l) {
        var p = l.feature && l.feature.properties;
        (p && p.labels || []).forEach(function (xy) {
          L.marker([xy[1], xy[0]], {
            icon: L.divIcon({ className: "road-name", html: "<span>" + esc(p.name) + "</span>", iconSize: null }),
            interactive: false, keyboard: false, pane: "cl-lines",
          }).addTo(group);
        });
      });
      return group;
    });
    return part;
  }

  function sectionsLayer(cfg) {
    return geoLayer(cfg.layerUrls.sections, {
      pane: "cl-lines",
      style: function (f) {
        return { color: f.properties.id % 2 ? "#7a3f06" : "#a55a12", weight: 2, opacity: 0.9,
          dashArray: "1 0" };
      },
      onEachFeature: function (f, l) {
        var p = f.properties;
        var chief = p.chief ? esc(cfg.labels.chief) + " " + esc(p.chief) : esc(cfg.labels.noChief);
        l.bindTooltip("<b>" + esc(p.name) + "</b><br>" + chief +
          (p.street ? "<br>" + esc(p.street) : "") + (p.length_m ? " · " + esc(p.length_m) + " m" : ""),
          { sticky: true });
        l.on("mouseover", function () { l.setStyle({ weight: 6, color: "#c0392b" }); });
        l.on("mouseout", function () { l.setStyle({ weight: 2, color: p.id % 2 ? "#7a3f06" : "#a55a12" }); });
      },
    });
  }

  function compoundsLayer(cfg, opts) {
    var part = geoLayer(cfg.layerUrls.compounds, {
      pane: "cl-lines",
      style: function (f) {
        return { color: "#23744a", weight: 1.5, fillColor: f.properties.managed ? "#4fb07a" : "#e07b39",
          fillOpacity: 0.45 };
      },
      onEachFeature: function (f, l) {
        var p = f.properties;
        l.bindTooltip("<b>" + esc(p.name) + "</b><br>" + esc(p.community) +
          (p.households ? " · " + esc(p.households) + " " + esc(cfg.labels.households) : "") +
          (p.managed ? "" : "<br>" + esc(cfg.labels.unmanaged)), { sticky: true });
        if (opts.pick) l.on("click", function (e) { opts.pick(e.latlng); });
      },
    });
    // The name on the map from zoom 15 (the hover tooltip keeps the details).
    part.ready = part.ready.then(function (group) {
      group.eachLayer(function (l) {
        if (!l.feature) return;
        L.marker(l.getBounds().getCenter(), {
          icon: L.divIcon({ className: "area-name min-z15 compound-label",
            html: "<span>" + esc(l.feature.properties.name) + "</span>", iconSize: null }),
          interactive: false, keyboard: false, pane: "cl-lines",
        }).addTo(group);
      });
      return group;
    });
    return part;
  }

  function cellsLayer(map, cfg, opts) {
    var group = L.featureGroup();
    var seq = 0;
    function load() {
      if (!map.hasLayer(group)) return;
      if (map.getZoom() < cfg.cellsMinZoom) { group.clearLayers(); return; }
      var mine = ++seq;
      getJSON(cfg.cellsUrl + "?bbox=" + bboxOf(map)).then(function (geojson) {
        if (mine !== seq) return;
        group.clearLayers();
        L.geoJSON(geojson, {
          pane: "cl-cells",
          style: { color: "#7f93b0", weight: 0.8, fillOpacity: 0, dashArray: "2 2" },
          interactive: !!opts.pick,
          onEachFeature: function (f, l) {
            label(l, f.properties.code.slice(-5), 17, "cell-label");
            if (opts.pick) l.on("click", function (e) { opts.pick(e.latlng); });
          },
        }).eachLayer(function (l) { group.addLayer(l); });
      });
    }
    map.on("moveend", load);
    group.on("add", load);
    return { layer: group, ready: Promise.resolve(group) };
  }

  function bboxOf(map) {
    var b = map.getBounds();
    return [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()]
      .map(function (v) { return v.toFixed(5); }).join(",");
  }

  /* Every place layer on ``map`` with a switch for each; resolves with {layers, streets}. */
  function placeLayers(map, cfg, opts) {
    opts = opts || {};
    var L_ = cfg.labels;
    var parts = {
      streets: streetsLayer(cfg, opts),
      communities: communitiesLayer(cfg, opts),
      compounds: compoundsLayer(cfg, opts),
      roads: roadsLayer(cfg),
      sections: sectionsLayer(cfg),
      cells: cellsLayer(map, cfg, opts),
    };
    var off = opts.off || [];
    var overlays = {};
    ["streets", "communities", "roads", "sections", "compounds", "cells"].forEach(function (name) {
      overlays[esc(L_[name])] = parts[name].layer;
      if (off.indexOf(name) < 0) parts[name].layer.addTo(map);
    });
    if (opts.extra) Object.keys(opts.extra).forEach(function (k) { overlays[esc(k)] = opts.extra[k]; });
    var control = L.control.layers(null, overlays, { collapsed: !!opts.collapsed, position: "topright" }).addTo(map);
    control.getContainer().classList.add("layer-switch");
    var all = Object.keys(parts).map(function (k) { return parts[k].ready.catch(function () { return null; }); });
    return Promise.all(all).then(function () {
      map.getContainer().dataset.layers = Object.keys(parts).filter(function (k) {
        return map.hasLayer(parts[k].layer);
      }).join(" ");
      return { parts: parts, streets: parts.streets.layer, control: control };
    });
  }

  // --- cases ------------------------------------------------------------------------

  function caseIcon(light) {
    return L.divIcon({ className: "case-marker light-" + (light || "none"), iconSize: [14, 14], iconAnchor: [7, 7] });
  }

  function worst(markers) {
    var red = 0, yellow = 0;
    markers.forEach(function (m) { if (m.options.light === "red") red++; else if (m.options.light === "yellow") yellow++; });
    return red ? "red" : yellow ? "yellow" : "green";
  }

  function clusterIcon(n, cls) {
    var size = n >= 1000 ? 46 : n >= 100 ? 38 : 30;
    return L.divIcon({ className: "case-cluster cluster-" + cls, html: "<span>" + n + "</span>",
      iconSize: [size, size], iconAnchor: [size / 2, size / 2] });
  }

  function casesLayer(map, cfg) {
    var group = L.markerClusterGroup
      ? L.markerClusterGroup({
        maxClusterRadius: 50, showCoverageOnHover: false, spiderfyOnMaxZoom: true,
        iconCreateFunction: function (c) {
          var markers = c.getAllChildMarkers();
          return clusterIcon(c.getChildCount(), worst(markers));
        },
      })
      : L.layerGroup();
    var few = L.layerGroup();  // a handful of cases: each its own marker
    var big = L.layerGroup();  // server-side clusters when there are very many cases
    var both = L.layerGroup([group, few, big]);
    var seq = 0;
    var el = map.getContainer();
    // A popup panning the map into view must not reload (and so close) itself.
    var popupOpen = false;
    map.on("popupopen", function () { popupOpen = true; });
    map.on("popupclose", function () { popupOpen = false; });
    function load() {
      if (!map.hasLayer(both) || popupOpen) return;
      var mine = ++seq;
      getJSON(cfg.casesUrl + "?bbox=" + bboxOf(map) + "&zoom=" + Math.round(map.getZoom()))
        .then(function (geojson) {
          if (mine !== seq) return;
          group.clearLayers();
          few.clearLayers();
          big.clearLayers();
          var markers = [];
          geojson.features.forEach(function (f) {
            var c = f.geometry.coordinates, p = f.properties, latlng = [c[1], c[0]];
            if (p.cluster) {
              L.marker(latlng, { icon: clusterIcon(p.n, p.red ? "red" : p.yellow ? "yellow" : "green"), title: String(p.n) })
                .on("click", function () { map.setView(latlng, Math.min(map.getZoom() + 2, 19)); })
                .addTo(big);
            } else {
              var url = cfg.caseUrl.replace("{id}", p.id);
              markers.push(L.marker(latlng, { icon: caseIcon(p.light), title: p.number, light: p.light })
                .bindPopup('<a href="' + esc(url) + '"><b>' + esc(p.number) + "</b></a><br>" +
                  esc(p.category) + " · " + esc(p.state_label)));
            }
          });
          var target = markers.length > CLUSTER_FROM ? group : few;
          if (target.addLayers) target.addLayers(markers); else markers.forEach(function (m) { target.addLayer(m); });
          el.dataset.loaded = String(geojson.features.length);
          el.dataset.clustered = geojson.clustered ? "1" : "0";
        });
    }
    map.on("moveend", load);
    both.on("add", load);
    return both;
  }

  // --- places found by name ------------------------------------------------------------

  function showPlace(map, place, holder) {
    var latlng = [place.map_lat, place.map_lon];
    map.setView(latlng, Math.max(map.getZoom(), PLACE_ZOOM[place.kind] || 16));
    if (holder.marker) map.removeLayer(holder.marker);
    holder.marker = L.circleMarker(latlng, { radius: 9, color: "#c0392b", weight: 3, fillOpacity: 0.15 })
      .bindTooltip(esc(place.name) + " · " + esc(place.kind_label), { permanent: true, direction: "top", offset: [0, -8] })
      .addTo(map);
  }

  // --- pages --------------------------------------------------------------------------

  function dashboardMap(cfg) {
    var el = document.getElementById("dashboard-map");
    if (!el) return;
    var map = baseMap(el, cfg);
    map.setView(CENTRE, 12);
    var cases = casesLayer(map, cfg);
    var extra = {};
    extra[cfg.labels.cases] = cases;
    placeLayers(map, cfg, { clickable: true, counts: true, off: ["sections", "cells"], extra: extra })
      .then(function (res) {
        var bounds = res.streets.getBounds();
        if (bounds.isValid()) map.fitBounds(bounds, { padding: [8, 8] });
        cases.addTo(map);
        el.dataset.ready = "1";
      });
    var search = document.getElementById("map-place-search");
    var holder = {};
    if (search && window.PlaceSearch) {
      PlaceSearch.attach(search, { url: cfg.placesUrl, onPick: function (place) { showPlace(map, place, holder); } });
    }
  }

  function caseMap() {
    var cfg = data("map-config"), point = data("case-point");
    var el = document.getElementById("case-map");
    if (!el || !point) return;
    var map = baseMap(el, cfg, { scrollWheelZoom: false });
    var latlng = [point.lat, point.lon];
    map.setView(latlng, 17);
    placeLayers(map, cfg, { off: ["streets"], collapsed: true }).then(function () { el.dataset.ready = "1"; });
    if (point.cell) {
      L.geoJSON(point.cell, { pane: "cl-cells", style: { color: "#3b5b85", weight: 2, fillOpacity: 0.08 } }).addTo(map);
    }
    L.circleMarker(latlng, { radius: 8, color: "#222", weight: 1.5, fillOpacity: 0.9,
      fillColor: { red: "#d33", yellow: "#e5b000", green: "#2e9d5b" }[point.light] || "#777" }).addTo(map);
  }

  function pickMap() {
    var cfg = data("map-config");
    var el = document.getElementById("pick-map");
    if (!el) return;
    var map = baseMap(el, cfg);
    map.setView(CENTRE, 12);
    var lon = document.getElementById("id_lon"), lat = document.getElementById("id_lat");
    var address = document.getElementById("id_address");
    var marker = null;
    function place(latlng) {
      if (marker) marker.setLatLng(latlng);
      else marker = L.marker(latlng, { icon: caseIcon("none") }).addTo(map);
    }
    function fill(lonValue, latValue) {
      lon.value = Number(lonValue).toFixed(6);
      lat.value = Number(latValue).toFixed(6);
      lon.dispatchEvent(new Event("change", { bubbles: true }));
    }
    function pick(latlng) {
      place(latlng);
      if (cfg.toWgs84Url) {
        getJSON(cfg.toWgs84Url + "?lon=" + latlng.lng + "&lat=" + latlng.lat)
          .then(function (p) { fill(p.lon, p.lat); });
      } else {
        fill(latlng.lng, latlng.lat);
      }
    }
    placeLayers(map, cfg, { pick: pick, off: ["sections", "cells"], collapsed: true }).then(function (res) {
      if (lon.value && lat.value) {
        place([parseFloat(lat.value), parseFloat(lon.value)]);
        map.setView([parseFloat(lat.value), parseFloat(lon.value)], 16);
      } else if (res.streets.getBounds().isValid()) {
        map.fitBounds(res.streets.getBounds(), { padding: [8, 8] });
      }
      el.dataset.ready = "1";
    });
    map.on("click", function (e) { pick(e.latlng); });

    var search = document.getElementById("place-search");
    if (search && window.PlaceSearch) {
      var filled = "";
      PlaceSearch.attach(search, {
        url: cfg.placesUrl,
        onPick: function (p) {
          fill(p.lon, p.lat);  // WGS-84, what the case stores
          if (address && (!address.value || address.value === filled)) {
            address.value = p.name;
            filled = p.name;
          }
          var latlng = [p.map_lat, p.map_lon];
          place(latlng);
          map.setView(latlng, Math.max(map.getZoom(), PLACE_ZOOM[p.kind] || 16));
        },
      });
    }
  }

  window.ConsoleMaps = { baseMap: baseMap, placeLayers: placeLayers, casesLayer: casesLayer };

  function boot() {
    var cfg = data("map-config");
    if (!cfg) return;
    dashboardMap(cfg);
    caseMap();
    pickMap();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", boot);
  else boot();
})();
