// Package exchange is the process of an exchange under an agreement, as
// events: who may take each step, in which state, and what the steps add
// up to. It is pure: it reads no store and writes no log. The service
// appends each event to the shared record as a signed entry (the entry's
// kind is the event's Kind, its party the event's By, its commitment the
// event's canonical encoding from Encode) and applies it to a State with
// the entry's index; a State rebuilt from the log by applying every
// event in order is the same State.
//
// Every event names who takes the step (By: a party's code, or the
// mediator's) and the person who signs it (Actor). A party acts only for
// itself; the mediator takes the mediator's steps and never a party's.
// Apply refuses a step that the actor may not take, or that the present
// state does not allow, with a *tally.Error saying why in the users'
// words ("the mediator cannot act for UA: only UA can acknowledge the
// persons it receives"); a refused step changes nothing. Codes: EInvalid
// for a malformed step or one the actor may not take, ENotFound for a
// list, round, stage, discrepancy or case that does not exist, EConflict
// for a step the state does not allow now.
//
// Persons are named by rows of lists (PersonRef: ref "UA-0017" of list
// "ua-request") and remains by tags. Events hold no name or personal
// detail of a person; the Report holds none of anything but numbers,
// category ids, party codes and stage ids.
//
// # 1. List review
//
// A party submits a list for review (list-submitted, version 1): a request
// list (persons it asks the other to return), a custody list (persons it
// holds), a remains list, or a children list. The other party, the
// receiver, answers row by row (list-answered): accepted, or an objection
// — not-eligible, not-in-custody, unknown-person, already-exchanged,
// duplicate, or other with a text. It may answer in several goes; a row is
// answered once per version. The submitter answers objections with a new
// version (list-submitted, version 2, ...), which the receiver answers
// afresh. Only the submitter submits versions, only the receiver answers,
// the mediator neither. Lists says whose move it is on each list, and
// since when: the receiver's while rows are unanswered ("waiting for RU
// since 2025-06-05"), the submitter's when all are answered and some were
// objected to, nobody's once every row is accepted ("agreed since ...").
//
// # 2. The medical commission
//
// Each party appoints its own members and the mediator the neutral ones
// (commission-member-appointed). For a category whose eligibility names
// medical conditions, members vote on a person (commission-vote:
// eligible, not-eligible or re-examine), each vote recorded by the
// member's side, once per member per examination. The decision
// (commission-decided, recorded by any party or the mediator) must be the
// one a strict majority of the votes carries, with members of both
// parties having voted, and a neutral member too if any was appointed.
// Eligible and not-eligible are final; re-examine clears the votes and
// the commission votes again.
//
// # 3. Matching and rounds
//
// Matching proposes pairs between a request list and the other party's
// custody list; a party confirms a pair (pair-confirmed) or rejects it
// (pair-rejected, which withdraws a confirmed pair unless the person was
// handed over). A row is in at most one confirmed pair.
//
// A round is planned (round-planned, by either party or the mediator) with
// a manifest per direction and category, naming persons by their row on
// the sending party's custody list or the receiving party's request (or
// children) list, and, for all-for-all categories, the reasons why
// persons are left out (omissions). Until both parties approve it, it may
// be planned again, which clears the approvals. Each party approves it
// (round-approved; the mediator cannot), and each approval checks the
// balance against the terms: n-for-n — equal numbers each way in each
// category, and neither side over the agreed quantity across approved
// rounds; all-for-all — every person the sending party holds (on its
// custody list) who is confirmed eligible (the commission found them
// eligible, or a confirmed pair ties them to a request in the category
// that the commission did not find not eligible) and was not handed over
// in another round is on a manifest or has a reason; unilateral — one
// way only (checked when planned). Remains are never on a manifest.
//
// On the day, in an approved round, the sending party records each
// handover (handed-over) of a person on its manifest; the receiving party
// acknowledges each (acknowledged): received-identified or
// received-disputed after the handover, not-delivered at any time; a
// disputed identity may later be acknowledged as identified. A person
// delivered but on no manifest is recorded by either party
// (delivered-unlisted) with a ref to a description kept off the record.
//
// # 4. Remains
//
// The sending party records each stage it hands over
// (remains-transferred): count, tags (one per body, or none), and whether
// the stage is mutual (a transfer each way under one stage id). Under
// n-for-n terms a side's transfers never exceed the agreed quantity. The
// receiving party acknowledges the count it received
// (remains-acknowledged), once; if it differs from the count sent, a
// discrepancy opens holding both figures and both entries (so both
// signatures). The receiving party then records, per tag, an
// identification result (remains-identified): identified as a missing
// person (a row of a list) by a method, or still unidentified;
// unidentified may later become identified, identified is final.
//
// A discrepancy is open until a party explains it (discrepancy-status
// explained, with a text), a party disputes it (disputed; not the party
// that gave the explanation in force), or both parties agree it is
// resolved (resolved, one entry each; an explanation or dispute in
// between clears the agreement). Resolved is final. The mediator does not
// set a discrepancy's status.
//
// # 5. Children
//
// A case is opened (child-case-opened, by a party or the mediator) for a
// child on a children list whose row the other party accepted — the
// verified list — and moves, one step at a time, through located,
// identity-verified, guardian-consenting, return-arranged and returned;
// not-found ends it from opened, declined from any step after located,
// both with a reason. Each step is recorded by whichever side or the
// mediator took it; returned only by the party the child returns to, or
// by the mediator.
//
// # 6. The public report
//
// Report counts, per category and direction, the persons requested,
// confirmed, handed over and acknowledged (and disputed, not delivered,
// delivered off the manifest); per stage of remains, handed over,
// acknowledged and identified; children on the list, verified, and by
// the step their case is at; discrepancies by status with their two
// figures and entries; and Entries, how many log entries it covers. The
// publisher adds the checkpoint it was computed at.
//
// # Encoding
//
// Encode writes an event as canonical JSON ({"kind","by","actor","at",
// "body"}, body fields in a fixed order, empty ones left out, time in UTC
// to the millisecond); Decode accepts exactly that and nothing else.
package exchange
