package web

import (
	"slices"
	"strings"
	"time"

	"tally"
	"tally/report"
)

var (
	day1 = time.Date(2025, 6, 5, 9, 30, 0, 0, time.UTC)
	day2 = time.Date(2025, 6, 7, 16, 5, 0, 0, time.UTC)
)

func header(party string) Header {
	h := Header{User: "Олена Петренко", Party: party, PartyName: "Україна", CSRF: "tok3n", Path: "/review?list=ua-request",
		Agreement: AgreementRef{ID: "istanbul-2025-06-02", Title: "Стамбул, 2 червня 2025"}}
	if party == "TR" {
		h.User, h.PartyName, h.Mediator = "Ayşe Yılmaz", "Türkiye", true
	}
	return h
}

func intp(i int) *int { return &i }

// fixtures are a view model of every page, filled the way a server would.
func fixtures() map[string]any {
	min18, max25 := 18, 25
	agreement := &tally.Agreement{
		ID: "istanbul-2025-06-02", Title: "Istanbul, 2 June 2025",
		Parties:  []tally.Party{{Code: "UA", Name: "Україна"}, {Code: "RU", Name: "Россия"}},
		Mediator: &tally.Party{Code: "TR", Name: "Türkiye"},
		Categories: []tally.Category{
			{ID: "young", Title: "Aged 18 to 25", Subject: tally.SubjectPrisoner, Terms: tally.AllForAll,
				Eligibility: tally.Eligibility{Age: &tally.AgeRule{Min: &min18, Max: &max25}}},
			{ID: "wounded", Title: "Seriously wounded or ill", Subject: tally.SubjectPrisoner, Terms: tally.AllForAll,
				Eligibility: tally.Eligibility{Conditions: []string{"seriously-wounded", "seriously-ill"}}},
			{ID: "n1000", Title: "1000 for 1000", Subject: tally.SubjectPrisoner, Terms: tally.NForN, Quantity: 1000},
			{ID: "remains", Title: "Remains", Subject: tally.SubjectRemains, Terms: tally.Unilateral, From: "RU", To: "UA"},
		},
	}
	problems := []tally.Problem{
		{Line: 3, Ref: "UA-0002", Code: tally.BadDate, Field: "birth_date", Detail: "31.02.1999 is not a date"},
		{Line: 4, Ref: "UA-0003", Code: tally.NotEligible, Field: "birth_date", Category: "young", Detail: "aged 31 on 2025-06-02; the category takes 18 to 25"},
		{Line: 5, Ref: "UA-0004", Code: tally.DuplicateInList, Field: "surname", Detail: "the same person as line 2 (UA-0001)"},
		{Line: 6, Ref: "UA-0005", Code: tally.MissingField, Field: "surname", Detail: "surname is empty"},
	}
	notes := []tally.Note{{Line: 2, Ref: "UA-0001", Field: "surname", Detail: `Latin look-alike letters taken as Cyrillic: "Бiлик" → "Білик"`}}
	return map[string]any{
		"login": LoginPage{Header: Header{CSRF: "tok3n", Path: "/login"}, Name: "o.petrenko", Error: "bad-credentials", Next: "/review"},
		"error": ErrorPage{Header: header("UA"), Status: 422, Code: "invalid", File: "ua-request.csv", Line: 17, Key: "birth_date",
			Message: "31.02.1999 is not a date", Hint: "write the date as day.month.year", Back: "/import"},
		"agreements": AgreementsPage{Header: header("UA"),
			Agreements: []AgreementView{{ID: "istanbul-2025-06-02", Title: "Istanbul, 2 June 2025", Date: "2025-06-02",
				Parties: []string{"UA", "RU"}, Mediator: "TR", Categories: 4, Lists: 5}},
			Detail:   agreement,
			Problems: []tally.AgreementProblem{{Path: "categories[2].quantity", Message: "n-for-n terms need a quantity above 0"}},
			File:     "istanbul.yaml", CanAdd: true},
		"import": ImportPage{Header: header("UA"), Agreement: AgreementRef{ID: "istanbul-2025-06-02", Title: "Istanbul"},
			Parties: []string{"UA", "RU"}, Kinds: []string{"request", "custody", "remains", "children"},
			Categories: []CategoryOption{{ID: "young", Title: "Aged 18 to 25"}, {ID: "wounded", Title: "Seriously wounded or ill"}},
			Party:      "UA", Kind: "request",
			Preview: &ImportPreview{File: "ua-request.csv", Size: 2048, SHA256: "9f2c0d4e5b", Token: "up-1",
				Columns: []string{"ref", "surname", "given_name", "patronymic", "birth_date", "category"},
				Unknown: []string{"Примітка"},
				Rows: []PreviewRow{
					{Line: 2, Ref: "UA-0001", Cells: []string{"UA-0001", "Білик", "Олександр", "Миколайович", "05.06.1994", "young"}, Notes: notes},
					{Line: 3, Ref: "UA-0002", Cells: []string{"UA-0002", "Олійник", "Петро", "Іванович", "31.02.1999", "young"}, Problems: problems[:1]},
					{Line: 4, Ref: "UA-0003", Cells: []string{"UA-0003", "Шевчук", "Андрій", "", "1994", "young"}, Problems: problems[1:2]},
				},
				Total: 1000, Problems: problems, Notes: notes},
			Progress: &Progress{ID: "imp-7", Task: "import", URL: "/import/progress/imp-7", Done: 500, Total: 1000}},
		"match": MatchReviewPage{Header: header("UA"),
			Left:   ListRef{List: "ua-request", Version: 2, Party: "UA"},
			Right:  ListRef{List: "ru-custody", Version: 1, Party: "RU"},
			Fields: []string{"surname", "given_name", "patronymic", "birth_date", "service_number"},
			Pairs: []PairView{
				{LeftRef: "UA-0017", RightRef: "RU-01234", Score: 0.874, Decision: "review",
					LeftRow:  map[string]string{"surname": "Олійник", "given_name": "Олександр", "patronymic": "Миколайович", "birth_date": "05.06.1994"},
					RightRow: map[string]string{"surname": "ОЛЕЙНИК", "given_name": "Александр", "patronymic": "Николаевич", "birth_date": "06.05.1994", "service_number": "А-123"},
					Fields:   map[string]string{"surname": "equivalent-form", "given_name": "equivalent-form", "patronymic": "equivalent-form", "birth_date": "day-month-swapped", "service_number": "missing"}},
				{LeftRef: "UA-0018", RightRef: "RU-00007", Score: 0.999, Decision: "accepted", By: "O. Petrenko", At: day2,
					LeftRow:  map[string]string{"surname": "Коваль", "given_name": "Іван"},
					RightRow: map[string]string{"surname": "Koval", "given_name": "Ivan"},
					Fields:   map[string]string{"surname": "equivalent-form", "given_name": "equivalent-form"}},
			},
			LeftOnly: 21, RightOnly: 5,
			Progress: &Progress{ID: "m-1", Task: "match", URL: "/match/progress/m-1", Finished: true, Next: "/match?left=ua-request&right=ru-custody"}},
		"review": ReviewPage{Header: withFlash(header("RU"), Flash{Kind: "ok", ID: "flash.answered", Data: map[string]any{"List": "ua-request"}, Count: intp(22)}),
			Lists: []ListStatusView{
				{List: "ua-request", Kind: "request", Version: 2, Submitter: "UA", Receiver: "RU", Rows: 1000, Accepted: 960, Objections: 18, Unanswered: 22, WaitingFor: "RU", Since: day1},
				{List: "ru-request", Kind: "request", Version: 1, Submitter: "RU", Receiver: "UA", Rows: 21, Accepted: 21, Since: day2},
				{List: "ua-children", Kind: "children", Version: 1, Submitter: "UA", Receiver: "RU", Rows: 2, Accepted: 1, Objections: 1, WaitingFor: "UA", Since: day2},
			},
			Answer: &AnswerForm{List: "ua-request", Version: 2, Rows: []AnswerRow{
				{Ref: "UA-0001", Name: "Білик Олександр Миколайович", Category: "young"},
				{Ref: "UA-0002", Name: "Олійник Петро", Category: "young", Answered: true, Objection: "not-in-custody"},
				{Ref: "UA-0003", Name: "Шевчук Андрій", Category: "young", Answered: true, Accepted: true},
			}},
			Objections: []string{"not-eligible", "not-in-custody", "unknown-person", "already-exchanged", "duplicate", "other"}},
		"rounds": RoundsPage{Header: header("TR"),
			Rounds: []RoundView{{Round: "1", Date: "2025-06-20", PlannedBy: "TR", ApprovedBy: []string{"UA"},
				Manifests: []ManifestView{{From: "RU", To: "UA", Category: "n1000", Persons: 1000, HandedOver: 998, Received: 995, Disputed: 2, NotDelivered: 1},
					{From: "UA", To: "RU", Category: "n1000", Persons: 1000, HandedOver: 1000, Received: 1000}}, Unlisted: 1},
				{Round: "2", Date: "2025-06-27", PlannedBy: "TR", ApprovedBy: []string{"UA", "RU"}, Approved: true, Complete: true}}},
		"handover": RoundsPage{Header: header("UA"),
			Handover: &HandoverView{Round: "1", Date: "2025-06-20", Persons: []HandoverPerson{
				{List: "ru-custody", Ref: "RU-0007", Name: "Коваль Іван Петрович", BirthDate: "1990-03-01", From: "RU", To: "UA", Category: "n1000", HandedOver: true, CanAcknowledge: true},
				{List: "ua-custody", Ref: "UA-C-0001", Name: "Смирнов Алексей", From: "UA", To: "RU", Category: "n1000", CanHandOver: true},
				{List: "ru-custody", Ref: "RU-0008", Name: "Бондар Олег", From: "RU", To: "UA", HandedOver: true, Acknowledgement: "received-identified"},
			}}},
		"remains": RemainsPage{Header: header("UA"),
			Transfers: []TransferView{{Stage: "1", Category: "remains", From: "RU", To: "UA", Count: 1212, Tags: 1212, Acknowledged: true, AckCount: 1200, Identified: 310, Unidentified: 12},
				{Stage: "2", Category: "remains", From: "RU", To: "UA", Count: 21, CanAcknowledge: true}},
			Discrepancies: []DiscrepancyView{{ID: 1, Stage: "1", From: "RU", To: "UA", Sent: 1212, Received: 1200, Status: "explained", Opened: day1,
				History: []StepView{{Status: "open", By: "UA", Actor: "Clerk O.", At: day1}, {Status: "explained", By: "RU", Actor: "Clerk M.", At: day2, Text: "12 bodies counted twice"}},
				Next:    []string{"disputed", "resolved"}}},
			Categories: []CategoryOption{{ID: "remains", Title: "Remains"}}, Parties: []string{"UA", "RU"}},
		"children": ChildrenPage{Header: header("UA"),
			Cases: []ChildCaseView{{Case: "c01", List: "ua-children", Ref: "CH-001", Name: "Марія К.", Step: "located",
				History: []StepView{{Status: "opened", By: "UA", Actor: "Clerk O.", At: day1}, {Status: "located", By: "TR", Actor: "Ayşe", At: day2}},
				Next:    []string{"identity-verified", "declined"}},
				{Case: "c02", List: "ua-children", Ref: "CH-002", Name: "Дмитро С.", Step: "not-found", Reason: "no record at the address given"}},
			Lists: []string{"ua-children"}},
		"log": LogPage{Header: header("TR"),
			Checkpoint: report.Checkpoint{Origin: "tally.example/log/istanbul", Size: 4821, RootHash: "q2hS0mYd1o3pQ8==", Time: day2, Cosigners: []string{"witness-ua", "witness-ru"}},
			Witnesses:  []WitnessView{{Name: "witness-ua", Size: 4821, At: day2, Cosigned: true}, {Name: "witness-ru", Size: 4800, At: day1}},
			Entries:    []EntryView{{Index: 4820, Kind: "acknowledged", By: "UA", Actor: "Clerk O.", At: day2}, {Index: 4819, Kind: "list-version", By: "RU", At: day2}},
			Verify:     &VerifyResult{OK: false, Entries: 4821, At: day2, Failure: "entry 17: signature does not verify with key RU", Index: 17},
			Progress:   &Progress{ID: "v-1", Task: "verify", URL: "/log/progress/v-1", Done: 1200}},
		"report": ReportPage{Header: header("TR"), Document: report.Document{
			Title: "Istanbul, 2 June 2025", Subtitle: "Public report — counts only", Lang: "en",
			Checkpoint: report.Checkpoint{Origin: "tally.example/log/istanbul", Size: 4821, RootHash: "q2hS0mYd1o3pQ8==", Time: day2, Cosigners: []string{"witness-ua"}},
			Sections: []report.Section{
				{Title: "Persons by category", Columns: []string{"requested", "confirmed", "handed over", "acknowledged"},
					Rows: []report.Row{{Label: "n1000 RU → UA", Values: []int64{1000, 1000, 998, 995}}, {Label: "n1000 UA → RU", Values: []int64{1000, 1000, 1000, 1000}}}},
				{Title: "Remains", Columns: []string{"handed over", "acknowledged"},
					Rows: []report.Row{{Label: "stage 1 RU → UA", Values: []int64{1212, 1200}, Highlight: true}}},
				{Title: "Children", Columns: []string{"cases"}, Empty: "No case yet."},
			},
			Notes: []string{"Check each figure with: tally log verify"}}},
		"keys": SecurityKeysPage{Header: header("UA"), Confirmed: true, Keys: []SecurityKeyView{
			{ID: "AQID_w", Name: "синій ключ", Transports: []string{"usb", "nfc"}, Added: day1, LastUsed: day2},
			{ID: "Bw", Name: "laptop", Transports: []string{"internal"}, Added: day2}}},
		"keys-password": SecurityKeysPage{Header: header("UA"), Keys: []SecurityKeyView{{ID: "Bw", Name: "laptop", Added: day2}}},
		"keys-none":     SecurityKeysPage{Header: header("TR")},
		"enrol":         SecurityKeyPage{Header: header("UA"), Next: "/review?list=ua-request", First: true},
		"enrol-another": SecurityKeyPage{Header: header("UA"), Next: "/security-keys", Keys: 1, Confirmed: true},
		"enrol-cannot":  SecurityKeyPage{Header: header("UA"), Next: "/security-keys", Keys: 2},
		"verify":        SecurityKeyPage{Header: header("TR"), Next: "/rounds", Keys: 1},
		"verify-none":   SecurityKeyPage{Header: header("TR"), Next: "/rounds"},
		"verify-done":   SecurityKeyPage{Header: header("TR"), Next: "/rounds", Keys: 1, Confirmed: true},
		"admin": AdminPage{Header: func() Header { h := header("UA"); h.Admin = true; return h }(), Org: "UA", OrgName: "Україна", MinPassword: 12,
			Roles: []string{"viewer", "clerk", "signer", "admin"},
			Accounts: []AccountView{
				{Login: "o.petrenko", Name: "Олена Петренко", Roles: []string{"admin"}, Password: true, Self: true},
				{Login: "clerk-1", Name: "Іван Мельник", Roles: []string{"clerk", "signer"}, Password: true,
					Tokens: []TokenView{{ID: "9f2c0d4e5b61", CreatedAt: day1}, {ID: "00aa11bb22cc", CreatedAt: day2}}},
				{Login: "import-script", Name: "Import script", Roles: []string{"clerk"}, Tokens: []TokenView{{ID: "77aa11bb22cc", CreatedAt: day2}}},
				{Login: "left", Name: "Петро Коваль", Roles: []string{"viewer"}, Disabled: true},
			},
			NewToken: &NewTokenView{Login: "import-script", ID: "77aa11bb22cc", Token: "tally_synthetic-token-for-the-fixture"}},
	}
}

// pageOf names the template a fixture renders with.
func pageOf(fixture string) string {
	if fixture == "handover" {
		return "rounds"
	}
	// Variants of a page: "keys-none" renders with "keys".
	if page, _, ok := strings.Cut(fixture, "-"); ok && slices.Contains(Pages(), page) {
		return page
	}
	return fixture
}

func fragmentFixtures() map[string]any {
	f := fixtures()
	m := f["match"].(MatchReviewPage)
	h := f["handover"].(RoundsPage)
	return map[string]any{
		"progress":        Progress{ID: "imp-7", Task: "import", URL: "/import/progress/imp-7", Done: 2, Total: 5},
		"pair":            PairFragment{CSRF: "tok3n", Left: m.Left, Right: m.Right, Fields: m.Fields, Pair: m.Pairs[0]},
		"handover-person": HandoverFragment{CSRF: "tok3n", Round: "1", Person: h.Handover.Persons[0]},
	}
}

func withFlash(h Header, f ...Flash) Header {
	h.Flash = f
	return h
}
