package rank

import (
	"slices"
	"strings"
	"testing"
)

// For Owner.member, the member defined in Owner ranks above a top-level
// function of the same name whose file is named after the qualifier:
// Runner.run finds the method, not run() of runners.py, which says
// "runner" and "run" more often.
func TestDefinitionOwnerBeforePath(t *testing.T) {
	o := fixtureOptions
	hits := fixtureHits(t, "runners.py", "Runner.run")
	if !strings.Contains(hits[0].Chunk.Text, "def run(main") {
		t.Fatalf("the fixture's keyword leg should put the top-level run first: %s", hits[0].Chunk.ID)
	}
	got := Rank(hits, ParseQuery("Runner.run"), o)
	if !strings.Contains(got[0].Chunk.Text, "def run(self, coro)") || !slices.Contains(got[0].Rules, RuleDefinition) {
		t.Errorf("first %s %v, want the method Runner.run, named by the definition rule", got[0].Chunk.ID, got[0].Rules)
	}
}
