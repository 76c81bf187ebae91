//! Deployment as documented in docs/deploy.md: the systemd unit in `deploy/` passes
//! `systemd-analyze verify` and keeps its hardening, `scripts/install.sh` (run by
//! `make install`) stages the binary and the unit, and the first-run message prints a command
//! that works when pasted into a shell that has no `golinks` on its PATH.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// `systemd-analyze verify` of `unit` with its ExecStart pointing at the binary under test
/// (verify checks that the program exists). Any message counts: systemd only warns about a
/// misspelt setting ("…, ignoring") and would run the service without it.
fn verify(unit: &str) -> Result<(), String> {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("golinks.service");
    let unit = unit.replace("/usr/local/bin/golinks", env!("CARGO_BIN_EXE_golinks"));
    std::fs::write(&file, unit).expect("write");
    let out = Command::new("systemd-analyze")
        .arg("verify")
        .arg(&file)
        .output()
        .expect("systemd-analyze (Debian package systemd) must be installed");
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    if out.status.success() && said.trim().is_empty() {
        Ok(())
    } else {
        Err(said)
    }
}

#[test]
fn the_systemd_unit_verifies_and_keeps_its_hardening() {
    let unit = std::fs::read_to_string(repo().join("deploy/golinks.service")).expect("unit");
    verify(&unit).expect("deploy/golinks.service verifies");
    for line in [
        "User=golinks",
        "StateDirectory=golinks",
        "ProtectSystem=strict",
        "NoNewPrivileges=yes",
        "Restart=on-failure",
        "ExecStart=/usr/local/bin/golinks serve",
        "Environment=GOLINKS_DATABASE_URL=sqlite:///var/lib/golinks/golinks.db",
    ] {
        assert!(unit.lines().any(|l| l == line), "{line} in the unit");
    }
    let broken = unit.replace("ProtectSystem=strict", "ProtectSystem=strictly");
    let said = verify(&broken).expect_err("a misspelt setting is caught");
    assert!(
        said.contains("ProtectSystem") || said.contains("protect system"),
        "{said}"
    );
}

#[test]
fn install_stages_the_binary_the_unit_and_the_settings_file() {
    let dest = tempfile::tempdir().expect("tempdir");
    let out = Command::new(repo().join("scripts/install.sh"))
        .env("DESTDIR", dest.path())
        .env("GOLINKS_BIN", env!("CARGO_BIN_EXE_golinks"))
        .output()
        .expect("run scripts/install.sh");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let root = dest.path();
    let version = Command::new(root.join("usr/local/bin/golinks"))
        .arg("--version")
        .output()
        .expect("run the installed binary");
    assert!(version.status.success());
    let unit = std::fs::read_to_string(root.join("etc/systemd/system/golinks.service"))
        .expect("the unit is in place");
    verify(&unit).expect("the installed unit verifies");
    assert!(root.join("etc/golinks/golinks.env").is_file());
    assert!(root.join("usr/local/share/doc/golinks/deploy.md").is_file());
}

#[test]
fn the_first_run_message_prints_a_command_that_works_as_pasted() {
    // A relative database path, as `make run` serves, in a directory with a space.
    let dir = tempfile::tempdir().expect("tempdir");
    let cwd = dir.path().join("my repo");
    std::fs::create_dir(&cwd).expect("mkdir");
    let mut server = Command::new(env!("CARGO_BIN_EXE_golinks"))
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--database-url",
            "sqlite://golinks.db",
        ])
        .current_dir(&cwd)
        .env_remove("GOLINKS_BASE_URL")
        .env_remove("GOLINKS_DATABASE_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let stdout = server.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let mut command = None;
    let mut seen = Vec::new();
    while let Some(Ok(line)) = lines.next() {
        if line.contains(" login-link ") {
            command = Some(line.trim().to_owned());
        }
        seen.push(line);
        if command.is_some() {
            break;
        }
    }
    let _ = server.kill();
    let _ = server.wait();
    let command = command.unwrap_or_else(|| panic!("no login-link command in {seen:#?}"));
    // A shell where only the system's programs are found, as in a fresh terminal.
    let out = Command::new("/bin/sh")
        .args(["-c", &command])
        .current_dir(dir.path())
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .output()
        .expect("sh");
    let printed = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{command}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        printed
            .lines()
            .last()
            .unwrap_or_default()
            .starts_with("/_/login/"),
        "{printed}"
    );
    assert!(
        !dir.path().join("golinks.db").exists(),
        "pasted elsewhere, the command still names the server's database: {command}"
    );
}

/// The example policy files IT copies (docs/deploy.md) set exactly the settings the
/// extension's managed_schema.json declares, with the declared types, for the extension id
/// the Firefox build carries.
#[test]
fn the_extension_policy_examples_match_its_managed_schema() {
    let read = |path: &str| -> serde_json::Value {
        let text = std::fs::read_to_string(repo().join(path)).expect(path);
        serde_json::from_str(&text).expect(path)
    };
    let schema = read("extension/managed_schema.json");
    let properties = schema["properties"].as_object().expect("properties");
    let chrome = read("deploy/extension/chrome-policy.json");
    let firefox = read("deploy/extension/firefox-policies.json");
    let build = std::fs::read_to_string(repo().join("scripts/build-extension.sh")).expect("build");
    let firefox_id = "golinks@golinks.dev";
    assert!(
        build.contains(firefox_id),
        "the Firefox build sets {firefox_id}"
    );
    for settings in [
        &chrome["3rdparty"]["extensions"]["EXTENSION_ID"],
        &firefox["policies"]["3rdparty"]["Extensions"][firefox_id],
    ] {
        let settings = settings.as_object().expect("managed settings");
        assert_eq!(
            settings.keys().collect::<Vec<_>>(),
            properties.keys().collect::<Vec<_>>()
        );
        for (key, value) in settings {
            let kind = properties[key]["type"].as_str().expect("type");
            let matches = match kind {
                "string" => value.is_string(),
                "array" => value
                    .as_array()
                    .is_some_and(|a| a.iter().all(|v| v.is_string())),
                other => panic!("unexpected schema type {other}"),
            };
            assert!(matches, "{key} is a {kind}");
        }
    }
}
