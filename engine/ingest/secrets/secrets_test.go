package secrets

import (
	"bytes"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"unicode/utf8"

	"workspace-qdrant-mcp/internal/secrettest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// TestRedactFamilies checks one secret of each provider family: it is
// found by its rule, replaced by [REDACTED:<rule>], and the text keeps its
// line count and the line of what follows.
func TestRedactFamilies(t *testing.T) {
	for _, sm := range secrettest.Samples() {
		t.Run(sm.Family, func(t *testing.T) {
			text := "before\n" + sm.Line + "\nafter\n"
			got, found := Default().Redact(text, "")
			if strings.Contains(got, sm.Secret) {
				t.Fatalf("secret left in:\n%s", got)
			}
			if len(found) != 1 || found[0].Rule != sm.Rule || found[0].Line != 2 {
				t.Fatalf("findings %+v, want one by %s on line 2", found, sm.Rule)
			}
			if !strings.Contains(got, "[REDACTED:"+sm.Rule+"]") {
				t.Errorf("no [REDACTED:%s] in:\n%s", sm.Rule, got)
			}
			if strings.Count(got, "\n") != strings.Count(text, "\n") || !strings.HasSuffix(got, "\nafter\n") {
				t.Errorf("lines moved:\n%s", got)
			}
		})
	}
}

// TestRedactDocument compares a file holding every family, redacted,
// with its golden file.
func TestRedactDocument(t *testing.T) {
	doc, samples := secrettest.Document()
	got, found := Default().Redact(doc, "config.go")
	if len(found) != len(samples) {
		t.Errorf("%d findings, want %d: %+v", len(found), len(samples), found)
	}
	golden(t, "document.golden", got)
}

// TestNotSecrets lists text that looks like a secret to a careless eye
// and must be left alone.
func TestNotSecrets(t *testing.T) {
	for _, text := range []string{
		"func NewEncapsulationKey1024(seed []byte) (*EncapsulationKey1024, error)",
		`key := os.Getenv("AWS_SECRET_ACCESS_KEY")`,
		`id := "AKIAIOSFODNN7EXAMPLE" // the documentation's example`,
		"token = ${GITHUB_TOKEN}",
		"-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----",
		"password: changeme",
		"",
	} {
		if found := Default().Find(text, "x.go"); len(found) > 0 {
			t.Errorf("%q: found %+v", text, found)
		}
	}
}

// TestAllowSignature: a line marked gitleaks:allow is kept as it is.
func TestAllowSignature(t *testing.T) {
	sm := secrettest.Samples()[1]
	text := sm.Line + " gitleaks:allow\n"
	if got, found := Default().Redact(text, ""); got != text || found != nil {
		t.Errorf("redacted an allowed line: %q %+v", got, found)
	}
}

// TestKeywordsFoldCase: keywords are found in any case, so that a rule
// whose keyword is written in upper case in the text still runs.
func TestKeywordsFoldCase(t *testing.T) {
	a := newAutomaton(map[string][]int{"akia": {0}, "ghp_": {1}, "kia": {2}}, 3)
	for _, tc := range []struct {
		text string
		want []int
	}{
		{"x AKIA y", []int{0, 2}},
		{"GHP_", []int{1}},
		{"akIa", []int{0, 2}},
		{"kia kia", []int{2}},
		{"nothing here", nil},
	} {
		got := map[int]bool{}
		for _, h := range a.scan(tc.text) {
			for r := range 3 {
				if a.rules[h.state][0]&(1<<r) != 0 {
					got[r] = true
				}
			}
		}
		if len(got) != len(tc.want) {
			t.Errorf("%q: rules %v, want %v", tc.text, got, tc.want)
		}
		for _, r := range tc.want {
			if !got[r] {
				t.Errorf("%q: rule %d not hit", tc.text, r)
			}
		}
	}
}

// TestRulesCompile: every generated rule compiles and names a keyword.
func TestRulesCompile(t *testing.T) {
	s, err := compile(ruleSpecs, globalAllow)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.rules) < 200 {
		t.Errorf("%d rules, want gitleaks' 200 and more", len(s.rules))
	}
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("differs from %s (run with -update to accept):\n%s", path, got)
	}
}

func BenchmarkFind(b *testing.B) {
	doc, _ := secrettest.Document()
	src, err := os.ReadFile("secrets.go")
	if err != nil {
		b.Fatal(err)
	}
	text := string(src) + doc
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		Default().Find(text, "x.go")
	}
}

// BenchmarkScanGOROOT scans every file of $(go env GOROOT)/src outside
// testdata directories that the indexer would read (valid UTF-8, no NUL,
// at most 1 MiB), as the indexer does, once per iteration: compare its
// time with ingestbench's full-index CPU time.
func BenchmarkScanGOROOT(b *testing.B) {
	var texts, paths []string
	size := 0
	root := filepath.Join(runtime.GOROOT(), "src")
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == "testdata" {
			return fs.SkipDir
		}
		if !d.Type().IsRegular() {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil || len(data) > 1<<20 || bytes.IndexByte(data, 0) >= 0 || !utf8.Valid(data) {
			return err
		}
		texts, paths = append(texts, string(data)), append(paths, p)
		size += len(data)
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	Default()
	b.SetBytes(int64(size))
	b.ResetTimer()
	for b.Loop() {
		for i, text := range texts {
			Default().Find(text, paths[i])
		}
	}
	b.ReportMetric(float64(len(texts)), "files")
}
