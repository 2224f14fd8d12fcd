// Quiz pages: save each answer as it is chosen, and count down a time limit.
// Without this file the Save button does the same; the server enforces the deadline.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("form[data-autosave]");
  if (form) {
    // Every text shown here comes from the page (data-*-text), in the reader's language.
    const texts = form.dataset;
    const status = form.querySelector("[data-save-status]");
    const token = form.querySelector('input[name="csrf_token"]');
    const show = (text) => { if (status) status.textContent = text || ""; };
    let dirty = false;      // answers changed since the last save the server confirmed
    let pending = false;    // a save is on its way
    let queued = false;     // another change came while it was
    let leaving = false;    // the form itself is being sent (Save or Submit button)
    let retryTimer = null;
    let delay = 2000;       // backoff: 2 s, 4 s, 8 s ... up to a minute

    const setToken = (value) => { if (value && token) token.value = value; };
    // The CSRF token expires an hour after the page loaded; a long quiz asks for a fresh one.
    const refreshToken = async () => {
      try {
        const response = await fetch(texts.tokenUrl, {
          headers: { "X-Requested-With": "fetch" },
          credentials: "same-origin",
          cache: "no-store",
        });
        if (response.ok) setToken((await response.json()).csrf_token);
      } catch (error) { /* offline: the next save or refresh tries again */ }
    };
    const post = () => fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { "X-Requested-With": "fetch" },
      credentials: "same-origin",
    });
    const json = (response) => response.json().catch(() => null);

    const retryLater = () => {
      show(navigator.onLine === false ? texts.offlineText : texts.retryingText);
      clearTimeout(retryTimer);
      retryTimer = setTimeout(save, delay);
      delay = Math.min(delay * 2, 60000);
    };

    // data-save-state says whether every answer has reached the server ("saved") or not.
    const mark = () => { form.dataset.saveState = dirty || pending ? "unsaved" : "saved"; };

    async function save() {
      dirty = true;
      mark();
      if (pending) { queued = true; return; }
      clearTimeout(retryTimer);
      pending = true;
      show(texts.savingText);
      try {
        let response = await post();
        let data = await json(response);
        if (!data && response.status === 400) {
          // Not our JSON: the CSRF token had expired. Fetch a fresh one and send again.
          await refreshToken();
          response = await post();
          data = await json(response);
        }
        if (data) setToken(data.csrf_token);
        if (response.ok && data && data.saved) {
          if (!queued) dirty = false;
          delay = 2000;
          show(data.message);
        } else if (data && !data.retry && [401, 403, 409].includes(response.status)) {
          // Final: time is up, the attempt was submitted, access was refused, or the
          // session has ended (401: log in again; what was saved before is kept).
          dirty = false;
          show(data.message);
        } else {
          retryLater();
        }
      } catch (error) {
        retryLater();  // the network failed: nothing was saved
      } finally {
        pending = false;
        mark();
        if (queued) { queued = false; save(); }
      }
    }

    let timer = null;
    form.addEventListener("change", save);
    form.addEventListener("input", (event) => {
      if (event.target.type !== "text") return;
      dirty = true;
      clearTimeout(timer);
      timer = setTimeout(save, 600);
    });
    form.addEventListener("submit", () => { leaving = true; });
    window.addEventListener("online", () => { if (dirty) { delay = 2000; save(); } });
    window.addEventListener("beforeunload", (event) => {
      if (leaving || !(dirty || pending)) return;
      event.preventDefault();
      event.returnValue = texts.leaveText;  // most browsers show their own words
      return texts.leaveText;
    });
    setInterval(refreshToken, 20 * 60 * 1000);  // keeps Submit's token fresh too
  }

  const clock = document.querySelector("[data-countdown]");
  if (clock) {
    const value = clock.querySelector(".countdown__value");
    const end = Date.now() + Number(clock.dataset.countdown) * 1000;
    const tick = () => {
      const left = Math.max(0, Math.round((end - Date.now()) / 1000));
      if (value) value.textContent = `${Math.floor(left / 60)}:${String(left % 60).padStart(2, "0")}`;
      if (left === 0) {
        clock.textContent = clock.dataset.expiredText;
        clock.classList.add("countdown--over");
        const submit = form && form.querySelector("[data-submit]");
        if (submit) form.requestSubmit(submit);
        return;
      }
      setTimeout(tick, 1000);
    };
    if (value) tick();
  }
});
