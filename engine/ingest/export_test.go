package ingest

// LoseEvents makes the indexer act as when the watcher reports lost
// events (a queue overflow or a watch limit), for tests.
func (ix *Indexer) LoseEvents(reason string) { ix.onRescan(reason) }
