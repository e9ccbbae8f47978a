// Campaign pages, live: the length per channel while typing, the audience size while choosing, and the progress
// bars refreshed every 2 s while a campaign is scheduled or sending. Without this script the pages still work.
"use strict";
(function () {
  var POLL_MS = 2000;
  var DEBOUNCE_MS = 300;

  function number(n) {  // 10.000, as the server writes numbers
    return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ".");
  }

  // -- the text's length on each channel, counted as bot/broadcast/message.py counts it ------------------
  var text = document.getElementById("text");
  var counts = document.getElementById("do-dai");
  if (text && counts && text.dataset.lengths) {
    var rules = JSON.parse(text.dataset.lengths);
    var image = document.querySelector("input[name=image]");
    var updateLengths = function () {
      var value = text.value.trim();
      var names = value.split("{name}").length - 1;
      var withImage = !!(image && image.value.trim());
      counts.textContent = "";
      rules.forEach(function (rule) {
        // Telegram counts UTF-16 units (an emoji is 2), Zalo characters; every {name} is counted at the longest
        // name a subscriber can have, and the sender's footer is added.
        var units = rule.utf16 ? value.length : Array.from(value).length;
        var length = units + names * (rule.name - 6) + rule.extra;
        var limit = withImage ? rule.caption : rule.text;
        var part = document.createElement("span");
        part.className = "length" + (length > limit ? " over" : "");
        part.dataset.channel = rule.channel;
        part.textContent = rule.label + ": " + number(length) + " / " + number(limit) + " ký tự" +
          (length > limit ? " — quá " + number(length - limit) : "");
        counts.appendChild(part);
      });
      if (names) {
        var hint = document.createElement("span");
        hint.className = "muted";
        hint.textContent = "(tính {name} bằng tên dài nhất: 256 ký tự)";
        counts.appendChild(hint);
      }
    };
    text.addEventListener("input", updateLengths);
    if (image) image.addEventListener("input", updateLengths);
    updateLengths();
  }

  // -- how many the chosen audience reaches now ----------------------------------------------------------
  var choice = document.getElementById("audience");
  var free = document.getElementById("audience_free");
  var reach = document.getElementById("nguoi-nhan");
  if (choice && free && reach) {
    var timer = null;
    var asked = 0;
    var updateReach = function () {
      var expression = free.value.trim() || choice.value;
      var mine = ++asked;
      fetch("/admin/chien-dich/dem?audience=" + encodeURIComponent(expression), { credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (data) {
          if (mine !== asked) return;  // a newer question is on its way
          reach.classList.toggle("error", !!data.error);
          reach.textContent = data.error ? data.error : data.words + " — " + data.size_text + " người";
        })
        .catch(function () { reach.textContent = ""; });
    };
    var later = function () {
      clearTimeout(timer);
      timer = setTimeout(updateReach, DEBOUNCE_MS);
    };
    choice.addEventListener("change", later);
    free.addEventListener("input", later);
    updateReach();
  }

  // -- one press of a preview button: a double click must not create the campaign twice ----------------------
  var previewForm = document.getElementById("preview-form");
  if (previewForm) {
    var pressed = false;
    previewForm.addEventListener("submit", function (event) {
      if (pressed) event.preventDefault();
      pressed = true;
    });
  }

  // -- progress bars -------------------------------------------------------------------------------------
  var bars = Array.prototype.slice.call(document.querySelectorAll("[data-progress-id]"));
  function paint(item) {
    document.querySelectorAll('[data-progress-id="' + item.id + '"]').forEach(function (bar) {
      bar.dataset.live = item.live ? "1" : "0";
      item.segments.forEach(function (s) {
        var rect = bar.querySelector('rect[data-segment="' + s.key + '"]');
        if (rect) {
          rect.setAttribute("x", s.x);
          rect.setAttribute("width", s.width);
        }
        var count = bar.querySelector('[data-count="' + s.key + '"]');
        if (count) count.textContent = s.text;
        var fig = bar.querySelector('[data-fig="' + s.key + '"]');
        if (fig && s.key !== "sent" && s.key !== "waiting") fig.classList.toggle("zero", s.count === 0);
      });
      bar.querySelector('[data-field="percent"]').textContent = item.percent;
      bar.querySelector('[data-field="total"]').textContent = item.total_text;
      var svg = bar.querySelector("svg");
      if (svg) svg.setAttribute("aria-label", "Tiến độ gửi: " + item.percent + "% xong");
    });
    document.querySelectorAll('[data-status-of="' + item.id + '"]').forEach(function (label) {
      label.textContent = item.status_label;
      label.className = label.className.replace(/status-\w+/, "status-" + item.status);
    });
    // Over (sent, or cancelled elsewhere): "Hủy" no longer applies, and the occurrences shown are out of date.
    document.querySelectorAll('[data-while-live="' + item.id + '"]').forEach(function (el) { el.hidden = !item.live; });
    document.querySelectorAll('[data-once-over="' + item.id + '"]').forEach(function (el) { el.hidden = item.live; });
    Object.keys(item.counts).forEach(function (key) {
      document.querySelectorAll('[data-status-count="' + key + '"]').forEach(function (cell) {
        cell.textContent = item.counts[key];
      });
    });
  }
  function poll() {
    var live = bars.filter(function (bar) { return bar.dataset.live === "1"; });
    if (!live.length) return;
    var ids = live.map(function (bar) { return "id=" + encodeURIComponent(bar.dataset.progressId); });
    fetch("/admin/chien-dich/tien-do.json?" + ids.join("&"), { credentials: "same-origin" })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (data) { data.campaigns.forEach(paint); })
      .catch(function () {})  // a missed refresh: the next one tries again
      .then(function () { setTimeout(poll, POLL_MS); });
  }
  if (bars.length) setTimeout(poll, POLL_MS);
})();
