// Package names is tally's name machinery: scripts and languages, Unicode
// normalization, the national romanizations, Ukrainian ↔ Russian name forms
// and script-neutral matching keys.
//
// The lists two parties exchange name the same people differently. A
// Ukrainian list writes Олександр Миколайович Олійник, a Russian one
// Александр Николаевич Олейник, a passport Oleksandr Oliinyk, another
// Aleksandr Oleinik; a clerk on a mixed keyboard types Олiйник with a Latin
// i. This package is what lets tally see one person in all of them. It is
// pure — no I/O, no state but read-only tables built on first use — and
// safe for concurrent use.
//
// # Cleaning a name
//
// [Normalize] puts text in Unicode NFC, makes every apostrophe form the
// ASCII one, drops stress marks and invisible characters, and collapses
// white space. [RepairLookalikes] fixes words typed with letters of the
// wrong script. Both are safe to apply to anything, and applying them again
// changes nothing.
//
// # Script and language
//
// [Detect] tells the [Script] (Latin, Cyrillic, mixed) and, for Cyrillic,
// the [Lang]: Ukrainian (і ї є ґ and the apostrophe) or Russian (ы э ъ ё).
// Most names have none of those letters (Коваленко, Олег); then weaker
// signs decide, or Ukrainian is assumed, and [Detection].Guess says so.
//
// # Romanization
//
// [RomanizeUkrainian] follows the Ukrainian national table of 2010
// (resolution No. 55 of the Cabinet of Ministers, the passports' table);
// [RomanizeRussian] follows ICAO Doc 9303 (Russian passports since 2014).
// Both keep letter case and pass through what is not Cyrillic. [Romanize]
// picks the table by language, and [Describe] puts it all together for the
// command `tally names`.
//
// # Name forms
//
// Ukrainian and Russian differ in given names (Микола, Николай), hence in
// patronymics (Миколайович, Николаевич), and in many place names (Рівне,
// Ровно; Бахмут, Артёмовск). The forms tables, in data/given.txt and
// data/places.txt with their sources, pair them: about 300 given names,
// the patronymics derived from the men's names by the grammar of each
// language, and the places whose names differ, renamed places included.
// [Forms] looks a name up.
//
// # Keys
//
// [Key] turns a [Part] of a name into a key, equal for the spellings of one
// name in both languages and in Latin letters, and different, as far as
// spelling allows, for different names; [Equivalent] compares keys. Given
// names, patronymics and places known to the tables get the key of their
// standard Ukrainian form; everything else, and every surname, gets a
// skeleton: the name in a reduced Latin alphabet
//
//	a o u e i   vowels; i is и і ї ы й and Latin i y j
//	b v g d z k l m n p r s t f
//	x  х (kh)    j  ж (zh)    c  ц (ts)    q  ч (ch)    w  ш (sh)    wq  щ
//
// with runs of one letter made one, ь ъ and the apostrophe dropped (or read
// as й before a vowel), г ґ h g one letter. Surnames further merge the
// vowels the languages swap (е є э with і и ы, ё and ьо with е), -ой with
// -ий and -ая with -а, so that Олійник, Олейник, Oliinyk and Oleinik have
// one key, and Згурський, Згурский, Zghurskyi and Zgursky another. Keys
// are for finding candidates and for exact agreement: two different people
// can share one, and a spelling far from the tables' may miss; the linkage
// that uses them weighs other evidence too.
//
// Key is fast — a few hundred nanoseconds, at most one allocation — since
// linkage calls it for every name of every list.
package names
