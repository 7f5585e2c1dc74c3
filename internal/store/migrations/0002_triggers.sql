-- change_key marks the users that one trigger (a move, a user creation) changed, so the push
-- it starts plans exactly those users.
ALTER TABLE users ADD COLUMN change_key text NOT NULL DEFAULT '';
CREATE INDEX users_change_key ON users (change_key) WHERE change_key <> '';

-- Users imported from a UCM cluster: directory_key holds their UCM pkid.
ALTER TABLE users ADD COLUMN ucm_cluster_id bigint REFERENCES clusters (id);
CREATE UNIQUE INDEX users_ucm_identity ON users (ucm_cluster_id, directory_key) WHERE source = 'ucm';

-- A move rule created by a trigger carries the trigger's key, so a retried activity finds it.
ALTER TABLE move_rules ADD COLUMN change_key text;
CREATE UNIQUE INDEX move_rules_change_key ON move_rules (change_key);
