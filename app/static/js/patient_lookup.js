// «Найти пациента» on the request form: the typed СНИЛС and/or полис go to the server (POST, with the
// page's CSRF token, so that the numbers stay out of addresses and logs); a patient of a request the
// user may see fills in the patient's fields, anything else is «Пациент не найден». Values are set as
// text, never as markup.
(function () {
  "use strict";
  var box = document.querySelector(".tmk-patient-lookup");
  if (!box) { return; }
  var button = box.querySelector("button");
  var status = box.querySelector(".tmk-patient-lookup-status");
  var csrfToken = document.querySelector('meta[name="csrf-token"]').getAttribute("content");  // tmk/base.html
  var FIELDS = ["last_name", "first_name", "middle_name", "birth_date", "sex", "snils", "oms_policy"];

  function field(name) { return document.getElementById("patient_" + name); }

  function say(text, ok) {
    status.textContent = text || "";
    status.className = "tmk-patient-lookup-status " + (ok ? "text-success" : "text-danger");
  }

  function fill(patient) {
    FIELDS.forEach(function (name) {
      var input = field(name);
      if (input) { input.value = patient[name]; }
    });
  }

  button.addEventListener("click", function () {
    var body = {snils: field("snils").value.trim(), oms_policy: field("oms_policy").value.trim()};
    button.disabled = true;
    say("");
    fetch(box.getAttribute("data-url"), {
      method: "POST", credentials: "same-origin", body: JSON.stringify(body),
      headers: {"Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrfToken}
    })
      .then(function (r) {
        return r.json().catch(function () { return {}; }).then(function (data) {
          if (r.ok) {
            fill(data.result);
            say(box.getAttribute("data-filled"), true);
          } else {
            say(typeof data.message === "string" ? data.message : box.getAttribute("data-offline"), false);
          }
        });
      })
      .catch(function () { say(box.getAttribute("data-offline"), false); })
      .then(function () { button.disabled = false; });
  });
})();
