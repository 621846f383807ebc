// The respondent's pages, with JavaScript on. Everything here stays in this
// browser: nothing is stored on the server and no cookie is set.
//
// 1. Steps without leaving the page. Each step is still a POST of the signed
//    form state, made with fetch(); the address never changes (a step number
//    in it, or in an access log, would tell that a follow-up was shown), and
//    the History API keeps one entry per step, so the browser's own Back and
//    Forward (the phone's back gesture) move between steps.
// 2. Nothing lost. sessionStorage (this tab only, gone when it closes) keeps
//    the step and what is entered on it: a reload or a language switch shows
//    it again. localStorage keeps the answers for a later visit ("Continue
//    where you left off") without typed comments, unless the respondent ticks
//    "keep my comments too": on a shared ward computer the next person is
//    offered those saved answers.
// 3. A warning before a comment names someone, computed here only, with the
//    moderator's own patterns (survey/web/comment_check.py).
(function () {
  "use strict";
  var SAVED = "candour:"; // localStorage: answers kept for a later visit
  var TAB = "candour-tab:"; // sessionStorage: this tab's step and what is typed on it

  function storage(name) {
    try {
      var s = window[name];
      s.getItem(SAVED);
      return s;
    } catch (e) {
      return null; // storage blocked: nothing kept, the survey still works
    }
  }
  var local = storage("localStorage");
  var session = storage("sessionStorage");

  function read(store, key) {
    if (!store) return null;
    try {
      return JSON.parse(store.getItem(key) || "null");
    } catch (e) {
      return null;
    }
  }
  function write(store, key, value) {
    if (!store) return;
    try {
      store.setItem(key, JSON.stringify(value));
    } catch (e) {
      /* full: keep nothing */
    }
  }
  function forget(slug) {
    if (local) local.removeItem(SAVED + slug);
    if (session) session.removeItem(TAB + slug);
  }

  // The answers entered on the current page, as [name, value] pairs.
  function fieldsOf(form, withComments) {
    var pairs = [];
    new FormData(form).forEach(function (value, name) {
      if (name.indexOf("q_") !== 0 || typeof value !== "string") return;
      var field = form.elements[name];
      var isComment = field && field.tagName === "TEXTAREA";
      if (!isComment || withComments) pairs.push([name, value]);
    });
    return pairs;
  }

  // (form.action would be the form's button named "action".)
  function urlOf(form) {
    return new URL(form.getAttribute("action") || "", window.location.href).href;
  }

  // --- Keeping the place -------------------------------------------------

  function remember(form) {
    var slug = form.dataset.resume;
    var full = form.querySelector('input[name="state"]').value;
    var keep = form.querySelector("[data-keep-comments]");
    var before = read(local, SAVED + slug) || {};
    var keepComments = keep ? keep.checked || before.keep === true : before.keep === true;
    if (keep) keep.checked = keepComments;
    function save() {
      write(local, SAVED + slug, {
        state: keepComments ? full : form.dataset.savedState,
        page: form.dataset.page,
        fields: fieldsOf(form, keepComments),
        keep: keepComments,
        saved: Date.now(),
      });
      write(session, TAB + slug, {
        state: full,
        page: form.dataset.page,
        fields: fieldsOf(form, true),
        url: urlOf(form),
      });
    }
    save();
    form.addEventListener("input", save);
    form.addEventListener("change", function (event) {
      if (event.target === keep) keepComments = keep.checked;
      save();
    });
  }

  // Hidden inputs that post a kept page back: the server shows it again with what was entered.
  function addFields(form, kept) {
    function add(name, value) {
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = name;
      input.value = value;
      input.setAttribute("data-added", "");
      form.appendChild(input);
    }
    form.querySelectorAll("[data-added]").forEach(function (el) {
      el.remove();
    });
    if (/^[0-9]+$/.test(kept.page)) {
      add("page", kept.page);
      (kept.fields || []).forEach(function (pair) {
        add(pair[0], pair[1]);
      });
      return "stay";
    }
    return "review";
  }

  // The intro page: offer to continue, or to clear.
  function offerResume() {
    var box = document.getElementById("resume");
    if (!box || !local) return;
    var key = SAVED + box.dataset.slug;
    var status = document.getElementById("resume-status");
    var saved = read(local, key);
    if (!saved || typeof saved.state !== "string" || !saved.state) {
      local.removeItem(key);
      return;
    }
    var maxAge = parseInt(box.dataset.maxAge, 10) * 1000;
    if (!(saved.saved > Date.now() - maxAge)) {
      forget(box.dataset.slug);
      status.textContent = box.dataset.expiredText || "";
      return;
    }
    var form = box.querySelector("form");
    form.querySelector('input[name="state"]').value = saved.state;
    form.querySelector('button[name="action"]').value = addFields(form, saved);
    box.hidden = false;
    box.querySelector("[data-clear]").addEventListener("click", function () {
      forget(box.dataset.slug);
      box.hidden = true;
      status.textContent = box.dataset.clearedText || "";
    });
  }

  // --- Steps in this page's history --------------------------------------

  var slug = null; // the survey this tab is answering
  var introMain = null; // the intro as first shown, for Back to it
  var introTitle = "";

  function stepOf(root) {
    var form = root.querySelector("#answer-form");
    return form ? form.dataset.page : null;
  }

  function csrfToken() {
    var input = document.querySelector('input[name="csrfmiddlewaretoken"]');
    return input ? input.value : "";
  }

  function swapIn(main, title, lang) {
    document.getElementById("main").replaceWith(main);
    document.title = title;
    if (lang) document.documentElement.lang = lang;
    window.scrollTo(0, 0);
    setUp();
    var target = document.getElementById("error-summary") || document.querySelector("#main h1");
    if (target) target.focus();
  }

  // Post a step and show the answer in place; how: "push" a new history entry, "replace" this one, or "pop".
  function post(url, data, how) {
    document.body.setAttribute("aria-busy", "true"); // until the next step is shown
    return fetch(url, {method: "POST", body: data, credentials: "same-origin", redirect: "follow"})
      .then(function (response) {
        return response.text().then(function (html) {
          return {html: html, url: response.url, redirected: response.redirected};
        });
      })
      .then(function (got) {
        if (got.redirected) {
          window.location.assign(got.url); // sent: the thank-you page is a page of its own
          return;
        }
        var doc = new DOMParser().parseFromString(got.html, "text/html");
        var main = doc.getElementById("main");
        if (!main) throw new Error("no page");
        var step = stepOf(doc);
        var from = history.state && history.state.candour ? history.state.step : null;
        if (step !== null) {
          var entry = {candour: slug, step: step, from: how === "push" ? from : history.state && history.state.from};
          if (how === "push" && from !== step) history.pushState(entry, "", window.location.href);
          else history.replaceState(entry, "", window.location.href);
        }
        swapIn(document.adoptNode(main), doc.title, doc.documentElement.lang);
      })
      .finally(function () {
        document.body.removeAttribute("aria-busy");
      });
  }

  function send(form, submitter, how) {
    var data = new FormData(form, submitter);
    post(urlOf(form), data, how).catch(function () {
      form.dataset.plain = "1"; // the network failed: the ordinary form post still works
      form.requestSubmit(submitter);
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var submitter = event.submitter;
    if (form.dataset.plain || !window.fetch || !window.DOMParser) return;
    if (!form.matches("#answer-form, #start-form, #resume form")) return;
    if (submitter && submitter.name === "action" && submitter.value === "submit") return; // Send: an ordinary post
    if (submitter && submitter.name === "action" && submitter.value === "next" && !commentsChecked(form)) {
      event.preventDefault();
      return;
    }
    event.preventDefault();
    if (form.id === "start-form" || form.closest("#resume")) {
      slug = slug || (document.getElementById("resume") || {dataset: {}}).dataset.slug;
      history.replaceState({candour: slug, step: "intro"}, "", window.location.href);
    }
    var page = form.dataset.page;
    var back = submitter && submitter.value === "back";
    var from = history.state && history.state.from;
    if (back && from !== null && from !== undefined && /^[0-9]+$/.test(from) && +from < +page) {
      history.back(); // the browser's own history knows the way back
      return;
    }
    send(form, submitter, "push");
  });

  // The browser's Back or Forward: show the step its history entry names, with the answers given.
  window.addEventListener("popstate", function (event) {
    var entry = event.state;
    if (!entry || !entry.candour) return;
    if (entry.step === "intro") {
      if (!introMain) {
        window.location.reload();
        return;
      }
      swapIn(introMain.cloneNode(true), introTitle);
      return;
    }
    var form = document.getElementById("answer-form");
    var data;
    var url;
    if (form) {
      data = new FormData(form); // this page's answers come along, as with the page's own Back
      url = urlOf(form);
    } else {
      var kept = read(session, TAB + entry.candour);
      if (!kept) {
        window.location.reload();
        return;
      }
      data = new FormData();
      data.set("csrfmiddlewaretoken", csrfToken());
      data.set("state", kept.state);
      url = kept.url;
    }
    data.set("action", "move");
    data.set("to", entry.step);
    post(url, data, "pop").catch(function () {
      window.location.reload();
    });
  });

  // A reload (or a page restored in this tab) of a step: show that step again, with what was typed on it.
  function restoreAfterReload() {
    var entry = history.state;
    var how = (performance.getEntriesByType("navigation")[0] || {}).type;
    if (how !== "reload" && how !== "back_forward") return false; // opening the address afresh starts at the intro
    if (!entry || !entry.candour || entry.step === "intro" || document.getElementById("answer-form")) return false;
    var kept = read(session, TAB + entry.candour);
    if (!kept || !kept.state) return false;
    var form = document.createElement("form");
    var action = addFields(form, kept);
    var data = new FormData(form);
    data.set("csrfmiddlewaretoken", csrfToken());
    data.set("state", kept.state);
    data.set("action", action);
    post(kept.url, data, "replace").catch(function () {
      history.replaceState({candour: entry.candour, step: "intro"}, "", window.location.href);
    });
    return true;
  }

  // --- Errors ------------------------------------------------------------

  // A page with errors: focus the summary so it is read out first; each link focuses its field.
  function focusErrors() {
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
  }

  // --- The comment check -------------------------------------------------

  var rules = null;

  function compile(raw) {
    return {
      patterns: raw.patterns.map(function (p) {
        return {kind: p.kind, re: new RegExp(p.source, p.flags), lookbehind: p.lookbehind};
      }),
      firstNames: new Set(raw.first_names),
      notNames: new Set(raw.not_names),
      notPlaceWords: new Set(raw.not_place_words),
      notPlaces: new Set(raw.not_places),
      followers: new Set(raw.name_followers),
      ambiguous: new Set(raw.ambiguous_names),
      priority: raw.priority,
    };
  }

  function strip(word, chars) {
    var start = 0;
    var end = word.length;
    while (start < end && chars.indexOf(word[start]) >= 0) start++;
    while (end > start && chars.indexOf(word[end - 1]) >= 0) end--;
    return word.slice(start, end);
  }
  function splitWords(s) {
    return s.split(/\s+/).filter(Boolean);
  }

  // A UK phone number of 10 or 11 digits, as libphonenumber finds them for the moderator: with its
  // opening bracket, and ten digits written without the leading 0.
  var PHONE = /(?:\+44\s?(?:\(0\)\s?)?|\(?\b0)\d(?:[ -]?\d){8,9}\b|\b[1-9]\d{9}\b/g;
  var NHS = /\b\d{3}[ -]?\d{3}[ -]?\d{4}\b/g;

  function nhsChecksumOk(digits) {
    var total = 0;
    for (var i = 0; i < 9; i++) total += parseInt(digits[i], 10) * (10 - i);
    var check = 11 - (total % 11);
    if (check === 11) check = 0;
    return check !== 10 && check === parseInt(digits[9], 10);
  }

  function names(text, r) {
    var spans = [];
    var words = Array.from(text.matchAll(/[A-Za-z][A-Za-z'’-]*/g));
    words.forEach(function (word, i) {
      var first = word[0];
      var lower = first.toLowerCase();
      if (!r.firstNames.has(lower.replace(/['’s]+$/, "")) && !r.firstNames.has(lower)) return;
      var capitalised = /[A-Z]/.test(first[0]);
      var before = text.slice(0, word.index).trimEnd();
      var sentenceStart = !before || ".!?\n".indexOf(before[before.length - 1]) >= 0;
      var nxt = i + 1 < words.length ? words[i + 1] : null;
      var end = word.index + first.length;
      var gap = nxt ? text.slice(end, nxt.index) : null;
      var adjacent = nxt !== null && (gap === " " || gap === "  ");
      var surname =
        adjacent &&
        /^[A-Z][a-z]*(?:['’][A-Z]?[a-z]+)*(?:-[A-Z][a-z]+)?$/.test(nxt[0]) &&
        !r.firstNames.has(nxt[0].toLowerCase()) &&
        !r.notNames.has(nxt[0].toLowerCase());
      if (r.ambiguous.has(lower) && (!capitalised || sentenceStart) && !surname) {
        var following = nxt ? nxt[0].toLowerCase() : "";
        if (!(capitalised && r.followers.has(following))) return;
      }
      if (!capitalised && !surname && r.ambiguous.has(lower)) return;
      spans.push({start: word.index, end: surname ? nxt.index + nxt[0].length : end, kind: "PERSON"});
    });
    return spans;
  }

  function merge(spans, r) {
    var ordered = spans.slice().sort(function (a, b) {
      return b.end - b.start - (a.end - a.start) || r.priority[a.kind] - r.priority[b.kind] || a.start - b.start;
    });
    var kept = [];
    ordered.forEach(function (span) {
      var free = kept.every(function (k) {
        return span.end <= k.start || span.start >= k.end;
      });
      if (free) kept.push(span);
    });
    return kept.sort(function (a, b) {
      return a.start - b.start;
    });
  }

  // The moderator's detector (survey/moderation/detector.py) without the survey's own names list.
  function detect(text, r) {
    var found = [];
    r.patterns.forEach(function (p) {
      Array.from(text.matchAll(p.re)).forEach(function (m) {
        var start = m.index;
        var end = m.index + m[0].length;
        var words = splitWords(m[0]);
        if (p.kind === "PERSON" && words.length > 1 && r.notNames.has(strip(words[1].toLowerCase(), ".,"))) return;
        if (p.kind === "PLACE" && r.notPlaceWords.has(strip(words[0].toLowerCase(), "'s")) && p.lookbehind) return;
        if (p.kind === "PLACE" && r.notPlaces.has(words[0].toLowerCase())) {
          if (words.length <= 2) return;
          start = m.index + m[0].indexOf(words[1]);
        }
        found.push({start: start, end: end, kind: p.kind});
      });
    });
    Array.from(text.matchAll(NHS)).forEach(function (m) {
      var digits = m[0].replace(/\D/g, "");
      if (nhsChecksumOk(digits) || m[0].indexOf(" ") >= 0) {
        found.push({start: m.index, end: m.index + m[0].length, kind: "NHS_NUMBER"});
      }
    });
    Array.from(text.matchAll(PHONE)).forEach(function (m) {
      if (m[0].replace(/\D/g, "").length >= 10) found.push({start: m.index, end: m.index + m[0].length, kind: "PHONE"});
    });
    return merge(found.concat(names(text, r)), r);
  }

  function showFindings(box, out) {
    var spans = detect(box.value, rules);
    out.textContent = "";
    if (!spans.length) return spans;
    var heading = document.createElement("p");
    heading.className = "fw-semibold mb-1";
    heading.textContent = out.dataset.found;
    var list = document.createElement("ul");
    list.className = "mb-1";
    spans.forEach(function (span) {
      var item = document.createElement("li");
      var kind = span.kind.toLowerCase().replace(/(^|_)([a-z])/g, function (m, sep, c) {
        return c.toUpperCase();
      });
      item.textContent = "“" + box.value.slice(span.start, span.end) + "”: " + (out.dataset["kind" + kind] || "");
      list.appendChild(item);
    });
    var why = document.createElement("p");
    why.className = "mb-0";
    why.textContent = out.dataset.why;
    out.append(heading, list, why);
    return spans;
  }

  function setUpCommentChecks() {
    var source = document.getElementById("comment-check-rules");
    if (!source) return;
    rules = rules || compile(JSON.parse(source.textContent));
    document.querySelectorAll("textarea[data-comment-check]").forEach(function (box) {
      var out = document.getElementById(box.id + "_check");
      var timer = null;
      box.addEventListener("input", function () {
        clearTimeout(timer);
        timer = setTimeout(function () {
          showFindings(box, out);
        }, 400);
      });
      box.addEventListener("blur", function () {
        showFindings(box, out);
      });
      if (box.value) showFindings(box, out);
    });
  }

  // Before Continue: a comment that may identify someone is shown once with the warning (focused).
  function commentsChecked(form) {
    if (!rules) return true;
    var ok = true;
    form.querySelectorAll("textarea[data-comment-check]").forEach(function (box) {
      var out = document.getElementById(box.id + "_check");
      var spans = showFindings(box, out);
      if (ok && spans.length && box.dataset.warned !== box.value) {
        box.dataset.warned = box.value;
        out.setAttribute("tabindex", "-1");
        out.append(Object.assign(document.createElement("p"), {className: "mb-0 mt-1 fw-semibold", textContent: out.dataset.again}));
        out.focus();
        ok = false;
      }
    });
    return ok;
  }

  window.CandourCommentCheck = {
    detect: function (text, raw) {
      return detect(text, compile(raw));
    },
  };

  // --- Every page, as shown ----------------------------------------------

  function setUp() {
    document.querySelectorAll("[data-js-only]").forEach(function (el) {
      el.hidden = false;
    });
    document.querySelectorAll("[data-without-js]").forEach(function (el) {
      el.hidden = true; // the browser's own Back works here
    });
    var form = document.querySelector("form[data-resume]");
    if (form) {
      slug = form.dataset.resume;
      remember(form);
    }
    var done = document.querySelector("[data-clear-saved]");
    if (done) forget(done.dataset.clearSaved);
    offerResume();
    focusErrors();
    setUpCommentChecks();
  }

  var box = document.getElementById("resume");
  if (box) {
    slug = box.dataset.slug;
    introMain = document.getElementById("main").cloneNode(true);
    introTitle = document.title;
    if (restoreAfterReload()) return;
    history.replaceState({candour: slug, step: "intro"}, "", window.location.href);
  }
  setUp();
})();
