package api

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"sync"

	"github.com/google/uuid"

	"github.com/handover-project/handover/custody"
)

// transferEnds are who sends and receives a transfer, and from where to where.
type transferEnds struct {
	Sending   uuid.UUID `json:"sending"`
	Receiving uuid.UUID `json:"receiving"`
	From      uuid.UUID `json:"from"`
	To        uuid.UUID `json:"to"`
}

// movementEnds are who escorts a movement, and from where to where.
type movementEnds struct {
	Transfer uuid.UUID `json:"transfer"`
	Escort   uuid.UUID `json:"escort"`
	From     uuid.UUID `json:"from"`
	To       uuid.UUID `json:"to"`
}

// recordEnds are the ends of every transfer and movement, by id.
type recordEnds struct {
	transfers map[uuid.UUID]transferEnds
	movements map[uuid.UUID]movementEnds
}

// endsCache keeps the ends of transfers and movements. They never change once a
// transfer is proposed or a movement planned (custody sets them only then), so a
// record's ends are read from its document once, the first time its id is seen;
// after that a load reads only the records' ids. A transfer's document holds its
// people and their safeguards, and takes milliseconds to decode.
type endsCache struct {
	mu        sync.Mutex
	transfers map[uuid.UUID]transferEnds
	movements map[uuid.UUID]movementEnds
}

func newEndsCache() *endsCache {
	return &endsCache{transfers: map[uuid.UUID]transferEnds{}, movements: map[uuid.UUID]movementEnds{}}
}

// load returns the ends of every transfer and movement the store holds now.
func (c *endsCache) load(ctx context.Context, st Store) (*recordEnds, error) {
	ts, err := loadEnds(ctx, st, custody.TransferDoc, &c.mu, c.transfers)
	if err != nil {
		return nil, err
	}
	ms, err := loadEnds(ctx, st, custody.MovementDoc, &c.mu, c.movements)
	if err != nil {
		return nil, err
	}
	return &recordEnds{transfers: ts, movements: ms}, nil
}

// loadEnds returns the ends of every record of a kind, reading the documents of
// those not in cache and adding them to it.
func loadEnds[E any](ctx context.Context, st Store, kind custody.DocKind, mu *sync.Mutex, cache map[uuid.UUID]E) (map[uuid.UUID]E, error) {
	ids, err := st.DocIDs(ctx, kind)
	if err != nil {
		return nil, err
	}
	out := make(map[uuid.UUID]E, len(ids))
	var missing []uuid.UUID
	mu.Lock()
	for _, id := range ids {
		if e, ok := cache[id]; ok {
			out[id] = e
		} else {
			missing = append(missing, id)
		}
	}
	mu.Unlock()
	if len(missing) == 0 {
		return out, nil
	}
	read := make(map[uuid.UUID]E, len(missing))
	for _, id := range missing {
		b, err := st.Doc(ctx, kind, id)
		if err != nil {
			return nil, err
		}
		var e E
		if err := json.Unmarshal(b, &e); err != nil {
			return nil, fmt.Errorf("api: stored %s %s: %w", kind, id, err)
		}
		read[id] = e
	}
	mu.Lock()
	maps.Copy(cache, read)
	mu.Unlock()
	maps.Copy(out, read)
	return out, nil
}
