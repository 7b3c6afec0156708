// The request's chat beside the request. Real time over Socket.IO (vendored client); while the socket
// is down, new messages are fetched over HTTP, and after a reconnect the client asks for what it
// missed, so nothing is lost or shown twice. Each send carries a client id: a retry is stored once.
// Files go up over HTTP (multipart, with the page's CSRF token); the socket then broadcasts the
// message like any other. Text and file names are always inserted as text. A consultant who may take
// the new request reads its chat before taking it (data-read-only): no form, no read marks, no typing.
(function () {
  "use strict";
  var box = document.getElementById("tmk-chat");
  var toggle = document.getElementById("tmk-chat-toggle");
  if (!box || !toggle) { return; }
  var url = box.getAttribute("data-url");
  var csrfToken = document.querySelector('meta[name="csrf-token"]').getAttribute("content");  // tmk/base.html
  var requestId = parseInt(box.getAttribute("data-request"), 10);
  var me = box.getAttribute("data-me");
  var maxBytes = parseInt(box.getAttribute("data-max-bytes"), 10);
  var list = box.querySelector(".tmk-chat-messages");
  var readOnly = box.hasAttribute("data-read-only");
  var form = box.querySelector("form");  // none for a reader
  var input = form && form.querySelector("textarea");
  var status = box.querySelector(".tmk-chat-status");
  var typing = box.querySelector(".tmk-chat-typing");
  var lastId = 0, poller = null, shown = {}, socket = null, typingTimer = null, lastTyping = 0, readTimer = null;
  var attached = null;  // what goes with the next message: {file: File} or {document: {id, name}}

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text) { node.textContent = text; }
    return node;
  }

  function link(href, text, newTab) {
    var a = element("a", "", text);
    a.setAttribute("href", href);
    if (newTab) { a.setAttribute("target", "_blank"); a.setAttribute("rel", "noopener"); }
    return a;
  }

  function fileView(file) {  // the file in place: image, player, or a link; the name stays text
    var view = element("div", "tmk-msg-file");
    if (file.preview === "image") {
      var image = element("img", "tmk-msg-image");
      image.setAttribute("src", file.preview_url);
      image.setAttribute("alt", file.name);
      var opener = link(file.preview_url, "", true);
      opener.appendChild(image);
      view.appendChild(opener);
    } else if (file.preview === "audio" || file.preview === "video") {
      var player = element(file.preview, "tmk-msg-player");
      player.setAttribute("controls", "");
      player.setAttribute("preload", "metadata");
      player.setAttribute("src", file.preview_url);
      view.appendChild(player);
    }
    var line = element("div", "tmk-msg-file-line");
    line.appendChild(element("i", "fa fa-paperclip"));
    line.appendChild(document.createTextNode(" "));
    line.appendChild(link(file.download_url, file.name, false));
    line.appendChild(element("span", "text-muted", " · " + file.type + " · " + file.size_label));
    if (file.preview === "pdf") {
      line.appendChild(document.createTextNode(" · "));
      line.appendChild(link(file.preview_url, box.getAttribute("data-preview"), true));
    }
    view.appendChild(line);
    return view;
  }

  function avatar(author) {  // the name beside it says who: the picture itself is decoration
    if (author.photo_url) {
      var image = element("img", "tmk-avatar");
      image.setAttribute("src", author.photo_url);
      image.setAttribute("alt", "");
      return image;
    }
    var initials = author.name.split(/\s+/).slice(0, 2).map(function (word) { return word.charAt(0); }).join("");
    var badge = element("span", "tmk-avatar tmk-avatar-initials", initials.toUpperCase());
    badge.setAttribute("aria-hidden", "true");
    return badge;
  }

  function add(message) {
    if (shown[message.id]) { return; }
    shown[message.id] = true;
    lastId = Math.max(lastId, message.id);
    var item = element("li", "tmk-msg tmk-kind-" + message.kind +
                       (message.author && String(message.author.id) === me ? " tmk-msg-mine" : ""));
    var body = item;
    if (message.author) {  // the author's photo, or his initials (css/profile.css)
      var row = element("div", "tmk-msg-author");
      row.appendChild(avatar(message.author));
      body = row.appendChild(element("div", "tmk-msg-body"));
      item.appendChild(row);
    }
    body.appendChild(element("div", "tmk-msg-head", (message.author ? message.author.name + " · " : "") + message.shown_at));
    if (message.file) { body.appendChild(fileView(message.file)); }
    if (message.text) { body.appendChild(element("div", "tmk-msg-text", message.text)); }
    list.appendChild(item);
    list.scrollTop = list.scrollHeight;
    markRead();
  }

  // the read mark follows what is shown, at most once a second: a busy chat must not cost the
  // server a write per message per reader
  function markRead() {
    if (readOnly || readTimer) { return; }
    readTimer = window.setTimeout(function () {
      readTimer = null;
      if (socket && socket.connected) { socket.emit("read", {request_id: requestId, message_id: lastId}); }
    }, 1000);
  }

  function say(text) { status.textContent = text || ""; }

  function load() {  // what is new since the last message shown (also marks it read)
    return fetch(url + "?after=" + lastId, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (data) { data.result.forEach(add); say(""); })
      .catch(function () { say(box.getAttribute("data-offline")); });
  }

  // what a member has for writing: the box, files, «Документы», the recorder
  function writer() {
    var fileInput = form.querySelector(".tmk-chat-file");
    var attachedBox = form.querySelector(".tmk-chat-attached");
    var picker = document.getElementById("tmk-picker");

    function newId() {
      return (window.crypto && crypto.randomUUID) ? crypto.randomUUID() : String(Date.now()) + Math.random();
    }

    function attach(what) {
      attached = what;
      attachedBox.querySelector(".tmk-chat-attached-name").textContent = what ? (what.file || what.document).name : "";
      attachedBox.hidden = !what;
      fileInput.value = "";
    }

    // stored: the box is emptied unless something new was typed while the message was on its way
    function sent(message, text) {
      if (input.value.trim() === text) { input.value = ""; }
      attach(null); add(message); say("");
    }

    // POST to the chat's API with the page's CSRF token (the API wants it with the session cookie);
    // resolves with the stored message, rejects with an Error in Russian
    function post(body, headers) {
      return fetch(url, {method: "POST", credentials: "same-origin", body: body,
                         headers: Object.assign({"Accept": "application/json",
                                                 "X-CSRFToken": csrfToken}, headers)})
        .catch(function () { throw new Error(box.getAttribute("data-offline")); })
        .then(function (r) {
          return r.json().catch(function () { return {}; }).then(function (data) {
            if (r.ok) { return data.result; }
            var error = new Error(typeof data.message === "string" ? data.message : box.getAttribute("data-error"));
            error.confirm = data.confirm;  // a question the user may agree to: send again with this field true
            throw error;
          });
        });
    }

    function postJson(payload) { return post(JSON.stringify(payload), {"Content-Type": "application/json"}); }

    // a new file (also a recording: recorded is "audio" or "video"); the browser sets the multipart boundary
    function upload(file, text, recorded) {
      if (file.size > maxBytes) { return Promise.reject(new Error(box.getAttribute("data-too-large"))); }
      var body = new FormData();
      body.append("file", file, file.name);
      body.append("text", text || "");
      body.append("client_id", newId());
      if (recorded) { body.append("recorded", recorded); }
      return post(body, {}).then(function (message) {
        add(message);
        return message;
      });
    }
    box.tmkUpload = upload;  // for the recorder (recorder.js)

    // confirmed: the fields the user agreed to (a document of another patient's request)
    function sendAttached(text, confirmed) {
      var sending = attached.file ? upload(attached.file, text)
        : postJson(Object.assign({text: text, document_id: attached.document.id, client_id: newId()}, confirmed));
      sending.then(function (message) { sent(message, text); }, function (error) {
        if (error.confirm && window.confirm(error.message)) {
          var agreed = Object.assign({}, confirmed);
          agreed[error.confirm] = true;
          sendAttached(text, agreed);
          return;
        }
        say(error.message);  // the text and the file stay
      });
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var text = input.value.trim();
      if (attached) { sendAttached(text); return; }
      if (!text) { return; }
      var payload = {request_id: requestId, text: text, client_id: newId()};
      if (socket && socket.connected) {
        socket.timeout(10000).emit("send", payload, function (error, answer) {
          if (error) { resend(payload); return; }  // no acknowledgement: the same client id again
          if (answer.ok) { sent(answer.message, text); } else { say(answer.error); }
        });
      } else {
        resend(payload);
      }
    });

    function resend(payload) {  // over HTTP: the address names the request (the API refuses a request_id field)
      postJson({text: payload.text, client_id: payload.client_id}).then(function (message) { sent(message, payload.text); },
                                                                       function (error) { say(error.message); });  // the text stays in the box
    }

    form.querySelector("[data-attach=computer]").addEventListener("click", function (event) {
      event.preventDefault();
      fileInput.click();
    });
    fileInput.addEventListener("change", function () {
      var file = fileInput.files[0];
      if (!file) { return; }
      if (file.size > maxBytes) { say(box.getAttribute("data-too-large")); fileInput.value = ""; return; }
      say("");
      attach({file: file});
    });
    attachedBox.querySelector(".close").addEventListener("click", function () { attach(null); });

    // «from Документы»: my documents, searched by name; the chosen one goes with the next message
    var pickerList = picker.querySelector(".tmk-picker-list");
    var pickerSearch = picker.querySelector(".tmk-picker-search");
    var searchTimer = null;

    function pickerItem(doc) {
      var item = element("button", "list-group-item tmk-picker-item");
      item.setAttribute("type", "button");
      item.appendChild(element("strong", "", doc.name));
      item.appendChild(element("span", "text-muted", " · " + doc.type + " · " + doc.size_label + " · " + doc.created));
      item.addEventListener("click", function () {
        attach({document: doc});
        window.jQuery(picker).modal("hide");
        input.focus();
      });
      return item;
    }

    function fillPicker() {
      var address = box.getAttribute("data-picker-url") + "?q=" + encodeURIComponent(pickerSearch.value.trim());
      fetch(address, {credentials: "same-origin", headers: {"Accept": "application/json"}})
        .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
        .then(function (data) {
          pickerList.textContent = "";
          data.result.forEach(function (doc) { pickerList.appendChild(pickerItem(doc)); });
          if (!data.result.length) { pickerList.appendChild(element("p", "tmk-empty", box.getAttribute("data-nothing-found"))); }
        })
        .catch(function () { pickerList.textContent = box.getAttribute("data-offline"); });
    }

    form.querySelector("[data-attach=documents]").addEventListener("click", function (event) {
      event.preventDefault();
      pickerSearch.value = "";
      fillPicker();
      window.jQuery(picker).modal("show");
    });
    pickerSearch.addEventListener("input", function () {
      window.clearTimeout(searchTimer);
      searchTimer = window.setTimeout(fillPicker, 300);
    });

    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) { form.requestSubmit(); return; }
      if (socket && socket.connected && Date.now() - lastTyping > 2000) {
        lastTyping = Date.now();
        socket.emit("typing", {request_id: requestId});
      }
    });
  }
  if (form) { writer(); }

  function lostReading() {  // no longer a reader (or now a member, with a form the page does not have yet)
    poll(false);
    socket.disconnect();
    var hint = box.querySelector(".tmk-chat-read-only");
    if (hint) { hint.hidden = true; }
    say(box.getAttribute("data-gone"));
  }

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
    // a reader's right may end with the request's change (taken by a colleague…): ask again
    socket.on("chat_access", function (change) {
      if (change.request_id !== requestId) { return; }
      socket.emit("join", {request_id: requestId}, function (answer) {
        if (!answer || !answer.ok || !answer.read_only) { lostReading(); }
      });
    });
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
      if (input) { input.focus(); }
    } else {
      box.setAttribute("hidden", "");
    }
    toggle.setAttribute("aria-expanded", String(open));
  });

  if (window.location.hash === "#chat") { toggle.click(); }  // opened from «Сообщения»
})();
