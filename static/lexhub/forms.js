// A form sent back with errors: focus its first invalid field, so keyboard and screen-reader users start there.
(function () {
  "use strict";
  var invalid = document.querySelector("main [aria-invalid=true]");
  if (invalid) { invalid.focus(); }
}());
