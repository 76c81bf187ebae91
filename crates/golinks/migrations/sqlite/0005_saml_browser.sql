-- Each AuthnRequest is bound to the browser that started it: the digest of a short-lived
-- cookie set at /saml/login. A Response answering it is accepted only from that browser
-- (sign-in CSRF). NULL only for requests sent before this migration; those match no browser.
ALTER TABLE saml_requests ADD COLUMN browser_digest BLOB;
