// Teams own links, in Debian's chromium: a link owned by a team (an identity provider's
// group pushed over SCIM) is edited in the UI by another member of the team and refused to
// someone outside it. Run by scripts/browser-tests.sh (BROWSER_TESTS=teams runs only this).
import { chromium } from "playwright-core";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import path from "node:path";

const base = process.env.GOLINKS_URL;
const shots = process.env.SCREENSHOTS;
assert.ok(base && shots, "run me through scripts/browser-tests.sh");

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox"],
});
let passed = 0;
let failed = 0;
let page;
async function step(name, run) {
  try {
    await run();
    passed += 1;
    console.log(`ok    ${name}`);
  } catch (error) {
    failed += 1;
    console.log(`FAIL  ${name}\n${error.stack ?? error}`);
  } finally {
    const file = path.join(shots, `teams-${String(passed + failed).padStart(2, "0")}-${name.replace(/[^a-z0-9]+/gi, "-")}.png`);
    await page?.screenshot({ path: file, fullPage: true }).catch(() => {});
  }
}

// The identity provider's side: a SCIM token, two more people, and the Finance team.
const token = execFileSync(process.env.GOLINKS_BIN, [
  "scim-token", "create", "--database-url", process.env.GOLINKS_DB, "--org", "default", "--name", "browser",
]).toString().trim().split("\n").pop();
async function scim(method, urlPath, body) {
  const response = await fetch(`${base}/scim/v2${urlPath}`, {
    method,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/scim+json" },
    body: body && JSON.stringify(body),
  });
  assert.ok(response.ok, `${method} ${urlPath}: ${response.status} ${await response.clone().text()}`);
  return response.json();
}
async function scimPerson(email, given) {
  const found = await scim("GET", `/Users?filter=${encodeURIComponent(`userName eq "${email}"`)}`);
  if (found.totalResults > 0) return found.Resources[0].id;
  const created = await scim("POST", "/Users", {
    schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
    userName: email,
    displayName: `${given} Example`,
    name: { givenName: given, familyName: "Example" },
    emails: [{ value: email, type: "work", primary: true }],
    active: true,
  });
  return created.id;
}
const bob = await scimPerson("bob@acme.example", "Bob");
const dee = await scimPerson("dee@acme.example", "Dee");
await scimPerson("cy@acme.example", "Cy");
await scim("POST", "/Groups", {
  schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"],
  displayName: "Finance",
  members: [{ value: bob }, { value: dee }],
});

/// A browser of its own for `email`, signed in through the test IdP.
async function signIn(email) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  await context.route(/^https?:\/\/(?!127\.0\.0\.1[:/])/, (route) => route.abort());
  page = await context.newPage();
  page.setDefaultTimeout(10_000);
  await page.goto(base + "/_/");
  await page.getByLabel("Email").fill(email);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(base + "/_/");
  return context;
}

await step("a member gives a new link to their team", async () => {
  const context = await signIn("bob@acme.example");
  await page.goto(base + "/_/links/new");
  await page.getByLabel("Name").fill("budget");
  await page.getByLabel("Destination").fill("https://finance.acme.example/budget");
  await page.getByLabel("Owner").selectOption({ label: "Team: Finance" });
  await page.getByRole("button", { name: "Create go/ link" }).click();
  await page.waitForURL(base + "/_/links/budget");
  await page.getByText("Team: Finance").waitFor();
  await context.close();
});

await step("another member of the team edits it", async () => {
  const context = await signIn("dee@acme.example");
  await page.goto(base + "/_/links/budget");
  await page.getByRole("link", { name: "Edit" }).click();
  await page.getByLabel("Destination").fill("https://finance.acme.example/budget/2027");
  await page.getByRole("button", { name: "Save" }).click();
  await page.waitForURL(base + "/_/links/budget");
  await page.getByText("https://finance.acme.example/budget/2027").waitFor();
  await context.close();
});

await step("someone outside the team is refused", async () => {
  const context = await signIn("cy@acme.example");
  await page.goto(base + "/_/links/budget");
  await page.getByText("Team: Finance").waitFor();
  assert.equal(await page.getByRole("link", { name: "Edit" }).count(), 0, "no edit button");
  await page.goto(base + "/_/links/budget/edit");
  await page.getByLabel("Destination").fill("https://evil.example/");
  await page.getByRole("button", { name: "Save" }).click();
  await page.getByText("only the link's owner").waitFor();
  await page.goto(base + "/_/links/budget");
  await page.getByText("https://finance.acme.example/budget/2027").waitFor();
  await context.close();
});

await browser.close();
console.log(`browser: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
