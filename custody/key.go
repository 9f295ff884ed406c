package custody

import (
	"crypto/ed25519"
	"strings"

	"github.com/google/uuid"
)

// derivedSpace is the UUID namespace of identifiers derived from other data (a key's
// id from its public key, an incident's from the handover that opened it). The
// derivations are part of the ledger format: never change them.
var derivedSpace = uuid.MustParse("3b0f4c5e-2a71-4d6e-9c1a-7e5d2f8b9a60")

// KeyID is the identifier of an officer's public key: a name-based UUID of its bytes,
// so that an officer in the field can name their key without asking the server.
func KeyID(pub ed25519.PublicKey) uuid.UUID {
	return uuid.NewSHA1(derivedSpace, append([]byte("officer-key\x00"), pub...))
}

// derive returns a stable identifier for something a command creates implicitly.
func derive(parts ...[]byte) uuid.UUID {
	var b []byte
	for _, p := range parts {
		b = append(b, p...)
		b = append(b, 0)
	}
	return uuid.NewSHA1(derivedSpace, b)
}

// deriveAfter returns an identifier derived from an event's: it keeps the event id's
// first eight bytes (a UUIDv7's time and version), so that records derived from
// events sort, and are stored, in the order they arose, and takes the rest from a
// hash of the event id and the parts.
func deriveAfter(event uuid.UUID, parts ...[]byte) uuid.UUID {
	h := derive(append([][]byte{event[:]}, parts...)...)
	var id uuid.UUID
	copy(id[:8], event[:8])
	copy(id[8:], h[8:])
	id[8] = id[8]&0x3f | 0x80 // RFC 9562 variant
	return id
}

// OfficerKey is an officer's Ed25519 public key, registered to a party before the
// officer signs anything with it (invariant 6).
type OfficerKey struct {
	ID        uuid.UUID `json:"id"`
	Party     uuid.UUID `json:"party"`
	Officer   string    `json:"officer"`
	User      uuid.UUID `json:"user,omitzero"` // the officer's account, when the key was registered through one
	PublicKey []byte    `json:"public_key"`
	// Registered is the ledger index of the key's registration.
	Registered uint64 `json:"registered"`
	Revoked    bool   `json:"revoked,omitempty"`
	// RevokedAt is the ledger index of the revocation; signatures in later
	// handovers are refused.
	RevokedAt    uint64 `json:"revoked_at,omitempty"`
	RevokeReason string `json:"revoke_reason,omitempty"`
}

// RegisterKey registers an officer's public key to a party.
type RegisterKey struct {
	Meta
	Party     uuid.UUID
	Officer   string
	User      uuid.UUID // the officer's account (access.User), if any
	PublicKey []byte
	// Replaces names a key of the same officer that this one rotates out: it is
	// revoked in the same command.
	Replaces uuid.UUID
}

// RevokeKey revokes a registered key: nothing signed with it is accepted afterwards.
type RevokeKey struct {
	Meta
	Key    uuid.UUID
	Reason string
}

// KeyRegistered: an officer's key is registered to a party. Subject: the key (KeyID).
type KeyRegistered struct {
	Party     uuid.UUID `json:"party"`
	Officer   string    `json:"officer"`
	User      uuid.UUID `json:"user,omitzero"`
	PublicKey []byte    `json:"public_key"`
}

// KeyRevoked: a key may sign no more. Subject: the key.
type KeyRevoked struct {
	Reason string `json:"reason"`
}

func (KeyRegistered) EventType() Type { return TypeKeyRegistered }
func (KeyRevoked) EventType() Type    { return TypeKeyRevoked }

func decideRegisterKey(s *State, c RegisterKey) ([]Draft, error) {
	if _, ok := s.parties[c.Party]; !ok {
		return nil, Errorf(NotFound, "party", "no party %s", c.Party)
	}
	if err := requireName("officer", c.Officer, 200); err != nil {
		return nil, err
	}
	if len(c.PublicKey) != ed25519.PublicKeySize {
		return nil, Errorf(Invalid, "public_key", "an Ed25519 public key has %d bytes; got %d", ed25519.PublicKeySize, len(c.PublicKey))
	}
	id := KeyID(c.PublicKey)
	if k, ok := s.keys[id]; ok {
		return nil, Errorf(Conflict, "public_key", "this key is already registered (key %s, officer %s of %s)", id, k.Officer, s.partyCode(k.Party))
	}
	for _, k := range s.keys {
		if k.Party == c.Party {
			continue
		}
		if foldOfficer(k.Officer) == foldOfficer(c.Officer) {
			return nil, Errorf(Refused, "officer", "%q is already the officer of key %s of %s: an officer's name is bound to one party",
				c.Officer, k.ID, s.partyCode(k.Party))
		}
		if c.User != uuid.Nil && k.User == c.User {
			return nil, Errorf(Refused, "user", "the account already holds key %s of %s: an account signs for one party", k.ID, s.partyCode(k.Party))
		}
	}
	out := []Draft{draft(c.Meta, id, c.Party, &KeyRegistered{Party: c.Party, Officer: c.Officer, User: c.User, PublicKey: c.PublicKey})}
	if c.Replaces != uuid.Nil {
		old, ok := s.keys[c.Replaces]
		switch {
		case !ok:
			return nil, Errorf(NotFound, "replaces", "no key %s", c.Replaces)
		case old.Party != c.Party || old.User != c.User:
			return nil, Errorf(Refused, "replaces", "key %s belongs to another officer or party: a rotation replaces the officer's own key", old.ID)
		case old.Revoked:
			return nil, Errorf(Refused, "replaces", "key %s was already revoked at event %d", old.ID, old.RevokedAt)
		}
		out = append(out, draft(c.Meta, old.ID, c.Party, &KeyRevoked{Reason: "rotated: replaced by key " + id.String()}))
	}
	return out, nil
}

func decideRevokeKey(s *State, c RevokeKey) ([]Draft, error) {
	k, ok := s.keys[c.Key]
	if !ok {
		return nil, Errorf(NotFound, "key", "no key %s", c.Key)
	}
	if k.Revoked {
		return nil, Errorf(Refused, "key", "key %s was already revoked at event %d", k.ID, k.RevokedAt)
	}
	if err := requireText("reason", c.Reason, 2000); err != nil {
		return nil, err
	}
	return []Draft{draft(c.Meta, k.ID, k.Party, &KeyRevoked{Reason: c.Reason})}, nil
}

// foldOfficer is the form in which two officers' names are compared when deciding
// whether they are one person: case and runs of spaces do not count.
func foldOfficer(name string) string {
	return strings.ToLower(strings.Join(strings.Fields(name), " "))
}

// Key returns a registered officer key.
func (s *State) Key(id uuid.UUID) (*OfficerKey, bool) { k, ok := s.keys[id]; return k, ok }
