-- A cluster's AXL request rate, shared by every worker; 0 means no limit beyond max_in_flight.
ALTER TABLE clusters ADD COLUMN max_requests_per_second real NOT NULL DEFAULT 0
    CHECK (max_requests_per_second >= 0);

-- Leases on a cluster's in-flight slots. A PushUsers activity holds one slot while it sends
-- requests, one at a time, so at most max_in_flight requests reach a cluster at once, across
-- every worker. A lease that its holder stops renewing (a killed worker) expires.
CREATE TABLE cluster_slots (
    cluster_id bigint NOT NULL REFERENCES clusters (id) ON DELETE CASCADE,
    slot       integer NOT NULL,
    holder     text,
    expires_at timestamptz,
    PRIMARY KEY (cluster_id, slot)
);
