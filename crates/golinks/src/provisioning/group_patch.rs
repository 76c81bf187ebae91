//! A Group PATCH (RFC 7644 §3.5.2) as an edit of the group's columns and a membership
//! change, without reading the members: `add` on `members` adds the people named, `remove` with
//! `members[value eq "…"]` (or Entra ID's `members` + value list, read as such filters by the
//! `scim` crate's parser) removes them, `replace` on `members` (or `remove` of all of them)
//! sets the whole list. Operations apply in order (§3.5.2: "processed sequentially"), so an
//! add then a remove of one person leaves them out.
//!
//! Decisions (RFC 7644 §3.5.2 leaves them to the provider): adding a present member or
//! removing an absent one succeeds and changes nothing; a member that is not a person of the
//! organization, or that is a group (golinks has no nested groups), refuses the whole request.

use std::collections::HashSet;

use scim::{CompValue, CompareOp, Filter, GROUP_URN, OpKind, PatchOp, PatchPath, ScimError};
use serde_json::Value;
use uuid::Uuid;

use super::groups::member_ids;
use crate::store::MemberChange;

/// What a PATCH does to a group.
#[derive(Debug, Default)]
pub struct GroupEdit {
    pub display_name: Option<String>,
    /// `Some(None)`: the externalId is removed.
    pub external_id: Option<Option<String>>,
    /// The whole list, when an operation set it.
    base: Option<Vec<Uuid>>,
    add: Vec<Uuid>,
    remove: HashSet<Uuid>,
}

impl GroupEdit {
    /// Folds `ops` for the group `id`.
    pub fn of(id: Uuid, ops: &[PatchOp]) -> Result<Self, ScimError> {
        let mut edit = Self::default();
        for op in ops {
            edit.apply(id, op)?;
        }
        Ok(edit)
    }

    pub fn members(&self) -> MemberChange {
        match &self.base {
            Some(base) => {
                let mut all: Vec<Uuid> = base.iter().chain(&self.add).copied().collect();
                all.retain(|id| !self.remove.contains(id));
                dedup(&mut all);
                MemberChange::Replace(all)
            }
            None if self.add.is_empty() && self.remove.is_empty() => MemberChange::Keep,
            None => MemberChange::Edit {
                add: self.add.clone(),
                remove: self.remove.iter().copied().collect(),
            },
        }
    }

    fn add(&mut self, ids: Vec<Uuid>) {
        for id in ids {
            self.remove.remove(&id);
            if !self.add.contains(&id) {
                self.add.push(id);
            }
        }
    }

    fn remove(&mut self, ids: Vec<Uuid>) {
        self.add.retain(|id| !ids.contains(id));
        self.remove.extend(ids);
    }

    fn replace(&mut self, ids: Vec<Uuid>) {
        self.base = Some(ids);
        self.add.clear();
        self.remove.clear();
    }

    fn apply(&mut self, id: Uuid, op: &PatchOp) -> Result<(), ScimError> {
        let value = op.value.as_ref().unwrap_or(&Value::Null);
        match &op.path {
            None if value.as_object().is_some_and(|o| o.is_empty()) => Ok(()),
            None => Err(ScimError::no_target(
                "a Group PATCH names an attribute of the Group",
            )),
            Some(PatchPath::Attr(path)) => {
                if path
                    .urn
                    .as_deref()
                    .is_some_and(|u| !u.eq_ignore_ascii_case(GROUP_URN))
                    || path.sub_attr.is_some()
                {
                    return Err(no_such(&path.to_string()));
                }
                self.attribute(id, op.op, &path.attr, value)
            }
            Some(PatchPath::Value { path, sub_attr }) => {
                if !path.attr.eq_ignore_ascii_case("members") || sub_attr.is_some() {
                    return Err(ScimError::invalid_path(format!(
                        "members are added or removed, never edited (RFC 7643 §4.2); \
                         cannot {} {}",
                        op.op,
                        excerpt_of(op)
                    )));
                }
                if op.op != OpKind::Remove {
                    return Err(ScimError::invalid_path(
                        "a value filter on members selects members to remove; add or \
                         replace members with the path \"members\"",
                    ));
                }
                let ids = value_equals(&path.filter).ok_or_else(|| {
                    ScimError::invalid_filter("members are selected by id: members[value eq \"…\"]")
                })?;
                self.remove(ids);
                Ok(())
            }
        }
    }

    fn attribute(
        &mut self,
        id: Uuid,
        op: OpKind,
        attr: &str,
        value: &Value,
    ) -> Result<(), ScimError> {
        let is = |name: &str| attr.eq_ignore_ascii_case(name);
        match op {
            _ if is("members") => match op {
                OpKind::Add => self.add(member_ids(value)?),
                OpKind::Replace => self.replace(member_ids(value)?),
                OpKind::Remove => self.replace(Vec::new()),
            },
            OpKind::Remove if is("displayName") => {
                return Err(ScimError::invalid_value(
                    "displayName is required (RFC 7643 §4.2) and cannot be removed",
                ));
            }
            _ if is("displayName") => {
                self.display_name = Some(text(value).ok_or_else(|| {
                    ScimError::invalid_value("displayName must be a non-empty string")
                })?);
            }
            OpKind::Remove if is("externalId") => self.external_id = Some(None),
            _ if is("externalId") => {
                if !value.is_null() && !value.is_string() {
                    return Err(ScimError::invalid_value("externalId must be a string"));
                }
                self.external_id = Some(text(value));
            }
            // Okta's rename sends the id along: the same id changes nothing (RFC 7643 §3.1:
            // `id` is readOnly), another one is refused.
            _ if is("id") => {
                if value.as_str() != Some(id.to_string().as_str()) {
                    return Err(ScimError::mutability("a Group's id cannot change"));
                }
            }
            // Read-only: ignored as in a PUT (RFC 7644 §3.5.1).
            _ if is("schemas") || is("meta") => {}
            _ => return Err(no_such(attr)),
        }
        Ok(())
    }
}

fn no_such(attr: &str) -> ScimError {
    ScimError::no_target(format!(
        "a Group has no attribute {attr:?} (RFC 7643 §4.2: displayName, externalId, members)"
    ))
}

fn excerpt_of(op: &PatchOp) -> String {
    op.path
        .as_ref()
        .map(ToString::to_string)
        .unwrap_or_default()
}

fn text(value: &Value) -> Option<String> {
    value
        .as_str()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

fn dedup(ids: &mut Vec<Uuid>) {
    let mut seen = HashSet::new();
    ids.retain(|id| seen.insert(*id));
}

/// The ids `value eq "…"` (joined by `or`) names; ids that are not UUIDs name nobody, so
/// removing them changes nothing.
fn value_equals(filter: &Filter) -> Option<Vec<Uuid>> {
    match filter {
        Filter::Compare {
            path,
            op: CompareOp::Eq,
            value: CompValue::String(s),
        } if path.attr.eq_ignore_ascii_case("value") && path.sub_attr.is_none() => {
            Some(Uuid::parse_str(s).ok().into_iter().collect())
        }
        Filter::Or(a, b) => {
            let mut ids = value_equals(a)?;
            ids.extend(value_equals(b)?);
            Some(ids)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn edit(operations: Value) -> Result<GroupEdit, ScimError> {
        let body = json!({"schemas": [scim::PATCH_OP_SCHEMA], "Operations": operations});
        GroupEdit::of(Uuid::nil(), &scim::parse_patch(&body)?.ops)
    }

    #[test]
    fn adds_and_removes_fold_in_order() {
        let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
        let e = edit(json!([
            {"op": "add", "path": "members", "value": [{"value": a}, {"value": b}]},
            {"op": "remove", "path": format!("members[value eq \"{a}\"]")},
        ]))
        .expect("edit");
        assert_eq!(
            e.members(),
            MemberChange::Edit {
                add: vec![b],
                remove: vec![a]
            }
        );
        let e = edit(json!([
            {"op": "Replace", "path": "members", "value": []},
            {"op": "Add", "path": "members", "value": [{"value": a}]},
        ]))
        .expect("edit");
        assert_eq!(e.members(), MemberChange::Replace(vec![a]));
    }

    #[test]
    fn okta_rename_and_entra_remove_by_value() {
        let a = Uuid::new_v4();
        let e =
            edit(json!([{"op": "replace", "value": {"id": Uuid::nil(), "displayName": "New"}}]))
                .expect("edit");
        assert_eq!(e.display_name.as_deref(), Some("New"));
        assert_eq!(e.members(), MemberChange::Keep);
        let e = edit(json!([{"op": "Remove", "path": "members", "value": [{"value": a}]}]))
            .expect("edit");
        assert_eq!(
            e.members(),
            MemberChange::Edit {
                add: vec![],
                remove: vec![a]
            }
        );
    }

    #[test]
    fn a_path_less_replace_sets_every_attribute_it_holds() {
        let a = Uuid::new_v4();
        let e = edit(json!([{"op": "replace", "value": {
            "displayName": "Eng", "externalId": "x", "members": [{"value": a}]}}]))
        .expect("edit");
        assert_eq!(e.display_name.as_deref(), Some("Eng"));
        assert_eq!(e.external_id, Some(Some("x".to_owned())));
        assert_eq!(e.members(), MemberChange::Replace(vec![a]));
    }

    #[test]
    fn bad_operations_are_refused() {
        for ops in [
            json!([{"op": "remove", "path": "displayName"}]),
            json!([{"op": "replace", "path": "title", "value": "x"}]),
            json!([{"op": "replace", "path": "id", "value": "other"}]),
            json!([{"op": "add", "path": "members", "value": [{"value": "nope"}]}]),
            json!([{"op": "remove", "path": "members[display eq \"x\"]"}]),
        ] {
            assert!(edit(ops.clone()).is_err(), "{ops}");
        }
    }
}
