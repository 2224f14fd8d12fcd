// The live chat (academy.chat): Server-Sent Events in, ordinary CSRF-checked POSTs out.
// A message is shown at once (optimistic), then confirmed by the id the server stored it
// under; the stream's `id:` is that id, so a reconnect (EventSource sends Last-Event-ID)
// replays exactly what was missed, and an id already shown is never shown twice.
(() => {
  "use strict";

  const URL_RE = /\bhttps?:\/\/[^\s<>"']+/g;

  // Plain text with links made clickable: text nodes and <a>, never HTML from a message.
  function linkified(text) {
    const frag = document.createDocumentFragment();
    let last = 0;
    for (const match of text.matchAll(URL_RE)) {
      let url = match[0].replace(/[.,;:!?)\]]+$/, "");
      frag.append(document.createTextNode(text.slice(last, match.index)));
      const a = document.createElement("a");
      a.href = url;
      a.rel = "noopener noreferrer nofollow";
      a.target = "_blank";
      a.textContent = url;
      frag.append(a);
      last = match.index + url.length;
    }
    frag.append(document.createTextNode(text.slice(last)));
    return frag;
  }

  function fill(template, name) {
    return (template || "").replace("%(name)s", name);
  }

  function setupChat(root) {
    const d = root.dataset;
    const log = root.querySelector("[data-chat-log]");
    const status = root.querySelector("[data-chat-status]");
    const typingLine = root.querySelector("[data-chat-typing]");
    const form = root.querySelector("[data-chat-form]");
    const errorLine = root.querySelector("[data-chat-error]");
    const me = Number(d.me);
    const staff = d.staff === "1";
    const clock = new Intl.DateTimeFormat(document.documentElement.lang || "en", {
      hour: "2-digit", minute: "2-digit", timeZone: d.zone,
    });
    let typingTimer = null;
    let lastTypingSent = 0;
    let pending = 0;

    function render(m, li) {
      li = li || document.createElement("li");
      li.replaceChildren();
      li.className = "chat__message";
      if (m.kind !== "text") {
        li.classList.add("chat__system");
        const key = { joined: d.tJoined, handed: d.tHanded, ended: d.tEnded }[m.kind];
        li.textContent = fill(key, m.body);
        return li;
      }
      const mine = m.author_id === me;
      li.classList.add(mine ? "chat__message--mine" : "chat__message--theirs");
      if (m.from_staff) li.classList.add("chat__message--staff");
      const head = document.createElement("p");
      head.className = "chat__head";
      const who = document.createElement("strong");
      who.textContent = mine ? d.tYou : m.author;
      head.append(who, " ");
      if (m.at) {
        const time = document.createElement("time");
        time.dateTime = m.at;
        time.textContent = clock.format(new Date(m.at));
        head.append(time);
      }
      const body = document.createElement("p");
      body.className = "chat__body";
      body.append(linkified(m.body || ""));
      li.append(head, body);
      if (m.file && m.id > 0) {
        const a = document.createElement("a");
        a.href = d.fileUrl.replace(/0$/, String(m.id));
        a.textContent = fill(d.tFile, m.file);
        li.append(a);
      }
      if (staff && !m.from_staff && m.id > 0 && d.reportUrl) {
        const a = document.createElement("a");
        a.className = "chat__report small";
        a.href = d.reportUrl.replace(/0\/incident$/, `${m.id}/incident`);
        a.textContent = d.tReport;
        li.append(" ", a);
      }
      return li;
    }

    function shown(id) {
      return log.querySelector(`[data-id="${id}"]`);
    }

    function add(m) {
      if (m.id > 0 && shown(m.id)) return;
      const li = render(m);
      if (m.id) li.dataset.id = String(m.id);
      log.append(li);
      log.scrollTop = log.scrollHeight;
      if (m.kind === "ended") ended();
      if (m.from_staff !== staff) typingLine.textContent = "";
    }

    function ended() {
      finished = true;
      clearTimeout(retryTimer);
      if (form) form.hidden = true;
      if (source) source.close();
      status.textContent = d.tEnded;
      if (d.rateUrl) {
        // The client's page: the rating form and a new conversation are on the widget page.
        const a = document.createElement("a");
        a.href = d.rateUrl;
        a.textContent = d.tRate;
        status.append(" ", a);
      }
      root.dispatchEvent(new CustomEvent("chat:ended", { bubbles: true }));
    }

    let source = null;
    let finished = false;   // the conversation has ended: nothing to reconnect for
    let lastId = 0;         // the last stored message shown
    let retryTimer = null;
    let delay = 1000;       // backoff after a refused stream: 1 s, 2 s, 4 s ... up to a minute
    function connect() {
      // The first connection replays the whole conversation; the browser's own reconnects
      // send Last-Event-ID. A reply other than 200 (a 429, a 5xx) closes EventSource for
      // good: then a new one after a pause, asking for what came after the last id shown.
      source = new EventSource(lastId ? `${d.stream}?after=${lastId}` : d.stream);
      source.addEventListener("open", () => { status.textContent = d.tConnected; delay = 1000; });
      source.addEventListener("error", () => {
        if (finished) return;
        status.textContent = d.tReconnecting;
        if (source.readyState !== EventSource.CLOSED) return;
        clearTimeout(retryTimer);
        retryTimer = setTimeout(connect, delay);
        delay = Math.min(delay * 2, 60000);
      });
      source.addEventListener("message", (e) => {
        const m = JSON.parse(e.data);
        if (m.id > lastId) lastId = m.id;
        add(m);
      });
      source.addEventListener("typing", (e) => {
        const t = JSON.parse(e.data);
        if (t.from_staff === staff) return; // our own side
        typingLine.textContent = fill(d.tTyping, t.name);
        clearTimeout(typingTimer);
        typingTimer = setTimeout(() => { typingLine.textContent = ""; }, 4000);
      });
    }
    connect();

    if (!form) return;
    const input = form.querySelector("textarea");
    const fileInput = form.querySelector("input[type=file]");

    input.addEventListener("keydown", (e) => {
      if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        form.requestSubmit();
      }
    });
    input.addEventListener("input", () => {
      const t = Date.now();
      if (t - lastTypingSent < 2500 || !input.value) return;
      lastTypingSent = t;
      fetch(d.typing, { method: "POST", headers: { "X-CSRFToken": csrf }, credentials: "same-origin" })
        .catch(() => {});
    });

    // The CSRF token expires an hour after the page loaded (as on the quiz pages): each
    // answer brings a fresh one, and a message refused with 400 asks for one and is sent again.
    let csrf = d.csrf;
    const tokenInput = form.querySelector('input[name="csrf_token"]');
    const setToken = (value) => {
      if (!value) return;
      csrf = value;
      if (tokenInput) tokenInput.value = value;
    };
    const refreshToken = async () => {
      try {
        const response = await fetch(d.tokenUrl, {
          credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" },
        });
        if (response.ok) setToken((await response.json()).csrf_token);
      } catch (error) { /* offline: the send fails and says so */ }
    };
    const send = (data) => {
      data.set("csrf_token", csrf);
      return fetch(d.post, {
        method: "POST", body: data, credentials: "same-origin",
        headers: { "X-CSRFToken": csrf, Accept: "application/json" },
      });
    };

    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      const text = input.value.trim();
      const hasFile = fileInput && fileInput.files.length > 0;
      if (!text && !hasFile) return;
      errorLine.textContent = "";
      const temp = -(++pending);
      const li = render({ id: temp, kind: "text", author_id: me, body: text, from_staff: staff });
      li.dataset.id = String(temp);
      li.classList.add("chat__message--pending");
      log.append(li);
      log.scrollTop = log.scrollHeight;
      const data = new FormData(form);
      input.value = "";
      if (fileInput) fileInput.value = "";
      try {
        let response = await send(data);
        let answer = await response.json().catch(() => null);
        if (!answer && response.status === 400) {
          // Not our JSON: the CSRF token had expired. Fetch a fresh one and send again.
          await refreshToken();
          response = await send(data);
          answer = await response.json().catch(() => null);
        }
        answer = answer || {};
        setToken(answer.csrf_token);
        if (!response.ok) throw new Error(answer.error || d.tFailed);
        if (shown(answer.id)) li.remove(); // the stream was faster
        else { render(answer, li); li.dataset.id = String(answer.id); }
      } catch (err) {
        li.classList.add("chat__message--failed");
        errorLine.textContent = err.message || d.tFailed;
        if (!input.value) input.value = text;
      }
    });
  }

  // The staff console: the queue is reloaded whenever the stream says it changed.
  function setupConsole(root) {
    const source = new EventSource(root.dataset.stream);
    let busy = false;
    let again = false;  // a change announced while the queue was being fetched
    source.addEventListener("queue", async () => {
      if (busy) { again = true; return; }
      busy = true;
      try {
        do {
          again = false;
          const response = await fetch(root.dataset.queueUrl, { credentials: "same-origin" });
          if (response.ok) {
            const html = await response.text();
            const doc = new DOMParser().parseFromString(html, "text/html");
            const fresh = doc.querySelector("[data-queue]");
            const old = root.querySelector("[data-queue]");
            if (fresh && old) old.replaceWith(fresh);
          }
        } while (again);
      } finally {
        busy = false;
      }
    });
    source.addEventListener("message", () => source.dispatchEvent(new Event("queue")));
  }

  document.addEventListener("DOMContentLoaded", () => {
    for (const root of document.querySelectorAll("[data-chat]")) setupChat(root);
    for (const root of document.querySelectorAll("[data-console]")) setupConsole(root);
  });
})();
