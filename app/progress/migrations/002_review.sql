-- Spaced review (FSRS), confidence, refreshers.

-- How sure the learner said they were before seeing the result: 1 guessing, 2 fairly
-- sure, 3 sure; NULL when they did not say.
ALTER TABLE answers ADD COLUMN confidence INTEGER CHECK (confidence BETWEEN 1 AND 3);

-- A quiz attempt is a first try or a refresher after the module was passed.
ALTER TABLE attempts ADD COLUMN kind TEXT NOT NULL DEFAULT 'quiz' CHECK (kind IN ('quiz', 'refresher'));

-- One review card per learner and question: its FSRS memory state and when it is due.
CREATE TABLE review_cards (
    learner_id   INTEGER NOT NULL REFERENCES learners (id) ON DELETE CASCADE,
    module_id    TEXT    NOT NULL,
    question_id  TEXT    NOT NULL,
    indicator    TEXT    NOT NULL,
    stability    REAL    NOT NULL CHECK (stability > 0), -- days
    difficulty   REAL    NOT NULL CHECK (difficulty BETWEEN 1 AND 10),
    reps         INTEGER NOT NULL DEFAULT 0,
    lapses       INTEGER NOT NULL DEFAULT 0,
    last_correct INTEGER NOT NULL CHECK (last_correct IN (0, 1)),
    -- 1 when the last answer was wrong although the learner was sure: review it first.
    priority     INTEGER NOT NULL DEFAULT 0 CHECK (priority IN (0, 1)),
    last_review  INTEGER NOT NULL,
    due          INTEGER NOT NULL,
    PRIMARY KEY (learner_id, module_id, question_id)
);
CREATE INDEX review_cards_due ON review_cards (learner_id, priority DESC, due);

-- Every answer given in a review session (quiz answers are in answers).
CREATE TABLE review_answers (
    id          INTEGER PRIMARY KEY,
    learner_id  INTEGER NOT NULL REFERENCES learners (id) ON DELETE CASCADE,
    module_id   TEXT    NOT NULL,
    question_id TEXT    NOT NULL,
    response    TEXT    NOT NULL,
    correct     INTEGER NOT NULL CHECK (correct IN (0, 1)),
    confidence  INTEGER CHECK (confidence BETWEEN 1 AND 3),
    time_ms     INTEGER NOT NULL CHECK (time_ms >= 0),
    answered_at INTEGER NOT NULL
);
CREATE INDEX review_answers_by_learner ON review_answers (learner_id, answered_at);

-- Per-module settings a trainer may change: how long a pass holds before a refresher
-- falls due.
CREATE TABLE module_settings (
    module_id      TEXT PRIMARY KEY,
    refresher_days INTEGER NOT NULL CHECK (refresher_days > 0)
);
