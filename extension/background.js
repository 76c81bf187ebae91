// The service worker (Chrome, Edge) or background script (Firefox):
// - one declarativeNetRequest rule sends http(s)://go/NAME to the golinks address before any
//   DNS lookup, so go/NAME works with no DNS change;
// - the omnibox keyword "go": "go docs" opens go/docs, with suggestions from the API.
import { api, current, effective, readLocal, readManaged } from "./settings.js";

const RULE_ID = 1;

function escapeRegex(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/// The redirect rule for these settings, or null when there is no golinks address yet.
export function redirectRule({ instance, shortHosts }) {
  if (!instance) return null;
  const hosts = shortHosts.map(escapeRegex).join("|");
  return {
    id: RULE_ID,
    priority: 1,
    action: { type: "redirect", redirect: { regexSubstitution: `${instance}/\\1` } },
    condition: {
      // RE2 syntax; the path and query are kept as they are ("go/docs/x?y" → "/docs/x?y").
      regexFilter: `^https?://(?:${hosts})(?::[0-9]+)?/(.*)$`,
      resourceTypes: ["main_frame"],
    },
  };
}

async function applyRule(settings) {
  const rule = redirectRule(settings);
  await api.declarativeNetRequest.updateDynamicRules({
    removeRuleIds: [RULE_ID],
    addRules: rule ? [rule] : [],
  });
}

/// Writes the rule from what is stored at once, then again once managed storage answers
/// (it took 3–8 s at browser start in headless Chromium) and remembers the managed values.
async function refresh() {
  await applyRule(await current());
  const managed = await readManaged();
  await api.storage.local.set({ managedCache: managed });
  await applyRule(effective(await readLocal(), managed));
}

api.runtime.onInstalled.addListener(() => refresh());
api.runtime.onStartup.addListener(() => refresh());
api.storage.onChanged.addListener((changes, area) => {
  const settingChanged = "instanceUrl" in changes || "shortHosts" in changes;
  if (area === "managed" || (area === "local" && settingChanged)) refresh();
});
refresh();

async function instanceOrOptions() {
  const { instance } = await current();
  if (!instance) api.runtime.openOptionsPage();
  return instance;
}

api.omnibox.setDefaultSuggestion({ description: "Open go/%s" });

api.omnibox.onInputChanged.addListener(async (text, suggest) => {
  const instance = await instanceOrOptions();
  if (!instance || text.trim() === "") return;
  try {
    const response = await fetch(`${instance}/_/api/v1/links?limit=6&q=${encodeURIComponent(text.trim())}`, {
      credentials: "include",
    });
    if (!response.ok) return;
    const { links } = await response.json();
    suggest(links.map((l) => ({ content: l.name, description: escapeXml(`go/${l.name} — ${l.url}`) })));
  } catch {
    // Offline or signed out: no suggestions; Enter still opens go/TEXT.
  }
});

function escapeXml(text) {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

api.omnibox.onInputEntered.addListener(async (text, disposition) => {
  const instance = await instanceOrOptions();
  if (!instance) return;
  const name = text.trim().replace(/^go\//, "");
  const url = `${instance}/${name.split("/").map(encodeURIComponent).join("/")}`;
  if (disposition === "currentTab") {
    api.tabs.update({ url });
  } else {
    api.tabs.create({ url, active: disposition === "newForegroundTab" });
  }
});
