// «Создание аудиосообщения» / «Создание видеосообщения» (manual §3.4.3): records in the browser with
// MediaRecorder, lets the doctor play the recording back, and sends it to the chat as a file marked
// "audio" or "video" (a WebM with only sound looks like any WebM to the server; the mark says what
// it is). A refused camera or microphone is explained in the window, in Russian, with what to check.
(function () {
  "use strict";
  var box = document.getElementById("tmk-chat");
  var modal = document.getElementById("tmk-recorder");
  if (!box || !modal || !window.jQuery) { return; }
  var $modal = window.jQuery(modal);
  var maxSeconds = parseInt(modal.getAttribute("data-max-seconds"), 10);
  var live = modal.querySelector(".tmk-recorder-live");
  var result = modal.querySelector(".tmk-recorder-result");
  var time = modal.querySelector(".tmk-recorder-time");
  var error = modal.querySelector(".tmk-recorder-error");
  var startButton = modal.querySelector(".tmk-recorder-start");
  var stopButton = modal.querySelector(".tmk-recorder-stop");
  var sendButton = modal.querySelector(".tmk-recorder-send");
  // what the browser can record, best first; Chromium and Firefox make WebM, Safari MP4
  var TYPES = {
    audio: ["audio/webm;codecs=opus", "audio/webm", "audio/ogg;codecs=opus", "audio/mp4"],
    video: ["video/webm;codecs=vp8,opus", "video/webm", "video/mp4"]
  };
  time.querySelector(".tmk-recorder-max").textContent = clock(maxSeconds);
  var kind = "audio", stream = null, recorder = null, chunks = [], recording = null, startedAt = 0, ticker = null;

  function text(name) { return modal.getAttribute("data-" + name); }

  function fail(message) { error.textContent = message; }

  function clock(seconds) {
    var minutes = Math.floor(seconds / 60), rest = seconds % 60;
    return (minutes < 10 ? "0" : "") + minutes + ":" + (rest < 10 ? "0" : "") + rest;
  }

  function show(seconds) { time.querySelector(".tmk-recorder-elapsed").textContent = clock(seconds); }

  function release() {  // camera and microphone off, the recording forgotten
    window.clearInterval(ticker);
    if (recorder && recorder.state !== "inactive") { recorder.onstop = null; recorder.stop(); }
    if (stream) { stream.getTracks().forEach(function (track) { track.stop(); }); }
    if (recording) { URL.revokeObjectURL(recording.url); }
    stream = recorder = recording = null;
    chunks = [];
    live.srcObject = null;
    live.hidden = true;
    result.textContent = "";
    time.classList.remove("tmk-recording");
    show(0);
  }

  function reset() {
    release();
    error.textContent = "";
    startButton.disabled = false;
    stopButton.disabled = true;
    sendButton.disabled = true;
  }

  function open(what) {
    kind = what;
    reset();
    modal.querySelector(".modal-title").textContent = text("title-" + kind);
    $modal.modal("show");
  }

  function supportedType() {
    return TYPES[kind].filter(function (type) { return MediaRecorder.isTypeSupported(type); })[0] || "";
  }

  function deniedText(reason) {
    if (reason && (reason.name === "NotFoundError" || reason.name === "OverconstrainedError")) { return text("missing"); }
    return text("denied-" + kind);  // NotAllowedError, and a device another program holds (NotReadableError)
  }

  function finished() {
    window.clearInterval(ticker);
    time.classList.remove("tmk-recording");
    if (stream) { stream.getTracks().forEach(function (track) { track.stop(); }); }
    live.srcObject = null;
    live.hidden = true;
    var type = (recorder.mimeType || supportedType()).split(";")[0];
    var blob = new Blob(chunks, {type: type});
    recording = {blob: blob, type: type, url: URL.createObjectURL(blob)};
    var player = document.createElement(kind);  // plays back in the element that matches what was recorded
    player.className = "tmk-recorder-playback";
    player.setAttribute("controls", "");
    player.src = recording.url;
    result.textContent = "";
    result.appendChild(player);
    startButton.disabled = false;
    stopButton.disabled = true;
    sendButton.disabled = false;
  }

  function record(media) {
    stream = media;
    if (kind === "video") {
      live.srcObject = stream;
      live.hidden = false;
      live.play().catch(function () {});
    }
    var type = supportedType();
    recorder = new MediaRecorder(stream, type ? {mimeType: type} : undefined);
    recorder.ondataavailable = function (event) { if (event.data.size) { chunks.push(event.data); } };
    recorder.onstop = finished;
    recorder.start(1000);
    startedAt = Date.now();
    time.classList.add("tmk-recording");
    ticker = window.setInterval(function () {
      var seconds = Math.floor((Date.now() - startedAt) / 1000);
      show(Math.min(seconds, maxSeconds));
      if (seconds >= maxSeconds) { stop(); }
    }, 250);
    stopButton.disabled = false;
  }

  function start() {
    release();
    error.textContent = "";
    sendButton.disabled = true;
    if (!window.isSecureContext || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      fail(text("insecure"));
      return;
    }
    if (typeof window.MediaRecorder !== "function") { fail(text("unsupported")); return; }
    startButton.disabled = true;
    navigator.mediaDevices.getUserMedia(kind === "video" ? {audio: true, video: true} : {audio: true})
      .then(record, function (reason) {
        startButton.disabled = false;
        fail(deniedText(reason));
      });
  }

  function stop() {
    if (recorder && recorder.state !== "inactive") { recorder.stop(); }
  }

  function fileName() {  // the server names the recording with the time in the portal's zone
    var extension = {"audio/ogg": "ogg", "audio/mp4": "m4a", "video/mp4": "mp4"}[recording.type] || "webm";
    return text("name-" + kind) + "." + extension;
  }

  function send() {
    sendButton.disabled = true;
    startButton.disabled = true;
    var file = new File([recording.blob], fileName(), {type: recording.type});
    box.tmkUpload(file, "", kind).then(function () {
      $modal.modal("hide");
    }, function (reason) {
      fail(reason.message);
      sendButton.disabled = false;
      startButton.disabled = false;
    });
  }

  Array.prototype.forEach.call(box.querySelectorAll("[data-record]"), function (item) {
    item.addEventListener("click", function (event) {
      event.preventDefault();
      open(item.getAttribute("data-record"));
    });
  });
  startButton.addEventListener("click", start);
  stopButton.addEventListener("click", stop);
  sendButton.addEventListener("click", send);
  $modal.on("hidden.bs.modal", release);  // «Отмена», the cross or Esc: nothing is kept or sent
})();
