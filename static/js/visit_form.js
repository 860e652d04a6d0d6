/* The supervision visit form (portal_ciq/supervision/visit_form.html): show one more finding
   row at a time, and mark every unanswered check "OK" at once. */
(function () {
  "use strict";
  var add = document.getElementById("add-finding");
  if (add) {
    add.addEventListener("click", function () {
      var hidden = document.querySelector("[data-finding-row].d-none");
      if (hidden) { hidden.classList.remove("d-none"); }
      if (!document.querySelector("[data-finding-row].d-none")) { add.disabled = true; }
    });
  }
  var allOk = document.getElementById("all-ok");
  if (allOk) {
    allOk.addEventListener("click", function () {
      document.querySelectorAll(".check-result").forEach(function (group) {
        if (!group.querySelector("input:checked")) { group.querySelector("input[value=ok]").checked = true; }
      });
    });
  }
})();
