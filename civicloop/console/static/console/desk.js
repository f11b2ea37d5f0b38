/* Desk helpers of the console forms: a filter over long selects (the hotline form's
 * categories) and place search on the case list. No inline script: elements are
 * found by id and data- attributes on load. */
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

  function boot() {
    Array.prototype.forEach.call(document.querySelectorAll("select[data-filter-placeholder]"), filterSelect);
    var place = document.getElementById("filter-place");
    if (place) listPlaceFilter(place);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", boot);
  else boot();
})();
