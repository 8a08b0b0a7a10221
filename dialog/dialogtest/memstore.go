package dialogtest

import (
	"context"
	"fmt"
	"sync"
	"time"

	"examdesk"
	"examdesk/dialog"
)

// MemStore is a dialog.Store in memory, for tests of code that uses a Store.
// Like a real store it keeps every state encoded by dialog.EncodeState, so
// states loaded and saved share no memory with the stored ones, and a state
// that does not encode and decode fails here too.
//
// The zero MemStore is empty and keeps states forever. Set TTL, and Now to
// control the clock, before first use to let states expire.
type MemStore struct {
	// TTL is how long a saved state is kept after it was saved last;
	// 0 keeps it forever.
	TTL time.Duration
	// Now is the clock the TTL runs on; nil means time.Now.
	Now func() time.Time

	mu      sync.Mutex
	records map[examdesk.Key]memRecord
}

type memRecord struct {
	version int64
	data    []byte
	expires time.Time // zero: never
}

var _ dialog.Store = (*MemStore)(nil)

func (s *MemStore) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// lookup returns the live record of key; s.mu is held.
func (s *MemStore) lookup(key examdesk.Key) (memRecord, bool) {
	r, ok := s.records[key]
	if ok && !r.expires.IsZero() && !s.now().Before(r.expires) {
		delete(s.records, key)
		return memRecord{}, false
	}
	return r, ok
}

// Load returns the state saved last for key, or the zero State if there is
// none or it has expired.
func (s *MemStore) Load(ctx context.Context, key examdesk.Key) (dialog.State, error) {
	if err := ctx.Err(); err != nil {
		return dialog.State{}, fmt.Errorf("load state %d/%d: %w", key.Chat, key.User, err)
	}
	s.mu.Lock()
	r, ok := s.lookup(key)
	s.mu.Unlock()
	if !ok {
		return dialog.State{}, nil
	}
	st, err := dialog.DecodeState(r.data)
	if err != nil {
		return dialog.State{}, fmt.Errorf("load state %d/%d: %w", key.Chat, key.User, err)
	}
	st.Version = r.version
	return st, nil
}

// Save stores st as the state of key if the stored version is still
// st.Version, and returns dialog.ErrConflict otherwise.
func (s *MemStore) Save(ctx context.Context, key examdesk.Key, st dialog.State) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("save state %d/%d: %w", key.Chat, key.User, err)
	}
	data, err := dialog.EncodeState(st)
	if err != nil {
		return fmt.Errorf("save state %d/%d: %w", key.Chat, key.User, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if r, _ := s.lookup(key); r.version != st.Version {
		return fmt.Errorf("save state %d/%d at version %d: %w", key.Chat, key.User, st.Version, dialog.ErrConflict)
	}
	r := memRecord{version: st.Version + 1, data: data}
	if s.TTL > 0 {
		r.expires = s.now().Add(s.TTL)
	}
	if s.records == nil {
		s.records = make(map[examdesk.Key]memRecord)
	}
	s.records[key] = r
	return nil
}
