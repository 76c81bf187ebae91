// Settings: the golinks address (instanceUrl) and the short host names (shortHosts) typed
// before the slash. IT sets them by policy (chrome.storage.managed, see managed_schema.json
// and docs/deploy.md); otherwise the options page writes them to chrome.storage.local.
// Managed values win, key by key.
export const api = globalThis.browser ?? globalThis.chrome;

export const DEFAULT_SHORT_HOSTS = ["go"];

/// An http(s) origin ("https://go.acme.example"), or null for anything else.
export function origin(url) {
  try {
    const parsed = new URL(String(url ?? "").trim());
    return ["http:", "https:"].includes(parsed.protocol) ? parsed.origin : null;
  } catch {
    return null;
  }
}

/// Host names as the browser writes them: lower case, no port, no dots at the ends.
export function hostNames(list) {
  const names = (Array.isArray(list) ? list : String(list ?? "").split(/[\s,]+/))
    .map((h) => String(h).trim().toLowerCase().replace(/^\.+|\.+$/g, ""))
    .filter((h) => /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/.test(h));
  return names.length > 0 ? [...new Set(names)] : DEFAULT_SHORT_HOSTS;
}

/// Merges stored and managed settings into what the extension uses.
export function effective(local = {}, managed = {}) {
  return {
    instance: origin(managed.instanceUrl) ?? origin(local.instanceUrl),
    shortHosts: hostNames(managed.shortHosts ?? local.shortHosts),
    managed: origin(managed.instanceUrl) !== null,
  };
}

export async function readLocal() {
  return api.storage.local.get(["instanceUrl", "shortHosts", "managedCache"]);
}

/// chrome.storage.managed, or {} where there is no policy (or no managed storage at all:
/// Firefox without policies.json throws).
export async function readManaged() {
  try {
    return (await api.storage.managed.get(["instanceUrl", "shortHosts"])) ?? {};
  } catch {
    return {};
  }
}

/// The settings to act on now: the stored ones, with the last managed values seen (reading
/// managed storage can take seconds at browser start).
export async function current() {
  const local = await readLocal();
  return effective(local, local.managedCache ?? {});
}
