// Resume without a trace: the signed form state the respondent pages already
// carry is kept in this browser's localStorage (never sent anywhere until the
// respondent continues), keyed by survey. Cleared on sending, on "Clear my
// saved answers", and when too old. Without JavaScript nothing is saved and
// the survey works as before.
(function () {
  var PREFIX = "candour:";
  var storage;
  try {
    storage = window.localStorage;
    storage.getItem(PREFIX);
  } catch (e) {
    return; // storage blocked: nothing to offer, nothing to keep
  }

  // A page of the survey or the review: remember how far the respondent got.
  var form = document.querySelector("form[data-resume]");
  if (form) {
    var state = form.querySelector('input[name="state"]');
    storage.setItem(PREFIX + form.dataset.resume, JSON.stringify({
      state: state.value, page: form.dataset.page, saved: Date.now()
    }));
  }

  // Thanks (answers sent) or an unreadable state: forget what was kept.
  var done = document.querySelector("[data-clear-saved]");
  if (done) storage.removeItem(PREFIX + done.dataset.clearSaved);

  // The intro page: offer to continue, or to clear.
  var box = document.getElementById("resume");
  if (!box) return;
  var key = PREFIX + box.dataset.slug;
  var status = document.getElementById("resume-status");
  var saved = null;
  try {
    saved = JSON.parse(storage.getItem(key) || "null");
  } catch (e) {
    saved = null;
  }
  if (!saved || typeof saved.state !== "string" || !saved.state) {
    storage.removeItem(key);
    return;
  }
  var maxAge = parseInt(box.dataset.maxAge, 10) * 1000;
  if (!(saved.saved > Date.now() - maxAge)) {
    storage.removeItem(key);
    status.textContent = box.dataset.expiredText || "";
    return;
  }
  box.querySelector('input[name="state"]').value = saved.state;
  box.querySelector('button[name="action"]').value = /^[0-9]+$/.test(saved.page) ? "goto-" + saved.page : "review";
  box.hidden = false;
  box.querySelector("[data-clear]").addEventListener("click", function () {
    storage.removeItem(key);
    box.hidden = true;
    status.textContent = box.dataset.clearedText || "";
  });
})();

// A page with errors: move focus to the summary so it is read out first, and
// let each of its links put focus on the field it names.
(function () {
  var summary = document.getElementById("error-summary");
  if (!summary) return;
  if (document.activeElement !== summary) summary.focus();
  summary.addEventListener("click", function (event) {
    var link = event.target.closest("a[href^='#']");
    var field = link && document.getElementById(link.getAttribute("href").slice(1));
    if (!field) return;
    event.preventDefault();
    field.focus();
    field.scrollIntoView({block: "center"});
  });
})();
