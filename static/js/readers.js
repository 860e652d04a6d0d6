/* The readers' live pages: what htmx alone does not do.
 *
 * - Keep at most data-max-rows rows in a live feed (a busy gate reader would otherwise grow the
 *   page without end while it stays open).
 * - Grey the "live" dot while polls fail, so a stale screen does not pass for a quiet reader.
 * - A poll answered by the log-in page (the session ended) reloads the page instead of
 *   swapping the log-in form into the table.
 * - Copy buttons for the secret and the bridge's settings; confirm before revoking.
 *
 * Included by every page that shows a live feed, possibly more than once: it installs itself once.
 */
(function () {
  "use strict";
  if (window.readersLive) return;
  window.readersLive = true;

  var POLL = "[data-reader-poll]";

  function trim(root) {
    root.querySelectorAll("tbody[data-max-rows]").forEach(function (body) {
      var max = parseInt(body.dataset.maxRows, 10) || 500;
      var rows = body.querySelectorAll("tr[data-read], tr.read-gap");
      for (var i = rows.length - 1; i >= max; i--) rows[i].remove();
    });
  }

  function liveDot(elt, lost) {
    var feed = elt.closest(".reader-feed");
    var dot = feed && feed.querySelector(".feed-live");
    if (dot) dot.classList.toggle("feed-lost", lost);
  }

  document.addEventListener("htmx:beforeSwap", function (evt) {
    if (!evt.target.matches || !evt.target.matches(POLL)) return;
    var xhr = evt.detail.xhr;
    var asked = new URL(evt.detail.requestConfig.path, window.location.href).pathname;
    if (xhr && xhr.responseURL && new URL(xhr.responseURL).pathname !== asked) {
      evt.detail.shouldSwap = false;
      window.location.reload();
    }
  });

  document.addEventListener("htmx:afterSettle", function (evt) {
    if (!evt.target.matches || !evt.target.matches(POLL)) return;
    liveDot(evt.target, false);
    trim(document);
  });

  ["htmx:sendError", "htmx:responseError", "htmx:timeout"].forEach(function (name) {
    document.addEventListener(name, function (evt) {
      if (evt.target.matches && evt.target.matches(POLL)) liveDot(evt.target, true);
    });
  });

  document.addEventListener("click", function (evt) {
    var button = evt.target.closest("[data-copy]");
    if (!button) return;
    var source = document.querySelector(button.dataset.copy);
    if (!source) return;
    var text = source.value !== undefined ? source.value : source.textContent;
    var done = function () {
      button.classList.add("btn-success");
      setTimeout(function () { button.classList.remove("btn-success"); }, 1200);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done);
    } else {
      // Without a secure context there is no clipboard API: select the text for Ctrl+C.
      var range = document.createRange();
      range.selectNodeContents(source);
      if (source.select) source.select();
      else { window.getSelection().removeAllRanges(); window.getSelection().addRange(range); }
    }
  });

  document.addEventListener("submit", function (evt) {
    var form = evt.target;
    if (form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) evt.preventDefault();
  });
})();
