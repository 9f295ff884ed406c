package names

// The particle and title tables. Sources: the romanization tables of ALA-LC (Arabic,
// 2012) and BGN/PCGN (Arabic, 2017) for the article and its sun-letter forms; the
// ICAO Doc 9303 part 3 notes on Arabic names in travel documents; and the spellings
// met in French and English administrative practice in the Levant, Iraq, the Gulf
// and the Maghreb (el-, ould, -eddine, dj-, ch-, ou-). The lists are ours.

// titles are honorifics and ranks that are not part of a person's name.
var titles = set(
	"sheikh", "shaikh", "shaykh", "sheik", "cheikh", "chaikh", "shaik",
	"hajj", "haj", "hajji", "haji", "hadj", "hadji", "alhaj", "alhajj", "elhadj", "hajja", "hajjah",
	"sayyid", "sayed", "sayid", "seyyed", "syed", "sayyida", "sayeda",
	"dr", "doctor", "docteur", "prof", "professor", "eng", "engineer", "mr", "mrs", "ms", "miss", "mme", "mlle",
	"imam", "mullah", "mulla", "ustadh", "ustaz", "ustad", "qadi", "mufti",
	"الشيخ", "شيخ", "الحاج", "حاج", "الحاجه", "حاجه", "السيد", "سيد", "السيده", "د", "دكتور", "الدكتور", "المهندس", "مهندس",
	"الاستاذ", "استاذ", "الامام", "امام", "الملا", "ملا", "القاضي", "المفتي", "الامير",
)

// nasabWords make the next word a link of the nasab chain (son or daughter of).
var nasabWords = set("bin", "ibn", "ben", "bn", "b", "bint", "binti", "bent", "ould", "walad", "bnt", "بن", "ابن", "بنت", "ولد")

// kunyaWords with the next word make a kunya (father or mother of).
var kunyaWords = set("abu", "abou", "abo", "aboo", "abi", "bou", "umm", "um", "oum", "omm", "ummu", "ابو", "ابي", "ام")

// articles is the Latin article and its sun-letter assimilated forms, written apart.
var articles = set("al", "el", "ul", "il", "ol", "al", "ad", "ed", "ud", "an", "en", "un", "ar", "er", "ur",
	"as", "es", "us", "ash", "esh", "ush", "at", "et", "ut", "az", "ez", "uz", "adh", "ath")

// abdForms are the Latin spellings of "servant (of)" that start a compound name.
// The longer ones carry the article glued on (Abdul, Abdel, Abdur).
var abdForms = []string{"abdul", "abdel", "abdal", "abdol", "abdoul", "abdil", "abdur", "abdus", "abdor", "abdou", "abdu", "abdi", "abd", "abed"}

// dinSuffixes are the glued Latin spellings of "al-Din" ending a compound (Nureddine).
var dinSuffixes = []string{"uddin", "uddine", "uddeen", "eddine", "eddin", "edine", "iddin", "addin", "aldin", "eldin", "aldeen", "eldine", "oddin", "uldin", "ul din"}

// dinWords are "Din" written apart, after an article or glued to it (ad-Din, Uddin).
var dinWords = set("din", "dine", "deen", "addin", "aldin", "eldin", "uddin", "eddine", "eddin", "ddin", "الدين")

func set(ws ...string) map[string]bool {
	m := make(map[string]bool, len(ws))
	for _, w := range ws {
		m[w] = true
	}
	return m
}
