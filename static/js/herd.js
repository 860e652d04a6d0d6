/* The herd pages: tag readers that act as a keyboard, ticking animals, quick entry on a phone.
   Every page works without this script; it only makes scanning and ticking faster. */
(function () {
  "use strict";

  function all(root, selector) { return Array.prototype.slice.call(root.querySelectorAll(selector)); }
  // A reader (or a Chinese input method) may send full-width digits, spaces or hyphens.
  function compact(text) { return (text || "").normalize("NFKC").replace(/[\s\-]+/g, "").toUpperCase(); }

  /* A reader types the tag and presses Enter: go to the next field instead of submitting. */
  all(document, "[data-scan-next]").forEach(function (input) {
    input.addEventListener("keydown", function (event) {
      if (event.key !== "Enter") { return; }
      event.preventDefault();
      var next = document.getElementById(input.getAttribute("data-scan-next"));
      if (next) { next.focus(); }
    });
  });

  /* A select that shows its choice at once (the button stays for browsers without script). */
  all(document, "[data-autosubmit]").forEach(function (select) {
    var form = select.form;
    all(form, "[data-autosubmit-button]").forEach(function (b) { b.hidden = true; });
    select.addEventListener("change", function () { form.submit(); });
  });

  /* The animal table: tick animals, then record something for them. */
  all(document, "form[data-selection]").forEach(function (form) {
    var boxes = all(form, "input[name=animal]");
    var bar = form.querySelector("[data-selection-bar]");
    var master = form.querySelector("[data-select-all]");
    function update() {
      var n = boxes.filter(function (b) { return b.checked; }).length;
      if (bar) {
        bar.hidden = n === 0;
        bar.querySelector("[data-selection-count]").textContent = n;
      }
      if (master) {
        master.checked = n > 0 && n === boxes.length;
        master.indeterminate = n > 0 && n < boxes.length;
      }
    }
    boxes.forEach(function (b) { b.addEventListener("change", update); });
    if (master) {
      master.addEventListener("change", function () {
        boxes.forEach(function (b) { b.checked = master.checked; });
        update();
      });
    }
    update();
  });

  /* Quick entry: scan tags to tick the pen's animals (or add animals from elsewhere). */
  var quick = document.querySelector("[data-quick]");
  if (!quick) { return; }
  var scan = quick.querySelector("[data-quick-scan]");
  var note = quick.querySelector("[data-quick-scan-note]");
  var chips = quick.querySelector("[data-quick-chips]");
  var tagsWrap = quick.querySelector("[data-quick-tags-field]");
  var tags = tagsWrap ? tagsWrap.querySelector("textarea") : null;
  var submit = quick.querySelector("[data-quick-submit]");
  var label = quick.querySelector("[data-quick-submit-label]");
  var rows = all(quick, ".quick-animal");

  function scannedTags() {
    return tags ? tags.value.split(/[\r\n,;，；]+/).map(function (t) { return t.trim(); }).filter(Boolean) : [];
  }

  function refresh() {
    var ticked = rows.filter(function (r) { return r.querySelector("input").checked; }).length;
    var n = ticked + scannedTags().length;
    rows.forEach(function (r) { r.classList.toggle("is-ticked", r.querySelector("input").checked); });
    if (!submit) { return; }
    if (n > 0) {
      label.textContent = n === 1 ? submit.getAttribute("data-label-one")
        : submit.getAttribute("data-label-some").replace("%(n)s", n);
      submit.disabled = false;
    } else if (submit.hasAttribute("data-pen-ok")) {
      label.textContent = submit.getAttribute("data-label-pen");
      submit.disabled = false;
    } else {
      label.textContent = submit.getAttribute("data-label-none");
      submit.disabled = true;
    }
  }

  function addChip(text, value) {
    value = value || text;  // what the list holds (as scanned); the chip may show the tag's code
    var chip = document.createElement("span");
    chip.className = "quick-chip";
    chip.setAttribute("data-testid", "scanned-chip");
    chip.textContent = text;
    var remove = document.createElement("button");
    remove.type = "button";
    remove.setAttribute("aria-label", "×");
    remove.textContent = "\u00d7";
    remove.addEventListener("click", function () {
      tags.value = scannedTags().filter(function (t) { return compact(t) !== compact(value); }).join("\n");
      chip.remove();
      refresh();
      scan.focus();
    });
    chip.appendChild(remove);
    chips.appendChild(chip);
  }

  function say(text, refused) {
    if (!note) { return; }
    note.hidden = false;
    note.textContent = text;
    note.classList.toggle("text-danger", !!refused);
    note.classList.toggle("text-muted", !refused);
  }

  function take(raw, code) {
    if (scannedTags().some(function (t) { return compact(t) === compact(raw); })) { return; }
    tags.value = scannedTags().concat([raw]).join("\n");
    addChip(code || raw, raw);
    refresh();
  }

  function check(raw) {
    var url = scan.getAttribute("data-check-url");
    if (!url || !window.fetch) { take(raw); say("+ " + raw); return; }
    say(scan.getAttribute("data-checking") || "…");
    fetch(url + "?tag=" + encodeURIComponent(raw), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.json(); })
      .then(function (answer) {
        if (answer.ok) {
          take(raw, answer.code);
          say("+ " + answer.code + (answer.pen ? " · " + answer.pen : ""));
        } else {
          say("✗ " + answer.error, true);
        }
      })
      .catch(function () {
        // Offline or logged out: keep the tag; saving checks it again and says why if it must.
        take(raw);
        say("+ " + raw);
      });
  }

  if (scan && tags) {
    scan.hidden = false;
    tagsWrap.hidden = tags.value.trim() === "" && !tagsWrap.querySelector(".invalid-feedback");
    scannedTags().forEach(addChip);
    scan.addEventListener("keydown", function (event) {
      if (event.key !== "Enter") { return; }
      event.preventDefault();
      var raw = scan.value.trim();
      scan.value = "";
      if (!raw) { return; }
      var key = compact(raw);
      var row = rows.filter(function (r) {
        return r.getAttribute("data-code") === key || (r.getAttribute("data-rfid") && r.getAttribute("data-rfid") === key);
      })[0];
      if (row) {
        var box = row.querySelector("input");
        box.checked = true;
        row.classList.remove("is-flash");
        void row.offsetWidth;  // restart the flash
        row.classList.add("is-flash");
        row.scrollIntoView({ block: "nearest" });
        say("✓ " + row.querySelector(".tag-code").textContent);
      } else if (scannedTags().some(function (t) { return compact(t) === key; })) {
        say("✓ " + raw);
      } else {
        // Not in this pen: ask the server (the same check as saving) before taking it into the
        // list, so that an unknown tag is refused now rather than after submitting.
        check(raw);
        return;
      }
      refresh();
    });
  }

  // A reader "types" into whatever has the focus: with none, its keys go to the scan field.
  if (scan) {
    document.addEventListener("keydown", function (event) {
      var target = event.target;
      var idle = target === document.body || target === document.documentElement || (target.type === "checkbox");
      if (idle && !scan.hidden && event.key.length === 1 && /[0-9A-Za-z]/.test(event.key) && !event.ctrlKey && !event.metaKey) {
        scan.focus();
      }
    });
  }

  rows.forEach(function (r) { r.querySelector("input").addEventListener("change", refresh); });
  var allButton = quick.querySelector("[data-quick-all]");
  var noneButton = quick.querySelector("[data-quick-none]");
  if (allButton) {
    allButton.addEventListener("click", function () { rows.forEach(function (r) { r.querySelector("input").checked = true; }); refresh(); });
  }
  if (noneButton) {
    noneButton.addEventListener("click", function () { rows.forEach(function (r) { r.querySelector("input").checked = false; }); refresh(); });
  }
  if (tags) { tags.addEventListener("input", refresh); }
  refresh();
})();
