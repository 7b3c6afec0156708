// The request's chat beside the request. Real time over Socket.IO (vendored client); while the socket
// is down, new messages are fetched over HTTP, and after a reconnect the client asks for what it
// missed, so nothing is lost or shown twice. Each send carries a client id: a retry is stored once.
// Text is always inserted as text.
(function () {
  "use strict";
  var box = document.getElementById("tmk-chat");
  var toggle = document.getElementById("tmk-chat-toggle");
  if (!box || !toggle) { return; }
  var url = box.getAttribute("data-url");
  var requestId = parseInt(box.getAttribute("data-request"), 10);
  var me = box.getAttribute("data-me");
  var list = box.querySelector(".tmk-chat-messages");
  var form = box.querySelector("form");
  var input = form.querySelector("textarea");
  var status = box.querySelector(".tmk-chat-status");
  var typing = box.querySelector(".tmk-chat-typing");
  var lastId = 0, poller = null, shown = {}, socket = null, typingTimer = null, lastTyping = 0;

  function add(message) {
    if (shown[message.id]) { return; }
    shown[message.id] = true;
    lastId = Math.max(lastId, message.id);
    var item = document.createElement("li");
    item.className = "tmk-msg tmk-kind-" + message.kind + (message.author && String(message.author.id) === me ? " tmk-msg-mine" : "");
    var head = document.createElement("div");
    head.className = "tmk-msg-head";
    head.textContent = (message.author ? message.author.name + " · " : "") + message.shown_at;
    var body = document.createElement("div");
    body.className = "tmk-msg-text";
    body.textContent = message.text;
    item.appendChild(head);
    item.appendChild(body);
    list.appendChild(item);
    list.scrollTop = list.scrollHeight;
    if (socket && socket.connected) { socket.emit("read", {request_id: requestId, message_id: lastId}); }
  }

  function say(text) { status.textContent = text || ""; }

  function load() {  // what is new since the last message shown (also marks it read)
    return fetch(url + "?after=" + lastId, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (data) { data.result.forEach(add); say(""); })
      .catch(function () { say(box.getAttribute("data-offline")); });
  }

  function newId() {
    return (window.crypto && crypto.randomUUID) ? crypto.randomUUID() : String(Date.now()) + Math.random();
  }

  function sent(message) { input.value = ""; add(message); say(""); }

  function sendOverHttp(payload) {
    fetch(url, {method: "POST", credentials: "same-origin", body: JSON.stringify(payload),
                headers: {"Content-Type": "application/json", "Accept": "application/json"}})
      .then(function (r) { return r.json().then(function (data) { return {ok: r.ok, data: data}; }); })
      .then(function (answer) {
        if (answer.ok) { sent(answer.data.result); return; }
        say(typeof answer.data.message === "string" ? answer.data.message : box.getAttribute("data-error"));
      })
      .catch(function () { say(box.getAttribute("data-offline")); });  // the text stays in the box
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text) { return; }
    var payload = {request_id: requestId, text: text, client_id: newId()};
    if (socket && socket.connected) {
      socket.timeout(10000).emit("send", payload, function (error, answer) {
        if (error) { sendOverHttp(payload); return; }  // no acknowledgement: the same client id again
        if (answer.ok) { sent(answer.message); } else { say(answer.error); }
      });
    } else {
      sendOverHttp(payload);
    }
  });

  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) { form.requestSubmit(); return; }
    if (socket && socket.connected && Date.now() - lastTyping > 2000) {
      lastTyping = Date.now();
      socket.emit("typing", {request_id: requestId});
    }
  });

  function poll(on) {  // HTTP polling while there is no socket
    window.clearInterval(poller);
    poller = on ? window.setInterval(load, 4000) : null;
  }

  function connect() {
    poll(true);
    if (typeof window.io !== "function") { return; }
    socket = window.io("/chat", {transports: ["websocket", "polling"]});
    socket.on("connect", function () {
      socket.emit("join", {request_id: requestId}, function (answer) {
        if (answer && answer.ok) { poll(false); }
        load();  // what was missed meanwhile
      });
    });
    socket.on("disconnect", function () { poll(true); });
    socket.on("connect_error", function () { poll(true); });
    socket.on("message", function (message) { if (message.request_id === requestId) { add(message); } });
    socket.on("typing", function (who) {
      if (who.request_id !== requestId) { return; }
      typing.textContent = who.name + " " + box.getAttribute("data-typing");
      window.clearTimeout(typingTimer);
      typingTimer = window.setTimeout(function () { typing.textContent = ""; }, 3000);
    });
  }

  toggle.addEventListener("click", function () {
    var open = box.hasAttribute("hidden");
    if (open) {
      box.removeAttribute("hidden");
      if (!socket) { load().then(connect); }
      input.focus();
    } else {
      box.setAttribute("hidden", "");
    }
    toggle.setAttribute("aria-expanded", String(open));
  });

  if (window.location.hash === "#chat") { toggle.click(); }  // opened from «Сообщения»
})();
