//! A link's input validated into a [`LinkDraft`]: every field's problem reported at once.

use super::{
    FieldError, LinkError, LinkInput, MAX_ALIASES, MAX_DESCRIPTION_LEN, MAX_TAG_LEN, MAX_TAGS,
};
use crate::domain::{Destination, LinkName, Visibility};
use crate::store::{Link, LinkDraft};

/// The draft that reproduces an existing link.
pub fn draft_of(link: &Link) -> Result<LinkDraft, LinkError> {
    let input = LinkInput {
        name: Some(link.name.clone()),
        url: Some(link.url.clone()),
        description: Some(link.description.clone()),
        tags: Some(link.tags.clone()),
        aliases: Some(link.aliases.clone()),
        visibility: Some(link.visibility.to_string()),
        ..LinkInput::default()
    };
    let mut draft = draft_from(None, &input, &[])?;
    draft.owner = link.owner.as_ref().map(|o| o.id);
    draft.owner_group = link.owner_group.as_ref().map(|g| g.id);
    draft.visible_to = link.visible_to.as_ref().map(|g| g.id);
    Ok(draft)
}

/// Validates `input` over `base` (absent fields keep the base's values), reporting every
/// field's problem at once.
pub fn draft_from(
    base: Option<&LinkDraft>,
    input: &LinkInput,
    own_hosts: &[String],
) -> Result<LinkDraft, Vec<FieldError>> {
    let mut errors = Vec::new();
    let name = match (input.name.as_deref(), base) {
        (Some(raw), _) => LinkName::try_from(raw)
            .map_err(|e| errors.push(FieldError::new("name", e)))
            .ok(),
        (None, Some(b)) => Some(b.name.clone()),
        (None, None) => {
            errors.push(FieldError::new("name", "a name is required"));
            None
        }
    };
    let url = match (input.url.as_deref(), base) {
        (Some(raw), _) => Destination::try_from(raw)
            .and_then(|d| d.refuse_self_reference(own_hosts).map(|()| d))
            .map_err(|e| errors.push(FieldError::new("url", e)))
            .ok(),
        (None, Some(b)) => Some(b.url.clone()),
        (None, None) => {
            errors.push(FieldError::new("url", "a destination URL is required"));
            None
        }
    };
    let description = input
        .description
        .as_deref()
        .map(|d| d.trim().to_owned())
        .or_else(|| base.map(|b| b.description.clone()))
        .unwrap_or_default();
    if description.chars().count() > MAX_DESCRIPTION_LEN {
        errors.push(FieldError::new(
            "description",
            format!("at most {MAX_DESCRIPTION_LEN} characters"),
        ));
    }
    let tags = match &input.tags {
        Some(raw) => validate_tags(raw)
            .map_err(|m| errors.push(FieldError::new("tags", m)))
            .unwrap_or_default(),
        None => base.map(|b| b.tags.clone()).unwrap_or_default(),
    };
    let aliases = match &input.aliases {
        Some(raw) => validate_aliases(raw, name.as_ref())
            .map_err(|m| errors.push(FieldError::new("aliases", m)))
            .unwrap_or_default(),
        None => base.map(|b| b.aliases.clone()).unwrap_or_default(),
    };
    let visibility = match input.visibility.as_deref() {
        Some(raw) => raw
            .parse()
            .map_err(|m: String| errors.push(FieldError::new("visibility", m)))
            .ok(),
        None => Some(base.map_or(Visibility::Company, |b| b.visibility)),
    };
    match (name, url, visibility) {
        (Some(name), Some(url), Some(visibility)) if errors.is_empty() => Ok(LinkDraft {
            name,
            url,
            description,
            tags,
            aliases,
            visibility,
            owner: base.and_then(|b| b.owner),
            owner_group: base.and_then(|b| b.owner_group),
            visible_to: base.and_then(|b| b.visible_to),
        }),
        _ => Err(errors),
    }
}

fn validate_tags(raw: &[String]) -> Result<Vec<String>, String> {
    let mut tags: Vec<String> = Vec::new();
    for tag in raw {
        let tag = tag.trim().to_lowercase();
        let ok_chars = tag
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'));
        if tag.is_empty() || tag.chars().count() > MAX_TAG_LEN || !ok_chars {
            return Err(format!(
                "{tag:?}: a tag is 1–{MAX_TAG_LEN} letters, digits, '-', '_' or '.'"
            ));
        }
        if !tags.contains(&tag) {
            tags.push(tag);
        }
    }
    if tags.len() > MAX_TAGS {
        return Err(format!("at most {MAX_TAGS} tags"));
    }
    tags.sort();
    Ok(tags)
}

fn validate_aliases(raw: &[String], name: Option<&LinkName>) -> Result<Vec<LinkName>, String> {
    let mut aliases: Vec<LinkName> = Vec::new();
    for alias in raw {
        let alias = LinkName::try_from(alias.as_str()).map_err(|e| format!("{alias:?}: {e}"))?;
        if name.is_some_and(|n| n.key() == alias.key()) {
            return Err(format!("{:?} is the link's own name", alias.as_str()));
        }
        if aliases.iter().any(|a| a.key() == alias.key()) {
            continue;
        }
        aliases.push(alias);
    }
    if aliases.len() > MAX_ALIASES {
        return Err(format!("at most {MAX_ALIASES} aliases"));
    }
    Ok(aliases)
}
