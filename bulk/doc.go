// Package bulk reads persons from files and writes them back: CSV tagged with the
// Humanitarian Exchange Language (HXL 1.1) and JSON lines. It does no I/O of its own
// beyond the readers and writers it is given, and decides nothing: a file it reads
// is checked whole, row by row, and handed to the ledger as one command that
// registers every person or none (custody.ImportPersons).
//
// # CSV with HXL hashtags
//
// A file may open with any rows of its own (titles, column headers); the first row
// whose non-empty cells are all HXL tag specifications ("#person +name +i_ar") is the
// hashtag row, and each row after it is one person. Columns are found by their
// hashtag, never by their header, in any order; a column without a hashtag is
// ignored. Tags and attributes are compared without regard to case, attribute order
// or spacing, and a column may carry more attributes than the table asks. A hashtag
// that maps to no field is refused, unless the reader is told to ignore such
// columns, so that a misspelt tag does not lose a column silently. The table of
// hashtags, with examples, is in docs/bulk.md.
//
// Several values of one field go in several columns with the same hashtag (a second
// "#person +name +spelling", a second "#person +id +passport"), or, for nationalities
// and flags, in one cell separated by ";". The n-th columns of "#contact +name",
// "#contact +relationship", "#contact +phone", "#contact +loc" and "#contact +notify"
// describe the n-th next of kin. A date of birth's form gives its precision:
// 1990-05-12, 1990-05, 1990, or ~1990 when estimated. A household is an id, or a
// label of the file's own ("H12") that the reader turns into an id of that file.
//
// # JSON lines
//
// One person object a line, exactly the "person" of the API's registration body;
// unknown fields are refused.
//
// # Problems
//
// Reading never stops at the first problem: the Report names every bad row, its line,
// its CSV column and hashtag, and the person's field as the API names it, so that a
// registrar can fix a whole file at once.
package bulk
