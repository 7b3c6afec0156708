// The profile's «Изображения»: before uploading, the chosen picture is shown as the portal will keep it —
// the square around its centre (the server cuts the same square; this only shows it). Nothing leaves the page.
(function () {
  "use strict";
  var input = document.getElementById("profile-photo");
  var preview = document.getElementById("profile-photo-preview");
  if (!input || !preview) { return; }
  var shown = null;
  input.addEventListener("change", function () {
    if (shown) { URL.revokeObjectURL(shown); shown = null; }
    var file = input.files && input.files[0];
    preview.hidden = !file;
    if (!file) { return; }
    shown = URL.createObjectURL(file);
    preview.querySelector("img").setAttribute("src", shown);
  });
}());
