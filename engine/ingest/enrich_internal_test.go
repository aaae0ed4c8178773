package ingest

import "testing"

// Enrichment yields to indexing: nothing is taken from the enrichment
// queue while a scan is asked for or a file is dirty or in flight, and
// the queued version is taken once indexing is idle.
func TestEnrichmentYieldsToIndexing(t *testing.T) {
	ix := &Indexer{q: newWorkQueue(), enrich: newEnrichQueue(), scan: make(chan struct{}, 1)}
	ix.enrich.put("/a.go", "h1")

	ix.scanning = true
	if p, _, ok := ix.nextEnrich(); ok {
		t.Fatalf("took %s during a scan", p)
	}
	ix.scanning = false
	ix.scan <- struct{}{}
	if p, _, ok := ix.nextEnrich(); ok {
		t.Fatalf("took %s with a scan asked for", p)
	}
	<-ix.scan
	ix.q.add([]string{"/b.go"})
	if p, _, ok := ix.nextEnrich(); ok {
		t.Fatalf("took %s with a file dirty", p)
	}
	taken := ix.q.take(1)
	if p, _, ok := ix.nextEnrich(); ok {
		t.Fatalf("took %s with a file in flight", p)
	}
	ix.q.finish(taken[0], false, true) // failed: waits for a retry, not indexing
	p, h, ok := ix.nextEnrich()
	if !ok || p != "/a.go" || h != "h1" {
		t.Fatalf("nextEnrich when idle = %q, %q, %v; want /a.go, h1", p, h, ok)
	}
}
