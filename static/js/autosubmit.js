/* A select marked data-autosubmit sends its form when changed (the Content-Security-Policy
   refuses inline handlers such as onchange="this.form.submit()"). */
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var field = event.target.closest("[data-autosubmit]");
    if (field && field.form) { field.form.requestSubmit(); }
  });
})();
