// The options page: the golinks address and short host names, kept in storage.local.
// Settings set by policy (managed storage) are shown and cannot be changed here.
import { api, hostNames, origin, readLocal, readManaged } from "./settings.js";

const form = document.getElementById("settings");
const instance = document.getElementById("instance");
const hosts = document.getElementById("hosts");
const status = document.getElementById("status");

const local = await readLocal();
const managed = await readManaged();
instance.value = managed.instanceUrl ?? local.instanceUrl ?? "";
hosts.value = hostNames(managed.shortHosts ?? local.shortHosts).join(", ");
if (managed.instanceUrl) instance.disabled = true;
if (managed.shortHosts) hosts.disabled = true;
if (managed.instanceUrl || managed.shortHosts) status.textContent = "Some settings are set by your organization.";

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const address = origin(instance.value);
  if (!address) {
    status.textContent = "The address is an http(s) URL such as https://go.acme.example.";
    return;
  }
  await api.storage.local.set({ instanceUrl: address, shortHosts: hostNames(hosts.value) });
  instance.value = address;
  status.textContent = "Saved.";
});
