package sqlstore

import (
	"context"
	"fmt"
	"math"

	"tally"
)

func (t *tx) AddStep(ctx context.Context, s tally.Step) error {
	op := fmt.Sprintf("storing step %s of entry %d", s.Kind, s.Entry)
	if err := t.writable(op); err != nil {
		return err
	}
	_, err := t.exec(ctx, `INSERT INTO steps (entry_index, agreement_id, kind, by_code, payload, salt, recorded_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, s.Entry, s.AgreementID, s.Kind, s.By, s.Payload, s.Salt, utc(s.At))
	if err != nil {
		switch {
		case t.d.IsUnique(err):
			return &tally.Error{Code: tally.EConflict, Message: fmt.Sprintf("entry %d records a step already", s.Entry), Err: err}
		case t.d.IsForeignKey(err):
			return &tally.Error{Code: tally.ENotFound, Message: fmt.Sprintf("no agreement %s, or no log entry %d", s.AgreementID, s.Entry), Err: err}
		}
		return t.fail(op, err)
	}
	return nil
}

func (t *tx) Steps(ctx context.Context, agreementID string, fn func(tally.Step) error) error {
	op := "reading the steps of agreement " + agreementID
	// Read in pages, so that fn may use the transaction meanwhile.
	after := int64(-1)
	for {
		rows, err := t.query(ctx, `SELECT entry_index, kind, by_code, payload, salt, recorded_at FROM steps
			WHERE agreement_id = ? AND entry_index > ? ORDER BY entry_index LIMIT ?`, agreementID, after, rowsPerPage)
		if err != nil {
			return t.fail(op, err)
		}
		var page []tally.Step
		for rows.Next() {
			s := tally.Step{AgreementID: agreementID}
			if err := rows.Scan(&s.Entry, &s.Kind, &s.By, &s.Payload, &s.Salt, &s.At); err != nil {
				rows.Close()
				return t.fail(op, err)
			}
			s.At = s.At.UTC()
			page = append(page, s)
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return t.fail(op, err)
		}
		for _, s := range page {
			if err := fn(s); err != nil {
				return err
			}
		}
		if len(page) < rowsPerPage {
			return nil
		}
		after = page[len(page)-1].Entry
	}
}

func (t *tx) StepsMark(ctx context.Context, agreementID string, below int64) (count, last int64, err error) {
	if below < 0 {
		below = math.MaxInt64
	}
	err = t.queryRow(ctx, `SELECT COUNT(*), COALESCE(MAX(entry_index), -1) FROM steps
		WHERE agreement_id = ? AND entry_index < ?`, agreementID, below).Scan(&count, &last)
	if err != nil {
		return 0, 0, t.fail("reading where the steps of agreement "+agreementID+" stand", err)
	}
	return count, last, nil
}
