-- Quick User settings of a site, so that a run needs only the user and the phone. Empty text
-- means "not set": the run then needs the value in its request, or leaves it to UCM's
-- default where UCM has one. A site numbers its lines by a mask or by a range, never both.
CREATE TABLE site_defaults (
    site_id              bigint PRIMARY KEY REFERENCES sites (id) ON DELETE CASCADE,
    device_pool          text NOT NULL DEFAULT '',
    route_partition      text NOT NULL DEFAULT '',
    calling_search_space text NOT NULL DEFAULT '',
    phone_template       text NOT NULL DEFAULT '',
    jabber_template      text NOT NULL DEFAULT '',
    number_mask          text NOT NULL DEFAULT '',
    number_first         text NOT NULL DEFAULT '',
    number_last          text NOT NULL DEFAULT '',
    jabber               boolean NOT NULL DEFAULT false,
    extension_mobility   boolean NOT NULL DEFAULT false,
    single_number_reach  boolean NOT NULL DEFAULT false,
    voicemail            boolean NOT NULL DEFAULT false,
    updated_at           timestamptz NOT NULL DEFAULT now(),
    CHECK (number_mask = '' OR number_first = ''),
    CHECK ((number_first = '') = (number_last = ''))
);

-- Directory numbers that Quick User gave to users, one holder per number on a cluster. A
-- run reserves its number here after its checks pass, so two runs never take the same one;
-- run_key names the run that reserved it, so that an undone run frees only its own numbers.
CREATE TABLE quick_user_numbers (
    cluster_id      bigint NOT NULL REFERENCES clusters (id) ON DELETE CASCADE,
    pattern         text NOT NULL,
    route_partition text NOT NULL,
    user_id         bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    run_key         text NOT NULL,
    reserved_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (cluster_id, pattern, route_partition)
);
CREATE INDEX quick_user_numbers_user ON quick_user_numbers (user_id);

-- The last Quick User run of a user on a cluster, with every step's result.
CREATE TABLE quick_user_results (
    user_id        bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    cluster_id     bigint NOT NULL REFERENCES clusters (id) ON DELETE CASCADE,
    workflow_id    text NOT NULL,
    run_id         text NOT NULL,
    outcome        text NOT NULL CHECK (outcome IN ('succeeded', 'failed', 'refused')),
    reason         text NOT NULL DEFAULT '',
    steps          jsonb NOT NULL DEFAULT '[]',
    line_pattern   text NOT NULL DEFAULT '',
    line_partition text NOT NULL DEFAULT '',
    mobile_number  text NOT NULL DEFAULT '',
    finished_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, cluster_id)
);

-- The voicemail flag of a user, for the voicemail system to read; nothing of it is on UCM.
-- mailbox is the user's Quick User line.
CREATE TABLE user_voicemail (
    user_id         bigint PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    enabled         boolean NOT NULL,
    mailbox         text NOT NULL DEFAULT '',
    route_partition text NOT NULL DEFAULT '',
    updated_at      timestamptz NOT NULL DEFAULT now()
);
