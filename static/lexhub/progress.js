// Live sync progress: poll the run's status while the tab is visible; stop when it is finished.
(function () {
  "use strict";
  function watch(box) {
    var url = box.getAttribute("data-status-url");
    var bar = box.querySelector("progress");
    var timer = null;
    function show(run) {
      bar.value = run.percent;
      bar.textContent = run.percent + "%";
      ["state", "phase", "done", "total", "requests", "errors", "percent"].forEach(function (name) {
        var el = box.querySelector('[data-field="' + name + '"]');
        var value = run[name + "_label"] !== undefined ? run[name + "_label"] : run[name];  // words, not codes
        if (el) { el.textContent = value === "" ? (box.getAttribute("data-waiting") || "waiting") : value; }
      });
      box.setAttribute("data-state", run.state);
    }
    function poll() {
      if (document.hidden) { return; }
      fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (run) {
          if (!run) { return; }
          show(run);
          if (run.finished) { clearInterval(timer); }
        })
        .catch(function () { /* try again on the next tick */ });
    }
    timer = setInterval(poll, 1000);
    document.addEventListener("visibilitychange", poll);
    poll();
  }
  document.querySelectorAll("[data-status-url]").forEach(watch);
})();
