// A local stand-in for the Jitsi server's external_api.js (its server cannot run in the tests): the same
// constructor and methods the room page uses; it records the options and the commands it was given and lets
// the test fire the IFrame API's events (window.tmkJitsi.fire("videoConferenceJoined", {...})). Like the real
// one, hanging up or ending the meeting makes the room say videoConferenceLeft, then readyToClose.
(function () {
  "use strict";
  function JitsiMeetExternalAPI(domain, options) {
    var listeners = {};
    var recorded = {domain: domain, options: {}, commands: [], disposed: false};
    Object.keys(options).forEach(function (key) {
      if (key !== "parentNode") { recorded.options[key] = options[key]; }
    });
    var frame = document.createElement("iframe");
    frame.title = "Jitsi Meet";
    frame.src = "about:blank";
    options.parentNode.appendChild(frame);
    recorded.fire = function (name, data) {
      (listeners[name] || []).forEach(function (listener) { listener(data || {}); });
    };
    window.tmkJitsi = recorded;
    this.addListener = function (name, listener) { (listeners[name] = listeners[name] || []).push(listener); };
    this.executeCommand = function (name) {
      recorded.commands.push(Array.prototype.slice.call(arguments));
      if (name === "hangup" || name === "endConference") {
        recorded.fire("videoConferenceLeft", {roomName: options.roomName});
        recorded.fire("readyToClose");
      }
    };
    this.dispose = function () { recorded.disposed = true; frame.remove(); };
  }
  window.JitsiMeetExternalAPI = JitsiMeetExternalAPI;
})();
