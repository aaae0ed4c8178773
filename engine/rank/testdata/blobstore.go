// Package blob keeps byte blobs by key.
package blob

// Store is what every blob backend provides: put a blob under a key,
// get it back, delete it.
type Store interface {
	Put(key string, b []byte) error
	Get(key string) ([]byte, error)
	Delete(key string) error
}
