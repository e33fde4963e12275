package http

import (
	"net/http"
	"time"

	"tally"
	"tally/web"
)

// The log page's latest entries and its "verify on the server" form.

// latestShown is how many of the latest entries the log page lists.
const latestShown = 20

// latestEntries returns the latest entries of a log of size entries,
// newest first.
func (s *Server) latestEntries(r *http.Request, pc *pageCtx, size int64) ([]web.EntryView, error) {
	start := max(0, size-latestShown)
	_, es, err := s.svc.LogEntriesFor(r.Context(), pc.actor, start, latestShown)
	if err != nil {
		return nil, err
	}
	out := make([]web.EntryView, 0, len(es))
	for i := len(es) - 1; i >= 0; i-- {
		e := es[i]
		out = append(out, web.EntryView{Index: e.Index, Kind: e.Entry.Kind, By: e.Entry.Party, At: e.Entry.Time})
	}
	return out, nil
}

// logVerifyForm verifies the log on the server — exported as tally log
// export writes it, then checked as tally log verify checks it — and shows
// the result on the log page. The page says why this is not the assurance
// that verifying an export on one's own machine gives: here the server
// vouches for itself.
func (s *Server) logVerifyForm(w http.ResponseWriter, r *http.Request, pc *pageCtx) error {
	if err := tally.Authorize(pc.actor, tally.ActionReadLog, tally.Resource{}); err != nil {
		return err
	}
	// One verification at a time: it reads the whole log, and a page
	// that posts it again and again must not take the server with it.
	if !s.web.verifying.CompareAndSwap(false, true) {
		return &tally.Error{Code: codeTooMany, Message: "the log is being verified for someone else right now", Hint: "wait a minute, then verify again"}
	}
	defer s.web.verifying.Store(false)
	start := time.Now()
	rep, failure, err := s.verifyOnServer(r, pc.actor)
	if err != nil {
		return err
	}
	page, err := s.logView(r, pc)
	if err != nil {
		return err
	}
	v := &web.VerifyResult{At: start.UTC(), Index: -1}
	switch {
	case failure != nil:
		v.Failure, v.Index = failureText(failure), failure.Index
		if failure.Step != "entry" {
			v.Index = -1
		}
	default:
		v.OK, v.Entries = true, rep.Size
	}
	page.Verify = v
	page.Header = pc.header
	return s.render(w, http.StatusOK, "log", pc, page)
}
