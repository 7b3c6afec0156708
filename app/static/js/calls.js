// Calls that ring (issue 14), on every page of a signed-in user. Over the bell's socket (/notifications,
// the user's room in every process): "call_incoming" opens the window with «Принять» / «Отклонить» and
// rings, "call_ended" closes it (answered in another tab, or missed), "call_progress" shows the caller
// each callee's state. On every (re)connect the page asks "calls" for what rings or goes on now, so a
// page opened meanwhile misses nothing. The chat's buttons (templates/video/_call_buttons.html) post to
// the API and take the caller to the room. The texts are the server's (templates/video/_incoming_call.html).
(function () {
  "use strict";
  var root = document.getElementById("tmk-calls");
  if (!root || typeof window.io !== "function") { return; }
  var texts = root.dataset;
  var socket = window.tmkNotifications || window.io("/notifications", {transports: ["websocket", "polling"]});
  var csrfToken = document.querySelector('meta[name="csrf-token"]').getAttribute("content");  // tmk/base.html
  var incoming = {};  // call id → {node, timer}
  var outgoing = {};  // call id → node
  var DISMISSED = "tmk-calls-dismissed";  // the progress windows the caller closed, for this tab's next pages
  var stack = document.createElement("div");
  stack.className = "tmk-call-stack";
  document.body.appendChild(stack);

  function dismissed() {
    try { return JSON.parse(window.sessionStorage.getItem(DISMISSED) || "[]"); } catch (error) { return []; }
  }

  function dismiss(callId) {
    var ids = dismissed().concat([callId]).slice(-20);
    try { window.sessionStorage.setItem(DISMISSED, JSON.stringify(ids)); } catch (error) { /* private mode */ }
  }

  function make(templateId, callId) {
    var node = document.getElementById(templateId).content.firstElementChild.cloneNode(true);
    var title = node.querySelector(".tmk-call-title");
    title.id = templateId + "-" + callId + "-title";
    node.setAttribute("aria-labelledby", title.id);
    return node;
  }

  // ---- the ring tone: two short tones every 2.5 s, made by WebAudio (no sound file to fetch). A browser
  // plays sound only after the person has clicked or typed on the page: until then the window shows
  // silently, and the first click or key anywhere lets the tone sound.
  var audio = null, ringing = null;

  function tone(at, frequency) {
    var oscillator = audio.createOscillator(), gain = audio.createGain();
    oscillator.type = "sine";
    oscillator.frequency.value = frequency;
    gain.gain.setValueAtTime(0, at);
    gain.gain.linearRampToValueAtTime(0.15, at + 0.03);
    gain.gain.setValueAtTime(0.15, at + 0.33);
    gain.gain.linearRampToValueAtTime(0, at + 0.4);
    oscillator.connect(gain);
    gain.connect(audio.destination);
    oscillator.start(at);
    oscillator.stop(at + 0.45);
  }

  function ringOnce() {
    if (audio && audio.state === "running") {
      var at = audio.currentTime + 0.05;
      tone(at, 660);
      tone(at + 0.5, 880);
    }
  }

  function resumeAudio() {
    if (audio && audio.state === "suspended" && audio.resume) {
      audio.resume().then(ringOnce, function () { /* still blocked: the window shows without sound */ });
    }
  }

  function startRinging() {
    if (ringing) { return; }
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!audio && Context) {
      try { audio = new Context(); } catch (error) { audio = null; }
    }
    resumeAudio();
    ringOnce();
    ringing = window.setInterval(ringOnce, 2500);
  }

  function stopRinging() {
    if (ringing && !Object.keys(incoming).length) {
      window.clearInterval(ringing);
      ringing = null;
    }
  }

  ["pointerdown", "keydown"].forEach(function (name) { document.addEventListener(name, resumeAudio, true); });

  // ---- an incoming call
  function closeIncoming(callId) {
    var entry = incoming[callId];
    if (!entry) { return; }
    window.clearTimeout(entry.timer);
    var hadFocus = entry.node.contains(document.activeElement);
    entry.node.parentNode.removeChild(entry.node);
    delete incoming[callId];
    stopRinging();
    if (hadFocus && entry.focusBefore && document.contains(entry.focusBefore)) { entry.focusBefore.focus(); }
  }

  function answer(call, accept) {
    var entry = incoming[call.call_id];
    if (!entry) { return; }
    var buttons = entry.node.querySelectorAll("button");
    Array.prototype.forEach.call(buttons, function (button) { button.disabled = true; });
    socket.emit("call_answer", {call_id: call.call_id, accept: accept}, function (reply) {
      if (reply && reply.ok) {
        closeIncoming(call.call_id);
        if (accept) { window.location.assign(reply.room_url); }
        return;
      }
      entry.node.querySelector(".tmk-call-error").textContent = (reply && reply.error) || texts.error;
      window.setTimeout(function () { closeIncoming(call.call_id); }, 4000);
    });
  }

  function showIncoming(call) {
    if (incoming[call.call_id]) { return; }
    var node = make("tmk-call-incoming", call.call_id);
    var about = node.querySelector(".tmk-call-about");
    about.id = "tmk-call-incoming-" + call.call_id + "-about";
    node.setAttribute("aria-describedby", about.id);
    node.querySelector(".tmk-call-caller-name").textContent = call.caller;
    node.querySelector(".tmk-call-number").textContent = call.number;
    node.querySelector(".tmk-call-patient").textContent = call.patient;
    node.querySelector(".tmk-call-accept").addEventListener("click", function () { answer(call, true); });
    node.querySelector(".tmk-call-decline").addEventListener("click", function () { answer(call, false); });
    node.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { event.preventDefault(); answer(call, false); }
    });
    stack.appendChild(node);
    incoming[call.call_id] = {
      node: node, focusBefore: document.activeElement,
      // the server settles the call; this only clears a window whose "call_ended" was lost
      timer: window.setTimeout(function () { closeIncoming(call.call_id); }, (call.expires_in + 5) * 1000)
    };
    node.querySelector(".tmk-call-accept").focus();
    startRinging();
  }

  // ---- the caller's progress
  function showProgress(call) {
    if (dismissed().indexOf(call.call_id) >= 0) { return; }
    var node = outgoing[call.call_id];
    if (!node) {
      node = make("tmk-call-progress", call.call_id);
      node.querySelector(".tmk-call-close").addEventListener("click", function () {
        dismiss(call.call_id);
        node.parentNode.removeChild(node);
        delete outgoing[call.call_id];
      });
      // the calls in the order they were made, the newest at the bottom, whichever news arrives first
      // (a page asks for the recent calls while the newest one's progress may already be coming)
      var newer = Object.keys(outgoing).map(Number).filter(function (id) { return id > call.call_id; }).sort(
        function (a, b) { return a - b; })[0];
      stack.insertBefore(node, newer === undefined ? null : outgoing[newer]);
      outgoing[call.call_id] = node;
    }
    node.querySelector(".tmk-call-number").textContent = call.number;
    var list = node.querySelector(".tmk-call-callees");
    list.textContent = "";
    call.callees.forEach(function (callee) {
      var item = document.createElement("li");
      item.className = "tmk-callee tmk-callee-" + callee.state;
      var name = document.createElement("span");
      name.className = "tmk-callee-name";
      name.textContent = callee.name;
      var state = document.createElement("span");
      state.className = "tmk-callee-state";
      state.textContent = texts[callee.state] || callee.state;
      item.appendChild(name);
      item.appendChild(state);
      list.appendChild(item);
    });
  }

  socket.on("call_incoming", showIncoming);
  socket.on("call_ended", function (data) { closeIncoming(data.call_id); });
  socket.on("call_progress", showProgress);
  socket.on("connect", function () {
    socket.emit("calls", function (state) {
      if (!state) { return; }
      var ringingNow = state.incoming.map(function (call) { return call.call_id; });
      Object.keys(incoming).forEach(function (callId) {  // ended while the socket was down
        if (ringingNow.indexOf(Number(callId)) < 0) { closeIncoming(Number(callId)); }
      });
      state.incoming.forEach(showIncoming);
      state.outgoing.forEach(showProgress);
    });
  });

  // ---- the chat's buttons: the call is made by the API; the caller goes to the room and sees it there
  Array.prototype.forEach.call(document.querySelectorAll("[data-call-url]"), function (box) {
    var status = box.querySelector(".tmk-call-status");
    box.addEventListener("click", function (event) {
      var button = event.target.closest("[data-call]");
      if (!button) { return; }
      if (button.getAttribute("aria-disabled") === "true") {
        status.textContent = button.getAttribute("data-refusal");
        return;
      }
      button.disabled = true;
      status.textContent = "";
      fetch(box.getAttribute("data-call-url"), {
        method: "POST", credentials: "same-origin", body: JSON.stringify({to: button.getAttribute("data-call")}),
        headers: {"Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrfToken}
      }).then(function (response) {
        return response.json().then(function (body) { return {status: response.status, body: body}; });
      }).then(function (reply) {
        button.disabled = false;
        if (reply.status === 201) {
          showProgress(reply.body.result);
          if (window.location.pathname !== reply.body.result.room_url) {
            window.location.assign(reply.body.result.room_url);
          }
          return;
        }
        status.textContent = typeof reply.body.message === "string" ? reply.body.message : texts.error;
      }).catch(function () {
        button.disabled = false;
        status.textContent = texts.offline;
      });
    });
  });
})();
