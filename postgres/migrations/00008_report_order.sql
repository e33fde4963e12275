-- Reports are read in line order (Tx.Report): an index in that order
-- spares the sort on every read of a list version. Keep equivalent to the
-- other engine's migrations.

-- +goose Up
CREATE INDEX list_problems_line ON list_problems (version_id, line, seq);
CREATE INDEX list_notes_line ON list_notes (version_id, line, seq);
