/* The report form: category search, place search, map pin, device location, nearby open cases. */
(function () {
  "use strict";
  var form = document.getElementById("report-form");
  if (!form) return;
  var text = JSON.parse(document.getElementById("portal-text").textContent);
  var lonInput = form.querySelector("input[name=lon]");
  var latInput = form.querySelector("input[name=lat]");
  var category = document.getElementById("category");
  var search = document.getElementById("category-search");
  var status = document.getElementById("pin-status");
  var mapEl = document.getElementById("map");

  // Category search: hide options whose words do not contain the text.
  search.addEventListener("input", function () {
    var q = search.value.trim().toLowerCase();
    var first = null;
    Array.prototype.forEach.call(category.querySelectorAll("option[data-keywords]"), function (opt) {
      var show = !q || opt.getAttribute("data-keywords").toLowerCase().indexOf(q) !== -1;
      opt.hidden = !show;
      opt.disabled = !show;
      if (show && !first) first = opt;
    });
    if (q && first && (category.selectedOptions.length === 0 || category.selectedOptions[0].hidden)) {
      category.value = first.value;
      checkNearby();
    }
  });

  // The map: boundaries from the geo app, tiles only when configured.
  var map = L.map(mapEl, { zoomControl: true, attributionControl: !!mapEl.dataset.tileUrl });
  if (mapEl.dataset.tileUrl) {
    var options = { attribution: mapEl.dataset.tileAttribution || "", maxZoom: 19 };
    if (mapEl.dataset.tileSubdomains) options.subdomains = mapEl.dataset.tileSubdomains.split(",");
    L.tileLayer(mapEl.dataset.tileUrl, options).addTo(map);
  }
  map.setView([34.72, 113.62], 12);
  var marker = null;

  // With GCJ-02 tiles (MAP_TILE_CRS=gcj02) the map and the form use different
  // systems; the server converts (data-point-url is set only then).
  var pointUrl = mapEl.dataset.pointUrl;
  function convert(lat, lon, to) {
    return fetch(pointUrl + "?" + new URLSearchParams({ lon: lon, lat: lat, to: to }),
      { credentials: "same-origin" }).then(function (r) { return r.json(); });
  }

  /* The form gets WGS-84 (lat, lon); the marker goes to the map's (mapLat, mapLon). */
  function setPin(lat, lon, pan, mapLat, mapLon) {
    if (mapLat === undefined && pointUrl) {
      convert(lat, lon, "map").then(function (p) { setPin(lat, lon, pan, p.lat, p.lon); });
      return;
    }
    if (mapLat === undefined) { mapLat = lat; mapLon = lon; }
    lonInput.value = lon.toFixed(6);
    latInput.value = lat.toFixed(6);
    if (marker) marker.setLatLng([mapLat, mapLon]);
    else marker = L.marker([mapLat, mapLon]).addTo(map);
    if (pan) map.setView([mapLat, mapLon], Math.max(map.getZoom(), 16));
    status.textContent = text.pinPlaced;
    checkNearby();
  }

  fetch(mapEl.dataset.boundaries, { credentials: "same-origin" })
    .then(function (r) { return r.json(); })
    .then(function (data) {
      var layer = L.geoJSON(data, {
        style: function (f) {
          return f.properties.level === 1
            ? { color: "#0b5cad", weight: 3, fill: false }
            : { color: "#52606d", weight: 1, dashArray: "4 4", fillOpacity: 0.03 };
        },
        onEachFeature: function (f, l) { l.bindTooltip(f.properties.name, { sticky: true }); },
        interactive: false
      }).addTo(map);
      if (layer.getLayers().length) map.fitBounds(layer.getBounds());
    })
    .catch(function () { /* a map without boundaries still takes a pin */ })
    .then(function () {
      if (lonInput.value && latInput.value) setPin(parseFloat(latInput.value), parseFloat(lonInput.value), true);
      mapEl.setAttribute("data-ready", "1");
    });

  map.on("click", function (e) {
    var at = e.latlng;
    if (!pointUrl) { setPin(at.lat, at.lng, false, at.lat, at.lng); return; }
    convert(at.lat, at.lng, "wgs84").then(function (p) { setPin(p.lat, p.lon, false, at.lat, at.lng); });
  });

  document.getElementById("locate-me").addEventListener("click", function () {
    if (!navigator.geolocation) { status.textContent = text.noLocation; return; }
    navigator.geolocation.getCurrentPosition(
      function (pos) { setPin(pos.coords.latitude, pos.coords.longitude, true); },
      function () { status.textContent = text.noLocation; },
      { enableHighAccuracy: true, timeout: 10000 }
    );
  });

  // Open cases of the same kind nearby: offer to follow one instead.
  var nearby = document.getElementById("nearby");
  var list = document.getElementById("nearby-list");
  var template = document.getElementById("nearby-item");
  var pending = 0;

  function checkNearby() {
    if (!category.value || !lonInput.value || !latInput.value) { nearby.hidden = true; return; }
    var url = form.dataset.nearbyUrl + "?" + new URLSearchParams({
      category: category.value, lon: lonInput.value, lat: latInput.value
    });
    var ticket = ++pending;
    fetch(url, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : { cases: [] }; })
      .then(function (data) {
        if (ticket !== pending) return;
        list.textContent = "";
        data.cases.forEach(function (c) {
          var item = template.content.cloneNode(true);
          item.querySelector(".n-category").textContent = c.category;
          item.querySelector(".n-state").textContent = c.state;
          item.querySelector(".n-distance").textContent = c.distance_m + " " + text.metres;
          item.querySelector(".n-number").textContent = c.number;
          item.querySelector(".n-reported").textContent = c.reported;
          item.querySelector(".n-description").textContent = c.description;
          item.querySelector("button.follow").value = c.number;
          list.appendChild(item);
        });
        nearby.hidden = data.cases.length === 0;
        form.setAttribute("data-nearby-checked", String(data.cases.length));
      })
      .catch(function () { nearby.hidden = true; });
  }

  category.addEventListener("change", checkNearby);

  // Place search by name (streets, roads, crossings, compounds; never case addresses).
  var placeInput = document.getElementById("place-search");
  if (placeInput && window.PlaceSearch) {
    var addressInput = form.querySelector("input[name=address]");
    var filled = "";
    PlaceSearch.attach(placeInput, {
      url: placeInput.dataset.placeSearch,
      emptyText: placeInput.dataset.emptyText,
      onPick: function (place) {
        setPin(place.lat, place.lon, true, place.map_lat, place.map_lon);
        if (addressInput && (!addressInput.value || addressInput.value === filled)) {
          addressInput.value = place.name;
          filled = place.name;
        }
      }
    });
  }

  // Following copies the contacts typed in the report form.
  var followForm = document.getElementById("follow-form");
  followForm.addEventListener("submit", function () {
    var f = followForm;
    f.querySelector("input[name=email]").value = form.querySelector("input[name=email]").value;
    f.querySelector("input[name=phone]").value = form.querySelector("input[name=phone]").value;
  });
})();
