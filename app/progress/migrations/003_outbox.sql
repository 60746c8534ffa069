-- xAPI statements waiting to be sent to a Learning Record Store, and the ones sent.
-- statement_id is the statement's own id (a name-based UUID), so enqueueing the same
-- statement twice keeps one row.
CREATE TABLE xapi_outbox (
    statement_id TEXT    PRIMARY KEY,
    statement    TEXT    NOT NULL CHECK (json_valid(statement)), -- the statement, JSON
    created_at   INTEGER NOT NULL,                               -- Unix milliseconds
    sent_at      INTEGER,                                        -- NULL until the LRS has it
    attempts     INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    last_error   TEXT,
    next_try_at  INTEGER NOT NULL DEFAULT 0                      -- not sent again before this
);
-- What is due: unsent statements by when they may be tried again.
CREATE INDEX xapi_outbox_due ON xapi_outbox (next_try_at, created_at) WHERE sent_at IS NULL;
