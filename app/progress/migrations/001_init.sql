-- Learners share one machine; each has a role, a language, an optional cohort code and
-- an optional PIN (argon2id hash and salt).
CREATE TABLE learners (
    id             INTEGER PRIMARY KEY,
    name           TEXT    NOT NULL CHECK (length(trim(name)) > 0),
    role           TEXT    NOT NULL CHECK (role IN ('police', 'hospital', 'guardian', 'fedasil')),
    language       TEXT    NOT NULL CHECK (language IN ('fr', 'nl', 'en', 'de')),
    cohort         TEXT    NOT NULL DEFAULT '',
    pin_hash       BLOB,
    pin_salt       BLOB,
    created_at     INTEGER NOT NULL, -- Unix milliseconds, as every time in this schema
    last_active_at INTEGER NOT NULL
);

-- Where a learner is in each lesson, and how long they have spent on it.
CREATE TABLE lesson_progress (
    learner_id    INTEGER NOT NULL REFERENCES learners (id) ON DELETE CASCADE,
    module_id     TEXT    NOT NULL,
    lesson_id     TEXT    NOT NULL,
    position      INTEGER NOT NULL DEFAULT 0 CHECK (position >= 0), -- section index
    time_spent_ms INTEGER NOT NULL DEFAULT 0 CHECK (time_spent_ms >= 0),
    completed_at  INTEGER,
    updated_at    INTEGER NOT NULL,
    PRIMARY KEY (learner_id, module_id, lesson_id)
);

-- One attempt at a module's quiz. plan is the drawn questions and option orders (JSON),
-- so an interrupted attempt resumes exactly.
CREATE TABLE attempts (
    id              INTEGER PRIMARY KEY,
    learner_id      INTEGER NOT NULL REFERENCES learners (id) ON DELETE CASCADE,
    module_id       TEXT    NOT NULL,
    content_version TEXT    NOT NULL,
    language        TEXT    NOT NULL,
    plan            TEXT    NOT NULL,
    pass_mark       INTEGER NOT NULL,
    total           INTEGER NOT NULL CHECK (total > 0),
    status          TEXT    NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'finished', 'abandoned')),
    correct         INTEGER,
    score_percent   INTEGER,
    passed          INTEGER,
    started_at      INTEGER NOT NULL,
    finished_at     INTEGER
);
CREATE INDEX attempts_by_learner ON attempts (learner_id, module_id, status);
-- At most one open attempt per learner and module.
CREATE UNIQUE INDEX attempts_one_open ON attempts (learner_id, module_id) WHERE status = 'open';

-- Every answer, committed before the next question is shown. A scenario's path is
-- stored step by step with complete = 0 until it ends.
CREATE TABLE answers (
    attempt_id  INTEGER NOT NULL REFERENCES attempts (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL CHECK (position >= 0),
    question_id TEXT    NOT NULL,
    response    TEXT    NOT NULL,
    complete    INTEGER NOT NULL CHECK (complete IN (0, 1)),
    correct     INTEGER CHECK (correct IN (0, 1)),
    time_ms     INTEGER NOT NULL CHECK (time_ms >= 0),
    answered_at INTEGER NOT NULL,
    PRIMARY KEY (attempt_id, position)
);

-- Each learner's status per module.
CREATE TABLE module_status (
    learner_id    INTEGER NOT NULL REFERENCES learners (id) ON DELETE CASCADE,
    module_id     TEXT    NOT NULL,
    status        TEXT    NOT NULL CHECK (status IN ('in_progress', 'passed', 'failed')),
    best_percent  INTEGER,
    passed_at     INTEGER,
    updated_at    INTEGER NOT NULL,
    PRIMARY KEY (learner_id, module_id)
);
