// Keyboard shortcuts for the moderation queue: A approve, R reject, F flag
// (when not typing in a field), Ctrl+Enter approves from the text box.
(function () {
  var form = document.getElementById("decision");
  if (!form) return;
  // WCAG 2.1.4: single-key shortcuts can be turned off; the choice stays in this browser.
  var toggle = document.getElementById("shortcuts");
  var STORE = "candour:moderate-shortcuts";
  try {
    if (toggle && localStorage.getItem(STORE) === "off") toggle.checked = false;
    if (toggle) toggle.addEventListener("change", function () {
      localStorage.setItem(STORE, toggle.checked ? "on" : "off");
    });
  } catch (e) { /* storage blocked: the box still works for this page */ }
  function press(key) {
    var button = form.querySelector('button[data-key="' + key + '"]');
    if (button) button.click();
  }
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    var typing = /^(TEXTAREA|SELECT)$/.test(target.tagName) ||
      (target.tagName === "INPUT" && !/^(checkbox|radio|button|submit)$/.test(target.type));
    if (event.ctrlKey && event.key === "Enter" && event.target.tagName === "TEXTAREA") {
      event.preventDefault();
      press("a");
      return;
    }
    if (typing || event.ctrlKey || event.metaKey || event.altKey) return;
    if (toggle && !toggle.checked) return;
    var key = event.key.toLowerCase();
    if (key === "a" || key === "r" || key === "f") {
      event.preventDefault();
      press(key);
    }
  });
})();
