//! Attributes every resource has (RFC 7643 §3, §3.1). They belong to no
//! schema, so `/Schemas` does not list them, but paths and filters name them
//! like core attributes (`id`, `meta.lastModified`, `schemas`).

use super::{
    Attribute, Mutability, Returned, Uniqueness, complex, date_time, find, reference, string,
};

pub(super) fn attribute(name: &str) -> Option<&'static Attribute> {
    find(COMMON, name)
}

const COMMON: &[Attribute] = &[
    // RFC 7643 §3: the schema URIs of the resource, sent by clients too.
    // URIs compare case-insensitively in their scheme and NID (RFC 8141
    // §3.1), so `caseExact` stays at its default.
    string("schemas", "The schemas of the resource.")
        .multi()
        .required()
        .returned(Returned::Always),
    // RFC 7643 §3.1: "caseExact" true, "readOnly", returned "always", unique.
    string(
        "id",
        "A unique identifier for a SCIM resource as defined by the service provider.",
    )
    .case_exact()
    .mutability(Mutability::ReadOnly)
    .returned(Returned::Always)
    .uniqueness(Uniqueness::Server),
    // RFC 7643 §3.1: "caseExact" true, issued by the provisioning client.
    string(
        "externalId",
        "A String that is an identifier for the resource as defined by the provisioning client.",
    )
    .case_exact(),
    complex(
        "meta",
        "A complex attribute containing resource metadata.",
        META,
    )
    .mutability(Mutability::ReadOnly),
];

const META: &[Attribute] = &[
    string(
        "resourceType",
        "The name of the resource type of the resource.",
    )
    .case_exact()
    .mutability(Mutability::ReadOnly),
    date_time(
        "created",
        "The DateTime that the resource was added to the service provider.",
    )
    .mutability(Mutability::ReadOnly),
    date_time(
        "lastModified",
        "The most recent DateTime that the details of this resource were updated.",
    )
    .mutability(Mutability::ReadOnly),
    reference(
        "location",
        "The URI of the resource being returned.",
        &["uri"],
    )
    .case_exact()
    .mutability(Mutability::ReadOnly),
    // RFC 7643 §3.1 / RFC 7232 §2.3: entity tags compare exactly.
    string("version", "The version of the resource being returned.")
        .case_exact()
        .mutability(Mutability::ReadOnly),
];
