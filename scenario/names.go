package scenario

import (
	"strings"

	"github.com/handover-project/handover/custody"
)

// part is one element of a name: its Arabic spelling and its Latin transliterations,
// the most usual first. The Arabic and Latin names of a person are both built from
// the same parts, so they always correspond.
type part struct {
	ar  string
	lat []string
}

// Common Arabic given names. They are used only in combination with the invented
// family names below, so no generated name is the name of a real person.
var maleNames = []part{
	{"أحمد", []string{"Ahmed", "Ahmad", "Ahmet"}},
	{"محمد", []string{"Mohammed", "Muhammad", "Mohamed", "Mohammad"}},
	{"علي", []string{"Ali"}},
	{"عمر", []string{"Omar", "Umar"}},
	{"خليل", []string{"Khalil", "Halil", "Khaleel"}},
	{"حسين", []string{"Hussein", "Husayn", "Hussain"}},
	{"حسن", []string{"Hassan", "Hasan"}},
	{"إبراهيم", []string{"Ibrahim", "Ebrahim"}},
	{"يوسف", []string{"Yusuf", "Youssef", "Yousef"}},
	{"خالد", []string{"Khaled", "Khalid", "Haled"}},
	{"محمود", []string{"Mahmoud", "Mahmud"}},
	{"عبد الله", []string{"Abdullah", "Abdallah", "Abd Allah"}},
	{"عبد الرحمن", []string{"Abdulrahman", "Abd al-Rahman", "Abderrahmane"}},
	{"مصطفى", []string{"Mustafa", "Moustafa", "Mostafa"}},
	{"صالح", []string{"Saleh", "Salih"}},
	{"طارق", []string{"Tariq", "Tarek", "Tareq"}},
	{"وليد", []string{"Walid", "Waleed"}},
	{"جمال", []string{"Jamal", "Gamal"}},
	{"ناصر", []string{"Nasser", "Nasir", "Naser"}},
	{"كريم", []string{"Karim", "Kareem"}},
	{"حمزة", []string{"Hamza", "Hamzah"}},
	{"بلال", []string{"Bilal"}},
	{"فيصل", []string{"Faisal", "Faysal"}},
	{"ياسين", []string{"Yassin", "Yasin", "Yassine"}},
	{"أنس", []string{"Anas"}},
	{"أسامة", []string{"Osama", "Usama", "Oussama"}},
	{"زياد", []string{"Ziad", "Ziyad"}},
	{"عدنان", []string{"Adnan"}},
	{"ماجد", []string{"Majid", "Majed", "Maged"}},
	{"قاسم", []string{"Qasim", "Kassem", "Kasim"}},
	{"رشيد", []string{"Rashid", "Rachid"}},
	{"سامي", []string{"Sami", "Samy"}},
	{"جاسم", []string{"Jasim", "Jassem"}},
	{"مراد", []string{"Murad", "Mourad"}},
	{"نبيل", []string{"Nabil", "Nabeel"}},
	{"يونس", []string{"Younis", "Yunus", "Younes"}},
	{"سليمان", []string{"Sulaiman", "Suleiman", "Soliman"}},
	{"أيمن", []string{"Ayman", "Aymen"}},
	{"فاضل", []string{"Fadel", "Fadil"}},
	{"إسماعيل", []string{"Ismail", "Ismael"}},
}

var femaleNames = []part{
	{"فاطمة", []string{"Fatima", "Fatma", "Fatimah"}},
	{"عائشة", []string{"Aisha", "Aicha", "Aysha"}},
	{"خديجة", []string{"Khadija", "Khadijah", "Hadija"}},
	{"مريم", []string{"Maryam", "Mariam", "Meryem"}},
	{"زينب", []string{"Zainab", "Zeinab", "Zaynab"}},
	{"أمينة", []string{"Amina", "Aminah"}},
	{"حنان", []string{"Hanan"}},
	{"سميرة", []string{"Samira", "Sameera"}},
	{"ليلى", []string{"Layla", "Leila", "Laila"}},
	{"هدى", []string{"Huda", "Houda", "Hoda"}},
	{"نور", []string{"Nour", "Noor", "Nur"}},
	{"سلمى", []string{"Salma"}},
	{"أسماء", []string{"Asma", "Asmaa"}},
	{"صفية", []string{"Safiya", "Safia", "Safiyya"}},
	{"هاجر", []string{"Hajar", "Hagar"}},
	{"سمية", []string{"Sumaya", "Soumaya", "Sumayyah"}},
	{"رقية", []string{"Ruqaya", "Roukaya", "Ruqayyah"}},
	{"إيمان", []string{"Iman", "Eman"}},
	{"رحمة", []string{"Rahma", "Rahmah"}},
	{"آمنة", []string{"Amna", "Amena"}},
}

// Invented family (nisba) names, with the transliterations of their stem.
var familyNames = []part{
	family("الكرماوي", "Karmawi", "Karmaoui"), family("البرقاني", "Barqani", "Barkani", "Burqani"),
	family("الزهراوني", "Zahrawani", "Zahraouni"), family("الخضيراتي", "Khudayrati", "Khudeirati", "Hudayrati"),
	family("الجرفاني", "Jarfani", "Garfani"), family("الطلحاوي", "Talhawi", "Talhaoui"),
	family("القصيباتي", "Qusaybati", "Kusaybati", "Qsaybati"), family("الشويحاني", "Shuwayhani", "Shuwaihani", "Chouwayhani"),
	family("الحديباوي", "Hudaybawi", "Hudaibawi", "Houdaybaoui"), family("السلموني", "Salmuni", "Salmouni"),
	family("القرنابي", "Qarnabi", "Karnabi"), family("الصدراوي", "Sudrawi", "Soudraoui"),
	family("المزحفي", "Mazhafi", "Mezhafi"), family("الغويربي", "Ghuwayrbi", "Ghouwairbi"),
	family("الرطباني", "Rutbani", "Routbani"), family("البشقلي", "Bashqali", "Bachkali"),
	family("الكفرناوي", "Kafarnawi", "Kafarnaoui"), family("العليواتي", "Aliwati", "Aliouati"),
	family("الجبيلاوي", "Jubaylawi", "Jubailawi", "Jbeilaoui"), family("الخرباوي", "Kharbawi", "Harbawi", "Kharbaoui"),
	family("النجماوي", "Najmawi", "Nejmaoui"), family("الضاحوني", "Dahuni", "Dahouni"),
	family("الزنكاوي", "Zankawi", "Zenkaoui"), family("العرقوبي", "Arqubi", "Arkoubi"),
	family("الحويجاني", "Huwayjani", "Houwaijani"), family("البطيحاني", "Butayhani", "Boutayhani"),
	family("القيسواني", "Qaysawani", "Kaysawani"), family("الفلاحاوي", "Fallahawi", "Fellahaoui"),
	family("الصخراني", "Sakhrani", "Sahrani"), family("الموصلاني", "Mawsilani", "Mousilani"),
	family("الرقاوني", "Raqqawani", "Rakkaouani"), family("التلعفراني", "Talafarani", "Telafarani"),
	family("الحصباوي", "Hasbawi", "Hasbaoui"), family("الكبيشاتي", "Kubayshati", "Koubaychati"),
	family("النعيراتي", "Nuayrati", "Nuairati", "Nouairati"), family("الدويلعي", "Duwayli", "Doueili"),
}

// family builds a family-name part from its Arabic and its Latin stems: "al-" with
// the first stem is the usual spelling; "el-", "Al " and the assimilated article
// ("as-Salmuni") are the variants met in documents.
func family(ar string, stems ...string) part {
	p := part{ar: ar}
	add := func(s string) {
		for _, x := range p.lat {
			if x == s {
				return
			}
		}
		p.lat = append(p.lat, s)
	}
	for i, s := range stems {
		add("al-" + s)
		if i == 0 {
			add("el-" + s)
			add("Al " + s)
			if sun := sunArticle(s); sun != "" {
				add(sun + s)
			}
		}
	}
	return p
}

// sunArticle returns the assimilated article for a stem that starts with a sun
// letter ("as-" before Salmuni), or "".
func sunArticle(stem string) string {
	lower := strings.ToLower(stem)
	for _, c := range []string{"sh", "th", "dh", "t", "d", "r", "z", "s", "n"} {
		if strings.HasPrefix(lower, c) {
			return "a" + c + "-"
		}
	}
	return ""
}

// fullName is a person's name as given name, father's given name and family name.
type fullName struct {
	given, father, family part
}

// arabic is the name in Arabic script.
func (n fullName) arabic() string { return n.given.ar + " " + n.father.ar + " " + n.family.ar }

// latin spells the name with transliteration v[i] of each part (clamped to the
// variants the part has).
func (n fullName) latin(v [3]int) string {
	ps := [3]part{n.given, n.father, n.family}
	var s [3]string
	for i, p := range ps {
		s[i] = p.lat[min(v[i], len(p.lat)-1)]
	}
	return s[0] + " " + s[1] + " " + s[2]
}

// spellings returns the primary Latin spelling and up to extra other spellings
// that differ from it, each changing one or two parts.
func (g *gen) spellings(n fullName, extra int) (string, []string) {
	primary := n.latin([3]int{})
	seen := map[string]bool{primary: true}
	var out []string
	for try := 0; try < 8 && len(out) < extra; try++ {
		v := [3]int{g.n(len(n.given.lat)), g.n(len(n.father.lat)), g.n(len(n.family.lat))}
		if s := n.latin(v); !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return primary, out
}

// respell returns a Latin spelling of n other than its primary one: random
// transliterations, with the family name's changed if they happen to match.
func (g *gen) respell(n fullName) string {
	v := [3]int{g.n(len(n.given.lat)), g.n(len(n.father.lat)), g.n(len(n.family.lat))}
	if v == [3]int{} {
		v[2] = 1 + g.n(len(n.family.lat)-1)
	}
	return n.latin(v)
}

// names is the Names list of a person: the Arabic primary name, the Latin primary
// spelling, the other spellings, and the kunya in both scripts when given.
func names(ar, lat string, other []string, kunya *part) []custody.Name {
	ns := []custody.Name{
		{Text: ar, Script: custody.Arabic, Kind: custody.PrimaryName},
		{Text: lat, Script: custody.Latin, Kind: custody.PrimaryName},
	}
	for _, s := range other {
		ns = append(ns, custody.Name{Text: s, Script: custody.Latin, Kind: custody.Spelling})
	}
	if kunya != nil {
		ns = append(ns,
			custody.Name{Text: "أبو " + kunya.ar, Script: custody.Arabic, Kind: custody.Kunya},
			custody.Name{Text: "Abu " + kunya.lat[0], Script: custody.Latin, Kind: custody.Kunya})
	}
	return ns
}
