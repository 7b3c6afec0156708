// The bell's count in real time: the server sends {unread: n} to this user's room after every commit
// that creates or reads notifications; on each (re)connect the client asks for the count, so what
// changed while the socket was down is not missed. At 0 the badge is hidden.
(function () {
  "use strict";
  var bell = document.getElementById("tmk-bell");
  if (!bell || typeof window.io !== "function") { return; }

  function badge() {
    var found = bell.querySelector(".tmk-unread");
    if (!found) {
      found = document.createElement("span");
      found.className = "badge tmk-unread";
      bell.appendChild(document.createTextNode(" "));
      bell.appendChild(found);
    }
    return found;
  }

  function show(data) {
    if (!data || typeof data.unread !== "number") { return; }
    var shown = badge();
    shown.textContent = String(data.unread);
    shown.style.display = data.unread > 0 ? "" : "none";
  }

  var socket = window.io("/notifications", {transports: ["websocket", "polling"]});
  socket.on("unread", show);
  socket.on("connect", function () { socket.emit("count", show); });
})();
