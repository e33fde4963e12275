package ledger

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"filippo.io/age"
)

// Payloads stay out of the log, in the store, encrypted with age to the
// parties entitled to read them; the log holds only their commitments, so
// erasing a payload (or a recipient's copy of the key) never breaks it.

// ParseRecipients parses age X25519 recipients ("age1...").
func ParseRecipients(s ...string) ([]age.Recipient, error) {
	out := make([]age.Recipient, 0, len(s))
	for _, r := range s {
		x, err := age.ParseX25519Recipient(strings.TrimSpace(r))
		if err != nil {
			return nil, fmt.Errorf("ledger: %w", err)
		}
		out = append(out, x)
	}
	return out, nil
}

// EncryptPayload encrypts payload to every recipient: any one of their
// identities decrypts it.
func EncryptPayload(payload []byte, recipients ...age.Recipient) ([]byte, error) {
	if len(recipients) == 0 {
		return nil, fmt.Errorf("ledger: a payload needs at least one recipient")
	}
	var b bytes.Buffer
	w, err := age.Encrypt(&b, recipients...)
	if err != nil {
		return nil, fmt.Errorf("ledger: %w", err)
	}
	if _, err := w.Write(payload); err != nil {
		return nil, fmt.Errorf("ledger: %w", err)
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("ledger: %w", err)
	}
	return b.Bytes(), nil
}

// DecryptPayload decrypts a payload with one of the identities.
func DecryptPayload(ciphertext []byte, identities ...age.Identity) ([]byte, error) {
	r, err := age.Decrypt(bytes.NewReader(ciphertext), identities...)
	if err != nil {
		return nil, fmt.Errorf("ledger: %w", err)
	}
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("ledger: %w", err)
	}
	return b, nil
}
