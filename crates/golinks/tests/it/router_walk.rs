//! Every state-changing route refuses a cross-site request (CSRF) and every admin route a
//! member, found by walking the routes the source registers: axum cannot list its routes, so
//! the walk reads the `.route("…", …)` calls under `src/http/`. A new unsafe route without
//! the checks fails this test.

use std::path::{Path, PathBuf};

use reqwest::Method;

use crate::on_both_backends;
use crate::support::{Backend, TestApp};

/// Routes whose unsafe methods are exempt from the same-origin rule, and why.
const EXEMPT: [(&str, &str); 3] = [
    (
        "/saml/acs",
        "the identity provider's page posts the SAML response from its own site (SAML 2.0 \
         HTTP-POST binding); the response's signature, InResponseTo and replay checks stand \
         in for the origin",
    ),
    (
        "/scim/v2/",
        "SCIM authenticates with a bearer token only, which a browser never sends on its own \
         (no ambient credentials to abuse)",
    ),
    (
        "/_/api/{*rest}",
        "the API's catch-all answers 404 to every method and reads nothing",
    ),
];

/// One registered route: a method and a path as the router sees it.
#[derive(Debug, Clone)]
struct Route {
    method: Method,
    path: String,
    file: PathBuf,
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read src/http") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The text between the parenthesis at `open` and its match.
fn balanced(text: &str, open: usize) -> &str {
    let mut depth = 0;
    for (i, c) in text[open..].char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return &text[open + 1..open + i];
                }
            }
            _ => {}
        }
    }
    panic!("unbalanced parentheses after byte {open}");
}

/// The first string literal in `text`, and the text after it.
fn first_string_literal(text: &str) -> Option<(&str, &str)> {
    let start = text.find('"')? + 1;
    let end = start + text[start..].find('"')?;
    Some((&text[start..end], &text[end + 1..]))
}

/// The methods a `.route(path, …)` argument registers: `get(`, `.post(`, `any(` …
fn methods_of(args: &str) -> Vec<Method> {
    let all = [
        ("get", Method::GET),
        ("post", Method::POST),
        ("put", Method::PUT),
        ("patch", Method::PATCH),
        ("delete", Method::DELETE),
    ];
    let called = |name: &str| {
        args.match_indices(&format!("{name}(")).any(|(i, _)| {
            !args[..i]
                .chars()
                .last()
                .is_some_and(|c| c.is_alphanumeric() || c == '_')
        })
    };
    if called("any") {
        return all.into_iter().map(|(_, m)| m).collect();
    }
    all.into_iter()
        .filter(|(name, _)| called(name))
        .map(|(_, m)| m)
        .collect()
}

/// What a `mod.rs` nests under a prefix: `.nest(PREFIX, ROUTES)` or `.nest_service(PREFIX,
/// ROUTES.with_state(…)…)` (a router turned into a service), the prefix a literal or a
/// `const` of the file, the routes its sibling modules' routers or a `let ROUTES = …;` of
/// the file. Returns the prefix and the byte range of that `let` statement, if any.
fn nest_of(mod_rs: &str) -> Option<(String, Option<std::ops::Range<usize>>)> {
    let (at, call) = [".nest(", ".nest_service("]
        .into_iter()
        .find_map(|call| Some((mod_rs.find(call)?, call)))?;
    let args = balanced(mod_rs, at + call.len() - 1);
    let (first, second) = args.split_once(',')?;
    let prefix = match first_string_literal(first) {
        Some((literal, _)) => literal.to_owned(),
        None => {
            let declared = format!("const {}: &str = ", first.trim());
            let after = &mod_rs[mod_rs.find(&declared)? + declared.len()..];
            first_string_literal(after)?.0.to_owned()
        }
    };
    let local = second.trim().split('.').next().unwrap_or_default();
    let statement = mod_rs.find(&format!("let {local} = ")).map(|start| {
        let end = start + mod_rs[start..].find(";\n").unwrap_or(0);
        start..end
    });
    Some((prefix, statement))
}

fn registered_routes() -> Vec<Route> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/http");
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    let mut routes = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("read");
        for unsupported in [".route_service(", ".fallback("] {
            assert!(
                !text.contains(unsupported),
                "{}: {unsupported} is not walked; teach tests/it/router_walk.rs",
                file.display()
            );
        }
        let is_mod = file.file_name().is_some_and(|n| n == "mod.rs");
        let own_nest = if is_mod { nest_of(&text) } else { None };
        let parent_nest = file
            .parent()
            .and_then(|d| std::fs::read_to_string(d.join("mod.rs")).ok())
            .and_then(|m| nest_of(&m));
        for (at, _) in text.match_indices(".route(") {
            let prefix = match (&own_nest, &parent_nest) {
                (Some((prefix, Some(inside))), _) if inside.contains(&at) => prefix.as_str(),
                (None, Some((prefix, _))) if !is_mod => prefix.as_str(),
                _ => "",
            };
            let args = balanced(&text, at + ".route".len());
            let (path, handlers) = first_string_literal(args).unwrap_or_else(|| {
                panic!("{}: a route whose path is not a literal", file.display())
            });
            let methods = methods_of(handlers);
            assert!(
                !methods.is_empty(),
                "{}: cannot tell the methods of {path}; teach tests/it/router_walk.rs",
                file.display()
            );
            for method in methods {
                routes.push(Route {
                    method,
                    path: format!("{prefix}{path}"),
                    file: file.clone(),
                });
            }
        }
    }
    routes
}

fn is_unsafe(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

fn exemption(route: &Route) -> Option<&'static str> {
    EXEMPT
        .iter()
        .find(|(path, _)| {
            route.path == *path || (path.ends_with('/') && route.path.starts_with(path))
        })
        .map(|(_, why)| *why)
}

/// A concrete URL for a route pattern: path parameters become a real id (so that a missing
/// check would change something), a link name, or a made-up secret.
fn concrete(pattern: &str, id: &str) -> String {
    pattern
        .split('/')
        .map(|segment| match segment {
            "{id}" => id.to_owned(),
            "{name}" => "docs".to_owned(),
            "{token}" => "gll_made-up".to_owned(),
            s if s.starts_with("{*") => "x".to_owned(),
            s if s.starts_with('{') => panic!("unknown path parameter {s} in {pattern}"),
            s => s.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// Columns a read touches (last use), left out of the comparison.
const TOUCHED_BY_READS: [&str; 2] = ["last_seen_at", "last_used_at"];

/// The rows of every table through connection `$c` (one body for both backends' types).
macro_rules! dump {
    ($c:ident, $columns:ident, $row_sql:ident) => {{
        let columns: Vec<(String, String)> = sqlx::query_as($columns)
            .fetch_all(&mut $c)
            .await
            .expect("columns");
        let mut tables: Vec<&str> = columns.iter().map(|(t, _)| t.as_str()).collect();
        tables.dedup();
        let mut rows = Vec::new();
        for table in tables {
            let cols: Vec<String> = columns
                .iter()
                .filter(|(t, c)| t == table && !TOUCHED_BY_READS.contains(&c.as_str()))
                .map(|(_, c)| c.clone())
                .collect();
            let sql = $row_sql(table, &cols);
            let found: Vec<(String,)> = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
                .fetch_all(&mut $c)
                .await
                .expect(&sql);
            rows.extend(found.into_iter().map(|(row,)| format!("{table}: {row}")));
        }
        rows.sort();
        rows
    }};
}

/// The SQL that reads a table's rows, given its name and columns, as one text each.
type RowSql = fn(&str, &[String]) -> String;

/// Every row of every table, as text, except the columns a read touches.
async fn database_contents(app: &TestApp) -> Vec<String> {
    let (columns, row_sql): (&str, RowSql) = if app.db.url.starts_with("sqlite:") {
        (
            "SELECT m.name, c.name FROM sqlite_master m, pragma_table_info(m.name) c
                 WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' ORDER BY m.name, c.cid",
            |table, cols| {
                let shown: Vec<String> = cols.iter().map(|c| format!("quote(\"{c}\")")).collect();
                format!("SELECT {} FROM \"{table}\"", shown.join(" || '|' || "))
            },
        )
    } else {
        (
            "SELECT table_name::text, column_name::text FROM information_schema.columns
                 WHERE table_schema = 'public' ORDER BY table_name, ordinal_position",
            |table, cols| {
                let shown: Vec<String> = cols
                    .iter()
                    .map(|c| format!("coalesce(\"{c}\"::text, 'NULL')"))
                    .collect();
                format!(
                    "SELECT concat_ws('|', {}) FROM \"{table}\"",
                    shown.join(", ")
                )
            },
        )
    };
    use sqlx::Connection;
    if app.db.url.starts_with("sqlite:") {
        let mut c = sqlx::SqliteConnection::connect(&app.db.url)
            .await
            .expect("connect");
        dump!(c, columns, row_sql)
    } else {
        let mut c = sqlx::PgConnection::connect(&app.db.url)
            .await
            .expect("connect");
        dump!(c, columns, row_sql)
    }
}

/// Sends `method path` with `cookie` and the browser's origin headers; the status.
async fn send(app: &TestApp, route: &Route, url: &str, cookie: &str, cross_site: bool) -> u16 {
    let mut request = app
        .client
        .request(route.method.clone(), app.url(url))
        .header("cookie", cookie);
    request = if cross_site {
        request
            .header("sec-fetch-site", "cross-site")
            .header("origin", "https://evil.example")
    } else {
        request.header("sec-fetch-site", "same-origin")
    };
    if route.path.starts_with("/_/api/") {
        let body = r#"{"name": "walked", "url": "https://evil.example/", "visibility": "company"}"#;
        request = request
            .header("content-type", "application/json")
            .body(body);
    } else if is_unsafe(&route.method) {
        let body = "name=walked&url=https%3A%2F%2Fevil.example%2F&role=admin&active=false&to=x";
        request = request
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body);
    }
    request.send().await.expect("send").status().as_u16()
}

/// An admin's and a member's session, and ids of real things for path parameters.
struct Callers {
    admin: String,
    member: String,
    admin_id: String,
    link_id: String,
}

async fn callers(app: &TestApp) -> Callers {
    use golinks::domain::Role;
    let (admin, _) = app.person("admin@acme.example", Role::Admin).await;
    let org = app
        .state
        .store
        .find_org_by_slug("default")
        .await
        .expect("org");
    let (_, token) = app.person("maker@acme.example", Role::Member).await;
    let link = serde_json::json!({"name": "docs", "url": "https://wiki.example/"});
    let link = app.create_link(&token, link).await;
    Callers {
        admin: app.session_cookie(org.id, admin.id).await,
        member: app.member_cookie().await,
        admin_id: admin.id.to_string(),
        link_id: link["id"].as_str().expect("id").to_owned(),
    }
}

/// Sends every unsafe, non-exempt route an admin's cookie from another site: 403 each.
async fn cross_site_requests_are_refused(app: &TestApp, routes: &[Route], who: &Callers) {
    let mut checked = 0;
    for route in routes.iter().filter(|r| is_unsafe(&r.method)) {
        if let Some(why) = exemption(route) {
            eprintln!("exempt: {} {}: {why}", route.method, route.path);
            continue;
        }
        let id = if route.path.starts_with("/_/api/v1/links") {
            &who.link_id
        } else {
            &who.admin_id
        };
        let url = concrete(&route.path, id);
        let status = send(app, route, &url, &who.admin, true).await;
        checked += 1;
        assert_eq!(
            status,
            403,
            "{} {url} ({}): an admin's cookie sent from another site must be refused",
            route.method,
            route.file.display()
        );
    }
    assert!(checked >= 15, "only {checked} unsafe routes walked");
}

/// Sends every admin route (any method) a member's same-origin request: 403 each.
async fn members_are_refused_on_admin_routes(app: &TestApp, routes: &[Route], who: &Callers) {
    for route in routes.iter().filter(|r| r.path.starts_with("/_/admin/")) {
        let url = concrete(&route.path, &who.admin_id);
        let status = send(app, route, &url, &who.member, false).await;
        assert_eq!(
            status,
            403,
            "{} {url} ({}): a member on an admin route must be refused",
            route.method,
            route.file.display()
        );
    }
}

async fn every_unsafe_route_refuses_cross_site_requests_and_members_on_admin_pages(
    backend: Backend,
) {
    let app = TestApp::spawn(backend).await;
    let routes = registered_routes();
    for known in [
        "POST /_/admin/tokens",
        "DELETE /_/api/v1/links/{id}",
        "POST /_/logout",
    ] {
        let found = routes
            .iter()
            .any(|r| format!("{} {}", r.method, r.path) == known);
        assert!(found, "the walk finds {known}: {routes:#?}");
    }
    let who = callers(&app).await;
    let before = database_contents(&app).await;
    assert!(
        before.iter().any(|row| row.starts_with("links: ")),
        "the snapshot sees the data: {before:#?}"
    );
    cross_site_requests_are_refused(&app, &routes, &who).await;
    members_are_refused_on_admin_routes(&app, &routes, &who).await;
    assert_eq!(
        database_contents(&app).await,
        before,
        "refused requests change nothing"
    );
    let control = Route {
        method: Method::GET,
        path: "/_/admin/people".into(),
        file: PathBuf::new(),
    };
    let still = send(&app, &control, &control.path, &who.admin, false).await;
    assert_eq!(
        still, 200,
        "control: the admin's cookie works from our own pages"
    );
}

on_both_backends!(every_unsafe_route_refuses_cross_site_requests_and_members_on_admin_pages);
