// The profile's «Изображения»: the chosen picture is shown as the square the portal will keep, and the
// square can be moved (drag, or the arrow keys) and made smaller (zoom). The page only sends where the
// square is — crop_x and crop_y as CSS background-position, crop_zoom — and the server cuts the picture
// itself (app/documents/photos.py). Nothing leaves the page before «Загрузить».
(function () {
  "use strict";
  var input = document.getElementById("profile-photo");
  var box = document.getElementById("profile-photo-preview");
  if (!input || !box) { return; }
  var frame = box.querySelector(".tmk-profile-crop");
  var zoomInput = document.getElementById("profile-crop-zoom");
  var form = input.form;
  var state = {x: 0.5, y: 0.5, zoom: 1, width: 1, height: 1};
  var shown = null, drag = null;

  function clamp(value) { return Math.min(1, Math.max(0, value)); }

  function draw() {
    var shorter = Math.min(state.width, state.height);
    frame.style.backgroundSize = (state.width / shorter * state.zoom * 100) + "% auto";
    frame.style.backgroundPosition = (state.x * 100) + "% " + (state.y * 100) + "%";
    form.elements.crop_x.value = state.x.toFixed(4);
    form.elements.crop_y.value = state.y.toFixed(4);
    form.elements.crop_zoom.value = state.zoom.toFixed(2);
  }

  // the room the picture has to move in, in the frame's pixels (0: it fits that way)
  function room() {
    var shorter = Math.min(state.width, state.height), side = frame.clientWidth;
    return {x: side * (state.width / shorter * state.zoom - 1), y: side * (state.height / shorter * state.zoom - 1)};
  }

  function move(dx, dy) {  // the picture moves with the pointer: the square goes the other way
    var free = room();
    if (free.x > 0) { state.x = clamp(state.x - dx / free.x); }
    if (free.y > 0) { state.y = clamp(state.y - dy / free.y); }
    draw();
  }

  input.addEventListener("change", function () {
    if (shown) { URL.revokeObjectURL(shown); shown = null; }
    var file = input.files && input.files[0];
    box.hidden = !file;
    if (!file) { return; }
    shown = URL.createObjectURL(file);
    var picture = new Image();
    picture.onload = function () {
      state = {x: 0.5, y: 0.5, zoom: 1, width: picture.naturalWidth, height: picture.naturalHeight};
      zoomInput.value = 100;
      frame.style.backgroundImage = "url(\"" + shown + "\")";
      draw();
    };
    picture.src = shown;
  });

  frame.addEventListener("pointerdown", function (event) {
    drag = {x: event.clientX, y: event.clientY};
    frame.setPointerCapture(event.pointerId);
  });
  frame.addEventListener("pointermove", function (event) {
    if (!drag) { return; }
    move(event.clientX - drag.x, event.clientY - drag.y);
    drag = {x: event.clientX, y: event.clientY};
  });
  ["pointerup", "pointercancel"].forEach(function (name) {
    frame.addEventListener(name, function () { drag = null; });
  });
  frame.addEventListener("keydown", function (event) {
    var step = 10, keys = {ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step]};
    if (!keys[event.key]) { return; }
    event.preventDefault();
    move(keys[event.key][0], keys[event.key][1]);
  });
  zoomInput.addEventListener("input", function () {
    state.zoom = parseInt(zoomInput.value, 10) / 100;
    draw();
  });
}());
