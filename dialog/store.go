package dialog

import (
	"context"
	"errors"

	"examdesk"
)

// ErrConflict is returned by Store.Save when the stored state has changed
// since it was loaded: the caller loads again and retries.
var ErrConflict = errors.New("dialog: state changed concurrently")

// Store keeps the state of every conversation.
//
// Load returns the state saved last for key, or the zero State (Version 0)
// when there is none or it has expired. Save stores st only if the stored
// version is still st.Version (0: nothing stored), atomically, and then
// the stored version is st.Version+1; otherwise it returns ErrConflict and
// changes nothing. A saved state expires after the store's time to live
// unless it is saved again. Implementations are safe for concurrent use.
type Store interface {
	Load(ctx context.Context, key examdesk.Key) (State, error)
	Save(ctx context.Context, key examdesk.Key, st State) error
}
