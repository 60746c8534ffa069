-- indicia:foreign-keys-off
-- Three measurements of the same knowledge (issue 13): a pre-test before the lessons
-- (kind 'pretest'), which a learner may skip ('skipped': recorded as such, never as a
-- score of zero); and what learners answer, when a refresher falls due, about whether
-- the training reached their workplace.
--
-- SQLite cannot change a CHECK constraint in place: the attempts table is made again
-- with the new kind and status, the same columns in the same order, and the same
-- indexes and trigger. The migration runs with foreign keys off (the marker above), as
-- SQLite's procedure for changing a table requires: dropping the old table must not
-- delete the answers that refer to it. The runner checks every foreign key before it
-- commits.
CREATE TABLE attempts_v8 (
    id              INTEGER PRIMARY KEY,
    learner_id      INTEGER NOT NULL REFERENCES learners (id) ON DELETE CASCADE,
    module_id       TEXT    NOT NULL,
    content_version TEXT    NOT NULL,
    language        TEXT    NOT NULL,
    plan            TEXT    NOT NULL,
    pass_mark       INTEGER NOT NULL,
    -- A skipped pre-test asked nothing: it alone has no questions.
    total           INTEGER NOT NULL CHECK (total > 0 OR (status = 'skipped' AND total = 0)),
    status          TEXT    NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'finished', 'abandoned', 'skipped')),
    correct         INTEGER,
    score_percent   INTEGER,
    passed          INTEGER,
    started_at      INTEGER NOT NULL,
    finished_at     INTEGER,
    kind            TEXT    NOT NULL DEFAULT 'quiz' CHECK (kind IN ('quiz', 'refresher', 'pretest')),
    uid             TEXT    CHECK (uid IS NULL OR length(uid) = 32),
    CHECK (status != 'skipped' OR kind = 'pretest')
);
INSERT INTO attempts_v8 (id, learner_id, module_id, content_version, language, plan, pass_mark, total, status, correct,
        score_percent, passed, started_at, finished_at, kind, uid)
    SELECT id, learner_id, module_id, content_version, language, plan, pass_mark, total, status, correct,
        score_percent, passed, started_at, finished_at, kind, uid FROM attempts;
DROP TABLE attempts;
ALTER TABLE attempts_v8 RENAME TO attempts;
CREATE INDEX attempts_by_learner ON attempts (learner_id, module_id, status);
CREATE UNIQUE INDEX attempts_one_open ON attempts (learner_id, module_id) WHERE status = 'open';
CREATE UNIQUE INDEX attempts_uid ON attempts (uid);
CREATE TRIGGER attempts_give_uid AFTER INSERT ON attempts WHEN NEW.uid IS NULL
BEGIN
    UPDATE attempts SET uid = lower(hex(randomblob(16))) WHERE id = NEW.id;
END;

-- "Did it reach the workplace?": when a refresher falls due, and only if the trainer
-- turned the questions on, a learner may say whether since the training they met a
-- situation with one of the signs, alerted someone, and knew whom to alert. Each answer
-- is yes, no, or prefer not to say; never free text. due_at is the day the refresher
-- fell due (Unix milliseconds), so a learner is asked once per refresher.
CREATE TABLE workplace_answers (
    uid         TEXT    PRIMARY KEY CHECK (length(uid) = 32),
    learner_id  INTEGER NOT NULL REFERENCES learners (id) ON DELETE CASCADE,
    module_id   TEXT    NOT NULL,
    due_at      INTEGER NOT NULL,
    answered_at INTEGER NOT NULL,
    met_sign    TEXT    NOT NULL CHECK (met_sign IN ('yes', 'no', 'unsaid')),
    alerted     TEXT    NOT NULL CHECK (alerted IN ('yes', 'no', 'unsaid')),
    knew_whom   TEXT    NOT NULL CHECK (knew_whom IN ('yes', 'no', 'unsaid')),
    UNIQUE (learner_id, module_id, due_at)
);
