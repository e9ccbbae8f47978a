// Requests to staff, live: new requests join the open list, new messages join a request's transcript.
// Polls a small JSON every 3 s; without this script the pages work the same, with the "Tải lại" button.
"use strict";
(function () {
  var EVERY = 3000;
  var stopped = document.getElementById("ngung-cap-nhat") || document.createElement("p");

  function cell(row, text, href) {
    var td = row.insertCell();
    if (href) {
      var a = document.createElement("a");
      a.href = href;
      a.textContent = text;
      td.appendChild(a);
    } else {
      td.textContent = text;
    }
    return td;
  }

  function requestRow(tbody, r) {
    var row = tbody.insertRow();
    row.dataset.id = r.id;
    row.className = "fresh" + (r.waiting ? " waiting" : "");
    cell(row, "#" + r.ref, r.url);
    cell(row, r.name);
    cell(row, r.channel);
    var status = cell(row, "");
    var tag = document.createElement("span");
    tag.className = "tag status-" + r.status;
    tag.textContent = r.status_label;
    status.appendChild(tag);
    if (r.assignee) { status.appendChild(document.createTextNode(" " + r.assignee)); }
    cell(row, r.opened);
    cell(row, r.last_activity);
    cell(row, r.waited);
  }

  function messageItem(list, m) {
    var item = document.createElement("li");
    item.className = "fresh from-" + m.author;
    item.dataset.id = m.id;
    var meta = document.createElement("div");
    meta.className = "meta";
    var who = document.createElement("strong");
    who.textContent = m.who;
    meta.appendChild(who);
    meta.appendChild(document.createTextNode(" · " + m.when));
    var text = document.createElement("div");
    text.className = "text";
    text.textContent = m.text;
    item.appendChild(meta);
    item.appendChild(text);
    list.appendChild(item);
  }

  // Ask `source` (a table or list with data-poll and data-after) for what is newer, hand it to `show`.
  function poll(source, show) {
    function tick() {
      fetch(source.dataset.poll + "?sau=" + encodeURIComponent(source.dataset.after), {
        headers: { "Accept": "application/json" }, credentials: "same-origin"
      }).then(function (response) {
        var json = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
        if (!response.ok || !json) { throw new Error("signed out or gone"); }
        return response.json();
      }).then(function (data) {
        show(data);
        source.dataset.after = data.last;
        stopped.hidden = true;
        window.setTimeout(tick, EVERY);
      }).catch(function () {
        // Offline, restarting, or signed out: say so, and try again less often.
        stopped.hidden = false;
        window.setTimeout(tick, EVERY * 5);
      });
    }
    window.setTimeout(tick, EVERY);
  }

  function drop(selector, root) {
    var empty = root.querySelector(selector);
    if (empty) { empty.remove(); }
  }

  var table = document.getElementById("dang-mo");
  if (table) {
    poll(table, function (data) {
      if (!data.requests.length) { return; }
      var tbody = table.tBodies[0];
      drop("tr.empty", tbody);
      data.requests.forEach(function (r) {
        if (!tbody.querySelector('tr[data-id="' + r.id + '"]')) { requestRow(tbody, r); }
      });
      document.getElementById("so-dang-mo").textContent = tbody.rows.length;
      document.getElementById("co-moi").hidden = false;
    });
  }

  var list = document.getElementById("tin-nhan");
  if (list) {
    poll(list, function (data) {
      if (data.messages.length) {
        drop("li.empty", list);
        data.messages.forEach(function (m) {
          if (!list.querySelector('li[data-id="' + m.id + '"]')) { messageItem(list, m); }
        });
        document.getElementById("tin-moi").hidden = false;
      }
      var status = document.getElementById("trang-thai");
      if (status && status.textContent !== data.status_label) {
        status.textContent = data.status_label;
        status.className = "tag status-" + data.status;
        var holder = document.getElementById("nguoi-xu-ly");
        if (holder) { holder.textContent = data.assignee || "chưa có"; }
        if (data.status === "closed") { document.getElementById("da-dong").hidden = false; }
      }
    });
  }
})();
