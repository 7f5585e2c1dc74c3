-- A push of more users than confirm_above at a site waits for an operator's confirmation
-- before its first write; 0 turns the guard off for the site.
ALTER TABLE sites ADD COLUMN confirm_above integer NOT NULL DEFAULT 1000 CHECK (confirm_above >= 0);

-- A dry-run sync counts what it would change and writes nothing to the users.
ALTER TABLE sync_runs DROP CONSTRAINT sync_runs_status_check;
ALTER TABLE sync_runs ADD CONSTRAINT sync_runs_status_check
    CHECK (status IN ('staging', 'applied', 'refused', 'dry-run'));
