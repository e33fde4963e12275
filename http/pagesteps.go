package http

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"tally"
	"tally/exchange"
)

// The steps of the process from the web pages. The server holds no
// party's key, so a step is signed in the browser by the page's script
// (web/static/sign.js) with the key file the signer chooses, which is read
// there and never sent. A step's form is posted twice over:
//
//   - the script posts the form with the header X-Tally-Sign: prepare; the
//     handler reads the form into the step's body, as the command line
//     reads its flags, and answers the prepared steps as JSON (as the API's
//     prepare does, http/steps.go);
//   - the script checks and signs the entries and posts them, as JSON, to
//     /steps, which records them and answers the entries' indexes.
//
// Both answer problems as JSON, which the script shows on the page. A form
// posted without the script (no header) gets a page saying what is needed.

// signHeader marks a form posted by the page's script to be prepared.
const signHeader = "X-Tally-Sign"

// stepForm reads a step's form into the steps' bodies.
type stepForm func(r *http.Request, pc *pageCtx) ([]stepBody, error)

// stepPage serves a step's form: prepared for the script to sign, or, for
// a form posted without it, a page saying what is needed.
func (s *Server) stepPage(what, command string, read stepForm) func(http.ResponseWriter, *http.Request, *pageCtx) error {
	return func(w http.ResponseWriter, r *http.Request, pc *pageCtx) error {
		a, err := s.chosenAgreement(r, pc, "")
		if err != nil {
			return s.stepProblem(w, r, err)
		}
		if err := tally.Authorize(pc.actor, tally.ActionTakeStep, tally.Resource{Agreement: a, Party: pc.actor.Org().Code}); err != nil {
			return s.stepProblem(w, r, err)
		}
		if r.Header.Get(signHeader) != "prepare" {
			return &tally.Error{Code: codeBadRequest,
				Message: what + " is signed in your browser with your side's key, and this page's script did not run",
				Hint:    "allow the page's script, choose your key file under \"Signing key\" and press the button again; or take the step with the command line, where the key is: " + command}
		}
		bodies, err := read(r, pc)
		if err != nil {
			return s.stepProblem(w, r, err)
		}
		prep, err := s.prepare(r, pc.actor, a.ID, bodies)
		if err != nil {
			return s.stepProblem(w, r, err)
		}
		return writeJSON(w, prep)
	}
}

// stepProblem answers err as problem details to the page's script, and as
// an error page to a form posted without it.
func (s *Server) stepProblem(w http.ResponseWriter, r *http.Request, err error) error {
	if r.Header.Get(signHeader) == "" {
		return err
	}
	s.writeError(w, r, err)
	return nil
}

// stepsSubmit records steps the page's script signed.
func (s *Server) stepsSubmit(w http.ResponseWriter, r *http.Request, pc *pageCtx) error {
	r.Header.Set(signHeader, "submit") // errors as problem details
	a, err := s.chosenAgreement(r, pc, "")
	if err != nil {
		return s.stepProblem(w, r, err)
	}
	if _, err := s.mayTakeSteps(r, pc.actor, a.ID); err != nil {
		return s.stepProblem(w, r, err)
	}
	var req struct {
		Steps []signedStepJSON `json:"steps"`
	}
	if err := readStepsJSON(w, r, &req); err != nil {
		return s.stepProblem(w, r, err)
	}
	entries, err := s.submit(r, pc.actor, a.ID, req.Steps)
	if err != nil {
		return s.stepProblem(w, r, err)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	return json.NewEncoder(w).Encode(recordedJSON{Entries: entries})
}

// field returns a form field, trimmed; required fields that are empty are
// an error naming the field.
func field(r *http.Request, name string, required bool) (string, error) {
	v := strings.TrimSpace(r.FormValue(name))
	if v == "" && required {
		return "", &tally.Error{Code: tally.EInvalid, Key: name, Message: "the field " + name + " is empty", Hint: "fill it in and press the button again"}
	}
	return v, nil
}

// fields reads required fields, stopping at the first empty one.
func fields(r *http.Request, names ...string) ([]string, error) {
	out := make([]string, len(names))
	for i, n := range names {
		v, err := field(r, n, true)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

func formInt(r *http.Request, name string) (int, error) {
	v, err := field(r, name, true)
	if err != nil {
		return 0, err
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, &tally.Error{Code: tally.EInvalid, Key: name, Message: "the field " + name + " is not a whole number: " + strconv.Quote(v)}
	}
	return n, nil
}

// formPerson reads a person named LIST:REF.
func formPerson(r *http.Request, name string) (exchange.PersonRef, error) {
	v, err := field(r, name, true)
	if err != nil {
		return exchange.PersonRef{}, err
	}
	list, ref, ok := strings.Cut(v, ":")
	if !ok || list == "" || ref == "" {
		return exchange.PersonRef{}, &tally.Error{Code: tally.EInvalid, Key: name, Message: "a person is named LIST:REF, not " + strconv.Quote(v)}
	}
	return exchange.PersonRef{List: strings.ToLower(list), Ref: ref}, nil
}

func one(kind string, body any) []stepBody { return []stepBody{{kind, body}} }

// stepForms are the forms of the pages' steps: what each reads.
var stepForms = map[string]stepForm{
	"answer": func(r *http.Request, pc *pageCtx) ([]stepBody, error) {
		list, err := field(r, "list", true)
		if err != nil {
			return nil, err
		}
		version, err := formInt(r, "version")
		if err != nil {
			return nil, err
		}
		if err := r.ParseForm(); err != nil {
			return nil, badRequest("the form cannot be read: %v", err)
		}
		body := exchange.ListAnswered{List: list, Version: version}
		for k, vs := range r.PostForm {
			ref, ok := strings.CutPrefix(k, "answer.")
			if !ok || len(vs) == 0 || vs[0] == "" {
				continue
			}
			text := strings.TrimSpace(r.PostForm.Get("text." + ref))
			if vs[0] == "accept" {
				body.Answers = append(body.Answers, exchange.Answer{Ref: ref, Accepted: true, Text: text})
			} else {
				body.Answers = append(body.Answers, exchange.Answer{Ref: ref, Objection: vs[0], Text: text})
			}
		}
		if len(body.Answers) == 0 {
			return nil, &tally.Error{Code: tally.EInvalid, Message: "no row has an answer", Hint: "choose accept or an objection for the rows you answer"}
		}
		// The form's order is not the list's: answer in the order of refs,
		// so the same answers sign the same.
		slices.SortFunc(body.Answers, func(a, b exchange.Answer) int { return strings.Compare(a.Ref, b.Ref) })
		return one(exchange.KindListAnswered, body), nil
	},
	"decide": func(r *http.Request, pc *pageCtx) ([]stepBody, error) {
		f, err := fields(r, "left", "left_ref", "right", "right_ref", "decision")
		if err != nil {
			return nil, err
		}
		request := exchange.PersonRef{List: f[0], Ref: f[1]}
		custody := exchange.PersonRef{List: f[2], Ref: f[3]}
		switch f[4] {
		case "accept":
			return one(exchange.KindPairConfirmed, exchange.PairConfirmed{Request: request, Custody: custody}), nil
		case "reject":
			note, _ := field(r, "note", false)
			return one(exchange.KindPairRejected, exchange.PairRejected{Request: request, Custody: custody, Text: note}), nil
		}
		return nil, &tally.Error{Code: tally.EInvalid, Key: "decision", Message: "the decision is accept or reject, not " + strconv.Quote(f[4])}
	},
	"plan": func(r *http.Request, pc *pageCtx) ([]stepBody, error) {
		f, err := fields(r, "round", "date")
		if err != nil {
			return nil, err
		}
		file, hdr, err := r.FormFile("manifest")
		if err != nil {
			return nil, &tally.Error{Code: tally.EInvalid, Key: "manifest", Message: "choose the manifest file (CSV: from, to, category, list, ref)"}
		}
		defer file.Close()
		ms, err := exchange.ReadManifests(file, hdr.Filename)
		if err != nil {
			return nil, err
		}
		return one(exchange.KindRoundPlanned, exchange.RoundPlanned{Round: f[0], Date: f[1], Manifests: ms}), nil
	},
	"approve": func(r *http.Request, pc *pageCtx) ([]stepBody, error) {
		round, err := field(r, "round", true)
		if err != nil {
			return nil, err
		}
		return one(exchange.KindRoundApproved, exchange.RoundApproved{Round: round}), nil
	},
	"handover": func(r *http.Request, pc *pageCtx) ([]stepBody, error) {
		round, err := field(r, "round", true)
		if err != nil {
			return nil, err
		}
		p, err := formPerson(r, "person")
		if err != nil {
			return nil, err
		}
		return one(exchange.KindHandedOver, exchange.HandedOver{Round: round, Person: p}), nil
	},
	"ack": func(r *http.Request, pc *pageCtx) ([]stepBody, error) {
		f, err := fields(r, "round", "status")
		if err != nil {
			return nil, err
		}
		p, err := formPerson(r, "person")
		if err != nil {
			return nil, err
		}
		note, _ := field(r, "note", false)
		return one(exchange.KindAcknowledged, exchange.Acknowledged{Round: f[0], Person: p, Status: f[1], Note: note}), nil
	},
	"remains-transfer": func(r *http.Request, pc *pageCtx) ([]stepBody, error) {
		f, err := fields(r, "stage", "category", "to")
		if err != nil {
			return nil, err
		}
		count, err := formInt(r, "count")
		if err != nil {
			return nil, err
		}
		text, _ := field(r, "tags", false)
		var tags []string
		for _, line := range strings.FieldsFunc(text, func(c rune) bool { return c == '\n' || c == ',' || c == ';' }) {
			line = strings.TrimSpace(line)
			if line == "" {
				continue
			}
			if strings.Contains(line, ":") {
				ts, err := exchange.ExpandTags(line)
				if err != nil {
					return nil, &tally.Error{Code: tally.EInvalid, Key: "tags", Message: err.Error()}
				}
				tags = append(tags, ts...)
				continue
			}
			tags = append(tags, line)
		}
		return one(exchange.KindRemainsTransferred, exchange.RemainsTransferred{Stage: f[0], Category: f[1], From: pc.actor.Org().Code,
			To: strings.ToUpper(f[2]), Count: count, Tags: tags, Mutual: r.FormValue("mutual") != ""}), nil
	},
	"remains-ack": func(r *http.Request, pc *pageCtx) ([]stepBody, error) {
		f, err := fields(r, "stage", "from")
		if err != nil {
			return nil, err
		}
		count, err := formInt(r, "count")
		if err != nil {
			return nil, err
		}
		return one(exchange.KindRemainsAcknowledged, exchange.RemainsAcknowledged{Stage: f[0], From: strings.ToUpper(f[1]), Count: count}), nil
	},
	"discrepancy": func(r *http.Request, pc *pageCtx) ([]stepBody, error) {
		id, err := formInt(r, "discrepancy")
		if err != nil {
			return nil, err
		}
		status, err := field(r, "status", true)
		if err != nil {
			return nil, err
		}
		text, _ := field(r, "text", false)
		return one(exchange.KindDiscrepancyStatus, exchange.DiscrepancyStatusSet{Discrepancy: id, Status: status, Text: text}), nil
	},
	"child-open": func(r *http.Request, pc *pageCtx) ([]stepBody, error) {
		f, err := fields(r, "case", "list", "ref")
		if err != nil {
			return nil, err
		}
		return one(exchange.KindChildCaseOpened, exchange.ChildCaseOpened{Case: f[0], Child: exchange.PersonRef{List: strings.ToLower(f[1]), Ref: f[2]}}), nil
	},
	"child-step": func(r *http.Request, pc *pageCtx) ([]stepBody, error) {
		f, err := fields(r, "case", "step")
		if err != nil {
			return nil, err
		}
		reason, _ := field(r, "reason", false)
		return one(exchange.KindChildCaseStep, exchange.ChildCaseStep{Case: f[0], Step: f[1], Reason: reason}), nil
	},
}
