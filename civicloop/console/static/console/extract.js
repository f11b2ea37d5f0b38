// The confirm page of drafts (console/sv/extract.html). The page works without this file:
// here a changed lead unit reloads the drafts at once, so the people offered are that unit's.
(function () {
  "use strict";
  const form = document.getElementById("extract-form");
  const refresh = document.getElementById("refresh-go");
  if (!form || !refresh) return;
  form.querySelectorAll("select.lead-unit").forEach((select) => {
    select.addEventListener("change", () => form.requestSubmit(refresh));
  });
})();
