/* Desk helpers of the console forms: a filter over long selects (the hotline form's
 * categories, the dispatch desk's units, the inspectors), place search on the case
 * list, the hotline's duplicates before saving, the dispatch desk's override reason
 * and the filing desk's standards. No inline script: elements are found by id and
 * data- attributes on load. */
(function () {
  "use strict";

  /* A search box in front of a <select>: hides options whose text lacks the words typed. */
  function filterSelect(select) {
    var input = document.createElement("input");
    input.type = "search";
    input.className = "select-filter";
    input.id = select.id + "_filter";
    input.placeholder = select.dataset.filterPlaceholder || "";
    input.setAttribute("aria-label", select.dataset.filterPlaceholder || "");
    input.setAttribute("autocomplete", "off");
    select.parentNode.insertBefore(input, select);
    var options = Array.prototype.slice.call(select.options);
    var count = document.createElement("span");
    count.className = "muted small select-filter-count";
    count.setAttribute("aria-live", "polite");
    select.parentNode.insertBefore(count, select.nextSibling);
    function apply() {
      var words = input.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
      var first = null, shown = 0;
      options.forEach(function (opt) {
        if (!opt.value) return;
        var text = (opt.text + " " + (opt.dataset.keywords || "")).toLowerCase();
        var ok = words.every(function (w) { return text.indexOf(w) >= 0; });
        opt.hidden = !ok;
        opt.disabled = !ok;
        if (ok) { shown++; if (!first) first = opt; }
      });
      Array.prototype.forEach.call(select.querySelectorAll("optgroup"), function (group) {
        group.hidden = !Array.prototype.some.call(group.children, function (o) { return !o.hidden; });
      });
      count.textContent = words.length ? shown + " / " + (options.length - 1) : "";
      var current = select.selectedOptions[0];
      if (words.length && first && (!current || !current.value || current.hidden)) {
        select.value = first.value;
        select.dispatchEvent(new Event("change", { bubbles: true }));
      }
    }
    input.addEventListener("input", apply);
    input.addEventListener("keydown", function (e) {
      if (e.key === "Enter") { e.preventDefault(); select.focus(); }
    });
  }

  /* The case list: pick a place to filter by it (street, community, road, section, cell),
   * or by the text of an address or compound. */
  function listPlaceFilter(input) {
    var form = input.form;
    if (!form || !window.PlaceSearch) return;
    var FIELDS = { street: "street", community: "community", road: "road", section: "section", cell: "cell" };
    PlaceSearch.attach(input, {
      url: input.dataset.placeSearch,
      onPick: function (place) {
        ["street", "community", "road", "section", "cell"].forEach(function (name) {
          var el = form.elements[name];
          if (el) el.value = "";
        });
        var field = FIELDS[place.kind];
        if (field && place.ref && form.elements[field]) {
          form.elements[field].value = String(place.ref);
        } else if (form.elements.q) {
          form.elements.q.value = place.name;
        }
        input.value = "";
        form.submit();
      },
    });
  }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  /* The hotline form: as the category and the point are chosen, the open cases of that
   * category nearby (the server's one duplicate search), each with "follow this case
   * instead" (posts the caller's phone to the follow action). */
  function hotlineDuplicates(form) {
    var panel = document.getElementById("hotline-duplicates");
    var list = document.getElementById("hotline-duplicates-list");
    var category = form.elements.category, lon = form.elements.lon, lat = form.elements.lat;
    if (!panel || !list || !category || !lon || !lat) return;
    var timer = null, asked = "";
    function render(results) {
      list.textContent = "";
      panel.hidden = !results.length;
      panel.dataset.count = String(results.length);
      results.forEach(function (c) {
        var li = el("li", "duplicate");
        li.dataset.case = String(c.id);
        var link = el("a", "mono", c.number);
        link.href = c.url;
        link.target = "_blank";
        li.appendChild(link);
        li.appendChild(el("span", "", " " + c.state_label + " · " + c.distance_m + " m · " + c.reported_at));
        if (c.address || c.description) li.appendChild(el("div", "muted small", [c.address, c.description].filter(Boolean).join(" — ")));
        var follow = el("form", "inline");
        follow.method = "post";
        follow.action = c.follow_url;
        var token = form.elements.csrfmiddlewaretoken;
        var hidden = el("input");
        hidden.type = "hidden"; hidden.name = "csrfmiddlewaretoken"; hidden.value = token ? token.value : "";
        follow.appendChild(hidden);
        var phone = el("input");
        phone.type = "hidden"; phone.name = "reporter_phone";
        follow.appendChild(phone);
        var button = el("button", "btn small follow-instead", panel.dataset.followLabel || "Follow");
        button.type = "submit";
        follow.appendChild(button);
        follow.addEventListener("submit", function (e) {
          var given = form.elements.reporter_phone ? form.elements.reporter_phone.value.trim() : "";
          if (!given) {
            e.preventDefault();
            var note = document.getElementById("hotline-duplicates-phone");
            if (note) note.hidden = false;
            if (form.elements.reporter_phone) form.elements.reporter_phone.focus();
            return;
          }
          phone.value = given;
        });
        li.appendChild(follow);
        list.appendChild(li);
      });
    }
    function ask() {
      if (!category.value || !lon.value || !lat.value) { render([]); return; }
      var query = "category=" + encodeURIComponent(category.value) + "&lon=" + encodeURIComponent(lon.value) +
        "&lat=" + encodeURIComponent(lat.value);
      if (query === asked) return;
      asked = query;
      fetch(panel.dataset.url + "?" + query, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : { results: [] }; })
        .then(function (data) { if (query === asked) render(data.results || []); })
        .catch(function () { render([]); });
    }
    function soon() { clearTimeout(timer); timer = setTimeout(ask, 250); }
    [category, lon, lat].forEach(function (input) {
      input.addEventListener("change", soon);
      input.addEventListener("input", soon);
    });
    ask();
  }

  /* The dispatch desk: another unit than the suggestion needs a reason (the action checks
   * it too); the reason field is marked required and the note shown. */
  function dispatchDesk(select) {
    var form = select.form;
    var proposed = select.dataset.proposed || "";
    var reason = form && form.querySelector("textarea[name$='reason']");
    var needed = document.getElementById("dispatch-reason-needed");
    function update() {
      var other = Boolean(proposed) && Boolean(select.value) && select.value !== proposed;
      if (needed) needed.hidden = !other;
      if (reason) {
        reason.required = other;
        reason.closest(".field").classList.toggle("needed", other);
      }
    }
    select.addEventListener("change", update);
    update();
  }

  /* The filing desk: the category's standards with their wording and limits; they are
   * reloaded when the category changes, and the chosen one is described below. */
  function filingDesk(standard) {
    var form = standard.form;
    var category = form && form.querySelector("select[data-standards-for='" + standard.id + "']");
    var detail = document.getElementById(standard.id + "-detail");
    var field = standard.closest(".field");
    if (detail && field) field.appendChild(detail);  /* right under the choice */
    function describe() {
      if (!detail) return;
      var opt = standard.selectedOptions[0];
      detail.textContent = "";
      if (!opt || !opt.value) opt = standard.options[1];
      if (!opt) return;
      if (opt.dataset.condition) detail.appendChild(el("div", "", (detail.dataset.condition || "") + opt.dataset.condition));
      if (opt.dataset.closure) detail.appendChild(el("div", "", (detail.dataset.closure || "") + opt.dataset.closure));
      if (opt.dataset.applies) detail.appendChild(el("div", "", (detail.dataset.applies || "") + opt.dataset.applies));
    }
    function reload() {
      if (!category || !category.value) return;
      var url = standard.dataset.url + "?category=" + encodeURIComponent(category.value) +
        (standard.dataset.case ? "&case=" + encodeURIComponent(standard.dataset.case) : "");
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          if (!data) return;
          var first = standard.options[0];
          standard.textContent = "";
          standard.appendChild(first);
          data.standards.forEach(function (s) {
            var opt = el("option", "", s.label);
            opt.value = s.code;
            opt.dataset.condition = s.condition;
            opt.dataset.closure = s.closure;
            opt.dataset.applies = s.applies;
            standard.appendChild(opt);
          });
          standard.value = "";
          describe();
        });
    }
    standard.addEventListener("change", describe);
    if (category) category.addEventListener("change", reload);
    describe();
  }

  function boot() {
    Array.prototype.forEach.call(document.querySelectorAll("select[data-filter-placeholder]"), filterSelect);
    var place = document.getElementById("filter-place");
    if (place) listPlaceFilter(place);
    var report = document.getElementById("report-form");
    if (report && document.getElementById("hotline-duplicates")) hotlineDuplicates(report);
    Array.prototype.forEach.call(document.querySelectorAll("select[data-proposed]"), dispatchDesk);
    var standard = document.getElementById("file-standard");
    if (standard) filingDesk(standard);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", boot);
  else boot();
})();
