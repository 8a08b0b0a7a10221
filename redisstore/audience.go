package redisstore

import (
	"context"
	"fmt"
	"strconv"
)

// MarkInactive records that the user of chat blocked the bot (or deleted
// their account), so that nothing more is sent to it.
func (s *Store) MarkInactive(ctx context.Context, chat int64) error {
	if err := s.client.SAdd(ctx, s.k.inactive(), strconv.FormatInt(chat, 10)).Err(); err != nil {
		return fmt.Errorf("mark chat %d inactive: %w", chat, err)
	}
	return nil
}

// Inactive reports whether chat was marked inactive.
func (s *Store) Inactive(ctx context.Context, chat int64) (bool, error) {
	ok, err := s.client.SIsMember(ctx, s.k.inactive(), strconv.FormatInt(chat, 10)).Result()
	if err != nil {
		return false, fmt.Errorf("read whether chat %d is inactive: %w", chat, err)
	}
	return ok, nil
}
