-- Trust (issue 12): scores computed by the store, PIN hashing parameters and wrong-PIN
-- delays, the trust list of certificate issuers, and the register of certificates.

-- What a complete answer earns, between 0 and 1. NULL for the answers stored before:
-- they earn 1 when correct, else 0, as the store reads them (coalesce(score, correct)).
-- A question type that gives partial credit stores its part here.
ALTER TABLE answers ADD COLUMN score REAL CHECK (score IS NULL OR score BETWEEN 0 AND 1);

-- Each PIN hash carries its argon2id parameters (JSON: t, m, p); NULL for the hashes
-- made before, with 2 passes, 19 MiB, 1 lane. Wrong PINs in a row, and the last one,
-- make the next try wait.
ALTER TABLE learners ADD COLUMN pin_params TEXT CHECK (pin_params IS NULL OR json_valid(pin_params));
ALTER TABLE learners ADD COLUMN pin_failures INTEGER NOT NULL DEFAULT 0 CHECK (pin_failures >= 0);
ALTER TABLE learners ADD COLUMN pin_failed_at INTEGER;

-- The certificate issuers this installation trusts: its own key, and keys the trainer
-- added. fingerprint is the first 16 bytes of the SHA-256 of the ed25519 public key,
-- in hexadecimal; the key itself is known when it was added from a key file.
-- Certificates issued from revoked_from on (a day, Unix milliseconds, UTC midnight)
-- are not trusted.
CREATE TABLE trusted_keys (
    fingerprint  TEXT    PRIMARY KEY CHECK (length(fingerprint) = 32),
    public_key   BLOB    CHECK (public_key IS NULL OR length(public_key) = 32),
    name         TEXT    NOT NULL CHECK (length(trim(name)) > 0),
    own          INTEGER NOT NULL DEFAULT 0 CHECK (own IN (0, 1)),
    added_at     INTEGER NOT NULL,
    revoked_from INTEGER
);

-- Every certificate issued here, so that its number and check code can be looked up in
-- the register the issuer exports. Erasing the learner erases their certificates here.
CREATE TABLE certificates (
    serial      INTEGER PRIMARY KEY,
    number      TEXT    NOT NULL UNIQUE,
    learner_id  INTEGER NOT NULL REFERENCES learners (id) ON DELETE CASCADE,
    module_id   TEXT    NOT NULL,
    fingerprint TEXT    NOT NULL,
    issued_at   INTEGER NOT NULL,
    code        TEXT    NOT NULL -- the whole signed certificate, as its QR code holds it
);
CREATE INDEX certificates_by_learner ON certificates (learner_id);
