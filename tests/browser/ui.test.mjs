// The web UI in Debian's chromium, driven by playwright-core: sign in through the test IdP,
// create / edit / follow / delete a link, the missing-link flow, search, form errors, the
// "me" page, group pages and roles from groups, signing out. Run by scripts/browser-tests.sh,
// which starts the servers.
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
const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
const page = await context.newPage();
page.setDefaultTimeout(10_000);
// Nothing leaves loopback: the tests read redirects' Location instead of following them off
// this machine, and any other request is refused and remembered (pages load nothing from
// another site: no CDN, no fonts).
const external = [];
await context.route(/^https?:\/\/(?!127\.0\.0\.1[:/])/, (route) => {
  external.push(route.request().url());
  return route.abort();
});

let passed = 0;
let failed = 0;
async function step(name, run) {
  try {
    await run();
    passed += 1;
    console.log(`ok    ${name}`);
  } catch (error) {
    failed += 1;
    console.log(`FAIL  ${name}\n${error.stack ?? error}`);
  } finally {
    const file = path.join(shots, `${String(passed + failed).padStart(2, "0")}-${name.replace(/[^a-z0-9]+/gi, "-")}.png`);
    await page.screenshot({ path: file, fullPage: true }).catch(() => {});
  }
}

/// Where a GET lands without following redirects, with the browser's cookies.
async function locationOf(urlPath) {
  const response = await context.request.get(base + urlPath, { maxRedirects: 0 });
  return { status: response.status(), location: response.headers()["location"] };
}

await step("signing in goes through the identity provider", async () => {
  await page.goto(base + "/_/");
  await page.getByLabel("Email").fill("ann@acme.example");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(base + "/_/");
  await page.getByRole("heading", { name: /go\/ links for/ }).waitFor();
  assert.ok(await page.getByRole("navigation", { name: "Main" }).getByText("Ann Example").isVisible());
});

await step("a new link is created from the form", async () => {
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "New link" }).click();
  await page.getByLabel("Name").fill("docs");
  await page.getByLabel("Destination").fill("https://docs.acme.example/");
  await page.getByLabel("Tags").fill("engineering, handbook");
  await page.getByLabel("Aliases").fill("handbook");
  await page.getByRole("button", { name: "Create go/ link" }).click();
  await page.waitForURL(base + "/_/links/docs");
  await page.getByRole("heading", { name: "go/docs" }).waitFor();
  assert.ok(await page.getByText("go/handbook").isVisible());
  assert.ok(await page.getByRole("img", { name: /Clicks per day/ }).isVisible());
});

await step("the link is followed, by name and by alias", async () => {
  assert.deepEqual(await locationOf("/docs/setup"), { status: 302, location: "https://docs.acme.example/setup" });
  assert.deepEqual(await locationOf("/handbook"), { status: 302, location: "https://docs.acme.example/" });
});

await step("a form with mistakes shows them next to the fields and keeps the input", async () => {
  await page.goto(base + "/_/links/new");
  await page.getByLabel("Name").fill("-bad-");
  await page.getByLabel("Destination").fill("ftp://files.example/");
  await page.getByRole("button", { name: "Create go/ link" }).click();
  await page.getByRole("alert").waitFor();
  assert.match(await page.locator("#name-error").innerText(), /letter or a digit/);
  assert.match(await page.locator("#url-error").innerText(), /http, https and mailto/);
  assert.equal(await page.getByLabel("Name").inputValue(), "-bad-");
  assert.equal(await page.getByLabel("Destination").inputValue(), "ftp://files.example/");
});

await step("the link is edited", async () => {
  await page.goto(base + "/docs+");
  await page.waitForURL(base + "/_/links/docs");
  await page.getByRole("link", { name: "Edit" }).click();
  await page.getByLabel("Destination").fill("https://handbook.acme.example/{*}");
  await page.getByRole("button", { name: "Save" }).click();
  await page.waitForURL(base + "/_/links/docs");
  await page.getByText("https://handbook.acme.example/{*}").waitFor();
  assert.ok(await page.getByRole("cell", { name: "updated" }).isVisible(), "the history shows the change");
  assert.deepEqual(await locationOf("/docs/a/b"), { status: 302, location: "https://handbook.acme.example/a/b" });
});

await step("a missing link offers to create it", async () => {
  await page.goto(base + "/wiki");
  await page.getByRole("heading", { name: "go/wiki doesn't exist yet" }).waitFor();
  await page.getByLabel("Where should go/wiki go?").fill("https://wiki.acme.example/");
  await page.getByRole("button", { name: "Create go/wiki" }).click();
  assert.equal(await page.getByLabel("Name").inputValue(), "wiki");
  assert.equal(await page.getByLabel("Destination").inputValue(), "https://wiki.acme.example/");
  await page.getByRole("button", { name: "Create go/ link" }).click();
  await page.waitForURL(base + "/_/links/wiki");
});

await step("search finds links by name, tag and destination", async () => {
  await page.goto(base + "/_/");
  await page.getByRole("searchbox").fill("handbook");
  await page.getByRole("button", { name: "Search" }).click();
  await page.getByRole("heading", { name: /1 result for/ }).waitFor();
  assert.ok(await page.getByRole("link", { name: "go/docs" }).isVisible());
  await page.goto(base + "/_/?q=wiki.acme");
  assert.ok(await page.getByRole("link", { name: "go/wiki" }).isVisible());
});

await step("the home page lists popular, recent and my links", async () => {
  await page.goto(base + "/_/");
  for (const section of ["Popular", "Recently created", "Recently used by me", "My links"]) {
    assert.ok(await page.getByRole("heading", { name: section }).isVisible(), section);
  }
  assert.ok(await page.getByRole("region", { name: "My links" }).getByRole("link", { name: "go/wiki" }).isVisible());
});

await step("a link is deleted", async () => {
  await page.goto(base + "/_/links/wiki");
  page.once("dialog", (dialog) => dialog.accept());
  await page.getByRole("button", { name: "Delete" }).click();
  await page.waitForURL(base + "/_/");
  const after = await locationOf("/wiki");
  assert.equal(after.status, 404);
});

await step("the directory finds people and shows their links", async () => {
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "People" }).click();
  await page.getByRole("searchbox").fill("bob");
  await page.getByRole("button", { name: "Search" }).click();
  await page.getByRole("main").getByRole("link", { name: "Bob Builder" }).click();
  await page.getByRole("heading", { name: "Bob Builder" }).waitFor();
  await page.goto(base + "/_/people");
  await page.getByRole("main").getByRole("link", { name: "Ann Example" }).click();
  assert.ok(await page.getByRole("link", { name: "go/docs" }).isVisible(), "Ann's links");
});

await step("an admin deactivates and reactivates a person", async () => {
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Admin" }).click();
  await page.getByRole("button", { name: "Deactivate Bob Builder" }).click();
  await page.getByRole("button", { name: "Activate Bob Builder" }).waitFor();
  assert.ok(await page.getByRole("row", { name: /Bob Builder/ }).getByText("inactive").isVisible());
  await page.getByLabel("Role of Bob Builder").selectOption("moderator");
  await page.getByRole("row", { name: /Bob Builder/ }).getByRole("button", { name: "Set role" }).click();
  assert.equal(await page.getByLabel("Role of Bob Builder").inputValue(), "moderator");
  await page.getByRole("button", { name: "Activate Bob Builder" }).click();
  await page.getByRole("button", { name: "Deactivate Bob Builder" }).waitFor();
  // Ann's shared links go to Bob, as for a leaver; the link page then names him.
  await page.getByLabel("Give all links of Ann Example to").fill("bob@acme.example");
  await page.getByRole("row", { name: /Ann Example/ }).getByRole("button", { name: "Give their links" }).click();
  await page.goto(base + "/_/links/docs");
  assert.ok(await page.getByText("bob@acme.example").isVisible(), "Bob owns go/docs now");
  await page.goto(base + "/_/admin/people");
});

let scimToken;
await step("an admin creates a SCIM token, shown once", async () => {
  await page.getByRole("navigation", { name: "Admin" }).getByRole("link", { name: "SCIM tokens" }).click();
  await page.getByLabel("New token for").fill("okta");
  await page.getByRole("button", { name: "Create token" }).click();
  scimToken = await page.getByLabel("Token", { exact: true }).inputValue();
  assert.match(scimToken, /^gls_/);
  const bad = await fetch(base + "/scim/v2/Users", {
    method: "POST",
    headers: { authorization: `Bearer ${scimToken}`, "content-type": "application/scim+json" },
    body: JSON.stringify({ schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"] }),
  });
  assert.equal(bad.status, 400, "a User without userName is refused");
  await page.goto(base + "/_/admin/tokens");
  assert.equal(await page.getByLabel("Token", { exact: true }).count(), 0, "not shown again");
  assert.ok(await page.getByRole("row", { name: /okta/ }).isVisible());
});

await step("the provisioning log shows the failed request", async () => {
  await page.getByRole("navigation", { name: "Admin" }).getByRole("link", { name: "Provisioning log" }).click();
  await page.getByLabel("Failed only").check();
  await page.getByLabel("Since").fill("1h");
  await page.getByRole("button", { name: "Filter" }).click();
  // A log row's text is in a <details> summary, which a row's accessible name leaves out:
  // rows are found by their text.
  const row = page.getByRole("row").filter({ hasText: /Refused: .*userName/ });
  await row.waitFor();
  assert.match(await row.innerText(), /400/);
  await row.getByText(/Refused:/).click();
  await row.getByText("POST /scim/v2/Users").waitFor();
});

await step("the provisioning log says what happened, with before and after", async () => {
  const headers = { authorization: `Bearer ${scimToken}`, "content-type": "application/scim+json" };
  const created = await fetch(base + "/scim/v2/Users", {
    method: "POST",
    headers,
    body: JSON.stringify({
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
      userName: "dana@acme.example",
      displayName: "Dana Quist",
      active: true,
    }),
  });
  assert.equal(created.status, 201);
  const { id } = await created.json();
  const deactivated = await fetch(`${base}/scim/v2/Users/${id}`, {
    method: "PATCH",
    headers,
    body: JSON.stringify({
      schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
      Operations: [{ op: "replace", path: "active", value: false }],
    }),
  });
  assert.equal(deactivated.status, 200);
  await page.goto(base + "/_/admin/log");
  const overview = page.getByRole("region", { name: "Identity providers" });
  assert.match(await overview.getByRole("row", { name: /okta/ }).innerText(), /okta/);
  const row = page.getByRole("row").filter({ hasText: /Deactivated Dana Quist \(active true → false\)/ });
  await row.getByText("Deactivated Dana Quist").click();
  await row.getByRole("row", { name: "active true false" }).waitFor();
  assert.ok(await page.getByRole("row").filter({ hasText: /Created Dana Quist/ }).isVisible());
});

await step("group pages: the list, a group, a member's profile; a group grants admin", async () => {
  const scim = (method, urlPath, body) => fetch(base + "/scim/v2" + urlPath, {
    method,
    headers: { authorization: `Bearer ${scimToken}`, "content-type": "application/scim+json" },
    body: body && JSON.stringify(body),
  });
  const filter = encodeURIComponent('userName eq "bob@acme.example"');
  const bob = (await (await scim("GET", `/Users?filter=${filter}`)).json()).Resources[0].id;
  const created = await scim("POST", "/Groups", {
    schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"],
    displayName: "golinks-admins",
    members: [{ value: bob }],
  });
  assert.equal(created.status, 201);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Groups" }).click();
  assert.match(await page.getByRole("row", { name: /golinks-admins/ }).innerText(), /golinks-admins\s+1/);
  await page.getByRole("main").getByRole("link", { name: "golinks-admins" }).click();
  await page.getByRole("heading", { name: "golinks-admins" }).waitFor();
  await page.getByRole("main").getByRole("link", { name: "Bob Builder" }).click();
  await page.getByRole("heading", { name: "Bob Builder" }).waitFor();
  assert.ok(await page.getByRole("main").getByRole("link", { name: "golinks-admins" }).isVisible(), "Bob's groups");
  // Mapped to the admin role, the group makes Bob (a moderator by hand) an admin whom no
  // one can demote by hand; unmapped, he is a moderator again.
  await page.goto(base + "/_/admin/groups");
  await page.getByLabel("Admin group").selectOption({ label: "golinks-admins" });
  await page.getByRole("button", { name: "Save" }).click();
  await page.goto(base + "/_/admin/people");
  const row = page.getByRole("row", { name: /Bob Builder/ });
  assert.equal(await page.getByLabel("Role of Bob Builder").inputValue(), "admin");
  assert.ok(await row.getByText("admin through group").isVisible());
  assert.ok(await row.getByRole("button", { name: "Set role" }).isDisabled());
  await page.goto(base + "/_/admin/groups");
  await page.getByLabel("Admin group").selectOption("");
  await page.getByRole("button", { name: "Save" }).click();
  await page.goto(base + "/_/admin/people");
  assert.equal(await page.getByLabel("Role of Bob Builder").inputValue(), "moderator");
});

await step("an admin revokes the SCIM token", async () => {
  await page.getByRole("navigation", { name: "Admin" }).getByRole("link", { name: "SCIM tokens" }).click();
  await page.getByRole("button", { name: "Revoke okta" }).click();
  await page.getByRole("row", { name: /okta/ }).getByText("revoked").waitFor();
  const refused = await fetch(base + "/scim/v2/Users", { headers: { authorization: `Bearer ${scimToken}` } });
  assert.equal(refused.status, 401);
});

await step("the SSO page shows what to copy into the identity provider", async () => {
  await page.getByRole("navigation", { name: "Admin" }).getByRole("link", { name: "Single sign-on" }).click();
  assert.ok(await page.getByText(base + "/saml/acs").isVisible());
  assert.ok(await page.getByText("https://idp.test.example/metadata").isVisible());
  await page.getByLabel("Identity provider metadata XML").fill("<not-metadata/>");
  await page.getByRole("button", { name: "Save" }).click();
  await page.locator(".field.invalid .error").waitFor();
  assert.equal(await page.getByLabel("Identity provider metadata XML").inputValue(), "<not-metadata/>");
});

await step("organization settings switch anonymous resolution", async () => {
  await page.getByRole("navigation", { name: "Admin" }).getByRole("link", { name: "Organization" }).click();
  // Host names are the operator's (golinks org set --host): shown, not editable.
  assert.equal(await page.getByLabel("Host names").count(), 0);
  assert.ok(await page.getByText("golinks org set --org default --host …").isVisible());
  const box = page.getByLabel(/Company links work without signing in/);
  await box.check();
  await page.getByRole("button", { name: "Save" }).click();
  const anonymous = await fetch(base + "/docs", { redirect: "manual" });
  assert.equal(anonymous.headers.get("location"), "https://handbook.acme.example/");
  await page.getByLabel(/Company links work without signing in/).uncheck();
  await page.getByRole("button", { name: "Save" }).click();
  const again = await fetch(base + "/docs", { redirect: "manual" });
  assert.equal(again.headers.get("location"), "/saml/login?next=%2Fdocs");
});

await step("search and name checks answer as you type", async () => {
  await page.goto(base + "/_/");
  await page.getByRole("searchbox").pressSequentially("handb");
  await page.locator("#live-results").getByRole("link", { name: "go/docs" }).waitFor();
  await page.goto(base + "/_/links/new");
  await page.getByLabel("Name").pressSequentially("docs");
  await page.getByText("go/docs is taken").waitFor();
  await page.getByLabel("Name").pressSequentially("2");
  await page.getByText("go/docs2 is available").waitFor();
});

await step("the me page lists this browser's session and makes API tokens", async () => {
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Ann Example" }).click();
  await page.getByText("this browser").waitFor();
  assert.match(await page.getByRole("heading", { level: 1 }).innerText(), /Ann Example/);
  await page.getByLabel("New token named").fill("script");
  await page.getByRole("button", { name: "Create API token" }).click();
  const token = await page.getByLabel("Token", { exact: true }).inputValue();
  assert.match(token, /^gla_/);
  const api = await fetch(base + "/_/api/v1/links", { headers: { authorization: `Bearer ${token}` } });
  assert.equal(api.status, 200);
  await page.goto(base + "/_/me");
  await page.getByRole("button", { name: "Revoke script" }).click();
  await page.getByRole("row", { name: /script/ }).getByText("revoked").waitFor();
  const refused = await fetch(base + "/_/api/v1/links", { headers: { authorization: `Bearer ${token}` } });
  assert.equal(refused.status, 401);
});

await step("the keyboard alone finds and opens a link", async () => {
  await page.goto(base + "/_/me");
  await page.keyboard.press("Tab");
  assert.equal(await page.evaluate(() => document.activeElement.textContent), "Skip to content");
  // The home page's search box has focus on arrival; typing and Enter search.
  await page.goto(base + "/_/");
  await page.keyboard.type("docs");
  await page.keyboard.press("Enter");
  await page.getByRole("heading", { name: /result/ }).waitFor();
  let reached = false;
  for (let i = 0; i < 20 && !reached; i += 1) {
    await page.keyboard.press("Tab");
    reached = await page.evaluate(() => document.activeElement.textContent === "go/docs");
  }
  assert.ok(reached, "Tab reaches the result");
  await page.keyboard.press("Enter");
  await page.waitForURL(base + "/_/links/docs");
});

await step("pages fit a phone", async () => {
  const phone = await browser.newContext({
    viewport: { width: 390, height: 844 },
    storageState: await context.storageState(),
  });
  const small = await phone.newPage();
  for (const [name, url] of [["home", "/_/"], ["link", "/_/links/docs"], ["new-link", "/_/links/new"], ["admin-people", "/_/admin/people"]]) {
    await small.goto(base + url);
    const overflow = await small.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    await small.screenshot({ path: path.join(shots, `phone-${name}.png`), fullPage: true });
    assert.ok(overflow <= 1, `${name} scrolls sideways by ${overflow}px on a phone`);
  }
  await phone.close();
});

await step("deactivation locks the person out at once", async () => {
  execFileSync(process.env.GOLINKS_BIN, [
    "user", "deactivate", "--database-url", process.env.GOLINKS_DB, "--org", "default", "--email", "ann@acme.example",
  ]);
  // The server notices another process's change within its sync interval (1 s).
  let where;
  for (let i = 0; i < 50; i += 1) {
    where = await locationOf("/docs");
    if (where.location?.startsWith("/saml/login")) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.equal(where.location, "/saml/login?next=%2Fdocs");
  await page.goto(base + "/_/");
  await page.getByLabel("Email").fill("ann@acme.example");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByText("Your golinks account is inactive").waitFor();
  execFileSync(process.env.GOLINKS_BIN, [
    "user", "activate", "--database-url", process.env.GOLINKS_DB, "--org", "default", "--email", "ann@acme.example",
  ]);
});

await step("signing out ends the session", async () => {
  await page.goto(base + "/_/");
  await page.getByLabel("Email").fill("ann@acme.example");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(base + "/_/");
  await page.getByRole("button", { name: "Sign out" }).click();
  // A page of ours: the CSP's form-action 'self' would block a redirect on to the IdP.
  await page.getByRole("heading", { name: "You are signed out" }).waitFor();
  await page.getByRole("link", { name: "Sign in again" }).click();
  await page.getByLabel("Email").waitFor();
  assert.equal((await locationOf("/docs")).location, "/saml/login?next=%2Fdocs");
});

await step("no page asked another site for anything", async () => {
  assert.deepEqual(external, []);
});

await browser.close();
console.log(`browser: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
