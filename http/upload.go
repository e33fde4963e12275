package http

import (
	"errors"
	"io"
	"mime/multipart"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"tally"
)

// uploadForm is an uploaded list's form fields and the file that follows
// them. Both the API's import and the pages' import form read it here.
type uploadForm struct {
	fields   map[string]string
	fileName string
	file     io.Reader // the file part, not yet read
}

// readUpload reads a multipart import up to its file part: the form
// fields first (each at most 1 KiB, trimmed), so that whoever reads it can
// refuse before the file is read. A field not in known is refused when
// strict, and skipped otherwise (a form's csrf field, say).
func readUpload(mr *multipart.Reader, known []string, strict bool) (uploadForm, error) {
	f := uploadForm{fields: map[string]string{}}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return f, &tally.Error{Code: tally.EInvalid, Key: "file", Message: "the upload has no file", Hint: "choose the list's file, after the other fields"}
		}
		if err != nil {
			return f, badRequest("reading the upload: %v", err)
		}
		name := part.FormName()
		if name == "file" {
			f.fileName = filepath.Base(part.FileName())
			if f.fileName == "." || f.fileName == "/" || f.fileName == "" {
				f.fileName = "upload"
			}
			f.file = part
			return f, nil
		}
		b, err := io.ReadAll(io.LimitReader(part, 1024))
		if err != nil {
			return f, badRequest("reading field %s: %v", name, err)
		}
		if !slices.Contains(known, name) {
			if strict {
				return f, &tally.Error{Code: tally.EInvalid, Key: name, Message: "unknown field " + strconv.Quote(name)}
			}
			continue
		}
		f.fields[name] = strings.TrimSpace(string(b))
	}
}
