-- Trainer mode: the trainer's passphrase (argon2id) and its failed attempts, and cohorts.

-- Key-value settings of this installation. Values are JSON.
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL CHECK (json_valid(value))
);

-- Cohorts: a code learners enter, or that a trainer assigns, with a readable name.
CREATE TABLE cohorts (
    code       TEXT PRIMARY KEY CHECK (length(trim(code)) > 0),
    name       TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL
);
INSERT INTO cohorts (code, created_at)
    SELECT DISTINCT cohort, CAST(strftime('%s', 'now') AS INTEGER) * 1000 FROM learners WHERE cohort != '';
