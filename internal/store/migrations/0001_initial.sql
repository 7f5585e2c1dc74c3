-- The hierarchy: provider (this installation) > reseller (optional) > customer > site.
CREATE TABLE resellers (
    id         bigserial PRIMARY KEY,
    name       text NOT NULL UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE customers (
    id          bigserial PRIMARY KEY,
    name        text NOT NULL UNIQUE,
    reseller_id bigint REFERENCES resellers (id),
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- UCM clusters. password_ref is env:NAME or file:/path; the secret itself is never stored.
CREATE TABLE clusters (
    id                   bigserial PRIMARY KEY,
    name                 text NOT NULL UNIQUE,
    axl_url              text NOT NULL,
    axl_version          text NOT NULL CHECK (axl_version IN ('12.5', '14.0', '15.0')),
    username             text NOT NULL,
    password_ref         text NOT NULL,
    ca_file              text NOT NULL DEFAULT '',
    insecure_skip_verify boolean NOT NULL DEFAULT false,
    max_in_flight        integer NOT NULL DEFAULT 4 CHECK (max_in_flight BETWEEN 1 AND 100),
    created_at           timestamptz NOT NULL DEFAULT now()
);

-- Network device lists. cluster_id is the UCM cluster the NDL names, if any.
CREATE TABLE ndls (
    id         bigserial PRIMARY KEY,
    name       text NOT NULL UNIQUE,
    cluster_id bigint REFERENCES clusters (id),
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE sites (
    id          bigserial PRIMARY KEY,
    customer_id bigint NOT NULL REFERENCES customers (id),
    name        text NOT NULL,
    auto_push   boolean NOT NULL DEFAULT false,
    ndl_id      bigint REFERENCES ndls (id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (customer_id, name)
);

CREATE TABLE directories (
    id                    bigserial PRIMARY KEY,
    name                  text NOT NULL UNIQUE,
    customer_id           bigint NOT NULL REFERENCES customers (id),
    url                   text NOT NULL,
    start_tls             boolean NOT NULL DEFAULT false,
    ca_file               text NOT NULL DEFAULT '',
    insecure_skip_verify  boolean NOT NULL DEFAULT false,
    bind_dn               text NOT NULL,
    bind_password_ref     text NOT NULL,
    base_dn               text NOT NULL,
    filter                text NOT NULL,
    page_size             integer NOT NULL DEFAULT 500 CHECK (page_size BETWEEN 1 AND 10000),
    mapping               jsonb NOT NULL,
    removal_guard_percent integer NOT NULL DEFAULT 10 CHECK (removal_guard_percent BETWEEN 0 AND 100),
    last_good_count       integer NOT NULL DEFAULT 0,
    last_good_at          timestamptz,
    created_at            timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE move_rules (
    id          bigserial PRIMARY KEY,
    customer_id bigint NOT NULL REFERENCES customers (id),
    site_id     bigint NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    priority    integer NOT NULL DEFAULT 100,
    kind        text NOT NULL CHECK (kind IN ('filter', 'username', 'usernames')),
    filter      text NOT NULL DEFAULT '',
    usernames   text[] NOT NULL DEFAULT '{}',
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- People from every source. Directory users are keyed on (directory_id, directory_key), the
-- directory's stable identifier, so a rename or a move between OUs updates the same row.
CREATE TABLE users (
    id               bigserial PRIMARY KEY,
    customer_id      bigint NOT NULL REFERENCES customers (id),
    site_id          bigint REFERENCES sites (id),
    source           text NOT NULL CHECK (source IN ('ldap', 'ucm', 'manual')),
    directory_id     bigint REFERENCES directories (id),
    directory_key    text,
    dn               text NOT NULL DEFAULT '',
    userid           text NOT NULL,
    first_name       text NOT NULL DEFAULT '',
    last_name        text NOT NULL DEFAULT '',
    mail             text NOT NULL DEFAULT '',
    telephone_number text NOT NULL DEFAULT '',
    department       text NOT NULL DEFAULT '',
    title            text NOT NULL DEFAULT '',
    status           text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled', 'removed')),
    invalid_reason   text NOT NULL DEFAULT '',
    attrs_hash       text NOT NULL,
    last_sync_run    bigint,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (directory_id, directory_key)
);
CREATE INDEX users_site ON users (site_id);
CREATE INDEX users_customer_userid ON users (customer_id, lower(userid));

-- One row per directory sync. The entries a search returned are staged first, so a sync that
-- fails or is refused by the guards leaves the users table as it was.
CREATE TABLE sync_runs (
    id           bigserial PRIMARY KEY,
    directory_id bigint NOT NULL REFERENCES directories (id),
    run_key      text NOT NULL UNIQUE,
    status       text NOT NULL DEFAULT 'staging'
                 CHECK (status IN ('staging', 'applied', 'refused')),
    reason       text NOT NULL DEFAULT '',
    counts       jsonb NOT NULL DEFAULT '{}',
    started_at   timestamptz NOT NULL DEFAULT now(),
    finished_at  timestamptz
);

-- Staged entries live only until their run is applied, so the table is unlogged.
CREATE UNLOGGED TABLE staged_entries (
    run_id           bigint NOT NULL REFERENCES sync_runs (id) ON DELETE CASCADE,
    directory_key    text NOT NULL,
    dn               text NOT NULL,
    userid           text NOT NULL,
    first_name       text NOT NULL,
    last_name        text NOT NULL,
    mail             text NOT NULL,
    telephone_number text NOT NULL,
    department       text NOT NULL,
    title            text NOT NULL,
    disabled         boolean NOT NULL,
    invalid_reason   text NOT NULL,
    attrs_hash       text NOT NULL,
    PRIMARY KEY (run_id, directory_key)
);

-- The state of each user on each UCM cluster, and what was last pushed there.
CREATE TABLE push_states (
    user_id     bigint NOT NULL REFERENCES users (id),
    cluster_id  bigint NOT NULL REFERENCES clusters (id),
    status      text NOT NULL CHECK (status IN ('pending', 'pushed', 'failed', 'unserved')),
    reason      text NOT NULL DEFAULT '',
    pushed_hash text NOT NULL DEFAULT '',
    ucm_uuid    text NOT NULL DEFAULT '',
    last_action text NOT NULL DEFAULT '',
    attempts    integer NOT NULL DEFAULT 0,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    pushed_at   timestamptz,
    PRIMARY KEY (user_id, cluster_id)
);

-- A push plan freezes the users one push of a site will handle, numbered 1..total, so the
-- workflow fans out over ranges of seq and a retried activity finds the same users.
CREATE TABLE push_plans (
    id         bigserial PRIMARY KEY,
    plan_key   text NOT NULL UNIQUE,
    site_id    bigint NOT NULL REFERENCES sites (id),
    cluster_id bigint NOT NULL REFERENCES clusters (id),
    total      integer NOT NULL,
    unchanged  integer NOT NULL,
    skipped    integer NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE push_plan_items (
    plan_id bigint NOT NULL REFERENCES push_plans (id) ON DELETE CASCADE,
    seq     integer NOT NULL,
    user_id bigint NOT NULL REFERENCES users (id),
    outcome text NOT NULL DEFAULT '' CHECK (outcome IN ('', 'added', 'updated', 'unchanged', 'failed')),
    reason  text NOT NULL DEFAULT '',
    PRIMARY KEY (plan_id, seq)
);
