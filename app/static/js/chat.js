// The request's chat beside the request: history over HTTP, new messages every few seconds, sending
// with a client id so that a retried send is stored once. Text is always inserted as text.
(function () {
  "use strict";
  var box = document.getElementById("tmk-chat");
  var toggle = document.getElementById("tmk-chat-toggle");
  if (!box || !toggle) { return; }
  var url = box.getAttribute("data-url");
  var me = box.getAttribute("data-me");
  var list = box.querySelector(".tmk-chat-messages");
  var form = box.querySelector("form");
  var input = form.querySelector("textarea");
  var status = box.querySelector(".tmk-chat-status");
  var lastId = 0, timer = null, shown = {};

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
  }

  function say(text) { status.textContent = text || ""; }

  function load() {
    return fetch(url + "?after=" + lastId, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (data) { data.result.forEach(add); say(""); })
      .catch(function () { say(box.getAttribute("data-offline")); });
  }

  function newId() {
    return (window.crypto && crypto.randomUUID) ? crypto.randomUUID() : String(Date.now()) + Math.random();
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text) { return; }
    var payload = JSON.stringify({text: text, client_id: newId()});
    fetch(url, {method: "POST", credentials: "same-origin", body: payload,
                headers: {"Content-Type": "application/json", "Accept": "application/json"}})
      .then(function (r) { return r.json().then(function (data) { return {ok: r.ok, data: data}; }); })
      .then(function (answer) {
        if (!answer.ok) { say(typeof answer.data.message === "string" ? answer.data.message : box.getAttribute("data-error")); return; }
        input.value = "";
        add(answer.data.result);
        say("");
      })
      .catch(function () { say(box.getAttribute("data-offline")); });  // the text stays in the box
  });

  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) { form.requestSubmit(); }
  });

  toggle.addEventListener("click", function () {
    var open = box.hasAttribute("hidden");
    if (open) {
      box.removeAttribute("hidden");
      load();
      timer = window.setInterval(load, 4000);
      input.focus();
    } else {
      box.setAttribute("hidden", "");
      window.clearInterval(timer);
    }
    toggle.setAttribute("aria-expanded", String(open));
  });

  if (window.location.hash === "#chat") { toggle.click(); }  // opened from «Сообщения»
})();
