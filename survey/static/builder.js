// The builder without reloading: "Add a choice" adds an empty row, and the
// outcomes that count as resolved follow the chosen "what happened?" question.
// Without JavaScript the same is done by the buttons this script hides.
(function () {
  document.querySelectorAll(".js-hide").forEach(function (el) { el.hidden = true; });

  // Copy buttons: the link, the invitation wording.
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var source = document.getElementById(button.dataset.copy);
    var status = button.parentElement.querySelector(".copy-status");
    button.hidden = false;
    button.addEventListener("click", function () {
      var text = "value" in source && source.tagName !== "A" ? source.value : source.textContent;
      function done(ok) { if (status) status.textContent = ok ? "Copied." : "Select the text and copy it (Ctrl+C)."; }
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(function () { done(true); }, function () { done(false); });
      } else {
        if (source.select) source.select();
        try { done(document.execCommand("copy")); } catch (e) { done(false); }
      }
    });
  });

  var add = document.getElementById("add-choice");
  var template = document.getElementById("choice-row-template");
  var total = document.getElementById("id_choices-TOTAL_FORMS");
  if (add && template && total) {
    add.hidden = false;
    add.addEventListener("click", function () {
      var n = parseInt(total.value, 10);
      var html = template.innerHTML.replace(/__prefix__/g, n).replace(/__number__/g, n + 1);
      var holder = document.createElement("div");
      holder.innerHTML = html.trim();
      var row = holder.firstElementChild;
      row.id = "choice-row-" + (n + 1);
      document.getElementById("choice-rows").appendChild(row);
      total.value = n + 1;
      var first = row.querySelector("input");
      if (first) first.focus();
    });
  }

  var data = document.getElementById("outcome-choices");
  var outcome = document.getElementById("id_outcome");
  if (data && outcome) {
    var choices = JSON.parse(data.textContent);
    var sample = document.querySelector("input[name=resolved_values]");
    if (!sample) return;
    var item = sample.closest(".form-check");
    var box = item.parentElement;
    var model = item.cloneNode(true);
    outcome.addEventListener("change", function () {
      box.querySelectorAll(".form-check").forEach(function (el) { el.remove(); });
      (choices[outcome.value] || []).forEach(function (pair, i) {
        var copy = model.cloneNode(true);
        var input = copy.querySelector("input");
        var label = copy.querySelector("label");
        input.id = "id_resolved_values_" + i;
        input.value = pair[0];
        input.checked = false;
        label.htmlFor = input.id;
        label.textContent = pair[1];
        box.appendChild(copy);
      });
    });
  }
})();
