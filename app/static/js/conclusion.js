// The conclusion's progress page: poll the rendering job's state, move on when it is done.
(function () {
  "use strict";
  var box = document.querySelector("[data-conclusion-progress]");
  if (!box) { return; }
  function poll() {
    fetch(box.getAttribute("data-state-url"), {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) { return response.json(); })
      .then(function (answer) {
        if (answer.state === "rendering") { window.setTimeout(poll, 1000); } else { window.location.assign(answer.next); }
      })
      .catch(function () { window.setTimeout(poll, 3000); });  // the network hiccuped: keep waiting
  }
  window.setTimeout(poll, 500);
}());
