// Voucher form: add item rows, show the items' sums and warn when the totals do not match them.
(function () {
  "use strict";
  var form = document.querySelector("form.voucher-form");
  if (!form) { return; }
  var items = document.getElementById("voucher-items");
  var template = document.getElementById("voucher-item-template");
  var total = form.querySelector("[name=items-TOTAL_FORMS]");
  var add = document.getElementById("add-item");
  var out = document.getElementById("items-sum");

  function number(input) {
    var value = parseFloat((input && input.value || "").replace(",", "."));
    return isNaN(value) ? null : value;
  }

  function cents(value) { return Math.round(value * 100); }

  function recompute() {
    var gross = form.querySelector("[name=tax_type]").value === "gross";
    var sumGross = 0, sumTax = 0, count = 0;
    items.querySelectorAll("[data-item]").forEach(function (row) {
      var amount = number(row.querySelector("[name$=-amount]"));
      var tax = number(row.querySelector("[name$=-tax_amount]"));
      if (amount === null) { return; }
      count += 1;
      sumTax += tax || 0;
      sumGross += gross ? amount : amount + (tax || 0);
    });
    if (!count) { out.textContent = ""; return; }
    var text = "Items: gross " + sumGross.toFixed(2) + ", tax " + sumTax.toFixed(2) + ".";
    var declaredGross = number(form.querySelector("[name=total_gross]"));
    var declaredTax = number(form.querySelector("[name=total_tax]"));
    if ((declaredGross !== null && cents(declaredGross) !== cents(sumGross)) ||
        (declaredTax !== null && cents(declaredTax) !== cents(sumTax))) {
      text += " The totals do not match the items.";
      out.className = "error";
    } else {
      out.className = "muted";
    }
    out.textContent = text;
  }

  add.hidden = false;
  add.addEventListener("click", function () {
    var index = parseInt(total.value, 10);
    var html = template.innerHTML.replace(/__prefix__/g, String(index)).replace(/__number__/g, String(index + 1));
    items.insertAdjacentHTML("beforeend", html);
    total.value = String(index + 1);
    var first = items.lastElementChild.querySelector("input, select");
    if (first) { first.focus(); }
  });
  form.addEventListener("input", recompute);
  form.addEventListener("change", recompute);
  recompute();
})();
