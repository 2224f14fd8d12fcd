// Quiz pages: save each answer as it is chosen, and count down a time limit.
// Without this file the Save button does the same; the server enforces the deadline.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("form[data-autosave]");
  if (form) {
    const status = form.querySelector("[data-save-status]");
    let pending = null;
    let queued = false;
    const save = async () => {
      if (pending) { queued = true; return; }
      if (status) status.textContent = status.dataset.saving || "…";
      pending = fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        headers: { "X-Requested-With": "fetch" },
        credentials: "same-origin",
      })
        .then(async (response) => {
          const data = await response.json().catch(() => ({}));
          if (status) status.textContent = data.message || "";
        })
        .catch(() => { if (status) status.textContent = ""; })
        .finally(() => {
          pending = null;
          if (queued) { queued = false; save(); }
        });
    };
    let timer = null;
    form.addEventListener("change", save);
    form.addEventListener("input", (event) => {
      if (event.target.type !== "text") return;
      clearTimeout(timer);
      timer = setTimeout(save, 600);
    });
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
