/* Live job progress over the platform's WebSocket (/ws, StoryForge's subscribe protocol).
   The page's session signs the socket in (no token in the page). A job page follows its job
   and, once it ends, goes to the result (a finished scene job: the scene, playing the new
   segment) or reloads to show the error the server renders; job tables follow the user's
   stream. Without JavaScript the job page refreshes itself instead. */
(function () {
  "use strict";
  var FINISHED = ["completed", "failed", "cancelled", "moderation_failed"];
  var jobBox = document.getElementById("job");
  var tables = document.querySelectorAll("[data-live-jobs]");
  if (!jobBox && !tables.length) return;
  if (jobBox && FINISHED.indexOf(jobBox.getAttribute("data-status")) !== -1 && !tables.length) return;

  var lastEventId = null;
  var ENDED = { completed: true, failed: true, cancelled: true, moderation_failed: true };
  var retryDelay = 1000;
  var ended = false;

  function label(status) {
    var text = String(status || "").replace(/_/g, " ");
    return text.charAt(0).toUpperCase() + text.slice(1);
  }

  function setBadge(badge, status) {
    if (!badge) return;
    badge.textContent = label(status);
    badge.className = "badge status-" + status;
  }

  function updateStages(stage, status) {
    var items = jobBox.querySelectorAll("#job-stages li");
    var reached = false;
    for (var i = items.length - 1; i >= 0; i--) {
      var item = items[i];
      var name = item.getAttribute("data-stage");
      var text = item.querySelector(".stage-status");
      var value = null;
      if (name === stage) {
        reached = true;
        value = status === "completed" ? "completed" : status === "failed" ? "failed" : "in_progress";
      } else if (reached) {
        value = "completed";
      }
      if (value) {
        item.className = "stage-" + value;
        if (text) text.textContent = label(value);
      }
    }
  }

  function onJobEvent(event) {
    if (event.jobId !== jobBox.getAttribute("data-job-id")) return;
    setBadge(document.getElementById("job-status"), event.status);
    if (event.message) document.getElementById("job-message").textContent = event.message;
    if (typeof event.progress === "number") {
      document.getElementById("job-progress").value = event.progress;
      document.getElementById("job-percent").textContent = event.progress + " %";
    }
    if (event.stage) updateStages(event.stage, event.type === "job_complete" ? "completed" : event.status);
    jobBox.setAttribute("data-status", event.status);
    if (event.type === "job_complete") {
      ended = true;
      var done = jobBox.getAttribute("data-done-url");
      var segment = event.result && event.result.segmentId;
      if (done && segment) done += "?segment=" + encodeURIComponent(segment) + "#player";
      if (done) window.location.assign(done); else window.location.reload();
    } else if (event.type === "job_failed" || event.type === "job_cancelled") {
      ended = true;
      window.location.reload();
    }
  }

  function onRowEvent(event) {
    tables.forEach(function (table) {
      var row = table.querySelector('[data-job-row="' + event.jobId + '"]');
      if (!row) return;
      setBadge(row.querySelector('[data-field="status"]'), event.status);
      var bar = row.querySelector('[data-field="progress"]');
      if (bar && typeof event.progress === "number") bar.value = event.progress;
    });
  }

  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + window.location.host + "/ws");
    socket.onopen = function () {
      retryDelay = 1000;
      var message;
      if (jobBox) message = { type: "subscribe", channel: "job", jobId: jobBox.getAttribute("data-job-id") };
      else message = { type: "subscribe", channel: "user", userId: "me" };
      // A page of a job still running asks for the job's whole history on its first subscribe
      // (a stage that ended before the socket opened is shown too), and for what it missed on
      // a reconnect. A page rendered after the job ended takes the snapshot: replaying the end
      // would reload it again and again.
      if (lastEventId !== null) message.lastEventId = lastEventId;
      else if (jobBox && !ENDED[jobBox.getAttribute("data-status")]) message.lastEventId = 0;
      socket.send(JSON.stringify(message));
      if (jobBox && tables.length) socket.send(JSON.stringify({ type: "subscribe", channel: "user", userId: "me" }));
    };
    socket.onmessage = function (message) {
      var event;
      try { event = JSON.parse(message.data); } catch (e) { return; }
      if (typeof event.eventId === "number" && event.eventId > (lastEventId || 0)) lastEventId = event.eventId;
      if (!event.jobId) return;
      if (jobBox) onJobEvent(event);
      if (tables.length) onRowEvent(event);
    };
    socket.onclose = function () {
      if (ended) return;
      window.setTimeout(connect, retryDelay);
      retryDelay = Math.min(retryDelay * 2, 15000);
    };
    window.storyLive = socket;
  }
  connect();
})();
