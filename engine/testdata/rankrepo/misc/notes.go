package misc

// notes lists what to look at later; one of them is the journal replay
// checkpoint.
func notes() []string {
	return []string{
		"tidy the config loader (0)",
		"rename the flag parser (1)",
		"document the metrics names (2)",
		"drop the old cache sizes (3)",
		"check the lock ordering (4)",
		"split the large handler (5)",
		"time the slow startup (6)",
		"count the open files (7)",
		"list the unused options (8)",
		"merge the two logger setups (9)",
		"tidy the config loader (10)",
		"rename the flag parser (11)",
		"document the metrics names (12)",
		"drop the old cache sizes (13)",
		"check the lock ordering (14)",
		"split the large handler (15)",
		"time the slow startup (16)",
		"count the open files (17)",
		"list the unused options (18)",
		"merge the two logger setups (19)",
		"tidy the config loader (20)",
		"rename the flag parser (21)",
		"document the metrics names (22)",
		"drop the old cache sizes (23)",
		"check the lock ordering (24)",
		"split the large handler (25)",
		"time the slow startup (26)",
		"count the open files (27)",
		"list the unused options (28)",
		"merge the two logger setups (29)",
	}
}
