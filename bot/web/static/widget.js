/* Boussole chat widget: one <script src=".../widget.js" defer> tag on any site.
 * Options (data- attributes of the tag): data-server, data-title, data-color,
 * data-greeting, data-open ("true" to start open). Plain JS, no build step.
 * Security: every text from a user or the assistant is inserted as text
 * nodes; the only markup built is a small Markdown subset (bold, lists, line
 * breaks, http/https/mailto links) and the reply's titled links, element by
 * element.
 * The page may ask for the reader: a click on any element with
 * data-boussole-ask="question" opens the widget and sends the question, as
 * does window.Boussole.ask("question").
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || window.__boussoleWidget) { return; }
  window.__boussoleWidget = true;

  var data = script.dataset;
  var server = (data.server || new URL(script.src, location.href).origin).replace(/\/+$/, "");
  var title = data.title || "Boussole";
  var greeting = data.greeting || "Bonjour\u202f! Je suis Boussole. Posez-moi une question sur un métier\u00a0: missions, compétences, formation, salaire…";
  var idKey = "boussole:conversation:" + server;
  var pingKey = "boussole:updated:" + server;
  var TEXT = {
    open: "Ouvrir la discussion avec " + title,
    close: "Fermer la discussion",
    launcher: "Une question\u202f?",
    restart: "Nouvelle conversation",
    label: "Votre question",
    send: "Envoyer",
    typing: title + " écrit…",
    retry: "Réessayer",
    unreachable: "Impossible de joindre l'assistant. Vérifiez votre connexion puis réessayez.",
    failed: "L'assistant n'a pas pu répondre. Réessayez dans un instant.",
    feedbackGroup: "Cette réponse vous a-t-elle été utile\u202f?",
    helpful: "Utile",
    unhelpful: "Pas utile",
    feedbackFailed: "Votre avis n'a pas pu être enregistré. Réessayez dans un instant."
  };

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") { node.textContent = attrs[k]; } else { node.setAttribute(k, attrs[k]); }
    });
    (children || []).forEach(function (c) { node.appendChild(c); });
    return node;
  }

  // --- safe Markdown subset -------------------------------------------------
  var SAFE_URL = /^(https?:\/\/|mailto:)/i;
  var WEB_URL = /^https?:\/\/[^\s]+$/i;
  // The reply's links ({title, url, text}) that can be shown: text is an exact piece of the reply to replace.
  function usableLinks(links) {
    return (Array.isArray(links) ? links : []).filter(function (l) {
      return l && typeof l.title === "string" && l.title && typeof l.text === "string" && l.text &&
        typeof l.url === "string" && WEB_URL.test(l.url);
    });
  }
  // Text with titled links: each link's first remaining occurrence becomes <a>title</a>, the rest is Markdown.
  function linked(parent, text, links) {
    for (;;) {
      var best = null, at = -1;
      links.forEach(function (l) {
        var i = text.indexOf(l.text);
        if (i >= 0 && (at < 0 || i < at)) { at = i; best = l; }
      });
      if (!best) { inline(parent, text); return; }
      inline(parent, text.slice(0, at));
      parent.appendChild(el("a", { href: best.url, target: "_blank", rel: "noopener noreferrer", text: best.title }));
      links.splice(links.indexOf(best), 1);
      text = text.slice(at + best.text.length);
    }
  }
  function inline(parent, text) {
    // **bold**, [label](url), and a bare https:// address (a fiche's link), its final dot left out.
    var pattern = /\*\*([^*]+)\*\*|\[([^\]]+)\]\(([^)\s]+)\)|(https?:\/\/[^\s<>«»"]*[^\s<>«»".,;:!?)])/g, last = 0, m;
    while ((m = pattern.exec(text)) !== null) {
      parent.appendChild(document.createTextNode(text.slice(last, m.index)));
      if (m[1] !== undefined) {
        parent.appendChild(el("strong", { text: m[1] }));
      } else if (m[4] !== undefined) {
        parent.appendChild(el("a", { href: m[4], target: "_blank", rel: "noopener noreferrer", text: m[4] }));
      } else if (SAFE_URL.test(m[3])) {
        parent.appendChild(el("a", { href: m[3], target: "_blank", rel: "noopener noreferrer", text: m[2] }));
      } else {
        parent.appendChild(document.createTextNode(m[0]));
      }
      last = pattern.lastIndex;
    }
    parent.appendChild(document.createTextNode(text.slice(last)));
  }
  function renderMarkdown(text, links) {
    var box = document.createDocumentFragment(), list = null, para = null;
    links = usableLinks(links);
    String(text || "").split("\n").forEach(function (line) {
      var item = /^\s*[-*•]\s+(.*)$/.exec(line);
      if (item) {
        para = null;
        if (!list) { list = box.appendChild(el("ul")); }
        linked(list.appendChild(el("li")), item[1], links);
      } else if (line.trim() === "") {
        list = null; para = null;
      } else {
        list = null;
        if (para) { para.appendChild(el("br")); } else { para = box.appendChild(el("p")); }
        linked(para, line, links);
      }
    });
    return box;
  }

  // --- DOM ------------------------------------------------------------------
  var host = el("div", { id: "boussole-widget", lang: "fr" });
  document.body.appendChild(host);
  var root = host.attachShadow({ mode: "open" });
  if (data.color) { host.style.setProperty("--primary", data.color); }
  root.appendChild(el("link", { rel: "stylesheet", href: server + "/widget.css" }));

  var launcher = el("button", { type: "button", "class": "launcher", "aria-label": TEXT.open, "aria-expanded": "false", "aria-controls": "boussole-panel", text: TEXT.launcher });
  var restart = el("button", { type: "button", text: TEXT.restart });
  var closer = el("button", { type: "button", "aria-label": TEXT.close, text: "✕" });
  var log = el("div", { "class": "log", role: "log", "aria-live": "polite", "aria-label": "Conversation avec " + title });
  var typing = el("div", { "class": "typing", role: "status", hidden: "", text: TEXT.typing });
  var errorText = el("p");
  var retry = el("button", { type: "button", text: TEXT.retry });
  var errorBox = el("div", { "class": "error", role: "alert", hidden: "" }, [errorText, retry]);
  var input = el("textarea", { id: "boussole-input", rows: "1", maxlength: "2000", autocomplete: "off" });
  var send = el("button", { type: "submit", text: TEXT.send });
  var form = el("form", {}, [el("label", { "for": "boussole-input", "class": "sr-only", text: TEXT.label }), input, send]);
  var panel = el("section", { id: "boussole-panel", "class": "panel", role: "dialog", "aria-labelledby": "boussole-title", hidden: "" }, [
    el("header", {}, [el("h2", { id: "boussole-title", text: title }), restart, closer]),
    log, typing, errorBox, form
  ]);
  root.appendChild(panel);
  root.appendChild(launcher);

  // --- conversation ---------------------------------------------------------
  var conversationId = localStorage.getItem(idKey);
  var pending = null;      // {text, shown} of a message that failed, for "Réessayer"
  var loaded = false;
  var historyLoad = null;  // the promise of the history being (re)loaded
  var asked = Promise.resolve();  // the page's questions, one after the other
  var inflight = null;     // the promise of the turn being sent

  function scrollDown() { log.scrollTop = log.scrollHeight; }
  // A new reply is read from its start: its top at the top of the log (a short one ends up at the bottom anyway).
  function scrollToStart(node) {
    if (!node || !node.isConnected) { scrollDown(); return; }
    var gap = 8;
    log.scrollTop += node.getBoundingClientRect().top - log.getBoundingClientRect().top - gap;
  }
  function addMessage(role, text, links) {
    var bubble = el("div", { "class": "msg " + role });
    if (role === "bot") { bubble.appendChild(renderMarkdown(text, links)); } else { bubble.textContent = text; }
    log.appendChild(bubble);
    scrollDown();
    return bubble;
  }
  function addButtons(buttons, chosenPayload) {
    if (!buttons || !buttons.length) { return; }
    var group = el("div", { "class": "quick", role: "group", "aria-label": "Suggestions" });
    buttons.forEach(function (b) {
      var button = el("button", { type: "button", "aria-pressed": String(b.payload === chosenPayload), text: b.title });
      button.addEventListener("click", function () {
        group.querySelectorAll("button").forEach(function (o) { o.setAttribute("aria-pressed", "false"); });
        button.setAttribute("aria-pressed", "true");
        ask(b.payload, b.title);
      });
      group.appendChild(button);
    });
    log.appendChild(group);
    scrollDown();
  }
  // POST a JSON body; resolves to {status, json} whatever the status (a body that is not JSON gives {}).
  function postJson(path, body) {
    return fetch(server + path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) })
      .then(function (r) {
        return r.json().catch(function () { return {}; }).then(function (json) { return { status: r.status, json: json }; });
      });
  }
  // « Utile / Pas utile » under a reply of the assistant (not under the greeting, which is the page's own).
  function addFeedback(replyText, given) {
    var group = el("div", { "class": "feedback", role: "group", "aria-label": TEXT.feedbackGroup });
    var note = el("span", { "class": "note", role: "status" });
    // Words, not emoji: an emoji shows as an empty box where the system has no emoji font.
    var choices = [[true, TEXT.helpful], [false, TEXT.unhelpful]].map(function (c) {
      var button = el("button", { type: "button", "aria-pressed": String(given === c[0]), text: c[1] });
      button.addEventListener("click", function () { sendFeedback(c[0]); });
      group.appendChild(button);
      return { helpful: c[0], button: button };
    });
    group.appendChild(note);
    function sendFeedback(helpful) {
      note.textContent = "";
      postJson("/api/feedback", { conversation_id: conversationId, reply: replyText, helpful: helpful })
        .then(function (res) {
          if (res.status !== 200) { throw new Error(res.json.detail || TEXT.feedbackFailed); }
          choices.forEach(function (c) { c.button.setAttribute("aria-pressed", String(c.helpful === helpful)); });
          note.textContent = res.json.message;
        })
        .catch(function (e) { note.textContent = e instanceof TypeError ? TEXT.unreachable : (e.message || TEXT.feedbackFailed); });
    }
    log.appendChild(group);
    scrollDown();
  }
  function showGreeting() { addMessage("bot", greeting); }
  function showError(message) { errorText.textContent = message; errorBox.hidden = false; }
  function clearError() { errorBox.hidden = true; errorText.textContent = ""; }
  function setId(id) {
    conversationId = id;
    if (id) { localStorage.setItem(idKey, id); } else { localStorage.removeItem(idKey); }
  }

  function loadHistory() {
    loaded = true;
    if (!conversationId) { log.textContent = ""; showGreeting(); historyLoad = Promise.resolve(); return historyLoad; }
    historyLoad = fetch(server + "/api/conversations/" + encodeURIComponent(conversationId))
      .then(function (r) {
        if (r.status === 404) { setId(null); return { messages: [] }; }
        if (!r.ok) { throw new Error("history " + r.status); }
        return r.json();
      })
      .then(function (body) {
        log.textContent = "";
        showGreeting();
        var lastTurn = null;
        body.messages.forEach(function (m, i) {
          var bubble = addMessage(m.role, m.text, m.links);
          if (m.role === "user") { lastTurn = null; } else if (!lastTurn) { lastTurn = bubble; }
          if (m.role === "bot" && m.text) { addFeedback(m.text, m.helpful); }
          var next = body.messages[i + 1];
          var chosen = (m.buttons || []).filter(function (b) { return next && next.role === "user" && next.text === b.title; })[0];
          if (m.role === "bot") { addButtons(m.buttons, chosen && chosen.payload); }
        });
        if (lastTurn) { scrollToStart(lastTurn); }
      })
      .catch(function () { showError(TEXT.unreachable); });
    return historyLoad;
  }

  function ask(text, shownAs) {
    clearError();
    pending = { text: text, shown: shownAs || text };
    addMessage("user", pending.shown);
    return post();
  }
  function post() {
    var body = { message: pending.text };
    if (conversationId) { body.conversation_id = conversationId; }
    typing.hidden = false;
    send.disabled = true;
    inflight = postJson("/api/chat", body)
      .then(function (res) {
        if (res.status === 404 && res.json.code === "unknown_conversation") {
          setId(null);  // the server forgot it: start over, keep the message
          return post();
        }
        if (res.status !== 200) { throw new Error(res.json.detail || TEXT.failed); }
        setId(res.json.conversation_id);
        pending = null;
        var first = null;
        res.json.replies.forEach(function (reply) {
          var bubble = addMessage("bot", reply.text, reply.links);
          first = first || bubble;
          if (reply.text) { addFeedback(reply.text, null); }
          addButtons(reply.buttons);
        });
        scrollToStart(first);
        localStorage.setItem(pingKey, String(Date.now()));
      })
      .catch(function (e) {
        showError(e instanceof TypeError ? TEXT.unreachable : (e.message || TEXT.failed));
      })
      .then(function () { typing.hidden = true; send.disabled = false; });
    return inflight;
  }

  // --- controls ---------------------------------------------------------------
  // Phones: the panel fills the screen, and the keyboard would cover the answer a page's question brings.
  var phone = window.matchMedia ? window.matchMedia("(max-width: 480px)") : { matches: false };
  function open(focusInput) {
    panel.hidden = false;
    launcher.setAttribute("aria-expanded", "true");
    if (!loaded) { loadHistory(); }
    if (focusInput === false) { closer.focus(); } else { input.focus(); }
  }
  // A question asked by the page (a data-boussole-ask element, or Boussole.ask): open, wait for the
  // history and any turn under way, then send it as if typed.
  function askFromPage(text) {
    text = String(text == null ? "" : text).trim().slice(0, 2000);
    if (!text) { return Promise.resolve(); }
    open(!phone.matches);
    asked = asked.then(function () { return historyLoad; }).then(function () { return inflight; })
      .then(function () { return ask(text); });
    return asked;
  }
  function close() {
    panel.hidden = true;
    launcher.setAttribute("aria-expanded", "false");
    launcher.focus();
  }
  launcher.addEventListener("click", function () { if (panel.hidden) { open(); } else { close(); } });
  document.addEventListener("click", function (e) {
    var target = e.target && e.target.closest ? e.target.closest("[data-boussole-ask]") : null;
    if (!target) { return; }
    e.preventDefault();
    askFromPage(target.getAttribute("data-boussole-ask"));
  });
  window.Boussole = { ask: askFromPage, open: function () { open(); }, close: close };
  closer.addEventListener("click", close);
  panel.addEventListener("keydown", function (e) { if (e.key === "Escape") { e.preventDefault(); close(); } });
  restart.addEventListener("click", function () {
    setId(null); pending = null; clearError();
    log.textContent = ""; showGreeting();
    localStorage.setItem(pingKey, String(Date.now()));
    input.focus();
  });
  retry.addEventListener("click", function () { if (pending) { clearError(); post(); } else { clearError(); loadHistory(); } });
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var text = input.value.trim();
    if (!text || send.disabled) { return; }
    input.value = "";
    ask(text);
  });
  input.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) { e.preventDefault(); form.requestSubmit(); }
  });
  // Another tab of the same site spoke or started over: follow it.
  window.addEventListener("storage", function (e) {
    if (e.key !== idKey && e.key !== pingKey) { return; }
    conversationId = localStorage.getItem(idKey);
    if (loaded) { loadHistory(); }
  });

  if (data.open === "true") { open(); }
})();
