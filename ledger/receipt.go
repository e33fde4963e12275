package ledger

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"

	"github.com/transparency-dev/formats/proof"
	"golang.org/x/mod/sumdb/tlog"
)

// Receipt is what an append returns: the entry's index, the entry, its
// inclusion proof and the cosigned checkpoint that holds it. It is encoded
// as a C2SP tlog-proof (c2sp.org/tlog-proof@v1) whose extra data is the
// entry, so tools that know that format can check its Merkle part.
type Receipt struct {
	Index          int64
	Entry          []byte // the encoded, signed entry
	InclusionProof tlog.RecordProof
	Checkpoint     []byte // the signed, cosigned checkpoint
}

// Encode returns the receipt as a C2SP tlog-proof.
func (r *Receipt) Encode() []byte {
	p := proof.TLogProof{Index: uint64(r.Index), Checkpoint: r.Checkpoint, ExtraData: r.Entry}
	for _, h := range r.InclusionProof {
		p.Hashes = append(p.Hashes, h)
	}
	if p.ExtraData == nil {
		p.ExtraData = []byte{}
	}
	return p.Marshal()
}

// DecodeReceipt parses a receipt. It accepts only the canonical encoding.
func DecodeReceipt(b []byte) (*Receipt, error) {
	var p proof.TLogProof
	if err := p.Unmarshal(b); err != nil {
		return nil, fmt.Errorf("ledger: receipt: %v", err)
	}
	if p.Index > 1<<62 || len(p.ExtraData) == 0 || len(p.Hashes) > 64 {
		return nil, errors.New("ledger: receipt: index out of range, no entry or too long a proof")
	}
	r := &Receipt{Index: int64(p.Index), Entry: p.ExtraData, Checkpoint: p.Checkpoint}
	for _, h := range p.Hashes {
		r.InclusionProof = append(r.InclusionProof, h)
	}
	if !bytes.Equal(r.Encode(), b) {
		return nil, errors.New("ledger: receipt is not in canonical form")
	}
	return r, nil
}

// VerifyReceipt checks a receipt against the keys alone: the checkpoint's
// signature by the log and the cosignatures of at least quorum witnesses
// (0: all of them); the inclusion proof of the entry at its index in that
// checkpoint's tree (RFC 6962, tlog.CheckRecord); the entry's signature
// under the key registered for its party; that the entry cites a smaller
// tree than the one it is in; and that it is not dated after the
// checkpoint that holds it. It returns the entry and the checkpoint.
func VerifyReceipt(r *Receipt, k Keys, quorum int) (*Entry, *Checkpoint, error) {
	v, err := k.verifiers()
	if err != nil {
		return nil, nil, err
	}
	return v.verifyReceipt(r, quorum)
}

func (v *verifiers) verifyReceipt(r *Receipt, quorum int) (*Entry, *Checkpoint, error) {
	c, _, err := v.openCheckpoint(r.Checkpoint)
	if err != nil {
		return nil, nil, fmt.Errorf("receipt: %w", err)
	}
	if err := v.checkCosignatures(c, quorum); err != nil {
		return nil, nil, fmt.Errorf("receipt: checkpoint: %w", err)
	}
	if r.Index < 0 || r.Index >= c.Size {
		return nil, nil, fmt.Errorf("receipt: entry %d is not in a tree of size %d", r.Index, c.Size)
	}
	if err := tlog.CheckRecord(r.InclusionProof, c.Size, c.Hash, r.Index, tlog.RecordHash(r.Entry)); err != nil {
		return nil, nil, fmt.Errorf("receipt: entry %d: inclusion proof does not verify against the checkpoint of size %d: %v", r.Index, c.Size, err)
	}
	e, err := DecodeEntry(r.Entry)
	if err != nil {
		return nil, nil, fmt.Errorf("receipt: entry %d: %w", r.Index, err)
	}
	if err := verifyEntrySig(r.Entry, e, v); err != nil {
		return nil, nil, fmt.Errorf("receipt: entry %d: %w", r.Index, err)
	}
	if e.Checkpoint.Size > r.Index {
		return nil, nil, fmt.Errorf("receipt: entry %d cites a checkpoint of size %d, which could not exist before it", r.Index, e.Checkpoint.Size)
	}
	if e.Time.After(c.Time) {
		return nil, nil, fmt.Errorf("receipt: entry %d is dated %s, after the checkpoint that holds it (%s)", r.Index, fmtTime(e.Time), fmtTime(c.Time))
	}
	return e, c, nil
}

// Proof is a self-contained proof that one entry is in the log: a receipt
// and, if the party chooses to disclose it, the payload and its salt, which
// anyone can check against the entry's commitment. Keys are not inside:
// the reader must hold the log's, the witnesses' and the party's.
type Proof struct {
	Receipt
	Salt    []byte // SaltSize bytes, or nil when the payload is not disclosed
	Payload []byte
}

const proofHeader = "tally/proof/v1"

// Encode returns the proof:
//
//	tally/proof/v1
//	salt <base64>        (both lines only when disclosed)
//	payload <base64>
//	<empty line>
//	<the receipt, a C2SP tlog-proof>
func (p *Proof) Encode() []byte {
	var b bytes.Buffer
	b.WriteString(proofHeader + "\n")
	if p.Salt != nil {
		fmt.Fprintf(&b, "salt %s\npayload %s\n", base64.StdEncoding.EncodeToString(p.Salt), base64.StdEncoding.EncodeToString(p.Payload))
	}
	b.WriteString("\n")
	b.Write(p.Receipt.Encode())
	return b.Bytes()
}

// DecodeProof parses a proof. It accepts only the canonical encoding.
func DecodeProof(b []byte) (*Proof, error) {
	rest, ok := bytes.CutPrefix(b, []byte(proofHeader+"\n"))
	if !ok {
		return nil, fmt.Errorf("ledger: proof does not begin %q", proofHeader)
	}
	p := &Proof{}
	if !bytes.HasPrefix(rest, []byte("\n")) {
		var salt, payload []byte
		salt, rest, _ = bytes.Cut(rest, []byte("\n"))
		payload, rest, _ = bytes.Cut(rest, []byte("\n"))
		s, ok1 := bytes.CutPrefix(salt, []byte("salt "))
		pl, ok2 := bytes.CutPrefix(payload, []byte("payload "))
		if !ok1 || !ok2 {
			return nil, errors.New("ledger: proof: expected salt and payload lines")
		}
		var err error
		if p.Salt, err = base64.StdEncoding.Strict().DecodeString(string(s)); err != nil || len(p.Salt) != SaltSize {
			return nil, fmt.Errorf("ledger: proof: salt is not %d bytes in base64", SaltSize)
		}
		if p.Payload, err = base64.StdEncoding.Strict().DecodeString(string(pl)); err != nil {
			return nil, fmt.Errorf("ledger: proof: payload is not base64: %v", err)
		}
	}
	rest, ok = bytes.CutPrefix(rest, []byte("\n"))
	if !ok {
		return nil, errors.New("ledger: proof: expected an empty line before the receipt")
	}
	r, err := DecodeReceipt(rest)
	if err != nil {
		return nil, fmt.Errorf("ledger: proof: %w", err)
	}
	p.Receipt = *r
	if !bytes.Equal(p.Encode(), b) {
		return nil, errors.New("ledger: proof is not in canonical form")
	}
	return p, nil
}

// VerifyProof checks the receipt in p (see VerifyReceipt) and, if the
// payload is disclosed, that SHA-256(salt ‖ payload) is the entry's
// commitment.
func VerifyProof(p *Proof, k Keys, quorum int) (*Entry, *Checkpoint, error) {
	e, c, err := VerifyReceipt(&p.Receipt, k, quorum)
	if err != nil {
		return nil, nil, err
	}
	if p.Salt != nil {
		if len(p.Salt) != SaltSize {
			return nil, nil, fmt.Errorf("proof: entry %d: salt is %d bytes, not %d", p.Index, len(p.Salt), SaltSize)
		}
		if Commit(p.Salt, p.Payload) != e.Commitment {
			return nil, nil, fmt.Errorf("proof: entry %d: the payload does not match the entry's commitment", p.Index)
		}
	}
	return e, c, nil
}
