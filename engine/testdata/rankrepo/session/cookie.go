package session

import "encoding/base64"

// Encode turns a value into text safe for a header.
func Encode(v string) string { return base64.StdEncoding.EncodeToString([]byte(v)) }
