/* Downloads that take a while (ledger, bulletin, exports, case sheets).

   A link marked data-download is fetched in the background: the link shows
   its data-preparing text and a spinner while the server builds the file,
   then the file is saved under the name the server gives. Without script the
   link is an ordinary download. No inline script (Content-Security-Policy). */
(function () {
  "use strict";

  function filename(response, fallback) {
    var header = response.headers.get("Content-Disposition") || "";
    var found = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(header);
    return found ? decodeURIComponent(found[1]) : fallback;
  }

  function status(link) {
    var box = link.closest(".page") || document;
    return box.querySelector(".download-status");
  }

  function start(link) {
    if (link.classList.contains("preparing")) return;
    var label = link.textContent;
    var note = status(link);
    link.classList.add("preparing");
    link.setAttribute("aria-busy", "true");
    link.textContent = link.dataset.preparing || label;
    if (note) { note.hidden = false; note.textContent = link.dataset.preparing || ""; }
    var done = function (message, failed) {
      link.classList.remove("preparing");
      link.removeAttribute("aria-busy");
      link.textContent = label;
      if (note) {
        note.textContent = message || "";
        note.hidden = !message;
        note.classList.toggle("error", Boolean(failed));
      }
    };
    fetch(link.href, {credentials: "same-origin"}).then(function (response) {
      if (!response.ok) {
        // The server explains (a missing font, a bad period …): show its page.
        window.location.href = link.href;
        return null;
      }
      var name = filename(response, link.href.split("/").pop().split("?")[0]);
      return response.blob().then(function (blob) {
        var url = URL.createObjectURL(blob);
        var save = document.createElement("a");
        save.href = url;
        save.download = name;
        document.body.appendChild(save);
        save.click();
        save.remove();
        setTimeout(function () { URL.revokeObjectURL(url); }, 10000);
        done("");
      });
    }).catch(function () {
      done(link.dataset.failed || "", true);
    });
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-download]");
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey) return;
    if (!window.fetch || !window.URL || !URL.createObjectURL) return;
    event.preventDefault();
    start(link);
  });
})();
