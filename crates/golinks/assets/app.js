// Small progressive enhancements; every page works without them. The pages' Content Security
// Policy allows no inline script or handler: behaviour is attached here, by data attributes.
"use strict";

function debounce(fn, ms) {
  let timer;
  return (...args) => { clearTimeout(timer); timer = setTimeout(() => fn(...args), ms); };
}

// Home: results as you type, from the JSON API (the session cookie authenticates a GET).
const search = document.querySelector("input[data-live-search]");
if (search) {
  const out = document.getElementById("live-results");
  const show = debounce(async () => {
    const q = search.value.trim();
    out.replaceChildren();
    if (!q) return;
    const response = await fetch(`/_/api/v1/links?limit=8&q=${encodeURIComponent(q)}`);
    if (!response.ok) return;
    const { links, total } = await response.json();
    const heading = document.createElement("p");
    heading.className = "muted";
    heading.textContent = `${total} match${total === 1 ? "" : "es"}`;
    const list = document.createElement("ul");
    list.className = "links";
    for (const link of links) {
      const item = document.createElement("li");
      const a = document.createElement("a");
      a.href = `/_/links/${encodeURIComponent(link.name)}`;
      a.textContent = `go/${link.name}`;
      const dest = document.createElement("span");
      dest.className = "dest";
      dest.textContent = link.url;
      item.append(a, dest);
      list.append(item);
    }
    out.append(heading, list);
  }, 150);
  search.addEventListener("input", show);
}

// Link form: whether the name is free, as you type.
const nameInput = document.querySelector("input[data-check-name]");
if (nameInput) {
  const status = document.getElementById("name-status");
  const original = nameInput.dataset.checkName.toLowerCase();
  const check = debounce(async () => {
    const name = nameInput.value.trim();
    status.textContent = "";
    if (!name || name.toLowerCase() === original) return;
    const response = await fetch(`/_/api/v1/links/${encodeURIComponent(name)}`);
    if (response.status === 404) status.textContent = `go/${name} is available`;
    else if (response.ok) status.textContent = `go/${name} is taken`;
  }, 200);
  nameInput.addEventListener("input", check);
}

// A token shown once: a click selects all of it, the Copy button copies it.
for (const input of document.querySelectorAll("input[data-select]")) {
  input.addEventListener("click", () => input.select());
}
for (const button of document.querySelectorAll("button[data-copy]")) {
  button.addEventListener("click", () => {
    navigator.clipboard.writeText(document.getElementById(button.dataset.copy).value);
    button.textContent = "Copied";
  });
}

// Forms that destroy something ask first.
for (const form of document.querySelectorAll("form[data-confirm]")) {
  form.addEventListener("submit", (event) => {
    if (!window.confirm(form.dataset.confirm)) event.preventDefault();
  });
}
