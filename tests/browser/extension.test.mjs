// The browser extension (extension/, built by scripts/build-extension.sh) loaded in Debian's
// chromium, with every host name but loopback unresolvable: go/docs reaches the golinks
// server only through the extension's redirect rule, before any DNS lookup. Then the popup's
// search and "create a go link for this tab". Run by scripts/browser-tests.sh.
import { chromium } from "playwright-core";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";

const base = process.env.GOLINKS_URL;
const shots = process.env.SCREENSHOTS;
const extension = process.env.EXTENSION_DIR;
assert.ok(base && shots && extension, "run me through scripts/browser-tests.sh");

// The link's destination: a page served here on loopback (Playwright's routes do not see the
// requests a redirect leads to, and nothing may leave this machine).
const handbook = http.createServer((request, response) => {
  response.writeHead(200, { "content-type": "text/html" });
  response.end("<!doctype html><title>Handbook</title><h1>The Acme handbook</h1>");
});
await new Promise((resolve) => handbook.listen(0, "127.0.0.1", resolve));
const destination = `http://127.0.0.1:${handbook.address().port}/handbook`;
const links = path.join(os.tmpdir(), `golinks-extension-${process.pid}.jsonl`);
fs.writeFileSync(links, JSON.stringify({ Short: "docs", Long: destination }) + "\n");
execFileSync(process.env.GOLINKS_BIN, ["links", "import", "--database-url", process.env.GOLINKS_DB, links]);
fs.rmSync(links);

const profile = fs.mkdtempSync(path.join(os.tmpdir(), "golinks-profile-"));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  headless: true,
  // Playwright starts chromium with --disable-extensions unless told not to.
  ignoreDefaultArgs: ["--disable-extensions"],
  viewport: { width: 1100, height: 760 },
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    `--disable-extensions-except=${extension}`,
    `--load-extension=${extension}`,
    // No name resolves but loopback: "go" does not exist here.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost",
  ],
});
const page = context.pages()[0] ?? (await context.newPage());
page.setDefaultTimeout(10_000);


let passed = 0;
let failed = 0;
async function step(name, run, shot = page) {
  try {
    await run();
    passed += 1;
    console.log(`ok    ${name}`);
  } catch (error) {
    failed += 1;
    console.log(`FAIL  ${name}\n${error.stack ?? error}`);
  } finally {
    const file = path.join(shots, `extension-${String(passed + failed).padStart(2, "0")}-${name.replace(/[^a-z0-9]+/gi, "-")}.png`);
    await shot().screenshot({ path: file }).catch(() => {});
  }
}

await step("managed settings win over the options page's, key by key", async () => {
  const { effective, hostNames } = await import(path.join(extension, "settings.js"));
  const local = { instanceUrl: "https://mine.example/path?x", shortHosts: ["go"] };
  assert.deepEqual(effective(local, {}), { instance: "https://mine.example", shortHosts: ["go"], managed: false });
  assert.deepEqual(effective(local, { instanceUrl: "https://go.acme.example" }), {
    instance: "https://go.acme.example", shortHosts: ["go"], managed: true,
  });
  assert.equal(effective({ instanceUrl: "javascript:alert(1)" }, {}).instance, null);
  assert.deepEqual(hostNames("Go, links.  bad_host"), ["go", "links"]);
  assert.deepEqual(hostNames([]), ["go"]);
}, () => page);

const worker = context.serviceWorkers()[0] ?? (await context.waitForEvent("serviceworker"));
const extensionId = new URL(worker.url()).host;
const rules = () => worker.evaluate(() => chrome.declarativeNetRequest.getDynamicRules());

await step("without a golinks address, go/docs does not resolve", async () => {
  assert.deepEqual(await rules(), []);
  await assert.rejects(page.goto("http://go/docs"), /ERR_NAME_NOT_RESOLVED/);
}, () => page);

await step("signing in goes through the identity provider", async () => {
  await page.goto(base + "/_/");
  await page.getByLabel("Email").fill("ann@acme.example");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(base + "/_/");
}, () => page);

await step("the golinks address set in storage adds the redirect rule", async () => {
  // What the options page writes; IT sets the same keys by policy (managed storage).
  await worker.evaluate((instance) => chrome.storage.local.set({ instanceUrl: instance, shortHosts: ["go"] }), base);
  let found = [];
  for (let i = 0; i < 50 && found.length === 0; i += 1) {
    found = await rules();
    if (found.length === 0) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.equal(found.length, 1);
  assert.equal(found[0].action.redirect.regexSubstitution, `${base}/\\1`);
}, () => page);

await step("go/docs lands on the destination with no DNS", async () => {
  await page.goto("http://go/docs/setup?step=2");
  await page.waitForURL(`${destination}/setup?step=2`);
  await page.goto("http://go/docs");
  await page.waitForURL(destination);
  await page.getByRole("heading", { name: "The Acme handbook" }).waitFor();
}, () => page);

const popup = await context.newPage();
popup.setDefaultTimeout(10_000);
await popup.setViewportSize({ width: 340, height: 300 });

await step("the popup finds a link as you type", async () => {
  const [handbookTab] = await worker.evaluate(() => chrome.tabs.query({ url: "http://127.0.0.1/handbook*" }));
  await popup.goto(`chrome-extension://${extensionId}/popup.html?tab=${handbookTab.id}`);
  await popup.getByLabel("Find a go/ link").fill("doc");
  const result = popup.getByRole("list", { name: "Links" }).getByRole("link", { name: /go\/docs/ });
  await result.waitFor();
  assert.equal(await result.getAttribute("href"), `${base}/docs`);
  assert.match(await popup.getByRole("status").textContent(), /1 found/);
}, () => popup);

await step("create a go link for this tab opens the form with its address", async () => {
  const [form] = await Promise.all([
    context.waitForEvent("page"),
    popup.getByRole("button", { name: "Create a go link for this tab" }).click(),
  ]);
  await form.waitForURL(`${base}/_/links/new?*`);
  assert.equal(await form.getByLabel("Destination").inputValue(), destination);
  await form.setViewportSize({ width: 1100, height: 760 });
  await form.screenshot({ path: path.join(shots, "extension-create-form.png") });
}, () => page);

await step("the rule comes back from storage after a browser restart", async () => {
  await context.close();
  const again = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    ignoreDefaultArgs: ["--disable-extensions"],
    args: [
      "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync",
      `--disable-extensions-except=${extension}`, `--load-extension=${extension}`,
      "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost",
    ],
  });
  try {
    const tab = again.pages()[0] ?? (await again.newPage());
    await tab.goto("http://go/docs");
    await tab.waitForURL(destination);
  } finally {
    await again.close();
  }
}, () => ({ screenshot: async () => {} }));

fs.rmSync(profile, { recursive: true, force: true });
handbook.close();
console.log(`extension: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
