// Package names is tally's name machinery: scripts and languages, Unicode
// normalization, national romanizations, Ukrainian ↔ Russian name forms and
// script-neutral matching keys. It is pure: no I/O, no global state beyond
// read-only tables.
package names
