package exchange

import (
	"reflect"

	"tally"
)

// Process is a State as the service replays and records steps into it
// (tally.Process): each step's payload is an event as Encode writes it,
// whose kind and acting code must be the entry's.
type Process struct{ *State }

var _ tally.Process = Process{}

// NewProcess returns the empty process of agreement a.
func NewProcess(a *tally.Agreement) Process { return Process{NewState(a)} }

// Apply decodes the step's event and applies it (State.Apply).
func (p Process) Apply(entry int64, kind, by string, payload []byte) error {
	e, err := Decode(payload)
	if err != nil {
		return err
	}
	if e.Kind != kind || e.By != by {
		return tally.Errorf(tally.EInvalid, "the event is %s by %s, but its entry says %s by %s", e.Kind, e.By, kind, by)
	}
	return p.State.Apply(entry, e)
}

// KindOf returns the kind of event whose body b is (a value of one of the
// body types), or "" for anything else.
func KindOf(b any) string {
	if b == nil {
		return ""
	}
	t := reflect.TypeOf(b)
	for _, k := range kinds {
		if k.typ == t {
			return k.kind
		}
	}
	return ""
}

// Refs returns the refs of the rows of the latest version of a list under
// review, in row order.
func (s *State) Refs(listID string) ([]string, error) {
	l := s.lists[listID]
	if l == nil {
		return nil, notFound("list %s has not been put to review", listID)
	}
	v := l.latest()
	refs := make([]string, len(v.rows))
	for i, r := range v.rows {
		refs[i] = r.Ref
	}
	return refs, nil
}
