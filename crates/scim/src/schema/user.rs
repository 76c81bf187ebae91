//! The core User schema (RFC 7643 §4.1; representation in §8.7.1).

use super::{
    Attribute, Mutability, Returned, SchemaDefinition, USER_URN, Uniqueness, binary, boolean,
    complex, reference, string,
};

/// `urn:ietf:params:scim:schemas:core:2.0:User`.
pub static SCHEMA: SchemaDefinition = SchemaDefinition {
    id: USER_URN,
    name: "User",
    description: "User Account",
    attributes: ATTRIBUTES,
};

const PRIMARY: Attribute = boolean(
    "primary",
    "A Boolean value indicating the 'primary' or preferred attribute value for this attribute. \
     The primary attribute value 'true' MUST appear no more than once.",
);

const DISPLAY: Attribute = string(
    "display",
    "A human-readable name, primarily used for display purposes.",
);

const ATTRIBUTES: &[Attribute] = &[
    // RFC 7643 §4.1.1: unique across the service provider, compared case-insensitively.
    string(
        "userName",
        "Unique identifier for the User, typically used by the user to directly authenticate \
         to the service provider. REQUIRED.",
    )
    .required()
    .uniqueness(Uniqueness::Server),
    complex("name", "The components of the user's real name.", NAME),
    string(
        "displayName",
        "The name of the User, suitable for display to end-users.",
    ),
    string(
        "nickName",
        "The casual way to address the user in real life.",
    ),
    reference(
        "profileUrl",
        "A fully qualified URL pointing to a page representing the User's online profile.",
        &["external"],
    ),
    string("title", "The user's title, such as \"Vice President.\""),
    string(
        "userType",
        "Used to identify the relationship between the organization and the user.",
    ),
    string(
        "preferredLanguage",
        "Indicates the User's preferred written or spoken language.",
    ),
    string(
        "locale",
        "Used to indicate the User's default location for purposes of localizing items.",
    ),
    string(
        "timezone",
        "The User's time zone in the 'Olson' time zone database format.",
    ),
    boolean(
        "active",
        "A Boolean value indicating the User's administrative status.",
    ),
    // RFC 7643 §4.1.1: never returned, may only be written.
    string("password", "The User's cleartext password.")
        .mutability(Mutability::WriteOnly)
        .returned(Returned::Never),
    complex("emails", "Email addresses for the user.", EMAILS).multi(),
    complex("phoneNumbers", "Phone numbers for the User.", PHONE_NUMBERS).multi(),
    complex("ims", "Instant messaging addresses for the User.", IMS).multi(),
    complex("photos", "URLs of photos of the User.", PHOTOS).multi(),
    complex(
        "addresses",
        "A physical mailing address for this User.",
        ADDRESSES,
    )
    .multi(),
    // RFC 7643 §4.1.2: membership is managed through the Group resource.
    complex(
        "groups",
        "A list of groups to which the user belongs, either through direct membership, \
         through nested groups, or dynamically calculated.",
        GROUPS,
    )
    .multi()
    .mutability(Mutability::ReadOnly),
    complex(
        "entitlements",
        "A list of entitlements for the User that represent a thing the User has.",
        PLAIN_MULTI,
    )
    .multi(),
    complex(
        "roles",
        "A list of roles for the User that collectively represent who the User is.",
        PLAIN_MULTI,
    )
    .multi(),
    complex(
        "x509Certificates",
        "A list of certificates issued to the User.",
        CERTIFICATES,
    )
    .multi(),
];

const NAME: &[Attribute] = &[
    string(
        "formatted",
        "The full name, including all middle names, titles, and suffixes as appropriate.",
    ),
    string("familyName", "The family name of the User, or last name."),
    string("givenName", "The given name of the User, or first name."),
    string("middleName", "The middle name(s) of the User."),
    string("honorificPrefix", "The honorific prefix(es) of the User."),
    string("honorificSuffix", "The honorific suffix(es) of the User."),
];

const EMAILS: &[Attribute] = &[
    string("value", "Email address for the user."),
    DISPLAY,
    string("type", "A label indicating the attribute's function.")
        .canonical(&["work", "home", "other"]),
    PRIMARY,
];

const PHONE_NUMBERS: &[Attribute] = &[
    string("value", "Phone number of the User."),
    DISPLAY,
    string("type", "A label indicating the attribute's function.")
        .canonical(&["work", "home", "mobile", "fax", "pager", "other"]),
    PRIMARY,
];

const IMS: &[Attribute] = &[
    string("value", "Instant messaging address for the User."),
    DISPLAY,
    string("type", "A label indicating the attribute's function.")
        .canonical(&["aim", "gtalk", "icq", "xmpp", "msn", "skype", "qq", "yahoo"]),
    PRIMARY,
];

const PHOTOS: &[Attribute] = &[
    reference("value", "URL of a photo of the User.", &["external"]),
    DISPLAY,
    string("type", "A label indicating the attribute's function.")
        .canonical(&["photo", "thumbnail"]),
    PRIMARY,
];

// RFC 7643 §4.1.2 lists no `display` for addresses; `primary` is the common
// sub-attribute of multi-valued attributes (§2.4).
const ADDRESSES: &[Attribute] = &[
    string(
        "formatted",
        "The full mailing address, formatted for display or use with a mailing label.",
    ),
    string("streetAddress", "The full street address component."),
    string("locality", "The city or locality component."),
    string("region", "The state or region component."),
    string("postalCode", "The zip code or postal code component."),
    string("country", "The country name component."),
    string("type", "A label indicating the attribute's function.")
        .canonical(&["work", "home", "other"]),
    PRIMARY,
];

const GROUPS: &[Attribute] = &[
    string("value", "The identifier of the User's group.").mutability(Mutability::ReadOnly),
    reference(
        "$ref",
        "The URI of the corresponding 'Group' resource to which the user belongs.",
        &["User", "Group"],
    )
    .mutability(Mutability::ReadOnly),
    DISPLAY.mutability(Mutability::ReadOnly),
    string("type", "A label indicating the attribute's function.")
        .canonical(&["direct", "indirect"])
        .mutability(Mutability::ReadOnly),
];

/// Sub-attributes of `entitlements` and `roles` (RFC 7643 §4.1.2).
const PLAIN_MULTI: &[Attribute] = &[
    string("value", "The value of the attribute."),
    DISPLAY,
    string("type", "A label indicating the attribute's function."),
    PRIMARY,
];

const CERTIFICATES: &[Attribute] = &[
    binary("value", "The value of an X.509 certificate."),
    DISPLAY,
    string("type", "A label indicating the attribute's function."),
    PRIMARY,
];
