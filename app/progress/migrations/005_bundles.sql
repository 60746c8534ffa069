-- Station bundles: machines without network export their learners and results in a
-- signed file, and a trainer's machine merges any number of them. Merging recognises
-- rows it already holds by a stable identity that does not depend on the machine.

-- Stable identities: 128 random bits in lowercase hexadecimal (32 digits). The Go code
-- gives every new row one; the triggers below give one to a row inserted without it
-- (by code that predates bundles), so no row is ever left without.
ALTER TABLE learners ADD COLUMN uid TEXT CHECK (uid IS NULL OR length(uid) = 32);
ALTER TABLE attempts ADD COLUMN uid TEXT CHECK (uid IS NULL OR length(uid) = 32);
ALTER TABLE review_answers ADD COLUMN uid TEXT CHECK (uid IS NULL OR length(uid) = 32);
-- The station id where the learner was created: '' for a learner created here.
ALTER TABLE learners ADD COLUMN station TEXT NOT NULL DEFAULT '';

UPDATE learners SET uid = lower(hex(randomblob(16))) WHERE uid IS NULL;
UPDATE attempts SET uid = lower(hex(randomblob(16))) WHERE uid IS NULL;
UPDATE review_answers SET uid = lower(hex(randomblob(16))) WHERE uid IS NULL;

CREATE UNIQUE INDEX learners_uid ON learners (uid);
CREATE UNIQUE INDEX attempts_uid ON attempts (uid);
CREATE UNIQUE INDEX review_answers_uid ON review_answers (uid);

CREATE TRIGGER learners_give_uid AFTER INSERT ON learners WHEN NEW.uid IS NULL
BEGIN
    UPDATE learners SET uid = lower(hex(randomblob(16))) WHERE id = NEW.id;
END;
CREATE TRIGGER attempts_give_uid AFTER INSERT ON attempts WHEN NEW.uid IS NULL
BEGIN
    UPDATE attempts SET uid = lower(hex(randomblob(16))) WHERE id = NEW.id;
END;
CREATE TRIGGER review_answers_give_uid AFTER INSERT ON review_answers WHEN NEW.uid IS NULL
BEGIN
    UPDATE review_answers SET uid = lower(hex(randomblob(16))) WHERE id = NEW.id;
END;

-- Learners erased here (right to erasure), by uid only, so that merging a bundle made
-- before the erasure does not bring them back. The uid is random: it names no one.
CREATE TABLE erased_learners (
    uid       TEXT    PRIMARY KEY CHECK (length(uid) = 32),
    erased_at INTEGER NOT NULL
);
CREATE TRIGGER learners_remember_erased AFTER DELETE ON learners WHEN OLD.uid IS NOT NULL
BEGIN
    INSERT INTO erased_learners (uid, erased_at)
        VALUES (OLD.uid, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER))
        ON CONFLICT (uid) DO NOTHING;
END;

-- Every bundle merged here. bundle_id is the SHA-256 of the bundle's signed bytes (its
-- header and payload), in hexadecimal: merging the same file again is recognised at
-- once. counts is what the merge added, updated and skipped, per kind (JSON).
CREATE TABLE merged_bundles (
    bundle_id  TEXT    PRIMARY KEY CHECK (length(bundle_id) = 64),
    station    TEXT    NOT NULL,             -- the exporting station's id (a UUID)
    key_id     TEXT    NOT NULL,             -- the id of the key that signed it
    created_at INTEGER NOT NULL,             -- when the station exported it
    merged_at  INTEGER NOT NULL,
    counts     TEXT    NOT NULL CHECK (json_valid(counts))
);
CREATE INDEX merged_bundles_by_station ON merged_bundles (station, merged_at);
