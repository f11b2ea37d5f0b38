// Small behaviours every page may use, without inline script or style (the
// Content-Security-Policy allows neither):
//   <select data-autosubmit>        submits its form when changed
//   <span data-width="42">           is drawn 42 % wide (progress bars)
//   <input type=checkbox data-check-all="items">  ticks every input[name=items]
//   <button data-print>              prints the page
(function () {
  "use strict";
  function start() {
    document.querySelectorAll("[data-width]").forEach(function (el) {
      var value = parseFloat(el.getAttribute("data-width"));
      if (!isNaN(value)) el.style.width = Math.max(0, Math.min(100, value)) + "%";
    });
    document.querySelectorAll("[data-autosubmit]").forEach(function (el) {
      el.addEventListener("change", function () { if (el.form) el.form.submit(); });
    });
    document.querySelectorAll("[data-print]").forEach(function (el) {
      el.addEventListener("click", function () { window.print(); });
    });
    document.querySelectorAll("[data-check-all]").forEach(function (box) {
      box.addEventListener("change", function () {
        var name = box.getAttribute("data-check-all");
        document.querySelectorAll("input[name='" + name + "']").forEach(function (b) {
          b.checked = box.checked;
        });
      });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
