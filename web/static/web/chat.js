/* The conversation page, live: it joins the session on the chat WebSocket
   (/api/v1/websocket; the page's session cookie signs the socket in, as on /ws), shows who is
   typing, tells the others while this member types, and reloads the page (the server renders
   the history, the new choices and the progress) when someone says something, the assistant
   answers or the workflow moves on. Without JavaScript the forms post and the page answers. */
(function () {
  "use strict";
  var box = document.getElementById("conversation");
  if (!box || !window.WebSocket) return;
  var sessionId = box.getAttribute("data-session");
  var lastMessage = box.getAttribute("data-last-message");
  var typingLine = document.getElementById("typing");
  var typers = {};
  var socket = null;
  var retry = 1000;
  var submitting = false;

  document.querySelectorAll("form").forEach(function (form) {
    form.addEventListener("submit", function () { submitting = true; });
  });

  function showTyping() {
    var names = Object.keys(typers).map(function (id) { return typers[id]; });
    typingLine.textContent = names.length ? names.join(", ") + (names.length > 1 ? " are" : " is") + " typing…" : "";
  }

  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + window.location.host + "/api/v1/websocket");
    socket.addEventListener("open", function () {
      retry = 1000;
      var join = { type: "join-session", sessionId: sessionId };
      if (lastMessage) join.lastMessageId = lastMessage;
      socket.send(JSON.stringify(join));
    });
    socket.addEventListener("message", function (event) {
      var data;
      try { data = JSON.parse(event.data); } catch (err) { return; }
      if (data.type === "user-typing" && data.user) {
        if (data.isTyping) typers[data.user.id] = data.user.name; else delete typers[data.user.id];
        showTyping();
        setTimeout(function () { delete typers[data.user.id]; showTyping(); }, 8000);
      } else if (data.type === "ai-response" || data.type === "message-received" || data.type === "progress-update") {
        if (!submitting) window.location.reload();
      }
    });
    socket.addEventListener("close", function (event) {
      if (event.code === 4401 || event.code === 4429) return;  // not signed in / too many
      setTimeout(connect, retry);
      retry = Math.min(retry * 2, 30000);
    });
  }

  var typingTimer = null;
  var typingSent = false;
  function sendTyping(isTyping) {
    if (!socket || socket.readyState !== WebSocket.OPEN) return;
    socket.send(JSON.stringify({ type: "typing", sessionId: sessionId, isTyping: isTyping }));
    typingSent = isTyping;
  }
  document.querySelectorAll("[data-typing]").forEach(function (field) {
    field.addEventListener("input", function () {
      if (!typingSent) sendTyping(true);
      clearTimeout(typingTimer);
      typingTimer = setTimeout(function () { sendTyping(false); }, 3000);
    });
  });
  connect();
})();
