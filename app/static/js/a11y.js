// Names and focus for what FAB and its libraries build in the browser (issue 13, item 7):
// - a select2 widget is named by its <label> (a screen reader heard only the chosen value, or nothing),
//   its search field too, and its «×» (clear) is taken out of the list it sits in;
// - a filter added in FAB's «Поиск» names its operator and value by the column it filters;
// - Bootstrap's collapse puts aria-expanded on the panel it opens, where it is not allowed (it belongs, and
//   stays, on the link that opens it);
// - a page of FAB's without a level-one heading (its lists and forms title a panel with <h4>) gets it there,
//   and the panels inside it level two;
// - a dialog that opens puts the focus on its first field (Bootstrap focuses the dialog itself; it gives
//   the focus back to the button that opened it when it closes).
(function ($) {
  "use strict";
  if (!$) { return; }
  var texts = document.currentScript.dataset;  // the words, translated, from templates/tmk/base.html
  var counter = 0;

  function idOf(element) {
    if (!element.id) { counter += 1; element.id = "tmk-a11y-" + counter; }
    return element.id;
  }

  function labelOf(select) {
    var label = select.id ? document.querySelector("label[for='" + select.id + "']") : null;
    if (!label) {
      var row = select.closest("tr");  // FAB's forms: the label in the row's first cell
      label = row ? row.querySelector("th label, td label") : null;
    }
    return label;
  }

  function nameSelect2(select) {
    var container = select.nextElementSibling;
    if (!container || !container.classList.contains("select2-container")) { return; }
    var label = labelOf(select);
    var name = label ? label.textContent.replace("*", "").trim() : select.getAttribute("aria-label");
    if (!name) { return; }
    var selection = container.querySelector(".select2-selection");
    var rendered = container.querySelector(".select2-selection__rendered");
    if (selection && label) {
      selection.setAttribute("aria-labelledby", idOf(label) + (rendered && rendered.id ? " " + rendered.id : ""));
    } else if (selection) {
      selection.setAttribute("aria-label", name);
    }
    if (rendered && rendered.getAttribute("role") === "textbox") { rendered.setAttribute("aria-label", name); }
    var search = container.querySelector(".select2-search__field");
    if (search) { search.setAttribute("aria-label", name); }
    var clear = container.querySelector("ul .select2-selection__clear");
    if (clear) { clear.setAttribute("role", "presentation"); clear.setAttribute("aria-hidden", "true"); }
  }

  function nameFilter(row) {
    var remove = row.querySelector(".remove-filter");
    if (!remove) { return; }
    var column = remove.textContent.replace("×", "").trim();
    remove.setAttribute("aria-label", column + ": " + texts.removeFilter);
    var operation = row.querySelector("select.filter-op");
    if (operation) { operation.setAttribute("aria-label", column + ": " + texts.condition); }
    Array.prototype.forEach.call(row.querySelectorAll(".filter_val, td.filter input, td.filter select"), function (field) {
      if (field !== operation && field.type !== "hidden") { field.setAttribute("aria-label", column); }
    });
    Array.prototype.forEach.call(row.querySelectorAll("select"), nameSelect2);
  }

  function nameAll(root) {
    Array.prototype.forEach.call(root.querySelectorAll("select.select2-hidden-accessible"), nameSelect2);
    Array.prototype.forEach.call(root.querySelectorAll("#filter_form .filters tr"), nameFilter);
  }

  $(function () {
    nameAll(document);
    if (!document.querySelector("h1")) {  // the first panel's title is the page's, those inside it level two
      Array.prototype.forEach.call(document.querySelectorAll("main .panel-heading .panel-title"), function (title, i) {
        title.setAttribute("role", "heading");
        title.setAttribute("aria-level", i === 0 ? "1" : "2");
      });
    }
    // select2 redraws its selection on every change; FAB adds filter rows on a click
    $(document).on("change select2:open select2:close", "select", function () { nameSelect2(this); });
    var filters = document.querySelector("#filter_form .filters");
    if (filters && window.MutationObserver) {
      new MutationObserver(function () { nameAll(filters); }).observe(filters, {childList: true, subtree: true});
    }
    $(document).on("show.bs.collapse shown.bs.collapse hide.bs.collapse hidden.bs.collapse", function (event) {
      window.setTimeout(function () { event.target.removeAttribute("aria-expanded"); }, 0);
    });
    $(document).on("shown.bs.modal", ".modal", function () {
      var first = this.querySelector(".modal-body select:not([disabled]), .modal-body textarea, " +
        ".modal-body input:not([type=hidden]):not([disabled])");
      if (first) { first.focus(); }
    });
  });
})(window.jQuery);
