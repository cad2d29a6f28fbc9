// Live progress of an analysis run on the dashboard. Without this script the page shows the
// same bar and a Refresh link; with it, the bar follows the run until it finishes.
const POLL_EVERY_MS = 2000;

function follow(container) {
  const url = container.dataset.progressUrl;
  const bar = container.querySelector("[data-progress-bar]");
  const text = container.querySelector("[data-progress-text]");
  const refresh = container.querySelector("[data-progress-refresh]");
  if (!url || !bar || !text) return;

  async function poll() {
    let state;
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (!response.ok) throw new Error(`status ${response.status}`);
      state = await response.json();
    } catch {
      // A dropped connection is not the run failing: try again later, the Refresh link still works.
      window.setTimeout(poll, POLL_EVERY_MS * 5);
      return;
    }
    bar.value = state.progress;
    bar.textContent = `${state.progress}%`;
    if (state.finished) {
      text.textContent =
        state.status === "failed"
          ? "The analysis failed. Reload the page to see the details."
          : "The analysis has finished. Reload the page to see the new results.";
      if (refresh) {
        refresh.replaceChildren();
        const link = document.createElement("a");
        link.className = "govuk-link";
        link.href = window.location.pathname;
        link.textContent = "Reload the page";
        refresh.append(link);
        refresh.hidden = false;
      }
      return;
    }
    text.textContent = `${state.stage_label}: ${state.progress}% done.`;
    window.setTimeout(poll, POLL_EVERY_MS);
  }

  if (refresh) refresh.hidden = true;
  window.setTimeout(poll, POLL_EVERY_MS);
}

document.querySelectorAll('[data-module="consult-run-progress"]').forEach((container) => {
  if (container.querySelector("[data-progress-bar]")) follow(container);
});
