//! The enterprise User extension (RFC 7643 §4.3; representation in §8.7.1).
//!
//! In a resource its attributes sit in an object keyed by the extension URN;
//! in a path they are prefixed with it (RFC 7644 §3.10):
//! `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department`.

use super::{
    Attribute, ENTERPRISE_USER_URN, Mutability, SchemaDefinition, complex, reference, string,
};

/// `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User`.
pub static SCHEMA: SchemaDefinition = SchemaDefinition {
    id: ENTERPRISE_USER_URN,
    name: "EnterpriseUser",
    description: "Enterprise User",
    attributes: ATTRIBUTES,
};

const ATTRIBUTES: &[Attribute] = &[
    string(
        "employeeNumber",
        "Numeric or alphanumeric identifier assigned to a person, typically based on order \
         of hire or association with an organization.",
    ),
    string("costCenter", "Identifies the name of a cost center."),
    string("organization", "Identifies the name of an organization."),
    string("division", "Identifies the name of a division."),
    string("department", "Identifies the name of a department."),
    complex(
        "manager",
        "The User's manager: a reference to the 'id' attribute of another User.",
        MANAGER,
    ),
];

const MANAGER: &[Attribute] = &[
    string(
        "value",
        "The id of the SCIM resource representing the User's manager.",
    ),
    reference(
        "$ref",
        "The URI of the SCIM resource representing the User's manager.",
        &["User"],
    ),
    // RFC 7643 §4.3: "OPTIONAL and READ-ONLY"; the server fills it in.
    string("displayName", "The displayName of the User's manager.")
        .mutability(Mutability::ReadOnly),
];
