//! The core Group schema (RFC 7643 §4.2; representation in §8.7.1).

use super::{
    Attribute, GROUP_URN, Mutability, Returned, SchemaDefinition, complex, reference, string,
};

/// `urn:ietf:params:scim:schemas:core:2.0:Group`.
pub static SCHEMA: SchemaDefinition = SchemaDefinition {
    id: GROUP_URN,
    name: "Group",
    description: "Group",
    attributes: ATTRIBUTES,
};

const ATTRIBUTES: &[Attribute] = &[
    // RFC 7643 §4.2 says "REQUIRED"; the §8.7.1 representation says
    // `"required": false`. We follow the normative text.
    string(
        "displayName",
        "A human-readable name for the Group. REQUIRED.",
    )
    .required(),
    complex("members", "A list of members of the Group.", MEMBERS).multi(),
];

// RFC 7643 §4.2: "sub-attributes of members are 'immutable'": a member is
// added or removed, never edited.
const MEMBERS: &[Attribute] = &[
    string("value", "Identifier of the member of this Group.").mutability(Mutability::Immutable),
    reference(
        "$ref",
        "The URI corresponding to a SCIM resource that is a member of this Group.",
        &["User", "Group"],
    )
    .mutability(Mutability::Immutable),
    string(
        "type",
        "A label indicating the type of resource, e.g., 'User' or 'Group'.",
    )
    .canonical(&["User", "Group"])
    .mutability(Mutability::Immutable),
    // Not in §8.7.1, but every member in the §8.4 example carries it; the
    // server fills it in. Returned on request (`attributes=members` or
    // `members.display`): a member then reads back exactly as a client wrote
    // it (`value`, `$ref`, `type`), which clients that compare what they
    // PATCHed with what they read (scim2-tester) require.
    string("display", "A human-readable name for the member.")
        .mutability(Mutability::ReadOnly)
        .returned(Returned::Request),
];
