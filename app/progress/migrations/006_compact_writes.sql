-- Recording an answer writes every page it changes to the journal before the commit
-- returns (synchronous=FULL). Answers and review cards are found by their natural
-- primary keys, so they are stored WITHOUT ROWID: each is then one b-tree instead of a
-- table and its key's index, and an answer changes two fewer pages. Their columns,
-- constraints and keys are unchanged.

CREATE TABLE answers_compact (
    attempt_id  INTEGER NOT NULL REFERENCES attempts (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL CHECK (position >= 0),
    question_id TEXT    NOT NULL,
    response    TEXT    NOT NULL,
    complete    INTEGER NOT NULL CHECK (complete IN (0, 1)),
    correct     INTEGER CHECK (correct IN (0, 1)),
    time_ms     INTEGER NOT NULL CHECK (time_ms >= 0),
    answered_at INTEGER NOT NULL,
    confidence  INTEGER CHECK (confidence BETWEEN 1 AND 3),
    PRIMARY KEY (attempt_id, position)
) WITHOUT ROWID;
INSERT INTO answers_compact (attempt_id, position, question_id, response, complete, correct, time_ms, answered_at, confidence)
    SELECT attempt_id, position, question_id, response, complete, correct, time_ms, answered_at, confidence FROM answers;
DROP TABLE answers;
ALTER TABLE answers_compact RENAME TO answers;

CREATE TABLE review_cards_compact (
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
) WITHOUT ROWID;
INSERT INTO review_cards_compact (learner_id, module_id, question_id, indicator, stability, difficulty, reps, lapses,
        last_correct, priority, last_review, due)
    SELECT learner_id, module_id, question_id, indicator, stability, difficulty, reps, lapses,
        last_correct, priority, last_review, due FROM review_cards;
DROP TABLE review_cards;
ALTER TABLE review_cards_compact RENAME TO review_cards;
CREATE INDEX review_cards_due ON review_cards (learner_id, priority DESC, due);
