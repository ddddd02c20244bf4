-- xatm cluster mode (docs/cluster.md): the lease table. xatm creates it when it is absent and the
-- user may; a user without DDL rights has it created once from this file. Fixed names: every node
-- of a cluster shares the table; a row per node id.
CREATE TABLE IF NOT EXISTS xatm_node_lease (
    node_id     text        PRIMARY KEY,
    epoch       bigint      NOT NULL,            -- +1 at every acquisition or takeover
    holder      text        NOT NULL,            -- host, pid and start time of the holder
    log_id      bigint      NOT NULL,            -- the identity of the holder's log
    acquired_at timestamptz NOT NULL,
    renewed_at  timestamptz NOT NULL,
    expires_at  timestamptz NOT NULL,            -- by the database's clock
    released    boolean     NOT NULL DEFAULT false
);
