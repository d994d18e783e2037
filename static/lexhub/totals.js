// A long list's totals can take longer than the page may wait: the page comes without them and asks again
// (the same list with totals=wait), then puts the totals in place.
(function () {
  "use strict";
  var section = document.querySelector("section.totals[data-totals-url]");
  if (!section) { return; }
  fetch(section.getAttribute("data-totals-url"), { credentials: "same-origin" })
    .then(function (response) { return response.ok ? response.text() : Promise.reject(response.status); })
    .then(function (html) {
      var fresh = new DOMParser().parseFromString(html, "text/html").querySelector("section.totals");
      if (fresh && !fresh.hasAttribute("data-totals-url")) { section.replaceWith(fresh); }
    })
    .catch(function () { section.removeAttribute("aria-busy"); });
}());
