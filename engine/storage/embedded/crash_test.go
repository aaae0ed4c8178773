package embedded

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"workspace-qdrant-mcp/engine/storage"
)

// crashDirEnv, when set, makes TestCrashRecovery act as the child process
// that writes to the store in that directory until it is killed.
const crashDirEnv = "EMBEDDED_CRASH_CHILD_DIR"

const (
	crashDocs        = 8 // documents the child rewrites in turn
	crashRounds      = 3 // kill and recover cycles
	crashChildMaxRun = 2 * time.Minute
)

// crashCommits is how many commits the parent waits for before killing
// the child in a round, varied so that kills land at different points.
func crashCommits(round int) int { return 20 + 40*round }

// crashCheckpointBytes is the child's checkpoint threshold, far below
// defaultCheckpointBytes so that kills also land during checkpoints, both
// background ones and the writer's catch-up.
const crashCheckpointBytes = 8 << 10

// crashDocument returns version v of crash document d: 1 to 6 chunks, each
// naming the version.
func crashDocument(d, v int) (storage.Document, []storage.Chunk) {
	path := fmt.Sprintf("/crash/doc%d.go", d)
	doc := storage.Document{ID: "file:" + path, Collection: "code", Kind: storage.KindFile, Path: path}
	chunks := make([]storage.Chunk, 1+(d+v)%6)
	for i := range chunks {
		text := fmt.Sprintf("doc%d version%d part%d %s", d, v, i, strings.Repeat("padding words ", 150))
		chunks[i] = storage.Chunk{
			ID: fmt.Sprintf("%s#v%d-%d", doc.ID, v, i), DocID: doc.ID, Collection: "code", Kind: storage.KindFile,
			Path: path, Language: "go", Ordinal: i, Text: text, Hash: fmt.Sprintf("h%d-%d-%d", d, v, i),
			Dense: unit(64, d+v+i),
		}
	}
	return doc, chunks
}

func TestCrashRecovery(t *testing.T) {
	if dir := os.Getenv(crashDirEnv); dir != "" {
		runCrashChild(dir)
		return
	}
	if testing.Short() {
		t.Skip("spawns child processes")
	}
	dir := t.TempDir()
	committed := make(map[int]int) // document -> latest version reported committed
	for round := range crashRounds {
		for d, v := range killChildAfterCommits(t, dir, round) {
			committed[d] = v
		}
		checkRecovered(t, dir, committed)
	}
}

// runCrashChild rewrites the crash documents forever, printing
// "committed <doc> <version>" after each commit. Versions start at
// 1000×round so each round writes new ones.
func runCrashChild(dir string) {
	ctx, cancel := context.WithTimeout(context.Background(), crashChildMaxRun)
	defer cancel()
	round, err := strconv.Atoi(os.Getenv(crashDirEnv + "_ROUND"))
	if err != nil {
		fmt.Println("bad round:", err)
		return
	}
	st, err := Open(ctx, dir, Options{})
	if err != nil {
		fmt.Println("open:", err)
		return
	}
	st.ckpt.threshold = crashCheckpointBytes
	if err := st.EnsureCollection(ctx, "code", 64); err != nil {
		fmt.Println("ensure:", err)
		return
	}
	for n := 0; ctx.Err() == nil; n++ {
		d, v := n%crashDocs, 1000*round+n/crashDocs
		doc, chunks := crashDocument(d, v)
		if err := st.ReplaceDocument(ctx, doc, chunks); err != nil {
			fmt.Println("replace:", err)
			return
		}
		fmt.Println("committed", d, v)
	}
}

// killChildAfterCommits runs a child writer, SIGKILLs it once it has
// reported crashCommits(round) commits, and returns the latest version it
// reported committed for each document.
func killChildAfterCommits(t *testing.T, dir string, round int) map[int]int {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashRecovery$")
	cmd.Env = append(os.Environ(), crashDirEnv+"="+dir, fmt.Sprintf("%s_ROUND=%d", crashDirEnv, round))
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	committed := make(map[int]int)
	lines := bufio.NewScanner(out)
	for n := 0; n < crashCommits(round) && lines.Scan(); {
		var d, v int
		if _, err := fmt.Sscanf(lines.Text(), "committed %d %d", &d, &v); err == nil {
			committed[d] = v
			n++
		} else {
			t.Logf("child: %s", lines.Text())
		}
	}
	if err := cmd.Process.Kill(); err != nil { // SIGKILL, mid-write most likely
		t.Fatal(err)
	}
	// Commits reported after the count was reached are durable too.
	for lines.Scan() {
		var d, v int
		if _, err := fmt.Sscanf(lines.Text(), "committed %d %d", &d, &v); err == nil {
			committed[d] = v
		}
	}
	if err := cmd.Wait(); err == nil {
		t.Fatal("the child exited on its own: it was meant to be killed")
	}
	if len(committed) < crashDocs {
		t.Fatalf("round %d: the child committed only documents %v", round, committed)
	}
	return committed
}

// checkRecovered reopens the store and checks that it is intact, that
// every document is one complete version and that no commit the child
// reported was lost.
func checkRecovered(t *testing.T, dir string, committed map[int]int) {
	t.Helper()
	ctx := t.Context()
	st, err := Open(ctx, dir, Options{})
	if err != nil {
		t.Fatalf("reopen after kill: %v", err)
	}
	defer st.Close()
	if err := st.IntegrityCheck(ctx); err != nil {
		t.Fatalf("after kill: %v", err)
	}
	for d := range crashDocs {
		checkCrashDocument(t, st, d, committed[d])
	}
}

// checkCrashDocument checks that crash document d is one complete version,
// no older than minVersion.
func checkCrashDocument(t *testing.T, st *Store, d, minVersion int) {
	t.Helper()
	doc, _ := crashDocument(d, 0)
	got, err := st.GetDocument(t.Context(), doc.ID)
	if err != nil {
		t.Fatalf("after kill: %v", err)
	}
	if len(got.Chunks) == 0 {
		t.Fatalf("after kill: document %d has no chunks", d)
	}
	var gotDoc, v, part int
	if _, err := fmt.Sscanf(got.Chunks[0].Text, "doc%d version%d part%d", &gotDoc, &v, &part); err != nil {
		t.Fatalf("after kill: chunk text %q: %v", got.Chunks[0].Text, err)
	}
	if v < minVersion {
		t.Errorf("document %d is at version %d, but version %d was committed", d, v, minVersion)
	}
	_, want := crashDocument(d, v)
	var gotIDs, wantIDs []string
	for _, c := range got.Chunks {
		gotIDs = append(gotIDs, c.ID)
	}
	for _, c := range want {
		wantIDs = append(wantIDs, c.ID)
	}
	if !slices.Equal(gotIDs, wantIDs) {
		t.Errorf("document %d version %d has chunks %v, want %v", d, v, gotIDs, wantIDs)
	}
}
