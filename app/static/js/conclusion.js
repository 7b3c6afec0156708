// The conclusion's progress page: poll the rendering job's state, move on when it is done.
(function () {
  "use strict";
  var box = document.querySelector("[data-conclusion-progress]");
  if (!box) { return; }
  var started = Date.now();
  function poll() {
    fetch(box.getAttribute("data-state-url"), {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) { return response.json(); })
      .then(function (answer) {
        if (answer.state !== "rendering") { window.location.assign(answer.next); return; }
        if (Date.now() - started > 60000) {  // a worker should have done it long ago
          box.querySelector(".tmk-progress-slow").textContent = box.getAttribute("data-slow");
        }
        window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 3000); });  // the network hiccuped: keep waiting
  }
  window.setTimeout(poll, 500);
}());
