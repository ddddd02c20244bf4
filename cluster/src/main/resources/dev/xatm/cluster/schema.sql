-- xatm cluster mode (docs/cluster.md): the lease table and the decision mirror. xatm creates them
-- when they are absent and the user may; a user without DDL rights has them created once from this
-- file. Fixed names: every node of a cluster shares the tables.
CREATE TABLE IF NOT EXISTS xatm_node_lease (
    node_id       text        PRIMARY KEY,
    epoch         bigint      NOT NULL,            -- +1 at every acquisition or takeover
    holder        text        NOT NULL,            -- host, pid and start time of the holder
    log_id        bigint      NOT NULL,            -- the identity of the holder's log
    acquired_at   timestamptz NOT NULL,
    renewed_at    timestamptz NOT NULL,
    expires_at    timestamptz NOT NULL,            -- by the database's clock
    released      boolean     NOT NULL DEFAULT false,
    taken_over_by text                             -- while a peer recovers this node id, who
);
ALTER TABLE xatm_node_lease ADD COLUMN IF NOT EXISTS taken_over_by text;
-- One row per record a peer needs: process starts (kind 1), resource recipes (kind 2, a URL and
-- never a password) and commit decisions (kind 3; aborted = a decision settled as not made).
-- Written only under the writer's lease epoch; a decision's row is deleted after its End.
CREATE TABLE IF NOT EXISTS xatm_mirror (
    node_id     text        NOT NULL,
    log_id      bigint      NOT NULL,
    kind        smallint    NOT NULL,
    key         bytea       NOT NULL,              -- gtrid, epoch+incarnation, or resource id
    lease_epoch bigint      NOT NULL,              -- the lease epoch it was written under
    aborted     boolean     NOT NULL DEFAULT false,
    record      bytea       NOT NULL,              -- the TM log record, as the local log holds it
    written_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (node_id, log_id, kind, key)
);
