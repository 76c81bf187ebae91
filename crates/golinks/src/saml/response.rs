//! Verifying the identity provider's Response (SAML Core §3.2.2, Profiles §4.1.4.3).
//!
//! Order matters: the shape is checked first (`inspect`), then every signature, and only the
//! signed part of the document is read afterwards. Nothing here touches the database: the
//! request-ID and replay checks that need it are the caller's, with the values returned.

use base64::Engine;
use samael::schema::{Assertion, Response};
use time::OffsetDateTime;

use super::inspect::{self, inspect};
use super::{CLOCK_SKEW, IdpSettings, MAX_RESPONSE_BYTES, Refusal, SamlVerifier, ServiceProvider};

const SUCCESS: &str = "urn:oasis:names:tc:SAML:2.0:status:Success";
const BEARER: &str = "urn:oasis:names:tc:SAML:2.0:cm:bearer";

/// What a verified assertion says, and what the caller must still check against the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub assertion_id: String,
    /// The AuthnRequest this answers; `None` for sign-in started at the identity provider.
    pub in_response_to: Option<String>,
    /// Until when the assertion could be presented: its ID is remembered that long.
    pub valid_until: OffsetDateTime,
    /// The email, as sent (not yet validated as an address).
    pub email: String,
    pub display_name: Option<String>,
}

/// Verifies a base64 `SAMLResponse` posted to `sp`'s ACS for an organization trusting `idp`.
pub fn verify_response(
    encoded: &str,
    sp: &ServiceProvider,
    idp: &IdpSettings,
    verifier: &dyn SamlVerifier,
    now: OffsetDateTime,
) -> Result<Verified, Refusal> {
    if encoded.len() > MAX_RESPONSE_BYTES {
        return Err(Refusal::TooLarge);
    }
    let compact: String = encoded
        .chars()
        .filter(|c| !c.is_ascii_whitespace())
        .collect();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(compact)
        .map_err(|_| Refusal::NotBase64)?;
    let xml = String::from_utf8(bytes).map_err(|_| Refusal::NotUtf8)?;
    inspect(&xml)?;
    let signed = verifier
        .signed_content(&xml, &idp.certificates)
        .map_err(|e| {
            tracing::debug!(error = %e, "signature verification failed");
            Refusal::BadSignature
        })?;

    // Either the whole Response is signed (then its envelope is trusted too), or only the
    // Assertion is; then the envelope's Destination and Status are read from the unsigned
    // outer Response, which `inspect` has shown to be the only one (they can only make us
    // refuse), but InResponseTo never is: it decides which request is answered.
    let (envelope, assertion, envelope_signed) = match inspect::root_name(&signed).as_deref() {
        Some("Response") => {
            let response = parse_response(&signed)?;
            let assertion = response.assertion.clone().ok_or_else(|| {
                Refusal::Malformed("the signed Response holds no Assertion".into())
            })?;
            (response, assertion, true)
        }
        Some("Assertion") => {
            let assertion: Assertion = signed
                .parse()
                .map_err(|e: Box<dyn std::error::Error>| Refusal::Malformed(e.to_string()))?;
            (parse_response(&xml)?, assertion, false)
        }
        _ => return Err(Refusal::BadSignature),
    };
    check_envelope(&envelope, envelope_signed, sp, idp)?;
    let valid_until = check_assertion(&assertion, sp, idp, now)?;
    let in_response_to = in_response_to(envelope_signed.then_some(&envelope), &assertion)?;
    if in_response_to.is_none() && !idp.idp_initiated {
        return Err(Refusal::IdpInitiatedOff);
    }
    let email = email(&assertion, idp)?;
    Ok(Verified {
        assertion_id: assertion.id.clone(),
        in_response_to,
        valid_until,
        email,
        display_name: display_name(&assertion),
    })
}

fn parse_response(xml: &str) -> Result<Response, Refusal> {
    xml.parse::<Response>()
        .map_err(|e| Refusal::Malformed(e.to_string()))
}

fn check_envelope(
    response: &Response,
    signed: bool,
    sp: &ServiceProvider,
    idp: &IdpSettings,
) -> Result<(), Refusal> {
    if response.version != "2.0" {
        return Err(Refusal::Malformed(format!(
            "SAML version {:?}",
            response.version
        )));
    }
    let status = response
        .status
        .as_ref()
        .and_then(|s| s.status_code.value.clone())
        .unwrap_or_default();
    if status != SUCCESS {
        return Err(Refusal::Status(status));
    }
    // Core §3.2.2: the Response's Issuer is optional, but if present it must be the IdP.
    if let Some(issuer) = response.issuer.as_ref().and_then(|i| i.value.as_deref())
        && issuer.trim() != idp.entity_id
    {
        return Err(Refusal::Issuer {
            got: issuer.to_owned(),
        });
    }
    // Bindings §3.5.5.2: a signed message must name its Destination; any Destination must be us.
    match &response.destination {
        Some(d) if d != &sp.acs_url => Err(Refusal::Destination {
            got: d.clone(),
            want: sp.acs_url.clone(),
        }),
        None if signed => Err(Refusal::NoDestination),
        _ => Ok(()),
    }
}

/// The Profiles §4.1.4.2 rules for a bearer assertion; returns until when it is valid.
fn check_assertion(
    assertion: &Assertion,
    sp: &ServiceProvider,
    idp: &IdpSettings,
    now: OffsetDateTime,
) -> Result<OffsetDateTime, Refusal> {
    let issuer = assertion.issuer.value.as_deref().unwrap_or_default().trim();
    if issuer != idp.entity_id {
        return Err(Refusal::Issuer {
            got: issuer.to_owned(),
        });
    }
    if assertion.id.is_empty() {
        return Err(Refusal::Malformed("the assertion has no ID".into()));
    }
    let conditions = assertion.conditions.as_ref().ok_or(Refusal::NoAudience)?;
    let valid_until = conditions.not_on_or_after.as_ref().map(instant);
    check_window(
        conditions.not_before.as_ref().map(instant),
        conditions.not_on_or_after.as_ref().map(instant),
        now,
    )?;
    // Core §2.5.1.4: every AudienceRestriction must name us; at least one is required here.
    let restrictions = conditions
        .audience_restrictions
        .as_deref()
        .unwrap_or_default();
    if restrictions.is_empty() {
        return Err(Refusal::NoAudience);
    }
    for restriction in restrictions {
        if !restriction
            .audience
            .iter()
            .any(|a| a.trim() == sp.entity_id)
        {
            return Err(Refusal::Audience {
                got: restriction.audience.join(" "),
                want: sp.entity_id.clone(),
            });
        }
    }
    let subject = assertion.subject.as_ref().ok_or(Refusal::NoSubject)?;
    if subject
        .name_id
        .as_ref()
        .is_none_or(|n| n.value.trim().is_empty())
    {
        return Err(Refusal::NoSubject);
    }
    // Profiles §4.1.4.2: one bearer confirmation with our ACS as Recipient, a NotOnOrAfter,
    // and no NotBefore. The first failing reason is reported when none qualifies.
    let mut first_problem = Refusal::NoBearer;
    let mut confirmed = None;
    for confirmation in subject.subject_confirmations.as_deref().unwrap_or_default() {
        if confirmation.method.as_deref() != Some(BEARER) {
            continue;
        }
        let Some(data) = &confirmation.subject_confirmation_data else {
            continue;
        };
        let problem = match (&data.recipient, &data.not_on_or_after) {
            (Some(r), _) if r != &sp.acs_url => Some(Refusal::Recipient {
                got: r.clone(),
                want: sp.acs_url.clone(),
            }),
            (None, _) => Some(Refusal::Recipient {
                got: String::new(),
                want: sp.acs_url.clone(),
            }),
            (_, None) => Some(Refusal::Malformed(
                "the bearer confirmation has no NotOnOrAfter".into(),
            )),
            (Some(_), Some(until)) => check_window(
                data.not_before.as_ref().map(instant),
                Some(instant(until)),
                now,
            )
            .err(),
        };
        match problem {
            None => {
                confirmed = Some(data);
                break;
            }
            Some(p) if first_problem == Refusal::NoBearer => first_problem = p,
            Some(_) => {}
        }
    }
    let data = confirmed.ok_or(first_problem)?;
    let confirmed_until = data.not_on_or_after.as_ref().map(instant);
    if assertion
        .authn_statements
        .as_deref()
        .is_none_or(<[_]>::is_empty)
    {
        return Err(Refusal::NoAuthnStatement);
    }
    let until = [valid_until, confirmed_until]
        .into_iter()
        .flatten()
        .max()
        .unwrap_or(now);
    Ok(until + CLOCK_SKEW)
}

fn check_window(
    not_before: Option<OffsetDateTime>,
    not_on_or_after: Option<OffsetDateTime>,
    now: OffsetDateTime,
) -> Result<(), Refusal> {
    if not_before.is_some_and(|t| now + CLOCK_SKEW < t) {
        return Err(Refusal::NotYetValid);
    }
    if not_on_or_after.is_some_and(|t| now - CLOCK_SKEW >= t) {
        return Err(Refusal::Expired);
    }
    Ok(())
}

/// The request answered, read from signed content only: the bearer confirmation's
/// InResponseTo (Profiles §4.1.4.2), and the Response's when the Response is signed
/// (`signed_envelope`); when both are there they must agree.
fn in_response_to(
    signed_envelope: Option<&Response>,
    assertion: &Assertion,
) -> Result<Option<String>, Refusal> {
    let from_subject = assertion
        .subject
        .as_ref()
        .and_then(|s| s.subject_confirmations.as_deref())
        .unwrap_or_default()
        .iter()
        .filter(|c| c.method.as_deref() == Some(BEARER))
        .find_map(|c| c.subject_confirmation_data.as_ref()?.in_response_to.clone());
    let from_envelope = signed_envelope.and_then(|r| r.in_response_to.as_ref());
    match (from_envelope, from_subject) {
        (Some(a), Some(b)) if *a != b => Err(Refusal::InResponseToMismatch),
        (Some(a), _) => Ok(Some(a.clone())),
        (None, b) => Ok(b),
    }
}

fn instant(t: &chrono::DateTime<chrono::Utc>) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(t.timestamp()).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

fn attribute_values<'a>(assertion: &'a Assertion, names: &[&str]) -> Vec<&'a str> {
    assertion
        .attribute_statements
        .as_deref()
        .unwrap_or_default()
        .iter()
        .flat_map(|s| &s.attributes)
        .filter(|a| {
            names.iter().any(|n| {
                a.name.as_deref().is_some_and(|x| x.eq_ignore_ascii_case(n))
                    || a.friendly_name
                        .as_deref()
                        .is_some_and(|x| x.eq_ignore_ascii_case(n))
            })
        })
        .flat_map(|a| &a.values)
        .filter_map(|v| v.value.as_deref().map(str::trim).filter(|v| !v.is_empty()))
        .collect()
}

fn email(assertion: &Assertion, idp: &IdpSettings) -> Result<String, Refusal> {
    match &idp.email_attribute {
        Some(name) => attribute_values(assertion, &[name])
            .first()
            .map(|v| (*v).to_owned())
            .ok_or_else(|| Refusal::NoEmail(format!("no attribute {name:?}"))),
        None => Ok(assertion
            .subject
            .as_ref()
            .and_then(|s| s.name_id.as_ref())
            .map(|n| n.value.trim().to_owned())
            .unwrap_or_default()),
    }
}

/// A display name from the attributes Okta and Entra ID send by default.
fn display_name(assertion: &Assertion) -> Option<String> {
    let one = |names: &[&str]| {
        attribute_values(assertion, names)
            .first()
            .map(|v| (*v).to_owned())
    };
    one(&[
        "displayName",
        "http://schemas.microsoft.com/identity/claims/displayname",
        "name",
    ])
    .or_else(|| {
        let given = one(&[
            "firstName",
            "givenName",
            "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname",
        ]);
        let family = one(&[
            "lastName",
            "surname",
            "sn",
            "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname",
        ]);
        match (given, family) {
            (Some(g), Some(f)) => Some(format!("{g} {f}")),
            (g, f) => g.or(f),
        }
    })
    .map(|n| n.chars().take(200).collect())
}
