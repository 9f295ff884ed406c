// Package names finds a person under any spelling of their name, in Arabic script or
// in Latin, and says why two names or two persons are thought to be the same.
//
// It is pure: no I/O, no clock, no network, no model. Everything it knows is in the
// tables of this package (tables.go, given.go), written for this project from the
// conventions listed in docs/names.md.
//
// # Specification
//
// Normalisation (Normalize). Arabic script: vowel marks, shadda, sukun, the dagger
// alef and tatweel are removed; أ إ آ ٱ become ا; ؤ becomes و; ئ and ى become ي; ء is
// removed; ة becomes ه; the Persian and Urdu forms ک ی ۀ ه become ك ي ه; پ چ ژ گ ڤ are
// kept as letters of their own; Arabic-Indic and Extended Arabic-Indic digits become
// ASCII digits. Latin: compatibility decomposition, combining marks removed, lower
// case; every apostrophe and modifier letter used for ʿayn and hamza (' ’ ‘ ` ´ ʿ ʾ ʼ
// ʻ) is removed; hyphens, dots, underscores and commas become spaces; runs of spaces
// become one. A text is Arabic when it holds more Arabic letters than Latin ones.
//
// Parsing (Parse). A normalised name is cut into tokens. Titles and honorifics
// (Sheikh, Hajj, Dr, Sayyid, الشيخ, الحاج …) are dropped and remembered. "Abu" and
// "Umm" with the word after them make a kunya. "bin", "ibn", "bint", "ben", "ould",
// "son of", بن, ابن, بنت make the next word a link in the nasab chain. The article
// (al, el, ul, il and the sun-letter forms ad, an, ar, as, ash, at, az, adh, ath; ال)
// joins the word after it. "Abd" and its glued forms (Abdul, Abdel, Abdur, عبد…) join
// the word after them into one compound (Abd al-Rahman); "al-Din", "ud-Din",
// "-eddine", "-uddin" (الدين) join the word before them (Nur al-Din). What is left is
// a sequence of elements: the first is the given name, the last (when there are at
// least two) the family name or nisba, and those between the nasab chain.
//
// Transliteration (Romanize, Arabize, Key). Both scripts are read into one sequence of
// consonant classes, where the letters that Latin spellings confuse share a class:
// emphatic and plain (ص/س, ض/د, ط/ت, ظ/ز), ح/ه, ق/ك (q, k, c, g in Gulf speech), and
// near classes cost less to substitute (ث th/s/t, ذ dh/z/d, ج j/g/dj, غ gh/g, خ kh/h,
// ش sh/ch). Vowels are not letters of the key: short vowels are unwritten in Arabic,
// and long ones are spelled a dozen ways in Latin. They are kept beside each consonant
// as hints (a, i, u) that count against a match only where both sides say something
// incompatible. Doubled letters count once (shadda is unwritten), a final h or ta
// marbuta is dropped (Fatima, Fatimah, Fatmeh, فاطمة), and the article is folded
// into the word it precedes (ar-Rahman, al-Rahman, الرحمن) by dropping a leading l
// of the compound's second part on both sides.
//
// Scoring (CompareNames, ComparePersons). Two words score 1 when their keys agree,
// less by the weighted edit distance of their consonant classes and by vowel
// conflicts, and are judged by a table of given-name equivalents first (Muhammad,
// Mohammed, Mohamed, محمد are one name; Hasan and Husayn are two). Two names are
// compared element by element in order, the given name against the given name, the
// chain by alignment with gaps, the family name against the family name; a name
// written family-first ("AL-BASHQALI Sami") is tried both ways. Two persons add the
// date of birth at its precision, sex, nationality, the parents' names and the place
// of origin. Every score comes with an Explanation that lists each part and how it
// matched, in English and in Arabic.
package names
