// Live character counts beside the fields with a limit; the page works the same without this script.
"use strict";
(function () {
  function counter(field, limit, measure) {
    var out = document.createElement("span");
    out.className = "count";
    field.insertAdjacentElement("afterend", out);
    function update() {
      var n = measure(field.value);
      out.textContent = n + " / " + limit + " ký tự";
      out.classList.toggle("over", n > limit);
    }
    field.addEventListener("input", update);
    update();
  }
  document.querySelectorAll("[data-count]").forEach(function (field) {
    counter(field, Number(field.dataset.count), function (v) { return v.trim().length; });
  });
  document.querySelectorAll("[data-count-first]").forEach(function (field) {
    counter(field, Number(field.dataset.countFirst), function (v) {
      return v.trim().split(/\n[ \t]*\n/)[0].trim().length;
    });
  });
})();
