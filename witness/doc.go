// Package witness is tally's witness: a small HTTP service, run by each
// party, that cosigns the mediator's log checkpoints only while the log
// grows by appending, and the client with which the log collects those
// cosignatures before it publishes a checkpoint.
//
// A witness speaks the C2SP transparency log witness protocol,
// c2sp.org/tlog-witness (https://github.com/C2SP/C2SP/blob/main/tlog-witness.md),
// and signs cosignature/v1 cosignatures, c2sp.org/tlog-cosignature, with a
// key named tally-witness-ID (see package ledger). Any implementation of
// that protocol can stand in for it: the tests run tally's log against
// transparency-dev/witness's omniwitness as well.
//
// # The protocol
//
// The log POSTs to <prefix>/add-checkpoint a body of an old size line,
// the consistency proof from that size (0 to 63 base64 hashes, one a
// line), an empty line and the checkpoint, a signed note (c2sp.org/tlog-checkpoint):
//
//	old 120
//	PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=
//	jrJZDmY8Y7SyJE0MWLpLozkIVMSMZcD5kvuKxPC3swk=
//
//	tally-log-TR
//	135
//	CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=
//	time 2026-11-22T04:09:00.123Z
//
//	— tally-log-TR Az3grlgtzPICa5OS8npVmf1Myq/5IZni…
//
// The witness answers, in the order the specification checks:
//
//	400 Bad Request            the body is malformed, or the old size is larger than the checkpoint's
//	413 Content Too Large      the body is over MaxRequestBytes
//	404 Not Found              the checkpoint's origin is not a log the witness knows
//	403 Forbidden              no signature of that log's key verifies
//	409 Conflict               the old size is not the size of the latest checkpoint the witness
//	                           cosigned; the body is that size and a newline, Content-Type
//	                           text/x.tlog.size. Also a checkpoint of the size cosigned with
//	                           another root hash: a fork, kept as evidence (Witness.Evidence)
//	422 Unprocessable Entity   the consistency proof does not verify (or is not empty when it
//	                           must be; or a size-0 checkpoint lacks the empty tree's root)
//	200 OK                     the witness's cosignature line, after it recorded the checkpoint
//	500                        it could not record it
//
// The first checkpoint of a log a witness sees (old size 0) it trusts as
// given; after that it cosigns only checkpoints proved to extend the last
// one. So a mediator who restores an older copy of the log and appends
// other entries is refused by every witness that cosigned the original:
// with 409 if its checkpoint is smaller than, or as large as, the last one
// cosigned, with 422 if larger (no consistency proof can exist).
//
// The witness keeps, per log, the size, root hash and cosigned checkpoint
// in a JSON state file, replaced atomically (write, fsync, rename) before
// it answers, and checks and updates it under one lock, as the
// specification requires. Its guarantee lasts as long as that file: a
// witness restarted without it would cosign a rolled-back log.
//
// # The log's side
//
// Client sends one add-checkpoint request; a 409 comes back as an *Error
// carrying the witness's size. Group asks all of a log's witnesses at
// once, remembers each one's size, retries once from the size a 409
// names, verifies each cosignature under the witness's registered key,
// and returns the checkpoint with the cosignatures appended, ready for
// ledger's Log.AddCosignatures. Whether the witnesses that answered make
// the log's quorum is for the caller (ledger.CheckCosignatures).
package witness
