package http

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"tally"
	"tally/exchange"
	"tally/ledger"
)

// The steps of the exchange process, taken through the server by a party
// whose key the server does not hold. A step is taken in two requests:
//
//  1. prepare: the client sends the steps' kinds and bodies; the server
//     writes each as the event it will store (by the signed-in person's
//     organisation, in their name, dated now), checks the steps against
//     the process as it stands, and answers with each payload, the salt its
//     entry commits to it with, and the unsigned text of the first entry;
//  2. submit: the client checks that the entry names its party, the step's
//     kind and the commitment SHA-256(salt ‖ payload) it computes itself,
//     signs it (and chains any further entries, ledger.SignChain), and
//     sends the steps back with their signed entries; the server checks
//     everything again and records them in one transaction.
//
// If the party's chain moved on in between (another step of the party was
// recorded), submit answers 409 and the client prepares again. A retried
// submit of the same signed entries records nothing twice. The command
// line (--server) and the pages' script (web/static/sign.js) are such
// clients.

// maxStepsBody bounds a steps request: a list put to review carries a ref
// and a category for each of its rows, 100,000 rows in a few MB.
const maxStepsBody = 32 << 20

type stepIn struct {
	Kind string          `json:"kind"`
	Body json.RawMessage `json:"body"`
}

type preparedStepJSON struct {
	Kind       string `json:"kind"`
	Payload    string `json:"payload"`    // the event, exactly as it is to be stored and committed to
	Salt       string `json:"salt"`       // base64
	Commitment string `json:"commitment"` // base64 SHA-256(salt ‖ payload)
}

type preparedJSON struct {
	Party string             `json:"party"` // the side taking the steps
	Key   string             `json:"key"`   // the name of the key that must sign: tally-party-CODE
	Entry string             `json:"entry"` // the unsigned text of the first step's entry
	Steps []preparedStepJSON `json:"steps"`
}

type signedStepJSON struct {
	Kind    string `json:"kind"`
	Payload string `json:"payload"`
	Salt    string `json:"salt"`  // base64, as prepared
	Entry   string `json:"entry"` // the signed entry (a signed note)
}

type recordedJSON struct {
	Entries []int64 `json:"entries"`
}

type storedStepJSON struct {
	Entry   int64  `json:"entry"`
	Kind    string `json:"kind"`
	By      string `json:"by"`
	Payload string `json:"payload"`
	Salt    string `json:"salt"`
	At      string `json:"at"`
}

type stepsJSON struct {
	Steps []storedStepJSON `json:"steps"`
}

// readStepsJSON reads a steps request's body, which may be larger than
// other JSON bodies.
func readStepsJSON(w http.ResponseWriter, r *http.Request, v any) error {
	return readJSONUpTo(w, r, v, maxStepsBody)
}

// mayTakeSteps returns the agreement if actor may take its organisation's
// steps of it: asked before anything of the request is read, so that a
// refusal says nothing of what the request held.
func (s *Server) mayTakeSteps(r *http.Request, actor tally.Actor, agreementID string) (*tally.Agreement, error) {
	ag, _, err := s.svc.Agreement(r.Context(), agreementID)
	if err != nil {
		return nil, err
	}
	if err := tally.Authorize(actor, tally.ActionTakeStep, tally.Resource{Agreement: &ag, Party: actor.Org().Code}); err != nil {
		return nil, err
	}
	return &ag, nil
}

// prepareSteps is the API's first request of a step.
func (s *Server) prepareSteps(w http.ResponseWriter, r *http.Request, actor tally.Actor) error {
	var req struct {
		Steps []stepIn `json:"steps"`
	}
	if err := readStepsJSON(w, r, &req); err != nil {
		return err
	}
	var in []stepBody
	for _, st := range req.Steps {
		body, err := exchange.DecodeBody(st.Kind, st.Body)
		if err != nil {
			return err
		}
		in = append(in, stepBody{st.Kind, body})
	}
	prep, err := s.prepare(r, actor, r.PathValue("id"), in)
	if err != nil {
		return err
	}
	return writeJSON(w, prep)
}

// stepBody is a step as a client asks for it: its kind and its body, one
// of package exchange's body types.
type stepBody struct {
	kind string
	body any
}

// prepare writes steps as events of actor's organisation in actor's name,
// and prepares them for signing.
func (s *Server) prepare(r *http.Request, actor tally.Actor, agreementID string, bodies []stepBody) (preparedJSON, error) {
	ag, err := s.mayTakeSteps(r, actor, agreementID)
	if err != nil {
		return preparedJSON{}, err
	}
	by := actor.Org().Code
	now := time.Now()
	var in []tally.StepInput
	for _, b := range bodies {
		payload, err := exchange.Encode(exchange.Event{Kind: b.kind, By: by, Actor: actor.User.Name, At: now, Body: b.body})
		if err != nil {
			return preparedJSON{}, err
		}
		in = append(in, tally.StepInput{Kind: b.kind, By: by, Payload: payload})
	}
	prep, err := s.svc.PrepareStepsFor(r.Context(), actor, agreementID, in, exchange.NewProcess(ag))
	if err != nil {
		return preparedJSON{}, err
	}
	out := preparedJSON{Party: by, Key: "tally-party-" + by, Entry: string(prep.Entry), Steps: []preparedStepJSON{}}
	for _, p := range prep.Steps {
		out.Steps = append(out.Steps, preparedStepJSON{Kind: p.Kind, Payload: string(p.Payload),
			Salt: base64.StdEncoding.EncodeToString(p.Salt), Commitment: p.Commitment.String()})
	}
	return out, nil
}

// submitSteps is the API's second request of a step.
func (s *Server) submitSteps(w http.ResponseWriter, r *http.Request, actor tally.Actor) error {
	var req struct {
		Steps []signedStepJSON `json:"steps"`
	}
	if err := readStepsJSON(w, r, &req); err != nil {
		return err
	}
	entries, err := s.submit(r, actor, r.PathValue("id"), req.Steps)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	return json.NewEncoder(w).Encode(recordedJSON{Entries: entries})
}

// submit records steps signed by actor's organisation.
func (s *Server) submit(r *http.Request, actor tally.Actor, agreementID string, steps []signedStepJSON) ([]int64, error) {
	ag, err := s.mayTakeSteps(r, actor, agreementID)
	if err != nil {
		return nil, err
	}
	if len(steps) == 0 {
		return nil, &tally.Error{Code: tally.EInvalid, Key: "steps", Message: "there is no step to record"}
	}
	var in []tally.StepInput
	for _, st := range steps {
		salt, err := base64.StdEncoding.Strict().DecodeString(st.Salt)
		if err != nil || len(salt) == 0 {
			return nil, &tally.Error{Code: tally.EInvalid, Key: "salt", Message: "the salt is not the base64 the server prepared"}
		}
		e, err := exchange.Decode([]byte(st.Payload))
		if err != nil {
			return nil, err
		}
		if e.Kind != st.Kind {
			return nil, &tally.Error{Code: tally.EInvalid, Key: "payload", Message: "the payload is an event of kind " + e.Kind + ", not " + st.Kind}
		}
		in = append(in, tally.StepInput{Kind: st.Kind, By: e.By, Payload: []byte(st.Payload), Salt: salt, Entry: []byte(st.Entry)})
	}
	// The witnesses cosign with the server's publisher (tally serve
	// --log-key), as for imports: not on the request's path, where a
	// witness out of reach would hold the signer's answer up.
	return s.svc.RecordStepsFor(r.Context(), actor, agreementID, in, exchange.NewProcess(ag))
}

// steps lists an agreement's recorded steps, for a client that replays the
// process itself (the command line against a server).
func (s *Server) steps(w http.ResponseWriter, r *http.Request, actor tally.Actor) error {
	out := stepsJSON{Steps: []storedStepJSON{}}
	err := s.svc.StepsFor(r.Context(), actor, r.PathValue("id"), func(st tally.Step) error {
		out.Steps = append(out.Steps, storedStepJSON{Entry: st.Entry, Kind: st.Kind, By: st.By, Payload: string(bytes.Clone(st.Payload)),
			Salt: base64.StdEncoding.EncodeToString(st.Salt), At: st.At.UTC().Format(time.RFC3339Nano)})
		return nil
	})
	if err != nil {
		return err
	}
	return writeJSON(w, out)
}

// prepareListEntry answers the unsigned entry that would record a version
// of a party's list, for a client that signs its import itself: it sends
// the party and the commitment SHA-256(salt ‖ file) it computed with a
// salt of its own, signs the entry, and sends it with the salt and the
// file to the import (fields salt and entry, before the file).
func (s *Server) prepareListEntry(w http.ResponseWriter, r *http.Request, actor tally.Actor) error {
	var req struct {
		Party      string `json:"party"`
		Commitment string `json:"commitment"`
	}
	if err := readJSON(w, r, &req); err != nil {
		return err
	}
	c, err := base64.StdEncoding.Strict().DecodeString(req.Commitment)
	if err != nil || len(c) != len(ledger.Hash{}) {
		return &tally.Error{Code: tally.EInvalid, Key: "commitment", Message: "the commitment is the base64 of SHA-256(salt ‖ file)"}
	}
	party := strings.ToUpper(req.Party)
	text, err := s.svc.PrepareListEntryFor(r.Context(), actor, r.PathValue("id"), party, ledger.Hash(c))
	if err != nil {
		return err
	}
	return writeJSON(w, preparedEntryJSON{Party: party, Key: ledger.PartyKeyName(party), Entry: string(text)})
}

type preparedEntryJSON struct {
	Party string `json:"party"`
	Key   string `json:"key"`   // the name of the key that must sign
	Entry string `json:"entry"` // the entry's unsigned text
}
