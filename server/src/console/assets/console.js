// stepfn's web console: keeps a page live, shows a state's details on a click, checks JSON
// before a form is sent. Everything shown comes from the server's HTML, which escapes it.
"use strict";

const main = () => document.getElementById("live");

// Which <details> are open, so that a refresh keeps them open.
function openKeys(root) {
  return new Set([...root.querySelectorAll("details[data-key][open]")].map((d) => d.dataset.key));
}

let selected = null;

function select(name) {
  selected = name;
  const root = main();
  if (!root) return;
  for (const g of root.querySelectorAll("g.state")) {
    g.classList.toggle("selected", g.dataset.state === name);
  }
  for (const s of root.querySelectorAll("section.state-details")) {
    s.hidden = s.dataset.stateDetails !== name;
  }
}

document.addEventListener("click", (event) => {
  const state = event.target.closest && event.target.closest("div.graph[data-clickable] g.state");
  if (state) select(state.dataset.state);
});

document.addEventListener("submit", (event) => {
  const form = event.target;
  const message = form.querySelector(".form-error");
  for (const area of form.querySelectorAll("textarea[data-json]")) {
    try {
      JSON.parse(area.value);
    } catch (e) {
      event.preventDefault();
      if (message) {
        message.textContent = "Not JSON: " + e.message;
        message.hidden = false;
      }
      return;
    }
  }
  const button = form.querySelector("button[data-confirm]");
  if (button && !window.confirm(button.dataset.confirm)) event.preventDefault();
});

async function refresh() {
  const root = main();
  if (!root || root.dataset.live !== "true") return;
  // Typing in a form on the page: leave it as it is.
  const active = document.activeElement;
  if (active && root.contains(active) && /^(INPUT|TEXTAREA)$/.test(active.tagName)) return;
  const url = new URL(window.location.href);
  url.searchParams.set("fragment", "1");
  let text;
  try {
    const response = await fetch(url, { headers: { Accept: "text/html" } });
    if (!response.ok) return;
    text = await response.text();
  } catch (e) {
    return;
  }
  const holder = document.createElement("div");
  holder.innerHTML = text;
  const next = holder.querySelector("main#live");
  if (!next || next.dataset.version === root.dataset.version) return;
  const open = openKeys(root);
  root.replaceWith(next);
  for (const d of next.querySelectorAll("details[data-key]")) {
    if (open.has(d.dataset.key)) d.open = true;
  }
  if (selected !== null) select(selected);
}

setInterval(refresh, 1000);
