package store

// collect frees space after a compaction has run.
func collect() {}
