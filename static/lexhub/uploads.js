// Drag-and-drop uploads: each file goes in its own request with its own progress bar and outcome.
// Enhances a form[data-xhr-upload] that works without this script (plain multipart POST).
(function () {
  "use strict";
  // The page's words in its language (templates/includes/upload_texts.html); English if the block is missing.
  var TEXTS = (function () {
    var block = document.getElementById("upload-texts");
    try { return block ? JSON.parse(block.textContent) : {}; } catch (ignored) { return {}; }
  }());
  function t(key, english) { return TEXTS[key] || english; }
  var LABELS = {uploading: t("uploading", "Uploading…"), pending: t("pending", "Waiting to upload"),
                uploaded: t("uploaded", "Uploaded, waiting for the voucher"), linked: t("linked", "Voucher created"),
                failed: t("failed", "Failed"), rejected: t("rejected", "Rejected"), duplicate: t("duplicate", "Duplicate")};
  var FOLLOW = {pending: true, uploaded: true};

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text) { node.textContent = text; }
    return node;
  }

  function newRow(list, name) {
    var li = el("li", "upload");
    var bar = el("progress");
    bar.max = 100;
    bar.value = 0;
    bar.setAttribute("aria-label", t("upload_of", "Upload of {name}").replace("{name}", name));
    li.appendChild(el("span", "upload-name", name));
    li.appendChild(bar);
    li.appendChild(el("span", "upload-state"));
    li.appendChild(el("span", "upload-voucher"));
    var error = el("span", "upload-error");
    error.hidden = true;
    li.appendChild(error);
    list.insertBefore(li, list.firstChild);
    var empty = document.querySelector("[data-empty]");
    if (empty) { empty.hidden = true; }
    show(li, {state: "uploading"});
    return li;
  }

  function link(href, text) {
    var a = el("a", "", text);
    a.href = href;
    return a;
  }

  function show(li, outcome) {
    li.setAttribute("data-state", outcome.state);
    if (outcome.id) { li.setAttribute("data-upload-id", outcome.id); }
    li.querySelector(".upload-state").textContent = (outcome.label || LABELS[outcome.state] || outcome.state) +
      (outcome.note ? " (" + outcome.note + ")" : "");
    var voucher = li.querySelector(".upload-voucher");
    voucher.textContent = "";
    if (outcome.voucher_url && outcome.state !== "duplicate") {
      voucher.appendChild(link(outcome.voucher_url, outcome.voucher_label || "Beleg"));
    }
    var error = li.querySelector(".upload-error");
    error.textContent = outcome.error || "";
    if (outcome.existing_url) {
      error.appendChild(document.createTextNode(" "));
      error.appendChild(link(outcome.existing_url, outcome.voucher_label || "existing voucher"));
    }
    error.hidden = !outcome.error;
    if (outcome.state !== "uploading") { li.querySelector("progress").value = 100; }
  }

  function fields(form) {
    var data = new FormData();
    form.querySelectorAll("input, select").forEach(function (input) {
      if (!input.name || input.type === "file" || ((input.type === "checkbox" || input.type === "radio") && !input.checked)) {
        return;
      }
      data.append(input.name, input.value);
    });
    return data;
  }

  function offerForce(li, again) {
    var button = el("button", "upload-force", t("upload_anyway", "Upload anyway"));
    button.type = "button";
    button.addEventListener("click", function () {
      li.parentNode.removeChild(li);
      again();
    });
    li.querySelector(".upload-error").appendChild(document.createTextNode(" "));
    li.querySelector(".upload-error").appendChild(button);
  }

  function send(form, list, file, done, force) {
    var li = newRow(list, file.name);
    var max = parseInt(form.getAttribute("data-max-bytes") || "0", 10);
    if (max && file.size > max) {  // the server refuses it too; spare the transfer
      show(li, {state: "rejected", error: t("too_large", "The file is larger than 20 MB, the most Lexhub accepts.")});
      return;
    }
    if (file.size === 0) {
      show(li, {state: "rejected", error: t("empty", "The file is empty.")});
      return;
    }
    var data = fields(form);
    if (force) { data.set("force", "on"); }
    data.append(form.getAttribute("data-field") || "file", file, file.name);
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.setRequestHeader("X-CSRFToken", form.querySelector("[name=csrfmiddlewaretoken]").value);
    xhr.upload.addEventListener("progress", function (event) {
      if (event.lengthComputable) { li.querySelector("progress").value = Math.round(100 * event.loaded / event.total); }
    });
    xhr.addEventListener("load", function () {
      var body = null;
      try { body = JSON.parse(xhr.responseText); } catch (ignored) { body = null; }
      var outcome = body && body.uploads && body.uploads[0];
      if (!outcome) {
        var reason = (body && body.error) || t("server_answered", "The server answered {status}.").replace("{status}", xhr.status);
        if (xhr.status === 403) { reason = t("expired", "The page has expired; reload it and try again."); }
        if (/\/accounts\/login\//.test(xhr.responseURL || "")) { reason = t("logged_out", "Your session has ended; log in again."); }
        outcome = {state: xhr.status >= 400 && xhr.status < 500 ? "rejected" : "failed", error: reason};
      }
      show(li, outcome);
      if (outcome.state === "duplicate") {
        offerForce(li, function () { send(form, list, file, done, true); });
      }
      done();
    });
    xhr.addEventListener("error", function () {
      show(li, {state: "failed", error: t("lost", "The connection was lost; please try again.")});
    });
    xhr.send(data);
  }

  function follower(form, list) {
    var url = form.getAttribute("data-status-url");
    var timer = null;
    function pending() {
      return Array.prototype.filter.call(list.querySelectorAll("li.upload[data-upload-id]"), function (li) {
        return FOLLOW[li.getAttribute("data-state")];
      });
    }
    function poll() {
      var rows = pending();
      if (!rows.length) { clearInterval(timer); timer = null; return; }
      if (document.hidden) { return; }
      var ids = rows.map(function (li) { return li.getAttribute("data-upload-id"); });
      fetch(url + "?ids=" + ids.join(","), {credentials: "same-origin", headers: {"Accept": "application/json"}})
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (body) {
          (body && body.uploads || []).forEach(function (outcome) {
            var li = list.querySelector('li.upload[data-upload-id="' + outcome.id + '"]');
            if (li) { show(li, outcome); }
          });
        })
        .catch(function () { /* try again on the next tick */ });
    }
    document.addEventListener("visibilitychange", function () { if (timer) { poll(); } });
    return function () {
      if (url && !timer && pending().length) { timer = setInterval(poll, 2000); }
    };
  }

  function enhance(form) {
    var list = document.getElementById(form.getAttribute("data-list") || "uploads");
    var input = form.querySelector("input[type=file]");
    var zone = form.querySelector("[data-dropzone]");
    var follow = follower(form, list);
    function sendAll(files) {
      Array.prototype.forEach.call(files, function (file) { send(form, list, file, follow); });
    }
    form.querySelectorAll("[data-without-script]").forEach(function (button) { button.hidden = true; });
    input.addEventListener("change", function () {
      sendAll(input.files);
      input.value = "";
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      sendAll(input.files);
      input.value = "";
    });
    if (zone) {
      ["dragenter", "dragover"].forEach(function (type) {
        zone.addEventListener(type, function (event) { event.preventDefault(); zone.classList.add("over"); });
      });
      ["dragleave", "drop"].forEach(function (type) {
        zone.addEventListener(type, function () { zone.classList.remove("over"); });
      });
      zone.addEventListener("drop", function (event) {
        event.preventDefault();
        if (event.dataTransfer && event.dataTransfer.files) { sendAll(event.dataTransfer.files); }
      });
    }
    follow();
  }

  document.querySelectorAll("form[data-xhr-upload]").forEach(enhance);
})();
