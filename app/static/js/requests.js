// The request tabs: selecting a row shows the request beside the list, without leaving the page.
(function () {
  "use strict";
  var table = document.querySelector(".tmk-request-table");
  var panel = document.getElementById("tmk-panel");
  if (!table || !panel) { return; }
  var panelUrl = table.getAttribute("data-panel-url");

  function select(row) {
    var id = row.getAttribute("data-id");
    Array.prototype.forEach.call(table.querySelectorAll("tr.tmk-selected"), function (other) {
      other.classList.remove("tmk-selected");
    });
    row.classList.add("tmk-selected");
    fetch(panelUrl.replace(/\/0\/panel$/, "/" + id + "/panel"), {credentials: "same-origin"})
      .then(function (response) {
        if (!response.ok) { throw new Error(response.status); }
        return response.text();
      })
      .then(function (html) {
        panel.innerHTML = html;  // our own server-rendered, escaped fragment
        var url = new URL(window.location.href);
        url.searchParams.set("selected", id);
        window.history.replaceState(null, "", url.toString());
        // after an action, come back to this list with this request selected
        Array.prototype.forEach.call(panel.querySelectorAll("input[name=next]"), function (input) {
          input.value = url.pathname + url.search;
        });
        // a phone or a narrow window shows the panel below the list: bring it into view
        if (panel.getBoundingClientRect().top >= table.getBoundingClientRect().bottom) {
          panel.scrollIntoView({block: "start"});
        }
      })
      .catch(function () {
        window.location.href = row.querySelector("a.tmk-row-link").href;  // fall back to a full load
      });
  }

  table.addEventListener("click", function (event) {
    var row = event.target.closest("tr.tmk-row");
    if (!row || event.ctrlKey || event.metaKey || event.shiftKey) { return; }
    event.preventDefault();
    select(row);
  });
})();
