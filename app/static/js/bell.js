// The bell's count in real time: the server sends {unread: n} to this user's room after every commit
// that creates or reads notifications; on each (re)connect the client asks for the count, so what
// changed while the socket was down is not missed. At 0 the badge is hidden.
(function () {
  "use strict";
  // the bar's bell, and the one beside the toggle while the menu is folded (templates/appbuilder/navbar.html)
  var bells = document.querySelectorAll("[data-tmk-bell]");
  if (!bells.length || typeof window.io !== "function") { return; }

  function badge(bell) {
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
    Array.prototype.forEach.call(bells, function (bell) {
      var shown = badge(bell);
      shown.textContent = String(data.unread);
      shown.style.display = data.unread > 0 ? "" : "none";
    });
  }

  var socket = window.io("/notifications", {transports: ["websocket", "polling"]});
  window.tmkNotifications = socket;  // calls.js rings through the same connection
  socket.on("unread", show);
  socket.on("connect", function () { socket.emit("count", show); });
})();
