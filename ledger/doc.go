// Package ledger is tally's tamper-evident log: every submission and every
// acknowledgement is signed by the party that makes it and appended to a
// log that no one — neither party, nor the mediator who runs it — can
// rewrite, reorder, back-date or show differently to different parties
// without being caught; and any party can prove to anyone what was
// submitted, and when.
//
// The package is pure: it reads and writes no database. Storage reaches it
// through State (everything a Log has appended and signed: entries, each
// party's chain, stored hashes as golang.org/x/mod/sumdb/tlog numbers them,
// checkpoints; MemState keeps it in memory, tally's stores in their
// tables, and statetest checks an implementation) and Source (what Export
// reads); files are touched only by
// WriteKeyFiles, DirWriter, and Verify through an fs.FS. It builds on the
// maintained libraries and writes none of what they do by hand:
// golang.org/x/mod/sumdb/note for keys and signed notes,
// golang.org/x/mod/sumdb/tlog for RFC 6962 hashing, tiles and proofs,
// github.com/transparency-dev/formats for checkpoints (log), cosignatures
// (note) and proofs (proof), github.com/transparency-dev/tessera/api for
// tile paths and entry bundles, and filippo.io/age for payloads.
//
// # Keys and roles
//
// Every key is an Ed25519 signed-note key whose name says its role:
//
//	tally-party-UA     signs the entries of party UA, and nothing else
//	tally-log-TR       the mediator's log key: signs checkpoints; its name is the log's origin
//	tally-witness-UA   a witness (here, UA's own) cosigning checkpoints (C2SP tlog-cosignature)
//
// GenerateRoleKey makes one (a witness's vkey in cosignature/v1 form);
// WriteKeyFiles writes NAME.key (mode 0600, never overwriting) and
// NAME.vkey. The agreement registers the keys (Keys): a party's key must
// be named for that party, the log key for the log, and no key may be
// registered in two roles. So the mediator's key can never pass for a
// party's: an entry naming UA is accepted only under the key registered
// for UA.
//
// # Entries
//
// An entry is a signed note (C2SP signed-note) with exactly one signature,
// the party's, over this text:
//
//	tally/entry/v1
//	kind list-version
//	party UA
//	seq 3
//	prev 6kGQ…=          SHA-256 of UA's entry with seq 2 (all zero for seq 1)
//	commitment Vf3…=     SHA-256(salt ‖ payload), salt 32 random bytes
//	time 2026-11-22T04:09:00.123Z
//	checkpoint 120 q2z…= a recent checkpoint of the log: its size and root hash
//
// It carries no personal data. The payload (a list, an acknowledgement)
// stays in the store, encrypted with age to the parties entitled to read it
// (EncryptPayload); erasing it never breaks the log. Whoever holds the
// payload and salt can show they are what was committed (Proof). The
// encoding is canonical: DecodeEntry accepts exactly what Encode writes.
// The seq and prev fields chain each party's entries, so the log cannot
// drop or reorder them unnoticed; citing a checkpoint means an entry cannot
// be dated before that checkpoint, and the first checkpoint holding it
// bounds its date from above.
//
// # The log
//
// Log checks each entry before appending it (Append): the party's
// registered key signed it; seq is the party's last plus one and prev its
// last entry's hash; the cited checkpoint is one the log signed; the time
// is not before that checkpoint, not before the party's previous entry,
// and not ahead of the log's clock by more than Config.MaxSkew. The leaf is
// the entry's encoding, hashed per RFC 6962 (tlog.RecordHash). Append may
// be retried: an entry already in the log, byte for byte, is not appended
// again (its index is returned), and another entry with the same party and
// seq is refused. NextEntry fills in a party's next entry, to be signed.
//
// A Log holds no state of its own: it reads and writes its State at every
// call, so a store opens one over each transaction (OpenLog) and drops it
// after. Opened without the log's key, a Log appends and gives receipts
// but cannot publish.
//
// Publish signs a checkpoint (C2SP tlog-checkpoint: origin, size, base64
// root hash) with one extension line, "time ...", the log's clock.
// Witnesses cosign it (Witness here, omniwitness when deployed) after
// checking a consistency proof from the last one they cosigned;
// AddCosignatures keeps their cosignatures. Receipt returns, for an entry,
// its index, the entry, its inclusion proof and the cosigned checkpoint,
// verified before it is returned; a receipt is a C2SP tlog-proof whose
// extra data is the entry. A Proof adds the payload and salt, for a party
// that chooses to disclose them.
//
// # Export layout
//
// Export writes the C2SP tlog-tiles layout (c2sp.org/tlog-tiles: "tile/<L>/<N>[.p/<W>]",
// "<N>" in zero-padded three-digit path elements all but the last prefixed
// with x, and entry bundles of big-endian uint16 length-prefixed entries,
// 256 to a full bundle), plus the keys and the history of checkpoints:
//
//	checkpoint                  the latest checkpoint, signed and cosigned
//	checkpoints/<size>          every checkpoint the log signed, by decimal size
//	tile/<L>/<N>[.p/<W>]        Merkle tree tiles
//	tile/entries/<N>[.p/<W>]    entry bundles
//	keys/log.vkey               the log's key
//	keys/parties/<CODE>.vkey    each party's key
//	keys/witnesses/<ID>.vkey    each witness's cosignature/v1 key
//
// # What Verify checks
//
// Verify needs the exported files and the public keys, nothing else, and
// names the first entry or step that fails (a *VerifyError): the keys and
// their roles (and, given trusted keys, that the export holds the same);
// the checkpoint's signature and that every witness cosigned (or a given
// quorum); each past checkpoint's signature and that their times never go
// back; each entry's encoding, its signature under its party's registered
// key, its leaf hash against the level-0 tile, its place in its party's
// chain, the checkpoint it cites (which must exist, be smaller, and not be
// later than the entry), and that the first checkpoint holding it is not
// earlier than the entry; the root hash of all entries against the
// checkpoint; every tile; that every past checkpoint is of a prefix of the
// tree (so the log was only appended to); and, given an earlier checkpoint
// the verifier trusts, the consistency proof from it. Entries are read a
// few bundles at a time, their signatures checked in parallel; only the
// hashes (64 bytes an entry) stay in memory.
//
// A log rewritten from some point by the mediator, with every checkpoint
// re-signed, is consistent in itself: only what someone kept from before
// can catch it — a witness's cosigned checkpoint, a party's receipt, a
// trusted checkpoint given to Verify. That is why receipts carry
// cosignatures and every party should keep the checkpoints it sees.
package ledger
