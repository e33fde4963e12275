package report

import (
	"fmt"

	"tally/exchange"
)

// Public lays out the public report of an exchange (counts only) as the
// tables every rendering shows: persons by category and direction, remains
// by stage, children, discrepancies. The caller sets the Checkpoint the
// figures were computed at.
func Public(title string, r exchange.Report) Document {
	doc := Document{Title: title, Subtitle: "Public report — counts only (Third Geneva Convention, art. 13)"}
	persons := Section{Title: "Persons, by category and direction",
		Columns: []string{"requested", "confirmed", "handed over", "acknowledged", "disputed", "not delivered"}, Empty: "No persons yet."}
	for _, c := range r.Categories {
		persons.Rows = append(persons.Rows, Row{Label: fmt.Sprintf("%s, %s → %s", c.Category, c.From, c.To),
			Values:    []int64{int64(c.Requested), int64(c.Confirmed), int64(c.HandedOver), int64(c.Acknowledged), int64(c.Disputed), int64(c.NotDelivered)},
			Highlight: c.Disputed > 0 || c.NotDelivered > 0})
	}
	remains := Section{Title: "Remains, by stage",
		Columns: []string{"handed over", "acknowledged", "identified", "unidentified"}, Empty: "No remains transferred yet."}
	for _, st := range r.Remains {
		remains.Rows = append(remains.Rows, Row{Label: fmt.Sprintf("stage %s, %s → %s", st.Stage, st.From, st.To),
			Values:    []int64{int64(st.HandedOver), int64(st.Acknowledged), int64(st.Identified), int64(st.Unidentified)},
			Highlight: !st.Awaiting && st.Acknowledged != st.HandedOver})
	}
	ch := r.Children
	children := Section{Title: "Children",
		Columns: []string{"on the lists", "cases", "located", "identity verified", "guardian consenting", "return arranged", "returned", "not found", "declined"}}
	children.Rows = []Row{{Label: "children", Values: []int64{int64(ch.OnList), int64(ch.Cases), int64(ch.Located), int64(ch.IdentityVerified),
		int64(ch.GuardianConsenting), int64(ch.ReturnArranged), int64(ch.Returned), int64(ch.NotFound), int64(ch.Declined)}}}
	disc := Section{Title: "Discrepancies", Columns: []string{"handed over", "acknowledged", "transfer entry", "acknowledgement entry"},
		Empty: "No discrepancy."}
	for _, d := range r.Discrepancies.Items {
		disc.Rows = append(disc.Rows, Row{Label: fmt.Sprintf("%d. stage %s, %s → %s: %s", d.ID, d.Stage, d.From, d.To, d.Status),
			Values: []int64{int64(d.Sent), int64(d.Received), d.TransferEntry, d.AcknowledgeEntry}, Highlight: d.Status != exchange.Resolved})
	}
	doc.Sections = []Section{persons, remains, children, disc}
	doc.Notes = []string{
		fmt.Sprintf("Every figure counts the steps held by the first %d entries of the shared record, the checkpoint above.", r.Entries),
		"Check them: tally log export, tally log verify, then replay the steps.",
	}
	return doc
}
