// The request's video room (manual §3.5): enters through the portal's API (a fresh token for this room
// only), embeds the Jitsi server's room with its IFrame API and reports to the portal what happens to
// this user — joined, still there every report-seconds, left — from which the server writes the history
// with its own clock. The portal's toolbar drives the room through the API's commands.
(function () {
  "use strict";
  var root = document.getElementById("tmk-video-room");
  if (!root) { return; }
  var status = document.querySelector(".tmk-video-status");
  var indicator = document.querySelector(".tmk-video-recording");
  var buttons = document.querySelectorAll("[data-video-command], [data-video-record]");
  var recordButton = document.querySelector("[data-video-record]");
  var csrf = (document.querySelector("meta[name=csrf-token]") || {}).content || "";
  var api = null, inRoom = false, reporting = null, recording = false;

  function say(text, failed) {
    status.textContent = text;
    status.classList.toggle("text-danger", !!failed);
    status.classList.toggle("text-muted", !failed);
  }

  function report(event, keepalive) {
    return fetch(root.dataset.reportUrl, {
      method: "POST", credentials: "same-origin", keepalive: !!keepalive,
      headers: {"Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrf},
      body: JSON.stringify({event: event})
    }).then(function (response) {
      if (!response.ok) {
        return response.json().then(function (body) { say(body.message || root.dataset.failed, true); });
      }
    }, function () { /* offline for a moment: the next report says it again */ });
  }

  function enable(on) {
    Array.prototype.forEach.call(buttons, function (button) { button.disabled = !on; });
  }

  function joined() {
    inRoom = true;
    enable(true);
    say(root.dataset.joined);
    report("joined");
    reporting = window.setInterval(function () { report("still_there"); }, Number(root.dataset.reportSeconds) * 1000);
  }

  function left() {
    if (!inRoom) { return; }
    inRoom = false;
    enable(false);
    window.clearInterval(reporting);
    say(root.dataset.left);
    report("left");
  }

  function showRecording(on) {
    recording = !!on;
    indicator.hidden = !recording;
    if (recordButton) {
      recordButton.querySelector("span").textContent = recording ? recordButton.dataset.stop : recordButton.dataset.start;
    }
  }

  // the devices chosen on «Проверка оборудования» (app/static/js/equipment.js keeps their ids). An id means
  // nothing in the video server's frame (ids are per site), so the room is given their names: the labels
  // this site may read, as it was allowed the camera and the microphone there.
  var CHOSEN = {videoInput: "tmk.video.camera", audioInput: "tmk.video.microphone", audioOutput: "tmk.video.speaker"};
  var KINDS = {videoInput: "videoinput", audioInput: "audioinput", audioOutput: "audiooutput"};

  function chosenDevices() {
    var media = navigator.mediaDevices;
    if (!media || !media.enumerateDevices) { return Promise.resolve({}); }
    return media.enumerateDevices().then(function (found) {
      var devices = {};
      Object.keys(CHOSEN).forEach(function (name) {
        var id = null;
        try { id = window.localStorage.getItem(CHOSEN[name]); } catch (error) { /* storage off: the defaults */ }
        var device = id && found.filter(function (d) { return d.kind === KINDS[name] && d.deviceId === id; })[0];
        if (device && device.label) { devices[name] = device.label; }
      });
      return devices;
    }, function () { return {}; });
  }

  function start(entry, devices) {
    var toolbar = ["microphone", "camera", "desktop", "chat", "participants-pane", "tileview", "raisehand",
                   "settings", "fullscreen", "hangup"];
    if (root.dataset.whiteboard === "true") { toolbar.push("whiteboard"); }
    api = new window.JitsiMeetExternalAPI(entry.domain, {
      roomName: entry.room,
      jwt: entry.jwt,
      parentNode: root,
      width: "100%",
      height: "100%",
      lang: "ru",
      userInfo: {displayName: root.dataset.name, email: root.dataset.email},
      devices: devices,
      configOverwrite: {
        prejoinConfig: {enabled: true},
        disableDeepLinking: true,
        gravatar: {disabled: true},  // no picture from an outside service: the photo comes from the token
        toolbarButtons: toolbar,
        whiteboard: {enabled: root.dataset.whiteboard === "true"}
      }
    });
    api.addListener("videoConferenceJoined", joined);
    api.addListener("videoConferenceLeft", left);
    api.addListener("readyToClose", function () { left(); api.dispose(); });
    api.addListener("recordingStatusChanged", function (event) { showRecording(event && event.on); });
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-video-command]"), function (button) {
    button.addEventListener("click", function () {
      if (!api || (button.dataset.confirm && !window.confirm(button.dataset.confirm))) { return; }
      api.executeCommand(button.dataset.videoCommand);
    });
  });
  if (recordButton) {
    recordButton.addEventListener("click", function () {
      if (!api) { return; }
      if (recording) {
        api.executeCommand("stopRecording", "file");
        report("recording_stopped");
      } else {
        api.executeCommand("startRecording", {mode: "file"});
        report("recording_started");
      }
    });
  }
  // closing the tab or going elsewhere is leaving: the report must outlive the page
  window.addEventListener("pagehide", function () {
    if (inRoom) { inRoom = false; report("left", true); }
  });

  if (typeof window.JitsiMeetExternalAPI !== "function") {
    say(root.dataset.noApi, true);
    return;
  }
  fetch(root.dataset.entryUrl, {credentials: "same-origin", headers: {"Accept": "application/json"}})
    .then(function (response) {
      return response.json().then(function (body) {
        if (!response.ok) { throw new Error(body.message || root.dataset.failed); }
        return body;
      });
    })
    .then(function (entry) { return chosenDevices().then(function (devices) { start(entry, devices); }); })
    .catch(function (error) { say(error.message || root.dataset.failed, true); });
})();
