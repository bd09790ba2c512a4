-- Ward's first schema. The conventions (see encode.go): times and durations
-- are BIGINT microseconds, times since the Unix epoch in UTC, with 0 for
-- "never"; string lists are JSON arrays in TEXT; booleans are INTEGER 0 or 1;
-- empty byte strings are NULL. BLOB becomes BYTEA on PostgreSQL.

CREATE TABLE accounts (
	id               TEXT NOT NULL PRIMARY KEY,
	email            TEXT NOT NULL UNIQUE,
	name             TEXT NOT NULL,
	user_handle      BLOB UNIQUE,
	allowed_methods  TEXT NOT NULL,
	session_lifetime BIGINT NOT NULL,
	security_mode    TEXT NOT NULL,
	created_at       BIGINT NOT NULL
);

CREATE TABLE credentials (
	id           BLOB NOT NULL PRIMARY KEY,
	account_id   TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	name         TEXT NOT NULL,
	data         BLOB,
	created_at   BIGINT NOT NULL,
	last_used_at BIGINT NOT NULL
);
CREATE INDEX credentials_account ON credentials (account_id);

CREATE TABLE sessions (
	id         TEXT NOT NULL PRIMARY KEY,
	token_hash BLOB NOT NULL UNIQUE,
	account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	amr        TEXT NOT NULL,
	auth_time  BIGINT NOT NULL,
	created_at BIGINT NOT NULL,
	expires_at BIGINT NOT NULL,
	revoked_at BIGINT NOT NULL,
	ip         TEXT NOT NULL,
	user_agent TEXT NOT NULL
);
CREATE INDEX sessions_account ON sessions (account_id);

CREATE TABLE ceremonies (
	id         TEXT NOT NULL PRIMARY KEY,
	kind       TEXT NOT NULL,
	data       BLOB,
	expires_at BIGINT NOT NULL
);

CREATE TABLE clients (
	id            TEXT NOT NULL PRIMARY KEY,
	name          TEXT NOT NULL,
	secret_hash   BLOB,
	redirect_uris TEXT NOT NULL,
	grant_types   TEXT NOT NULL,
	scopes        TEXT NOT NULL,
	native        INTEGER NOT NULL,
	created_at    BIGINT NOT NULL
);

CREATE TABLE auth_requests (
	id                    TEXT NOT NULL PRIMARY KEY,
	client_id             TEXT NOT NULL,
	redirect_uri          TEXT NOT NULL,
	scopes                TEXT NOT NULL,
	state                 TEXT NOT NULL,
	nonce                 TEXT NOT NULL,
	response_type         TEXT NOT NULL,
	code_challenge        TEXT NOT NULL,
	code_challenge_method TEXT NOT NULL,
	created_at            BIGINT NOT NULL,
	expires_at            BIGINT NOT NULL,
	account_id            TEXT NOT NULL,
	session_id            TEXT NOT NULL,
	amr                   TEXT NOT NULL,
	auth_time             BIGINT NOT NULL,
	done                  INTEGER NOT NULL,
	code_hash             BLOB UNIQUE,
	code_expires_at       BIGINT NOT NULL,
	code_used_at          BIGINT NOT NULL,
	family_id             TEXT NOT NULL
);

CREATE TABLE token_families (
	id         TEXT NOT NULL PRIMARY KEY,
	client_id  TEXT NOT NULL,
	account_id TEXT NOT NULL,
	session_id TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	revoked_at BIGINT NOT NULL,
	reason     TEXT NOT NULL
);
CREATE INDEX token_families_session ON token_families (session_id);
CREATE INDEX token_families_revoked ON token_families (revoked_at);

CREATE TABLE refresh_tokens (
	hash        BLOB NOT NULL PRIMARY KEY,
	family_id   TEXT NOT NULL REFERENCES token_families (id) ON DELETE CASCADE,
	client_id   TEXT NOT NULL,
	account_id  TEXT NOT NULL,
	session_id  TEXT NOT NULL,
	scopes      TEXT NOT NULL,
	amr         TEXT NOT NULL,
	auth_time   BIGINT NOT NULL,
	created_at  BIGINT NOT NULL,
	expires_at  BIGINT NOT NULL,
	used_at     BIGINT NOT NULL,
	replaced_by BLOB,
	revoked_at  BIGINT NOT NULL
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);

CREATE TABLE devices (
	code_hash     BLOB NOT NULL PRIMARY KEY,
	user_code     TEXT NOT NULL UNIQUE,
	client_id     TEXT NOT NULL,
	scopes        TEXT NOT NULL,
	state         TEXT NOT NULL,
	created_at    BIGINT NOT NULL,
	expires_at    BIGINT NOT NULL,
	poll_interval BIGINT NOT NULL,
	last_poll     BIGINT NOT NULL,
	request_ip    TEXT NOT NULL,
	account_id    TEXT NOT NULL,
	session_id    TEXT NOT NULL,
	amr           TEXT NOT NULL,
	auth_time     BIGINT NOT NULL
);
CREATE INDEX devices_expires ON devices (expires_at);

CREATE TABLE counters (
	name         TEXT NOT NULL,
	window_start BIGINT NOT NULL,
	count        BIGINT NOT NULL,
	expires_at   BIGINT NOT NULL,
	PRIMARY KEY (name, window_start)
);
CREATE INDEX counters_expires ON counters (expires_at);

CREATE TABLE signing_keys (
	id          TEXT NOT NULL PRIMARY KEY,
	algorithm   TEXT NOT NULL,
	private_key BLOB NOT NULL,
	created_at  BIGINT NOT NULL,
	retired_at  BIGINT NOT NULL,
	expires_at  BIGINT NOT NULL
);
