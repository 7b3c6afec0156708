// «Проверка оборудования» (templates/video/equipment.html): the camera's picture, the microphone's level and a
// test sound for the speakers, each with a plain verdict, and the choice of the three devices.
//
// The choice is kept in this browser's localStorage, one key per device, its value a MediaDeviceInfo.deviceId
// (no key: the user has not chosen, the system's default is used). The request's video room reads the same keys:
//   tmk.video.camera      the camera (videoinput)
//   tmk.video.microphone  the microphone (audioinput)
//   tmk.video.speaker     the speakers or headphones (audiooutput; only where the browser can choose them)
//
// Nothing leaves the page: the streams go to a <video> and an AnalyserNode, the test sound is made by an
// OscillatorNode. The tracks are stopped when the page is left, so the camera's light goes off.
(function () {
  "use strict";
  var root = document.getElementById("tmk-equipment");
  if (!root) { return; }
  var KEYS = {videoinput: "tmk.video.camera", audioinput: "tmk.video.microphone", audiooutput: "tmk.video.speaker"};
  var SILENCE_MS = 5000;  // the microphone is judged silent (the camera blank) after this long without a sound (a frame)
  var HEARD_LEVEL = 25;   // of 100 (-45 dBFS): above a quiet room's noise, below a voice
  var media = navigator.mediaDevices;
  var video = document.getElementById("eq-video");
  var noPicture = document.getElementById("eq-no-picture");
  var meter = document.getElementById("eq-level");
  var bar = meter.querySelector(".tmk-eq-meter-bar");
  var sound = document.getElementById("eq-sound");
  var playButton = document.getElementById("eq-play");
  var question = document.getElementById("eq-question");
  var selects = {
    videoinput: document.getElementById("eq-camera"),
    audioinput: document.getElementById("eq-microphone"),
    audiooutput: document.getElementById("eq-speaker")
  };
  var verdicts = {
    videoinput: document.getElementById("eq-camera-verdict"),
    audioinput: document.getElementById("eq-microphone-verdict"),
    audiooutput: document.getElementById("eq-speaker-verdict")
  };
  var canChooseSpeakers = "setSinkId" in HTMLMediaElement.prototype;
  var tracks = {videoinput: null, audioinput: null};
  var context = null, analyser = null, source = null, frame = 0, lastShown = 0, heard = false, listenedFrom = 0;
  var cameraTimer = 0, cameraSince = 0, toneTimer = 0;
  var problems = {};  // what the problem box explains now, by device: denied, missing, busy…

  function stored(kind) {
    try { return window.localStorage.getItem(KEYS[kind]) || ""; } catch (error) { return ""; }  // storage off
  }

  function store(kind, deviceId) {
    try { window.localStorage.setItem(KEYS[kind], deviceId); } catch (error) { /* storage off: not kept */ }
  }

  // a verdict's line: its text (from the template's data-<state>) and its look (ok, pending, problem, none)
  function say(kind, state, fill) {
    var line = verdicts[kind], shown = line.querySelector(".tmk-eq-verdict-text");
    var text = line.getAttribute("data-" + state) || "";
    Object.keys(fill || {}).forEach(function (name) { text = text.replace("{" + name + "}", fill[name]); });
    var look = {ok: "ok", pending: "pending", suspended: "pending", none: "none"}[state] || "problem";
    if (line.getAttribute("data-state") !== look) { line.setAttribute("data-state", look); }
    if (shown.textContent !== text) { shown.textContent = text; }  // a live region: said only when it changes
  }

  function showProblems() {
    var shown = {};
    Object.keys(problems).forEach(function (kind) { shown[problems[kind]] = true; });
    root.querySelectorAll(".tmk-eq-problem").forEach(function (section) {
      section.hidden = !shown[section.getAttribute("data-problem")];
    });
  }

  function fail(kind, state) {
    problems[kind] = state;
    say(kind, state);
    showProblems();
  }

  function reason(error) {
    var name = error && error.name;
    if (name === "NotAllowedError" || name === "SecurityError") { return "denied"; }
    if (name === "NotFoundError" || name === "OverconstrainedError") { return "missing"; }
    if (name === "NotReadableError" || name === "AbortError") { return "busy"; }
    return "failed";
  }

  // what getUserMedia is asked for one kind: that device (exact: Chrome keeps the default microphone over an «ideal»
  // one), or the system's default
  function constraint(kind, deviceId) {
    var wanted = kind === "videoinput" ? {width: {ideal: 1280}, height: {ideal: 720}} : {};
    if (deviceId) { wanted.deviceId = {exact: deviceId}; }
    return wanted;
  }

  function release(kind) {
    if (tracks[kind]) { tracks[kind].stop(); tracks[kind] = null; }
    if (kind === "videoinput") {
      window.clearInterval(cameraTimer);
      video.srcObject = null;
      noPicture.hidden = false;
    } else {
      window.cancelAnimationFrame(frame);
      if (source) { source.disconnect(); source = null; }
      level(0);
    }
  }

  function use(kind, track) {
    release(kind);
    tracks[kind] = track;
    delete problems[kind];
    showProblems();
    track.addEventListener("ended", function () {
      if (tracks[kind] === track) { fail(kind, "ended"); }
    });
    if (kind === "videoinput") { showCamera(track); } else { listen(track); }
  }

  // the camera: its picture, judged working once frames come and are not all black (a closed shutter)
  function showCamera(track) {
    say("videoinput", "pending");
    video.srcObject = new MediaStream([track]);
    noPicture.hidden = true;
    cameraSince = Date.now();
    video.play().catch(function () { /* muted video plays by itself; play() only hurries it */ });
    cameraTimer = window.setInterval(judgeCamera, 1000);  // again and again: a shutter may be opened meanwhile
  }

  function judgeCamera() {
    if (tracks.videoinput === null || tracks.videoinput.readyState !== "live") { return; }
    if (!video.videoWidth) {  // opened, but no frame yet: some cameras (and virtual ones) never send any
      if (Date.now() - cameraSince > SILENCE_MS) { say("videoinput", "blank"); }
      return;
    }
    var canvas = document.createElement("canvas");
    canvas.width = 32;
    canvas.height = 18;
    var drawing = canvas.getContext("2d");
    drawing.drawImage(video, 0, 0, canvas.width, canvas.height);
    var pixels = drawing.getImageData(0, 0, canvas.width, canvas.height).data, brightest = 0;
    for (var i = 0; i < pixels.length; i += 4) {
      brightest = Math.max(brightest, 0.2126 * pixels[i] + 0.7152 * pixels[i + 1] + 0.0722 * pixels[i + 2]);
    }
    if (brightest < 24) { say("videoinput", "dark"); } else {
      say("videoinput", "ok", {size: video.videoWidth + "\u00a0×\u00a0" + video.videoHeight});
    }
  }

  // the microphone: its level on the meter and the verdict «heard» once it goes above a quiet room
  function audioContext() {
    if (!context) { context = new (window.AudioContext || window.webkitAudioContext)(); }
    return context;
  }

  function listen(track) {
    var audio = audioContext();
    source = audio.createMediaStreamSource(new MediaStream([track]));
    analyser = audio.createAnalyser();
    analyser.fftSize = 2048;
    source.connect(analyser);
    heard = false;
    listenedFrom = 0;
    say("audioinput", "pending");
    // an AudioContext made before the user has clicked may be held back by the browser's autoplay rule
    audio.resume().catch(function () { /* resumed on the first click below */ });
    var samples = new Float32Array(analyser.fftSize), startedAt = window.performance.now();
    frame = window.requestAnimationFrame(function measure(now) {
      if (tracks.audioinput !== track || track.readyState !== "live") { return; }
      frame = window.requestAnimationFrame(measure);
      if (audio.state !== "running") {
        if (now - startedAt > 1000) { say("audioinput", "suspended"); }
        return;
      }
      listenedFrom = listenedFrom || now;
      analyser.getFloatTimeDomainData(samples);
      var sum = 0;
      for (var i = 0; i < samples.length; i++) { sum += samples[i] * samples[i]; }
      var decibels = 20 * Math.log10(Math.sqrt(sum / samples.length) || 1e-8);
      var value = Math.max(0, Math.min(100, Math.round((decibels + 70) / 70 * 100)));
      bar.style.transform = "scaleX(" + value / 100 + ")";
      if (now - lastShown > 250) { lastShown = now; level(value); }
      if (value >= HEARD_LEVEL) { heard = true; }
      if (heard) { say("audioinput", "ok"); } else if (now - listenedFrom > SILENCE_MS) { say("audioinput", "silent"); }
    });
  }

  function level(value) {
    bar.style.transform = "scaleX(" + value / 100 + ")";
    meter.setAttribute("aria-valuenow", value);
    meter.setAttribute("aria-valuetext", value + " %");
  }

  function resumeOnClick() {
    if (context && context.state === "suspended") { context.resume(); }
  }

  // the device lists: filled once the browser tells the names (after the access is given), the one in use selected
  function listDevices() {
    return media.enumerateDevices().then(function (devices) {
      Object.keys(selects).forEach(function (kind) {
        var found = devices.filter(function (device) { return device.kind === kind && device.deviceId; });
        var select = selects[kind], inUse = tracks[kind] && tracks[kind].getSettings().deviceId;
        select.textContent = "";
        found.forEach(function (device, index) {
          var unnamed = root.getAttribute("data-unnamed-" + kind).replace("{n}", index + 1);
          select.appendChild(new Option(device.label || unnamed, device.deviceId));
        });
        // without the access the browser names no device (and no speakers either)
        if (!found.length) { select.appendChild(new Option(root.getAttribute("data-no-devices"), "")); }
        var current = inUse || stored(kind);
        if (found.some(function (device) { return device.deviceId === current; })) { select.value = current; }
        select.disabled = found.length === 0;
      });
      document.getElementById("eq-speaker-choice").hidden = !canChooseSpeakers;
      document.getElementById("eq-speaker-unsupported").hidden = canChooseSpeakers;
    });
  }

  function open(kinds, devices) {  // devices: kind → deviceId, none for the default
    var wanted = {};
    kinds.forEach(function (kind) {
      wanted[kind === "videoinput" ? "video" : "audio"] = constraint(kind, devices[kind]);
      say(kind, "pending");
    });
    return media.getUserMedia(wanted).then(function (stream) {
      stream.getVideoTracks().forEach(function (track) { use("videoinput", track); });
      stream.getAudioTracks().forEach(function (track) { use("audioinput", track); });
    });
  }

  // the devices chosen before; when one of them is gone (unplugged, or the browser's ids were reset), the defaults
  function openStored(kinds) {
    var devices = {};
    kinds.forEach(function (kind) { devices[kind] = stored(kind); });
    return open(kinds, devices).catch(function (error) {
      if (reason(error) === "missing" && kinds.some(function (kind) { return devices[kind]; })) { return open(kinds, {}); }
      throw error;
    });
  }

  function start() {
    problems = {};
    if (!window.isSecureContext || !media || !media.getUserMedia) {
      var why = window.isSecureContext ? "unsupported" : "insecure";
      fail("videoinput", why);
      fail("audioinput", why);
      return;
    }
    release("videoinput");
    release("audioinput");
    // both at once: one question of the browser; when that fails, each alone, so that a missing camera leaves
    // the microphone tested (a refusal is the user's answer for both, and asking again would only annoy)
    openStored(["videoinput", "audioinput"]).catch(function (error) {
      if (reason(error) === "denied") {
        fail("videoinput", "denied");
        fail("audioinput", "denied");
        return null;
      }
      return openStored(["videoinput"]).catch(function (alone) { fail("videoinput", reason(alone)); })
        .then(function () { return openStored(["audioinput"]); })
        .catch(function (alone) { fail("audioinput", reason(alone)); });
    }).then(listDevices);
  }

  // the speakers: a short chime made here, played through an <audio> so that it can go to the chosen device
  function playTone() {
    var audio = audioContext(), output = audio.createMediaStreamDestination(), gain = audio.createGain();
    var at = audio.currentTime + 0.05;
    gain.connect(output);
    gain.gain.setValueAtTime(0, audio.currentTime);
    [523.25, 659.25, 783.99, 1046.5, 783.99, 659.25, 523.25, 659.25, 783.99, 1046.5].forEach(function (pitch) {
      var note = audio.createOscillator();
      note.type = "sine";
      note.frequency.value = pitch;
      note.connect(gain);
      gain.gain.setValueAtTime(0, at);
      gain.gain.linearRampToValueAtTime(0.35, at + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.001, at + 0.28);
      note.start(at);
      note.stop(at + 0.3);
      at += 0.3;
    });
    return routeSound(output.stream).then(function () {
      audio.resume();
      return sound.play();
    }).then(function () {
      window.clearTimeout(toneTimer);
      toneTimer = window.setTimeout(function () { sound.pause(); sound.srcObject = null; }, (at - audio.currentTime) * 1000 + 200);
    });
  }

  function routeSound(stream) {
    sound.srcObject = stream;
    var chosen = selects.audiooutput.value;
    if (!canChooseSpeakers || !chosen) { return Promise.resolve(); }
    return sound.setSinkId(chosen);
  }

  playButton.addEventListener("click", function () {
    say("audiooutput", "none");
    playTone().then(function () {
      question.hidden = false;
      playButton.querySelector("span").textContent = playButton.getAttribute("data-again");
    }).catch(function () { say("audiooutput", "failed"); });
  });

  question.querySelectorAll("[data-answer]").forEach(function (button) {
    button.addEventListener("click", function () {
      say("audiooutput", button.getAttribute("data-answer"));
      question.hidden = true;
      playButton.focus();
    });
  });

  Object.keys(selects).forEach(function (kind) {
    selects[kind].addEventListener("change", function () {
      var chosen = selects[kind].value;
      store(kind, chosen);
      if (kind === "audiooutput") {
        question.hidden = true;
        say("audiooutput", "none");
        return;
      }
      var devices = {};
      devices[kind] = chosen;
      release(kind);  // a camera may refuse a second opening while the first is held
      open([kind], devices).catch(function (error) { fail(kind, reason(error)); }).then(listDevices);
    });
  });

  video.addEventListener("playing", judgeCamera);
  root.querySelectorAll(".tmk-eq-retry").forEach(function (button) { button.addEventListener("click", start); });
  document.addEventListener("pointerdown", resumeOnClick);
  document.addEventListener("keydown", resumeOnClick);
  if (media && media.addEventListener) { media.addEventListener("devicechange", listDevices); }

  // leaving the page: camera and microphone off; back from the browser's cache: tested again
  window.addEventListener("pagehide", function () {
    release("videoinput");
    release("audioinput");
    window.clearTimeout(toneTimer);
    sound.pause();
  });
  window.addEventListener("pageshow", function (event) { if (event.persisted) { start(); } });
  start();
})();
