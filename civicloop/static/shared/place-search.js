/* Place search as you type: a debounced, keyboard-navigable dropdown under a text input.
 *
 * Used by the console (hotline form, case list, dashboard map) and the portal's
 * report form. The endpoint answers {"results": [{name, kind, kind_label, lon, lat,
 * map_lon, map_lat, context}]}. No inline script: pages mark their inputs with
 * data-place-search="<url>" and listen for the "place:pick" event, or call
 * PlaceSearch.attach(input, {url, onPick}).
 */
(function () {
  "use strict";

  var DELAY_MS = 200;
  var counter = 0;

  function attach(input, options) {
    if (!input || input.dataset.placeSearchReady) return null;
    input.dataset.placeSearchReady = "1";
    var url = options.url || input.dataset.placeSearch;
    var minChars = options.minChars || 1;
    var id = "place-results-" + (++counter);
    var list = document.createElement("ul");
    list.id = id;
    list.className = "place-results";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    var wrap = document.createElement("div");
    wrap.className = "place-search";
    input.parentNode.insertBefore(wrap, input);
    wrap.appendChild(input);
    wrap.appendChild(list);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", id);
    input.setAttribute("autocomplete", "off");

    var timer = null, seq = 0, results = [], active = -1;

    function close() {
      clearTimeout(timer);
      seq++;  // answers still on their way are dropped
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(i) {
      var items = list.children;
      if (!items.length) return;
      active = (i + items.length) % items.length;
      for (var k = 0; k < items.length; k++) {
        items[k].classList.toggle("active", k === active);
        items[k].setAttribute("aria-selected", k === active ? "true" : "false");
      }
      input.setAttribute("aria-activedescendant", items[active].id);
      items[active].scrollIntoView({ block: "nearest" });
    }

    function pick(i) {
      var place = results[i];
      if (!place) return;
      close();
      if (options.fillInput !== false) input.value = place.name;
      if (options.onPick) options.onPick(place);
      input.dispatchEvent(new CustomEvent("place:pick", { bubbles: true, detail: place }));
    }

    function render(data) {
      results = data.results || [];
      list.textContent = "";
      results.forEach(function (place, i) {
        var li = document.createElement("li");
        li.id = id + "-" + i;
        li.className = "place-item kind-" + place.kind;
        li.setAttribute("role", "option");
        li.dataset.kind = place.kind;
        var name = document.createElement("span");
        name.className = "place-name";
        name.textContent = place.name;
        var kind = document.createElement("span");
        kind.className = "place-kind";
        kind.textContent = place.kind_label;
        li.appendChild(name);
        li.appendChild(kind);
        if (place.context) {
          var ctx = document.createElement("span");
          ctx.className = "place-context";
          ctx.textContent = place.context;
          li.appendChild(ctx);
        }
        // mousedown, not click: it runs before the input's blur closes the list.
        li.addEventListener("mousedown", function (e) { e.preventDefault(); pick(i); });
        list.appendChild(li);
      });
      if (!results.length && options.emptyText) {
        var none = document.createElement("li");
        none.className = "place-none";
        none.textContent = options.emptyText;
        list.appendChild(none);
      }
      list.hidden = !list.children.length;
      input.setAttribute("aria-expanded", list.hidden ? "false" : "true");
      active = -1;
      if (results.length) highlight(0);
    }

    function query() {
      var q = input.value.trim();
      if (q.length < minChars) { close(); return; }
      var mine = ++seq;
      fetch(url + (url.indexOf("?") >= 0 ? "&" : "?") + "q=" + encodeURIComponent(q.slice(0, 50)),
        { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : { results: [] }; })
        .then(function (data) { if (mine === seq && document.activeElement === input) render(data); })
        .catch(function () { if (mine === seq) close(); });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(query, DELAY_MS);
    });
    input.addEventListener("keydown", function (e) {
      if (list.hidden) {
        if (e.key === "ArrowDown" && input.value.trim()) { query(); e.preventDefault(); }
        return;
      }
      if (e.key === "ArrowDown") { highlight(active + 1); e.preventDefault(); }
      else if (e.key === "ArrowUp") { highlight(active - 1); e.preventDefault(); }
      else if (e.key === "Enter") { if (active >= 0) { pick(active); e.preventDefault(); } }
      else if (e.key === "Escape") { close(); e.preventDefault(); }
    });
    input.addEventListener("blur", function () { setTimeout(close, 100); });
    return { close: close, query: query };
  }

  window.PlaceSearch = { attach: attach };
})();
