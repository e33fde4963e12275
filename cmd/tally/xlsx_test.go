package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/xuri/excelize/v2"
)

// TestValidateXLSX runs validate on a workbook as a clerk saves it: a
// sheet with Ukrainian headers, a date cell formatted as a date, and the
// lines reported as the sheet's rows.
func TestValidateXLSX(t *testing.T) {
	dir := t.TempDir()
	ag := filepath.Join(dir, "a.yaml")
	os.WriteFile(ag, []byte(`id: t
date: 2025-06-02
parties: [{code: UA}, {code: RU}]
categories:
  - {id: aged-18-25, subject: prisoner, terms: all-for-all, eligibility: {age: {min: 18, max: 25}}}
`), 0o644)
	f := excelize.NewFile()
	rows := [][]any{
		{"№", "Прізвище", "Ім'я", "Дата народження", "Категорія"},
		{"UA-1", "Петренко", "Іван", "03.06.1999", "aged-18-25"},
		{},
		{"UA-2", "Коваль", "Петро", "1999-06-02", "aged-18-25"},
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(dir, "list.xlsx")
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	code := Main(context.Background(), []string{"validate", "--agreement", ag, "--json", path}, nil, &out, &errOut)
	if code != 1 {
		t.Fatalf("exit %d, stderr %s", code, errOut.String())
	}
	var got struct {
		Lists []struct {
			Rows     int
			Problems []struct {
				Line int
				Ref  string
				Code string
			}
		}
	}
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	l := got.Lists[0]
	if l.Rows != 2 || len(l.Problems) != 1 || l.Problems[0].Line != 4 || l.Problems[0].Ref != "UA-2" || l.Problems[0].Code != "not-eligible" {
		t.Fatalf("report = %+v", l)
	}
}
