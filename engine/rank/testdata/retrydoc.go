// Package retry runs an operation again when it fails.
//
// How long a retry waits between attempts: each attempt waits twice as
// long as the one before, up to a maximum.
package retry
