// Keyboard shortcuts for the moderation queue: A approve, R reject, F flag
// (when not typing in a field), Ctrl+Enter approves from the text box.
(function () {
  var form = document.getElementById("decision");
  if (!form) return;
  function press(key) {
    var button = form.querySelector('button[data-key="' + key + '"]');
    if (button) button.click();
  }
  document.addEventListener("keydown", function (event) {
    var typing = /^(INPUT|TEXTAREA|SELECT)$/.test(event.target.tagName);
    if (event.ctrlKey && event.key === "Enter" && event.target.tagName === "TEXTAREA") {
      event.preventDefault();
      press("a");
      return;
    }
    if (typing || event.ctrlKey || event.metaKey || event.altKey) return;
    var key = event.key.toLowerCase();
    if (key === "a" || key === "r" || key === "f") {
      event.preventDefault();
      press(key);
    }
  });
})();
