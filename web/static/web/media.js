/* The media library: the upload form sends its files with XHR so that a progress bar shows
   how much has been sent (fetch reports no upload progress), then lists each file as
   uploaded or refused with the server's reason; and any row (or asset page) still being
   analysed is polled until its analysis is ready. Without JavaScript the form posts and the
   answer is a page with messages; an analysing asset's page then needs a reload. */
(function () {
  "use strict";
  var script = document.currentScript;
  var statusUrl = script && script.getAttribute("data-status-url");

  var form = document.getElementById("upload-form");
  if (form && window.XMLHttpRequest && window.FormData) {
    var box = document.getElementById("upload-progress");
    var bar = document.getElementById("upload-bar");
    var percent = document.getElementById("upload-percent");
    var list = document.getElementById("upload-results");
    var button = form.querySelector("button[type=submit]");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.setRequestHeader("Accept", "application/json");
      box.hidden = false;
      bar.value = 0;
      percent.textContent = "0%";
      list.textContent = "";
      button.disabled = true;
      xhr.upload.addEventListener("progress", function (e) {
        if (!e.lengthComputable) return;
        var done = Math.round((e.loaded / e.total) * 100);
        bar.value = done;
        bar.textContent = done + "%";
        percent.textContent = done + "%";
      });
      xhr.addEventListener("load", function () {
        button.disabled = false;
        var answer = null;
        try { answer = JSON.parse(xhr.responseText); } catch (err) { answer = null; }
        if (!answer) {
          add("error", "The upload failed (" + xhr.status + "). Try again.");
          return;
        }
        bar.value = 100;
        percent.textContent = "Done";
        (answer.uploaded || []).forEach(function (item) {
          add("ok", item.filename + ": uploaded; the analysis follows.", item.url);
        });
        (answer.rejected || []).forEach(function (item) {
          add("error", (item.filename ? item.filename + ": " : "") + item.message);
        });
        if ((answer.uploaded || []).length) {
          // The new rows appear in the list (and are then polled like the others).
          setTimeout(function () { window.location.reload(); }, 1500);
        }
      });
      xhr.addEventListener("error", function () {
        button.disabled = false;
        add("error", "The connection broke during the upload. Try again.");
      });
      xhr.send(new FormData(form));
    });
  }

  function add(kind, text, url) {
    var item = document.createElement("li");
    item.className = "upload-" + kind;
    if (url) {
      var link = document.createElement("a");
      link.href = url;
      link.textContent = text;
      item.appendChild(link);
    } else {
      item.textContent = text;
    }
    list.appendChild(item);
  }

  // Polling: rows and asset pages whose analysis is still running.
  function pending() {
    return Array.prototype.slice.call(document.querySelectorAll('[data-asset][data-status="analyzing"]'));
  }
  if (!statusUrl || !pending().length) return;
  var delay = 2000;
  function poll() {
    var nodes = pending();
    if (!nodes.length) return;
    var ids = nodes.map(function (n) { return n.getAttribute("data-asset"); });
    var request = new XMLHttpRequest();
    request.open("GET", statusUrl + "?ids=" + encodeURIComponent(ids.join(",")));
    request.setRequestHeader("Accept", "application/json");
    request.addEventListener("load", function () {
      var data = null;
      try { data = JSON.parse(request.responseText); } catch (err) { data = null; }
      var reload = false;
      ((data && data.assets) || []).forEach(function (asset) {
        if (asset.status === "analyzing") return;
        document.querySelectorAll('[data-asset="' + asset.id + '"]').forEach(function (node) {
          node.setAttribute("data-status", asset.status);
          var badge = node.querySelector("[data-badge]");
          if (badge) {
            badge.textContent = asset.status_label;
            badge.className = "badge status-" + asset.status;
          }
          var cell = node.querySelector(".media-analysis");
          if (cell) {
            cell.textContent = "";
            if (asset.description) {
              var desc = document.createElement("span");
              desc.className = "desc";
              desc.textContent = asset.description.length > 140 ? asset.description.slice(0, 139) + "…" : asset.description;
              cell.appendChild(desc);
            }
            (asset.tags || []).forEach(function (tag) {
              var t = document.createElement("span");
              t.className = "tag";
              t.textContent = tag;
              cell.appendChild(t);
              cell.appendChild(document.createTextNode(" "));
            });
          }
          if (node.id === "asset") reload = true;  // the asset page renders its full analysis
        });
      });
      if (reload) { window.location.reload(); return; }
      delay = Math.min(delay * 1.5, 15000);
      setTimeout(poll, delay);
    });
    request.addEventListener("error", function () { setTimeout(poll, 15000); });
    request.send();
  }
  setTimeout(poll, delay);
})();
