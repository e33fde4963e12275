package exchange

import "tally"

var _ tally.Reviewing = Process{}

// SubmittedTo returns the code of the party version n of a list was put to
// for review, or "" if no list-submitted step put that version to anyone.
// Authorization asks it (tally.Reviewing): a party reads a version of the
// other party's list only once it was put to it.
func (s *State) SubmittedTo(listID string, n int) string {
	l := s.lists[listID]
	if l == nil {
		return ""
	}
	for _, v := range l.versions {
		if v.n == n {
			return l.receiver
		}
	}
	return ""
}
