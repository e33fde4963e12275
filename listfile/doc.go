// Package listfile reads list files as clerks make them: CSV in UTF-8,
// Windows-1251, KOI8-U/KOI8-R, CP866 or UTF-16 with any of the usual
// delimiters, and XLSX workbooks. A Reader yields the rows of one list
// (tally.Row) and implements tally.RowReader; it streams, so a list of a
// million rows is never held whole.
//
// # Telling what a file is
//
// Open looks at the file's first bytes, not its name: a zip archive is an
// XLSX workbook, an OLE container an old .xls or a workbook locked with a
// password (both refused with a hint), anything else CSV text.
//
// For CSV, the first 64 KiB decide, and the rest of the file follows them
// through io.MultiReader, so detection never reads the whole file:
//
//   - Encoding: a byte-order mark decides (UTF-8, UTF-16); then UTF-16
//     without a mark is told by the zero bytes of its ASCII characters; NUL
//     bytes or many control characters mean the file is not a list at all;
//     valid UTF-8 is UTF-8. Otherwise the prefix is decoded as Windows-1251,
//     KOI8-U and CP866 in turn and each reading is scored for how much it
//     reads as Ukrainian or Russian: the log frequency of each Cyrillic
//     letter, the case pattern of each word ("Іваненко" and "ІВАНЕНКО" are
//     words, "іВАНЕНКО" is Windows-1251 read as KOI8, whose cases are
//     swapped), words that begin with a soft sign, box-drawing characters
//     where letters should be, Latin letters glued to Cyrillic ones. The
//     best reading wins if it reads as text at all; if none does, the file
//     is refused and Options.Encoding must name the encoding. A file that
//     begins as UTF-8 and turns out not to be is reported on the first line
//     that is not.
//   - Delimiter: the prefix is parsed with each of ';', ',' and tab; the
//     delimiter that splits the header into the most columns, without
//     giving any of the following rows more non-empty cells than the
//     header, wins.
//
// Options.Encoding and Options.Delimiter override both. Records are read
// by encoding/csv: quoted cells may hold delimiters and line breaks; a
// stray quote mark is an error on its line, explained. One record may not
// exceed Options.MaxRecordBytes (1 MiB): a byte counter between the file
// and encoding/csv, reset at each record boundary (csv.Reader.InputOffset),
// stops a file of one endless line, or a quote never closed, before it
// fills memory.
//
// XLSX is read by excelize, one sheet (the first, or Options.Sheet) row by
// row through its streaming iterator, with its unzip limits set from
// Options.MaxXLSXBytes. Dates are stored in workbooks as serial numbers and
// shown by the cell's number format; the Reader rewrites, in memory, every
// date format of the workbook's style sheet to ISO ("YYYY-MM-DD", or
// "YYYY-MM" and "YYYY" for formats without a day or month), so that a date
// reads the same whatever the clerk's regional settings showed. A row's
// Line is its sheet row.
//
// # Rows
//
// The first non-empty row is the header. Its cells are matched to fields
// by MatchHeader: case-insensitively, ignoring spaces, '_', '-', '.', ','
// and apostrophes of any kind, in English, Ukrainian and Russian, by whole
// name only ("number" is the ref, "service number" the service number).
// Columns it does not know are kept, their cells in Row.Extra in header
// order. A header that names one field twice, or no field at all, is an
// error.
//
// Rows whose cells are all blank are skipped. Missing trailing cells are
// empty; extra trailing cells are tolerated when blank (spreadsheets export
// them), and an error on that row when not. Cell values are trimmed, have
// no-break spaces made plain spaces and are put in Unicode NFC; nothing
// else changes: names are repaired and compared by the domain, not here.
//
// # Errors
//
// Every error is a *tally.Error with code tally.EInvalid, naming the file
// and, where known, the line, in one lower-case sentence with a hint of
// what to do. Errors about one row (too many cells, a cell that is not
// text) leave the Reader usable: Next goes on with the next row. Any other
// error ends the list.
//
// # Cost
//
// Reading keeps one record in memory. A clean cell of Latin or Cyrillic
// text costs no allocation: the NFC check has a fast path for runes known
// to be stable under NFC. BenchmarkReadCSV reads a million rows of 15
// columns.
package listfile
