-- SAML single sign-on: the identity provider an organization trusts, set by `golinks sso configure`.
CREATE TABLE sso_configs (
    org_id UUID PRIMARY KEY REFERENCES organizations (id) ON DELETE CASCADE,
    idp_entity_id TEXT NOT NULL,
    sso_url TEXT NOT NULL,                 -- the IdP's HTTP-Redirect SingleSignOnService
    certificates TEXT NOT NULL,            -- base64 DER signing certificates, one per line
    sp_base_url TEXT,                      -- https://go.acme.example; NULL: the request's own origin
    jit BOOLEAN NOT NULL DEFAULT TRUE,     -- create unknown people at their first sign-in
    idp_initiated BOOLEAN NOT NULL DEFAULT TRUE, -- accept responses without InResponseTo
    email_attribute TEXT,                  -- attribute holding the email; NULL: the NameID
    updated_at TIMESTAMPTZ NOT NULL
);

-- AuthnRequests we sent, so a Response's InResponseTo must name one of them, once.
CREATE TABLE saml_requests (
    org_id UUID NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    id TEXT NOT NULL,                      -- the AuthnRequest ID
    next_path TEXT NOT NULL,               -- where the person goes after signing in
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    used_at TIMESTAMPTZ,
    PRIMARY KEY (org_id, id)
);

-- Assertion IDs already accepted (or refused after their signature verified): each is
-- accepted once. Kept until the assertion itself expires.
CREATE TABLE saml_assertions (
    org_id UUID NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (org_id, id)
);
CREATE INDEX saml_assertions_expiry ON saml_assertions (expires_at);
CREATE INDEX saml_requests_expiry ON saml_requests (expires_at);
