//! Link import and export formats.
//!
//! - Ours (JSON): `{"format": "golinks/v1", "links": [{"name", "url", "description", "tags",
//!   "aliases", "visibility", "owner", "owner_group", "visible_to_group"}]}` where `owner` is
//!   an email and the two groups are displayNames (absent when the link has none); `golinks
//!   links export` writes it and `golinks links import` reads it back. A group is named by its
//!   displayName, not its id: ids are minted by each server, while the identity provider
//!   pushes the same displayName to every organization it provisions (and displayName is
//!   unique among an organization's groups).
//! - tailscale/golink's export (JSON Lines, one link per line):
//!   `{"Short": "name", "Long": "https://…", "Created": "…", "LastEdit": "…", "Owner": "email"}`.
//!
//! The format is recognised from the content, not the file name.

use serde::{Deserialize, Serialize};

use crate::links::LinkInput;
use crate::store::Link;

pub const FORMAT: &str = "golinks/v1";

#[derive(Debug, Serialize, Deserialize)]
pub struct Export {
    pub format: String,
    pub links: Vec<ExportedLink>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportedLink {
    pub name: String,
    pub url: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub aliases: Vec<String>,
    #[serde(default = "company")]
    pub visibility: String,
    #[serde(default)]
    pub owner: Option<String>,
    /// The owning team's displayName (then `owner` is absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner_group: Option<String>,
    /// The displayName of the only group whose members may follow the link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visible_to_group: Option<String>,
}

fn company() -> String {
    "company".to_owned()
}

/// One line of tailscale/golink's export.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct GolinkLine {
    short: String,
    long: String,
    #[serde(default)]
    owner: Option<String>,
}

/// A link read from a file, and its owner's email and groups' displayNames if the file names
/// them.
#[derive(Debug, Clone)]
pub struct ImportItem {
    /// Where it is in the file, for messages: "line 12" (JSONL) or "link 12" (our JSON).
    pub at: String,
    pub input: LinkInput,
    pub owner: Option<String>,
    pub owner_group: Option<String>,
    pub visible_to_group: Option<String>,
}

/// A record of the file that could not be read at all, and why.
#[derive(Debug, Clone)]
pub struct Unreadable {
    pub at: String,
    pub why: String,
}

impl ImportItem {
    fn from_export(position: usize, l: ExportedLink) -> Self {
        ImportItem {
            at: format!("link {}", position + 1),
            input: LinkInput {
                name: Some(l.name),
                url: Some(l.url),
                description: Some(l.description),
                tags: Some(l.tags),
                aliases: Some(l.aliases),
                visibility: Some(l.visibility),
                ..Default::default()
            },
            owner: l.owner.filter(|o| !o.is_empty()),
            owner_group: l.owner_group.filter(|g| !g.trim().is_empty()),
            visible_to_group: l.visible_to_group.filter(|g| !g.trim().is_empty()),
        }
    }
}

pub fn export(links: Vec<Link>) -> Export {
    let links = links
        .into_iter()
        .map(|l| ExportedLink {
            name: l.name,
            url: l.url,
            description: l.description,
            tags: l.tags,
            aliases: l.aliases,
            visibility: l.visibility.to_string(),
            owner: l.owner.map(|o| o.email),
            owner_group: l.owner_group.map(|g| g.display_name),
            visible_to_group: l.visible_to.map(|g| g.display_name),
        })
        .collect();
    Export {
        format: FORMAT.to_owned(),
        links,
    }
}

/// Reads either format, refusing the whole file at its first unreadable record. Errors name
/// the line (JSONL) or position (JSON).
pub fn parse(text: &str) -> Result<Vec<ImportItem>, String> {
    parse_each(text)?
        .into_iter()
        .map(|record| record.map_err(|u| format!("{}: {}", u.at, u.why)))
        .collect()
}

/// Reads either format, record by record: a JSONL line that is not a link is returned as
/// [`Unreadable`] so that an import can skip it. Our JSON export is one document: it is read
/// whole or refused.
pub fn parse_each(text: &str) -> Result<Vec<Result<ImportItem, Unreadable>>, String> {
    let trimmed = text.trim_start();
    if trimmed.starts_with('{')
        && let Ok(export) = serde_json::from_str::<Export>(trimmed)
    {
        if export.format != FORMAT {
            return Err(format!(
                "unknown export format {:?}; expected {FORMAT:?}",
                export.format
            ));
        }
        let items = export.links.into_iter().enumerate();
        return Ok(items
            .map(|(i, l)| Ok(ImportItem::from_export(i, l)))
            .collect());
    }
    if trimmed.starts_with("{\"format\"") {
        return serde_json::from_str::<Export>(trimmed)
            .map(|_| Vec::new())
            .map_err(|e| format!("invalid export file: {e}"));
    }
    Ok(text
        .lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(i, line)| golink_line(i + 1, line))
        .collect())
}

fn golink_line(number: usize, line: &str) -> Result<ImportItem, Unreadable> {
    let at = format!("line {number}");
    match serde_json::from_str::<GolinkLine>(line) {
        Ok(l) => Ok(ImportItem {
            at,
            input: LinkInput {
                name: Some(l.short),
                url: Some(l.long),
                ..Default::default()
            },
            owner: l.owner.filter(|o| !o.is_empty()),
            // tailscale/golink has no groups.
            owner_group: None,
            visible_to_group: None,
        }),
        Err(e) => Err(Unreadable {
            at,
            why: e.to_string(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn golink_jsonl_exports_are_read_line_by_line() {
        let text = concat!(
            "{\"Short\":\"docs\",\"Long\":\"https://wiki.example/\",\"Created\":\"2024-01-01T00:00:00Z\",\"LastEdit\":\"2024-01-02T00:00:00Z\",\"Owner\":\"ada@acme.example\"}\n",
            "\n",
            "{\"Short\":\"hr\",\"Long\":\"https://hr.example/\",\"Owner\":\"\"}\n",
        );
        let items = parse(text).expect("valid");
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].input.name.as_deref(), Some("docs"));
        assert_eq!(items[0].owner.as_deref(), Some("ada@acme.example"));
        assert_eq!(items[1].owner, None);
        assert_eq!(items[1].at, "line 3", "blank lines still count");
    }

    #[test]
    fn unreadable_lines_are_returned_one_by_one() {
        let records = parse_each("{\"Short\":\"ok\",\"Long\":\"https://a.example/\"}\nnot json\n")
            .expect("a JSONL file");
        assert!(records[0].is_ok());
        let bad = records[1].as_ref().expect_err("unreadable");
        assert_eq!(bad.at, "line 2");
    }

    #[test]
    fn our_json_export_round_trips() {
        let text = r#"{"format":"golinks/v1","links":[{"name":"Docs","url":"https://wiki.example/","tags":["eng"],"aliases":["wiki"],"visibility":"unlisted","owner":"ada@acme.example"}]}"#;
        let items = parse(text).expect("valid");
        assert_eq!(
            items[0].input.aliases.as_deref(),
            Some(&["wiki".to_owned()][..])
        );
        assert_eq!(items[0].input.visibility.as_deref(), Some("unlisted"));
        assert_eq!(items[0].owner_group, None);
    }

    #[test]
    fn groups_are_read_by_display_name_and_left_out_when_absent() {
        let text = r#"{"format":"golinks/v1","links":[
            {"name":"budget","url":"https://fin.example/","owner_group":"Finance",
             "visible_to_group":"Finance Leads"},
            {"name":"wiki","url":"https://wiki.example/","owner_group":""}]}"#;
        let items = parse(text).expect("valid");
        assert_eq!(items[0].owner_group.as_deref(), Some("Finance"));
        assert_eq!(items[0].visible_to_group.as_deref(), Some("Finance Leads"));
        assert_eq!(items[1].owner_group, None, "an empty name is no group");
        let plain = ExportedLink {
            name: "wiki".into(),
            url: "https://wiki.example/".into(),
            description: String::new(),
            tags: Vec::new(),
            aliases: Vec::new(),
            visibility: company(),
            owner: None,
            owner_group: None,
            visible_to_group: None,
        };
        let json = serde_json::to_value(&plain).expect("json");
        assert!(json.get("owner_group").is_none() && json.get("visible_to_group").is_none());
    }

    #[test]
    fn malformed_files_say_where() {
        let err = parse("{\"Short\":\"ok\",\"Long\":\"https://a.example/\"}\nnot json\n")
            .expect_err("bad");
        assert!(err.starts_with("line 2:"), "{err}");
        let err = parse(r#"{"format":"golinks/v1","links":[{"name":1}]}"#).expect_err("bad");
        assert!(err.contains("invalid export file"), "{err}");
        assert!(parse(r#"{"format":"other/v9","links":[]}"#).is_err());
    }
}
