package embedded

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"workspace-qdrant-mcp/engine/storage"
)

// A store of schema version 5, whose chunk ids had a UNIQUE index, is
// made again without it by the step to version 6, keeping every chunk
// under its rid, and vacuumed; reads, searches, ChunkTexts and writes
// work on it.
func TestMigrateDropsChunkIDIndex(t *testing.T) {
	dir := t.TempDir()
	st := openAtVersion(t, dir, 5)
	for i, word := range []string{"apple", "banana", "cherry"} {
		doc, chunks := testDoc(fmt.Sprintf("/p/%d.go", i), word, 3)
		if err := st.ReplaceDocument(t.Context(), doc, chunks); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.DeleteDocument(t.Context(), "file:/p/0.go"); err != nil { // rids with a gap
		t.Fatal(err)
	}
	before := chunkRows(t, st)
	if n := idIndexes(t, st); n != 1 {
		t.Fatalf("version 5 has %d indexes on chunks.id, want its UNIQUE one", n)
	}
	st = reopenMigrated(t, st, dir)
	if n := idIndexes(t, st); n != 0 {
		t.Errorf("%d indexes on chunks.id after the migration, want none", n)
	}
	var free int
	if err := st.writer.QueryRowContext(t.Context(), `PRAGMA freelist_count`).Scan(&free); err != nil || free != 0 {
		t.Errorf("%d free pages after the migration (%v): the copied table's old pages are left in the file", free, err)
	}
	if after := chunkRows(t, st); !maps.Equal(after, before) {
		t.Errorf("chunks after the migration %v, before %v", after, before)
	}
	if err := st.IntegrityCheck(t.Context()); err != nil {
		t.Fatal(err)
	}
	hits, err := st.Search(t.Context(), storage.Query{Text: "banana", Mode: storage.ModeKeyword, Limit: 10, OmitText: true})
	if err != nil || len(hits) != 3 || hits[0].Texts == nil {
		t.Fatalf("banana: %d hits (%v), want 3 without their texts", len(hits), err)
	}
	texts, err := hits[0].Texts.ChunkTexts(t.Context(), []string{hits[0].Chunk.ID, "file:/p/0.go#0"})
	if err != nil || len(texts) != 1 || !strings.HasPrefix(texts[hits[0].Chunk.ID], "banana part") {
		t.Errorf("ChunkTexts = %q, %v; want the banana hit's text alone", texts, err)
	}
	doc, chunks := testDoc("/p/1.go", "durian", 2)
	if err := st.ReplaceDocument(t.Context(), doc, chunks); err != nil {
		t.Fatal(err)
	}
	doc, chunks = testDoc("/p/0.go", "elder", 1)
	if err := st.ReplaceDocument(t.Context(), doc, chunks); err != nil {
		t.Fatal(err)
	}
	if err := st.IntegrityCheck(t.Context()); err != nil {
		t.Fatal(err)
	}
	if _, err := st.VectorsByHash(t.Context(), []string{"cherry-1"}); err != nil {
		t.Fatal(err)
	}
}

// chunkRows returns every chunk's rid, id and text, by rid.
func chunkRows(t *testing.T, st *Store) map[int64]string {
	t.Helper()
	rows, err := st.writer.QueryContext(t.Context(), `SELECT rid, id, text FROM chunks`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[int64]string{}
	for rows.Next() {
		var rid int64
		var id, text string
		if err := rows.Scan(&rid, &id, &text); err != nil {
			t.Fatal(err)
		}
		out[rid] = id + " " + text
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// idIndexes counts the indexes of chunks whose first column is id.
func idIndexes(t *testing.T, st *Store) int {
	t.Helper()
	var n int
	err := st.writer.QueryRowContext(t.Context(), `
		SELECT count(*) FROM pragma_index_list('chunks') AS l
		WHERE (SELECT name FROM pragma_index_info(l.name) WHERE seqno = 0) = 'id'`).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// No two chunks share an id, as when chunks.id was UNIQUE: a write that
// would repeat one fails and changes nothing, while a document that
// keeps its chunks' ids across a rewrite, or takes the id of a chunk
// deleted in the same batch, is written.
func TestChunkIDsStayUnique(t *testing.T) {
	st := openStore(t, t.TempDir(), Options{})
	if err := st.EnsureCollection(t.Context(), "code", 4); err != nil {
		t.Fatal(err)
	}
	docA, chunksA := testDoc("/p/a.go", "apple", 2)
	if err := st.ReplaceDocument(t.Context(), docA, chunksA); err != nil {
		t.Fatal(err)
	}
	if err := st.ReplaceDocument(t.Context(), docA, chunksA); err != nil { // same ids again
		t.Fatalf("rewriting a document under its chunk ids: %v", err)
	}
	docB, chunksB := testDoc("/p/b.go", "banana", 2)
	chunksB[1].ID = chunksA[0].ID
	err := st.ReplaceDocument(t.Context(), docB, chunksB)
	if !errors.Is(err, errDuplicateID) {
		t.Errorf("a chunk id another document's chunk has: %v, want errDuplicateID", err)
	}
	chunksB[1].ID = chunksB[0].ID
	if err := st.ReplaceDocument(t.Context(), docB, chunksB); !errors.Is(err, errDuplicateID) {
		t.Errorf("a chunk id given twice: %v, want errDuplicateID", err)
	}
	// Document a gives up its chunks and b takes one of their ids, in
	// one batch.
	chunksB[1].ID = chunksA[1].ID
	err = st.ReplaceDocuments(t.Context(), []storage.Replacement{{Doc: docA, Chunks: chunksA[:1]}, {Doc: docB, Chunks: chunksB}})
	if err != nil {
		t.Fatalf("taking the id of a chunk deleted in the same batch: %v", err)
	}
	got := slices.Sorted(maps.Values(chunkRows(t, st)))
	want := []string{chunksA[0].ID + " apple part 0", chunksB[0].ID + " banana part 0", chunksA[1].ID + " banana part 1"}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("chunks %q, want %q", got, want)
	}
	if err := st.IntegrityCheck(t.Context()); err != nil {
		t.Fatal(err)
	}
	// The id map is part of what the check compares.
	delete(st.index.ids, chunksB[0].ID)
	if err := st.IntegrityCheck(t.Context()); err == nil {
		t.Error("IntegrityCheck missed an id missing from the index's map")
	}
}

// ChunkTexts reads a chunk's row by its rid, the table's primary key.
func TestChunkTextsReadsByRID(t *testing.T) {
	st := openStore(t, t.TempDir(), Options{})
	if plan := queryPlan(t, st, `SELECT text FROM chunks WHERE rid = ?`, 1); !strings.Contains(plan, "INTEGER PRIMARY KEY") {
		t.Errorf("query plan %q does not search by the primary key", plan)
	}
}

// queryPlan returns the details of SQLite's plan for query, joined.
func queryPlan(t *testing.T, st *Store, query string, args ...any) string {
	t.Helper()
	rows, err := st.reader.QueryContext(t.Context(), "EXPLAIN QUERY PLAN "+query, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return strings.Join(plan, "; ")
}

// openAtVersion opens a new store in dir with the schema of the given
// version, as the program of that version made it, and a "code"
// collection of 4 dimensions; reopenMigrated takes it to the latest.
func openAtVersion(t *testing.T, dir string, version int) *Store {
	t.Helper()
	all := migrations
	migrations = all[:version]
	t.Cleanup(func() { migrations = all })
	st := openToReopen(t, dir)
	migrations = all
	return st
}

// reopenMigrated closes st, opens dir again with every migration and
// checks that the schema is the latest.
func reopenMigrated(t *testing.T, st *Store, dir string) *Store {
	t.Helper()
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	st = openStore(t, dir, Options{})
	var version int
	if err := st.writer.QueryRowContext(t.Context(), `PRAGMA user_version`).Scan(&version); err != nil || version != len(migrations) {
		t.Fatalf("schema version %d (%v), want %d", version, err, len(migrations))
	}
	return st
}
