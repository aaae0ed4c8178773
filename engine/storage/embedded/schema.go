package embedded

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// migrations[i] takes the schema from version i to version i+1; the
// version is kept in PRAGMA user_version. Append to change the schema,
// never edit a released step.
var migrations = []string{
	`
CREATE TABLE collections (
	name TEXT PRIMARY KEY,
	dims INTEGER NOT NULL CHECK (dims > 0)
) STRICT;

CREATE TABLE documents (
	id         TEXT PRIMARY KEY,
	collection TEXT NOT NULL REFERENCES collections (name),
	kind       TEXT NOT NULL,
	path       TEXT NOT NULL,
	title      TEXT NOT NULL,
	metadata   TEXT NOT NULL -- JSON object
) STRICT;
CREATE INDEX documents_collection ON documents (collection);

-- rid is the FTS rowid and the key of the in-memory vector index; being
-- an INTEGER PRIMARY KEY it is stable across VACUUM.
CREATE TABLE chunks (
	rid        INTEGER PRIMARY KEY,
	id         TEXT NOT NULL UNIQUE,
	doc_id     TEXT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
	collection TEXT NOT NULL REFERENCES collections (name),
	kind       TEXT NOT NULL,
	path       TEXT NOT NULL,
	title      TEXT NOT NULL,
	language   TEXT NOT NULL,
	ordinal    INTEGER NOT NULL,
	start_line INTEGER NOT NULL,
	end_line   INTEGER NOT NULL,
	text       TEXT NOT NULL,
	hash       TEXT NOT NULL,
	metadata   TEXT NOT NULL, -- JSON object
	dense      BLOB NOT NULL  -- little-endian float32
) STRICT;
CREATE INDEX chunks_doc ON chunks (doc_id, ordinal);
CREATE INDEX chunks_collection ON chunks (collection);
CREATE INDEX chunks_hash ON chunks (hash);

-- terms is the chunk text after Options.Analyzer, joined by spaces.
CREATE VIRTUAL TABLE chunks_fts USING fts5 (
	terms,
	tokenize = 'unicode61 remove_diacritics 0'
);

CREATE TRIGGER chunks_fts_delete AFTER DELETE ON chunks BEGIN
	DELETE FROM chunks_fts WHERE rowid = old.rid;
END;
`,
	// Version 2: the keyword index keeps only its inverted index, not a
	// second copy of every chunk's analyzed text, which nothing reads back
	// (searches need rowids and BM25 only). contentless_delete lets the
	// trigger delete rows by rowid alone.
	`
CREATE VIRTUAL TABLE chunks_fts_v2 USING fts5 (
	terms,
	content = '',
	contentless_delete = 1,
	tokenize = 'unicode61 remove_diacritics 0'
);
INSERT INTO chunks_fts_v2 (rowid, terms) SELECT rowid, terms FROM chunks_fts;
DROP TRIGGER chunks_fts_delete;
DROP TABLE chunks_fts;
ALTER TABLE chunks_fts_v2 RENAME TO chunks_fts;
CREATE TRIGGER chunks_fts_delete AFTER DELETE ON chunks BEGIN
	DELETE FROM chunks_fts WHERE rowid = old.rid;
END;
`,
	// Version 3: FTS5 merges its segments 8 at a time instead of 4, which
	// halves how often a term's postings are rewritten as the index
	// grows: about a tenth off writing documents. Queries read up to
	// twice as many segments, but the in-memory keyword index serves
	// nearly all of them (see keyword.go).
	`
INSERT INTO chunks_fts (chunks_fts, rank) VALUES ('automerge', 8);
`,
	// Version 4: no FTS5 table. The in-memory keyword index, built from
	// the chunks' text at Open, answers every keyword search, and the
	// FTS5 copy cost a third of the writer's time during a full index and
	// a quarter of the store's size (see keyword.go and BENCHMARKS.md,
	// "Full index: the write path and FTS5").
	//
	// The same release writes chunks.dense as little-endian float16 when
	// the values fit (dims × 2 bytes; float32 blobs, dims × 4, still
	// read; see codec.go). The version step also keeps older programs,
	// which would misread a float16 blob, from opening such a store.
	`
DROP TRIGGER chunks_fts_delete;
DROP TABLE chunks_fts;
`,
	// Version 5: the hash index keys on the hash's first 16 characters
	// (64 bits of a hex SHA-256; readVectors checks the whole hash) instead
	// of all 64. Hashes are random, so every commit of a full index
	// rewrote most of the index's pages: a quarter of its size makes the
	// WAL that much smaller (BENCHMARKS.md, "Full index: a shorter hash
	// key").
	`
DROP INDEX chunks_hash;
CREATE INDEX chunks_hash_prefix ON chunks (substr(hash, 1, 16));
`,
	// Version 6: no index on the chunk id, the last random-keyed one (32
	// hex digits of a SHA-256): every commit of a full index rewrote most
	// of its pages, a third of what a full index wrote (BENCHMARKS.md,
	// "Full index: the last two seconds"). The in-memory index maps ids
	// to rids (vectorIndex.ids), which is how ChunkTexts finds a chunk,
	// and a write checks there that no id repeats, as the UNIQUE
	// constraint did. A UNIQUE constraint cannot be dropped, so the table
	// is made again without it, keeping every rid.
	`
CREATE TABLE chunks_v6 (
	rid        INTEGER PRIMARY KEY,
	id         TEXT NOT NULL,
	doc_id     TEXT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
	collection TEXT NOT NULL REFERENCES collections (name),
	kind       TEXT NOT NULL,
	path       TEXT NOT NULL,
	title      TEXT NOT NULL,
	language   TEXT NOT NULL,
	ordinal    INTEGER NOT NULL,
	start_line INTEGER NOT NULL,
	end_line   INTEGER NOT NULL,
	text       TEXT NOT NULL,
	hash       TEXT NOT NULL,
	metadata   TEXT NOT NULL, -- JSON object
	dense      BLOB NOT NULL  -- little-endian float16 or float32
) STRICT;
INSERT INTO chunks_v6 (rid, id, doc_id, collection, kind, path, title, language, ordinal,
	start_line, end_line, text, hash, metadata, dense)
SELECT rid, id, doc_id, collection, kind, path, title, language, ordinal,
	start_line, end_line, text, hash, metadata, dense FROM chunks ORDER BY rid;
DROP TABLE chunks;
ALTER TABLE chunks_v6 RENAME TO chunks;
CREATE INDEX chunks_doc ON chunks (doc_id, ordinal);
CREATE INDEX chunks_collection ON chunks (collection);
CREATE INDEX chunks_hash_prefix ON chunks (substr(hash, 1, 16));
`,
}

// migrate brings the database schema up to date, one transaction per
// step.
func migrate(ctx context.Context, db *sql.DB) error {
	var version int
	if err := db.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&version); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if version > len(migrations) {
		return fmt.Errorf("schema version %d is newer than this program supports (%d)", version, len(migrations))
	}
	vacuum := false
	for v := version; v < len(migrations); v++ {
		if err := migrateStep(ctx, db, v); err != nil {
			return fmt.Errorf("migrate schema to version %d: %w", v+1, err)
		}
		vacuum = vacuum || vacuumAfter[v+1]
	}
	// A new store (version 0) has no rows to leave behind.
	if vacuum && version > 0 {
		if _, err := db.ExecContext(ctx, `PRAGMA temp_store = FILE; VACUUM; PRAGMA temp_store = MEMORY`); err != nil {
			return fmt.Errorf("vacuum after migrating the schema: %w", err)
		}
	}
	return nil
}

// vacuumAfter lists the versions whose step copies a table: the copy's
// old pages are left free in the file (which doubled the file of a
// GOROOT store, 170 to 340 MB), so migrate vacuums the database once
// after the steps, which writes it anew without them (about 2 s for
// that store). The vacuum's temporary copy goes to a file, not to
// memory as the connections' temp_store has it.
var vacuumAfter = map[int]bool{6: true}

// migrateStep applies migrations[from] and records the new version.
func migrateStep(ctx context.Context, db *sql.DB, from int) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, migrations[from]); err != nil {
		return errors.Join(err, rollback(tx))
	}
	// PRAGMA arguments cannot be bound parameters.
	if _, err := tx.ExecContext(ctx, fmt.Sprintf(`PRAGMA user_version = %d`, from+1)); err != nil {
		return errors.Join(err, rollback(tx))
	}
	return tx.Commit()
}
