// The ledger page has one form per change, and sending one reloads the page:
// text typed into another form and not yet sent would be lost. Ask first.
// Without JavaScript each form still works on its own.
(function () {
  var forms = Array.prototype.slice.call(document.querySelectorAll("form[data-ledger-form]"));
  function changed(form) {
    return Array.prototype.some.call(form.elements, function (el) {
      if (!el.name || el.type === "hidden" || el.type === "submit") return false;
      if (el.type === "checkbox" || el.type === "radio") return el.checked !== el.defaultChecked;
      if (el.tagName === "SELECT") {
        // With no option marked selected, the browser shows the first one.
        var initial = Array.prototype.findIndex.call(el.options, function (o) { return o.defaultSelected; });
        return el.selectedIndex !== Math.max(initial, 0);
      }
      return el.value !== el.defaultValue;
    });
  }
  forms.forEach(function (form) {
    form.addEventListener("submit", function (event) {
      var unsent = forms.filter(function (other) { return other !== form && changed(other); });
      if (unsent.length && !window.confirm(
        "You have typed in another form on this page and not saved it. Save this form and lose that text?"
      )) {
        event.preventDefault();
      }
    });
  });
})();
