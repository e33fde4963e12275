// Package report renders a public report — counts only, never a name or any
// personal detail — as plain text, as one self-contained HTML page, and as a
// PDF.
//
// The renderers know nothing of agreements, lists or exchanges. They lay out
// a neutral [Document]: a title, the [Checkpoint] of the log the figures were
// computed at, and [Section]s of labelled rows of integer counts, the same
// way in all three forms, so that anyone can hold the figures against the log
// at that checkpoint. [Public] is the one bridge: it turns an exchange's
// public report (package exchange) into the tables the command line and the
// web pages both show, so that they show the same.
//
// # Output
//
//   - [Text] writes aligned columns for a terminal. Widths are measured in
//     terminal cells, not bytes, so Cyrillic and Turkish labels line up, and
//     wide East Asian characters count twice. A highlighted row is marked
//     with "!" in the left margin.
//   - [HTML] writes one page built with html/template: inline CSS, no script,
//     nothing fetched from elsewhere. Every section is a <table> with a
//     <caption> and <th scope> headers; each figure carries a small inline SVG
//     bar, scaled to the largest figure of its section, hidden from screen
//     readers since the number beside it says the same. The page prints on A4.
//   - [PDF] writes an A4 document with DejaVu Sans (regular and bold) embedded
//     as font subsets, so Ukrainian, Russian and Turkish text is rendered as
//     written. Every page's footer repeats the checkpoint's origin and size
//     and the page number.
//
// Figures are written as plain decimal integers without grouping ("1212",
// never "1 212"), so that they can be searched for and compared exactly.
//
// # Untrusted text
//
// Titles and labels are treated as untrusted. Invalid UTF-8 becomes U+FFFD;
// control characters (line breaks included: every field is one line) become
// spaces; bidirectional embedding, override and isolate controls become
// U+FFFD, so that no label can visually reorder the figures beside it. The
// PDF library cannot encode characters above U+FFFF, so in the PDF those are
// replaced by U+FFFD as well; the text and HTML forms keep them.
package report
