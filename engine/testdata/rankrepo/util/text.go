package util

// Helpers for text: session cookie encode and decode notes. A session
// cookie must encode its value; encode the session, encode the cookie,
// and never store a session cookie without an encode step.
func Trim(s string) string { return s }
