package qdrant

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	pb "github.com/qdrant/go-client/qdrant"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

func TestClassify(t *testing.T) {
	for code, want := range map[codes.Code]bool{
		codes.Unavailable: true, codes.DeadlineExceeded: true, codes.ResourceExhausted: true,
		codes.InvalidArgument: false, codes.NotFound: false, codes.PermissionDenied: false,
		codes.Unauthenticated: false, codes.Internal: false, codes.Canceled: false,
	} {
		err := fmt.Errorf("upsert: %w", classify(status.Error(code, "boom")))
		if got := IsTransient(err); got != want {
			t.Errorf("%s: IsTransient = %v, want %v", code, got, want)
		}
		if st, ok := status.FromError(err); !ok || st.Code() != code {
			t.Errorf("%s: the gRPC status is lost: %v", code, err)
		}
	}
	if !IsTransient(classify(&pb.QdrantResourceExhaustedError{Reason: "rate", RetryAfterS: 1})) {
		t.Error("a rate-limit error is not transient")
	}
	if IsTransient(classify(errors.New("plain"))) || classify(nil) != nil {
		t.Error("plain errors and nil must stay as they are")
	}
}

func TestParseURL(t *testing.T) {
	for _, tc := range []struct {
		in   string
		host string
		port int
		tls  bool
	}{
		{"", "localhost", 6334, false},
		{"localhost:6334", "localhost", 6334, false},
		{"qdrant.internal", "qdrant.internal", 6334, false},
		{"http://10.0.0.5:7000", "10.0.0.5", 7000, false},
		{"https://xyz.cloud.qdrant.io:6334", "xyz.cloud.qdrant.io", 6334, true},
		{"[::1]:6334", "::1", 6334, false},
	} {
		host, port, tls, err := ParseURL(tc.in)
		if err != nil || host != tc.host || port != tc.port || tls != tc.tls {
			t.Errorf("ParseURL(%q) = %q, %d, %v, %v; want %q, %d, %v", tc.in, host, port, tls, err, tc.host, tc.port, tc.tls)
		}
	}
	for _, bad := range []string{"ftp://host:1", "host:port", "host:0", "http://host:6334/path", ":6334"} {
		if _, _, _, err := ParseURL(bad); err == nil {
			t.Errorf("ParseURL(%q): no error", bad)
		}
	}
}

func TestSparseVectors(t *testing.T) {
	s := &Store{analyzer: defaultAnalyzer}
	v := s.documentVector("zebra zebra stripes", nil)
	if given := s.documentVector("", []string{"zebra", "zebra", "stripes"}); !reflect.DeepEqual(given, v) {
		t.Errorf("documentVector of the given terms = %+v, of the analysed text = %+v", given, v)
	}
	if len(v.Indices) != 2 || len(v.Values) != 2 || v.Indices[0] >= v.Indices[1] {
		t.Fatalf("documentVector = %+v, want two sorted terms", v)
	}
	w := map[uint32]float32{}
	for i, idx := range v.Indices {
		w[idx] = v.Values[i]
	}
	if w[termIndex("zebra")] <= w[termIndex("stripes")] {
		t.Errorf("a term twice weighs %v, once %v", w[termIndex("zebra")], w[termIndex("stripes")])
	}
	q := s.queryVector("Zebra zebra!")
	if len(q.Indices) != 1 || q.Values[0] != 1 || q.Indices[0] != termIndex("zebra") {
		t.Errorf("queryVector = %+v, want zebra with weight 1", q)
	}
	if q := s.queryVector("!!"); len(q.Indices) != 0 {
		t.Errorf("queryVector of no term = %+v", q)
	}
}

func TestCheckVersion(t *testing.T) {
	for _, tc := range []struct {
		version string
		ok      bool
	}{
		{"1.17.0", true}, {"v1.16.2", true}, {"2.0.0", true}, {"1.16", true},
		{"1.15.5", false}, {"v1.9.0", false}, {"0.11.0", false},
		{"", true}, {"dev", true}, {"1.x", true}, // unreadable: let through
	} {
		err := checkVersion(tc.version)
		if (err == nil) != tc.ok {
			t.Errorf("checkVersion(%q) = %v, want ok=%v", tc.version, err, tc.ok)
		}
		if err != nil && !strings.Contains(err.Error(), "1.16 or newer") {
			t.Errorf("checkVersion(%q) = %q: does not say what is needed", tc.version, err)
		}
	}
}
