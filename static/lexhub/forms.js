// A form sent back with errors: focus its first invalid field, so keyboard and screen-reader users start there.
(function () {
  "use strict";
  var invalid = document.querySelector("main [aria-invalid=true]");
  if (invalid) { invalid.focus(); }
  // On a phone the list's filters fold away unless one is in use; the rows come first.
  if (window.matchMedia("(max-width: 640px)").matches) {
    document.querySelectorAll("details.filter-fold:not([data-active])").forEach(function (d) { d.open = false; });
  }
}());
