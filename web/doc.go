// Package web is the presentation of tally's web interface: view models,
// html/template pages and fragments, messages in Ukrainian, Russian,
// English and Turkish, and the static assets (htmx, Pico CSS, app.css),
// all embedded. It knows nothing of storage or of HTTP routing: a server
// fills a view model, picks the language with [Negotiate] and calls
// [Renderer.Render] with an io.Writer.
//
// # Pages and fragments
//
// Each page has a view model in this package that embeds [Header] (who is
// signed in, for which side, the CSRF token):
//
//	login       LoginPage         sign in
//	error       ErrorPage         what is wrong, where, what to do
//	agreements  AgreementsPage    agreements, one agreement's terms, adding one
//	import      ImportPage        list import: form, preview with the conformity report row by row, confirm
//	match       MatchReviewPage   reconciliation: pairs side by side, per-field comparison, accept/reject
//	review      ReviewPage        list review: whose move, the answer form
//	rounds      RoundsPage        exchange rounds; with Handover set, the handover point
//	remains     RemainsPage       transfers of remains, discrepancies
//	children    ChildrenPage      children's cases
//	log         LogPage           checkpoint, witnesses, verification
//	report      ReportPage        the public report with inline SVG charts
//
// Fragments render without the layout, for htmx to swap in place:
// "progress" ([Progress], polled every second while a long task runs),
// "pair" ([PairFragment], after a decision) and "handover-person"
// ([HandoverFragment], after a handover or acknowledgement).
//
// # Routes the pages expect
//
// The pages link and post to these paths; the server provides them:
//
//	GET  /agreements /agreements/{id} /import /review /review/{list} /match
//	     /rounds /rounds/{round}/handover /remains /children /log /report
//	     /report.pdf /report.txt /report.json /static/... (Assets)
//	POST /login /logout /agreements /import /import/confirm /review/answer
//	     /match/decide /rounds/plan /rounds/approve /rounds/handover /rounds/ack
//	     /remains/transfer /remains/ack /remains/discrepancy /children/open
//	     /children/step /log/verify
//
// Every form carries the token in a hidden field named "csrf". Any page
// link may carry ?lang=xx (the language switcher does): the server should
// then set a cookie and pass it to [Negotiate]. htmx requests carry the
// header HX-Request; answer them with the fragment, others with a redirect
// to the page.
//
// # Messages
//
// Every word the pages show comes from locales/{uk,ru,en,tr}.json (go-i18n
// message files), with CLDR plural forms: one/few/many/other for Ukrainian
// and Russian, one/other for English and Turkish. A message missing from a
// language fails the render rather than show its id. Codes of the domain
// (problems, objections, fields, comparison levels, steps, statuses) are
// named through messages such as "problem.bad-date"; a code
// newer than the translations is shown as it is. Details that come from
// the domain in English (a problem's detail, an error's hint) are shown
// beneath the translated explanation, marked lang="en".
package web
