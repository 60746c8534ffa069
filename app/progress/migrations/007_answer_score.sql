-- Spot-the-signals questions give partial credit: an answer may earn part of a point.
-- score is the credit of a complete answer, from 0 to 1 (1 for a right answer); NULL for
-- an incomplete answer and for answers stored before this column, whose credit is their
-- correct flag.
ALTER TABLE answers ADD COLUMN score REAL CHECK (score IS NULL OR score BETWEEN 0 AND 1);
