// The operator console's live floor (served by backend_stub/console/live.py).
// Every few seconds while the tab is shown: ask /console/live for the new and overdue counts
// (shown in [data-count] elements) and a stamp; when the stamp changes, fetch this page again
// and swap in its live regions ([data-live-region] with an id), except a region where the
// operator has focused or changed a field: nothing being typed is lost.
"use strict";
(function () {
  let stamp = null;
  let delay = 5000;

  function busy(region) {
    const active = document.activeElement;
    if (active && active !== document.body && region.contains(active) &&
        active.matches("input, textarea, select")) {
      return true;
    }
    for (const field of region.querySelectorAll("input, textarea, select")) {
      if (field.type === "hidden") continue;
      if (field.type === "checkbox" || field.type === "radio") {
        if (field.checked !== field.defaultChecked) return true;
      } else if (field.tagName === "SELECT") {
        for (const option of field.options) {
          if (option.selected !== option.defaultSelected) return true;
        }
      } else if (field.value !== field.defaultValue) {
        return true;
      }
    }
    return false;
  }

  async function refreshRegions() {
    const regions = document.querySelectorAll("[data-live-region][id]");
    if (!regions.length) return;
    const answer = await fetch(location.href, { credentials: "same-origin" });
    if (!answer.ok || answer.redirected) return;
    const fresh = new DOMParser().parseFromString(await answer.text(), "text/html");
    for (const region of regions) {
      const next = fresh.getElementById(region.id);
      if (next && !busy(region)) region.replaceWith(document.adoptNode(next));
    }
    document.dispatchEvent(new CustomEvent("console:refreshed"));
  }

  async function tick() {
    try {
      if (!document.hidden) {
        const answer = await fetch("/console/live", {
          credentials: "same-origin",
          headers: { Accept: "application/json" },
        });
        const type = answer.headers.get("Content-Type") || "";
        if (answer.ok && type.startsWith("application/json")) {
          const live = await answer.json();
          delay = (live.poll_seconds || 5) * 1000;
          for (const el of document.querySelectorAll("[data-count]")) {
            el.textContent = String(live[el.dataset.count] ?? "");
          }
          if (stamp !== null && live.stamp !== stamp) await refreshRegions();
          stamp = live.stamp;
        }
      }
    } catch (err) {
      // the network is down for a moment: try again at the next tick
    }
    setTimeout(tick, delay);
  }

  tick();
})();
