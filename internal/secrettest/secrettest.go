// Package secrettest makes fake secrets, one for each family of provider
// rule the engine's secret scanner (engine/ingest/secrets) must catch, for
// tests. They are generated, not written in the source, so that no
// scanner of this repository's own history flags them; the same seed
// gives the same secrets.
package secrettest

import (
	"math/rand/v2"
	"strings"
)

// Sample is one fake secret and the gitleaks rule that must catch it.
type Sample struct {
	Family string // provider family, e.g. "aws"
	Rule   string // gitleaks rule id, e.g. "aws-access-token"
	Secret string
	// Line is a line of code (or configuration) holding the secret; a
	// private key spans several lines.
	Line string
}

const (
	alnum  = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	base32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	digits = "0123456789"
	b64    = alnum + "+/"
)

// Samples returns one sample per family, the same every call.
func Samples() []Sample {
	r := rand.New(rand.NewPCG(21, 2026))
	s := func(set string, n int) string {
		var b strings.Builder
		for range n {
			b.WriteByte(set[r.IntN(len(set))])
		}
		return b.String()
	}
	var key strings.Builder
	key.WriteString("-----BEGIN RSA PRIVATE" + " KEY-----\n")
	for range 6 {
		key.WriteString(s(b64, 64) + "\n")
	}
	key.WriteString(s(b64, 20) + "==\n-----END RSA PRIVATE" + " KEY-----")
	list := []Sample{
		{Family: "aws", Rule: "aws-access-token", Secret: "AKIA" + s(base32, 16)},
		{Family: "github", Rule: "github-pat", Secret: "ghp_" + s(alnum, 36)},
		{Family: "gitlab", Rule: "gitlab-pat", Secret: "glpat-" + s(alnum, 20)},
		{Family: "slack", Rule: "slack-bot-token", Secret: "xoxb-" + s(digits, 12) + "-" + s(digits, 12) + "-" + s(alnum, 24)},
		{Family: "stripe", Rule: "stripe-access-token", Secret: "sk_live_" + s(alnum, 32)},
		{Family: "openai", Rule: "openai-api-key", Secret: "sk-proj-" + s(alnum, 74) + "T3Blbk" + "FJ" + s(alnum, 74)},
		{Family: "anthropic", Rule: "anthropic-api-key", Secret: "sk-ant-" + "api03-" + s(alnum, 93) + "AA"},
		{Family: "google", Rule: "gcp-api-key", Secret: "AIza" + s(alnum, 35)},
		{Family: "jwt", Rule: "jwt", Secret: "eyJ" + s(alnum, 30) + ".eyJ" + s(alnum, 40) + "." + s(alnum, 43)},
		{Family: "private-key", Rule: "private-key", Secret: key.String()},
	}
	for i := range list {
		name := strings.ReplaceAll(list[i].Family, "-", "_")
		if list[i].Family == "private-key" {
			list[i].Line = "var pemKey = `" + list[i].Secret + "`"
			continue
		}
		list[i].Line = "const " + name + "Token = \"" + list[i].Secret + "\" // " + list[i].Family
	}
	return list
}

// Document returns a source file holding every sample, one a line, with
// ordinary lines between them, and the samples.
func Document() (string, []Sample) {
	samples := Samples()
	var b strings.Builder
	b.WriteString("package config\n\n// Credentials, committed by mistake.\n")
	for _, sm := range samples {
		b.WriteString("\n// " + sm.Family + " credential\n" + sm.Line + "\n")
	}
	b.WriteString("\nfunc Ready() bool { return true }\n")
	return b.String(), samples
}
