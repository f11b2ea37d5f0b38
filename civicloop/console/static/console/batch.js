// The batch form of the case list: show only the field the chosen action needs.
// (A static file: the Content-Security-Policy forbids inline scripts.)
(function () {
  "use strict";
  function start() {
    var form = document.getElementById("batch-form");
    if (!form) return;
    var choice = form.querySelector("select[name='action']");
    function show() {
      form.querySelectorAll(".batch-field").forEach(function (el) {
        el.hidden = el.getAttribute("data-for") !== choice.value;
      });
    }
    choice.addEventListener("change", show);
    show();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
