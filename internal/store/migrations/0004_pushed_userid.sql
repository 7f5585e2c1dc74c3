-- The userid a user had when it was last pushed to the cluster, so a rename in the directory
-- renames the UCM user instead of adding a second one.
ALTER TABLE push_states ADD COLUMN pushed_userid text NOT NULL DEFAULT '';
CREATE INDEX push_states_cluster ON push_states (cluster_id, status);
