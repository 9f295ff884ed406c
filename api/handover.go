package api

import (
	"context"
	"crypto/ed25519"
	"fmt"

	"github.com/google/uuid"

	"github.com/handover-project/handover/custody"
)

// A handover is recorded from the exact bytes both officers signed: the client
// sends them base64-encoded, and the server neither re-encodes nor reorders them.
// The document is custody.HandoverDocument's JSON; each signature is Ed25519 over
// the bytes, by a key registered (POST /api/v1/keys) to the officer's party.

type handoverBody struct {
	Actor      string              `json:"actor,omitempty" doc:"Ignored: the actor recorded is the signed-in user's login name"`
	Document   []byte              `json:"document" required:"true" doc:"The handover document's exact signed bytes (its JSON), base64"`
	Signatures []custody.Signature `json:"signatures" required:"true" doc:"Both officers' Ed25519 signatures over the document's bytes: key id and signature (base64)"`
}

type handoverInput struct{ Body handoverBody }

// maxHandoverDocument is the largest handover document accepted.
const maxHandoverDocument = 4 << 20

// handoverCommand checks a handover request and builds its command. The document
// is parsed here to locate its faults in the request and to date the command; the
// decision parses it again, from the same bytes, against the ledger's state.
func handoverCommand(b *handoverBody) (custody.SubmitHandover, error) {
	var cmd custody.SubmitHandover
	switch {
	case len(b.Document) == 0:
		return cmd, invalid("body.document", "is required: the signed document's bytes, base64")
	case len(b.Document) > maxHandoverDocument:
		return cmd, invalid("body.document", fmt.Sprintf("is %d bytes; at most %d", len(b.Document), maxHandoverDocument))
	}
	doc, err := custody.ParseSignedHandover(b.Document)
	if err != nil {
		return cmd, at(err, inBody)
	}
	if len(b.Signatures) != 2 {
		return cmd, invalid("body.signatures", fmt.Sprintf("a handover carries exactly two signatures, one per officer; got %d", len(b.Signatures)))
	}
	for i, g := range b.Signatures {
		loc := fmt.Sprintf("body.signatures[%d]", i)
		if g.Key == uuid.Nil {
			return cmd, invalid(loc+".key", "is required: the signing key's id")
		}
		if len(g.Sig) != ed25519.SignatureSize {
			return cmd, invalid(loc+".sig", fmt.Sprintf("an Ed25519 signature has %d bytes; got %d", ed25519.SignatureSize, len(g.Sig)))
		}
	}
	actor := b.Actor
	if actor == "" {
		actor = "api"
	}
	cmd = custody.SubmitHandover{Meta: custody.Meta{Actor: actor, OccurredAt: doc.At}, Document: b.Document, Signatures: b.Signatures}
	return cmd, nil
}

// onHandover locates refusals of a handover: the time is the document's.
var onHandover = where{"": "body", "occurred_at": "body.document.at"}

func (s *server) submitHandover(ctx context.Context, in *handoverInput) (*movementWritten, error) {
	cmd, err := handoverCommand(&in.Body)
	if err != nil {
		return nil, err
	}
	m, err := s.meta(ctx, Meta{OccurredAt: cmd.OccurredAt})
	if err != nil {
		return nil, err
	}
	cmd.Actor = m.Actor // the parties are the document's officers'
	r, err := s.submit(ctx, cmd, onHandover)
	if err != nil {
		return nil, err
	}
	doc, err := custody.ParseHandover(cmd.Document)
	if err != nil {
		return nil, err
	}
	return s.renderMovement(ctx, "body.document.movement", doc.Movement, r)
}
