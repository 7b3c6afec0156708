// select2's own texts («Remove all items», «No results found»…) in Russian, for every select2 of the
// portal: vendor/select2/i18n/ru.js defines the language, this makes it the default before FAB's ab.js
// builds its widgets (on document ready).
(function () {
  "use strict";
  if (window.jQuery && window.jQuery.fn.select2) {
    window.jQuery.fn.select2.defaults.set("language", "ru");
  }
})();
