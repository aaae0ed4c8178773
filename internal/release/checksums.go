package release

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// ChecksumsFile is the name of the file that lists the release's files
// with their SHA-256 sums.
const ChecksumsFile = "SHA256SUMS"

// WriteChecksums writes dir/SHA256SUMS for the named files of dir, sorted
// by name, each line "<sha256 in hex>  <name>" as sha256sum writes it and
// `sha256sum -c SHA256SUMS` checks it.
func WriteChecksums(dir string, names []string) error {
	var b strings.Builder
	for _, name := range slices.Sorted(slices.Values(names)) {
		if strings.ContainsAny(name, "/\\\n") {
			return fmt.Errorf("write %s: %q is not a file name of the directory", ChecksumsFile, name)
		}
		sum, err := sha256File(filepath.Join(dir, name))
		if err != nil {
			return fmt.Errorf("write %s: %w", ChecksumsFile, err)
		}
		fmt.Fprintf(&b, "%s  %s\n", sum, name)
	}
	if err := os.WriteFile(filepath.Join(dir, ChecksumsFile), []byte(b.String()), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", ChecksumsFile, err)
	}
	return nil
}

func sha256File(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("read %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
