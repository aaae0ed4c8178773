package blob

import (
	"errors"
	"sync"
)

// MemStore is the in-memory blob store backend; it implements Store.
type MemStore struct {
	mu    sync.Mutex
	blobs map[string][]byte // every blob the store holds, by key
}

// Put implements Store: the store keeps a copy of the blob under key,
// replacing any blob the store held under it.
func (s *MemStore) Put(key string, b []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.blobs == nil {
		s.blobs = make(map[string][]byte)
	}
	s.blobs[key] = append([]byte(nil), b...)
	return nil
}

// Get implements Store: the blob the store holds under key, or an error
// when the store holds none.
func (s *MemStore) Get(key string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.blobs[key]
	if !ok {
		return nil, errors.New("blob: the store holds no blob under this key")
	}
	return b, nil
}

// Delete implements Store: the store forgets the blob under key.
func (s *MemStore) Delete(key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.blobs, key)
	return nil
}
