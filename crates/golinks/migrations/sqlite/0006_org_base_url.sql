-- An organization's canonical base URL (https://go.acme.example), set by `golinks org set
-- --base-url`: requests on its other host names (short aliases like `go`) are redirected
-- there, where the session cookie lives. NULL: the server's --base-url for the default
-- organization, none for the others.
ALTER TABLE organizations ADD COLUMN base_url TEXT;
