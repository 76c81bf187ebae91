// The toolbar popup: search links as you type (the JSON API with the browser's golinks
// session) and "create a go link for this tab" (the create form with the URL filled in).
import { api, current } from "./settings.js";

const q = document.getElementById("q");
const results = document.getElementById("results");
const status = document.getElementById("status");
const create = document.getElementById("create");

const { instance } = await current();
document.getElementById("options").addEventListener("click", (event) => {
  event.preventDefault();
  api.runtime.openOptionsPage();
});

if (!instance) {
  status.textContent = "Set the golinks address in Settings first.";
  q.disabled = true;
  create.disabled = true;
} else {
  document.getElementById("home").href = `${instance}/_/`;
  q.addEventListener("input", debounce(search, 150));
  document.getElementById("search").addEventListener("submit", (event) => {
    event.preventDefault();
    const first = results.querySelector("a");
    if (first) first.click();
  });
  create.addEventListener("click", createForTab);
}

function debounce(run, ms) {
  let timer;
  return () => {
    clearTimeout(timer);
    timer = setTimeout(run, ms);
  };
}

let asked = 0;
async function search() {
  const text = q.value.trim();
  const mine = ++asked;
  if (text === "") {
    results.replaceChildren();
    status.textContent = "";
    return;
  }
  let answer;
  try {
    const response = await fetch(`${instance}/_/api/v1/links?limit=8&q=${encodeURIComponent(text)}`, {
      credentials: "include",
      headers: { accept: "application/json" },
    });
    if (response.status === 401) {
      status.replaceChildren("Sign in to golinks first: ", link(`${instance}/_/`, "open go/"));
      return;
    }
    if (!response.ok) throw new Error(`golinks answered ${response.status}`);
    answer = await response.json();
  } catch (error) {
    status.textContent = `Cannot reach golinks (${error.message}).`;
    return;
  }
  if (mine !== asked) return; // a newer search is on its way
  status.textContent = answer.total === 0 ? "No link matches." : `${answer.total} found`;
  results.replaceChildren(...answer.links.map(item));
}

function link(href, text) {
  const a = document.createElement("a");
  a.href = href;
  a.target = "_blank";
  a.textContent = text;
  return a;
}

function item(found) {
  const a = link(`${instance}/${found.name}`, "");
  const name = document.createElement("span");
  name.className = "name";
  name.textContent = `go/${found.name}`;
  const url = document.createElement("span");
  url.className = "url";
  url.textContent = found.url;
  a.append(name, url);
  const li = document.createElement("li");
  li.append(a);
  return li;
}

/// The tab the popup was opened over; `popup.html?tab=ID` names one (the popup opened in a
/// tab of its own, as the browser tests do).
async function targetTab() {
  const named = Number(new URLSearchParams(location.search).get("tab"));
  if (named) return api.tabs.get(named);
  const [tab] = await api.tabs.query({ active: true, currentWindow: true });
  return tab;
}

async function createForTab() {
  const tab = await targetTab();
  const url = tab?.url ?? "";
  const form = new URL(`${instance}/_/links/new`);
  if (/^https?:/.test(url)) form.searchParams.set("url", url);
  await api.tabs.create({ url: form.href });
  window.close();
}
