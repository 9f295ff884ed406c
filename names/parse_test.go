package names

import (
	"strings"
	"testing"
)

// parts renders a parsed name as "role:form:key" words, for table tests.
func parts(n Name) string {
	var s []string
	for _, e := range n.Elements {
		s = append(s, e.Role.String()+":"+e.Key())
	}
	for _, e := range n.Kunyas {
		s = append(s, "kunya:"+e.Key())
	}
	return strings.Join(s, " ")
}

func TestParse(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"Sami al-Bashqali", "given:sm family:bckl"},
		{"سامي البشقلي", "given:sm family:bckl"},
		{"Muhammad bin Khalid bin Umar al-Tikriti", "given:mhmd chain:xld chain:mr family:tkrt"},
		{"محمد بن خالد بن عمر التكريتي", "given:mhmd chain:xld chain:mr family:tkrt"},
		{"Abd al-Rahman", "given:abd:rhmn"},
		{"Abdurrahman", "given:abd:rhmn"},
		{"Abdel Rahman", "given:abd:rhmn"},
		{"عبدالرحمن", "given:abd:rhmn"},
		{"عبد الرحمن", "given:abd:rhmn"},
		{"Abdullah", "given:abd:l"},
		{"عبد الله", "given:abd:l"},
		{"Abdulaziz", "given:abd:zz"},
		{"Abdullatif", "given:abd:tf"},
		{"عبد اللطيف", "given:abd:tf"},
		{"Nur al-Din Zoubir", "given:din:nr family:zbr"},
		{"Nureddine Zoubir", "given:din:nr family:zbr"},
		{"نور الدين الزبير", "given:din:nr family:zbr"},
		{"Salah ad-Din", "given:din:sl"},
		{"Abu Hamza al-Masri", "given:msr kunya:abu:hmz"},
		{"أبو حمزة", "kunya:abu:hmz"},
		{"Umm Khalid", "kunya:abu:xld"},
		{"Sheikh Hajj Ahmad ash-Shami", "given:hmd family:cm"},
		{"الشيخ أحمد الشامي", "given:hmd family:cm"},
		{"Ahmad son of Khalid", "given:hmd chain:xld"},
		{"Fatimah bint Hasan", "given:ftm chain:hsn"},
		{"Aljubaylawi Sami", "given:jbl family:sm"},
		{"", ""},
		{"--- ''", ""},
	} {
		if got := parts(Parse(c.in)); got != c.want {
			t.Errorf("Parse(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestParseTitles(t *testing.T) {
	n := Parse("Dr Sheikh Omar al-Khatib")
	if len(n.Titles) != 2 || len(n.Elements) != 2 {
		t.Errorf("titles %v elements %v", n.Titles, parts(n))
	}
}

func TestCompareNames(t *testing.T) {
	same := [][2]string{
		{"سامي البشقلي", "Bashqali Sami"},
		{"Abdallah al-Jbeilaoui", "عبد الله الجبيلاوي"},
		{"abdullah jubaylawi", "عبدالله الجبيلاوي"},
		{"Mohammed Khalid al-Tikriti", "محمد بن خالد التكريتي"},
		{"Abdel Rahman el-Haddad", "عبد الرحمن الحداد"},
		{"Nureddine Zoubir", "نور الدين الزبير"},
		{"Fatmeh Hussein", "فاطمة حسين"},
		{"Aicha Ben Salah", "عائشة بن صلاح"},
		{"Houzaifa al-Jubouri", "Hudhayfa al-Juburi"},
		{"Dhafer al-Dulaimi", "ظافر الدليمي"},
		{"Thamer al-Ani", "ثامر العاني"},
		{"Chaker el-Kaabi", "شاكر الكعبي"},
		{"Djamel Abdelkader", "جمال عبد القادر"},
		{"Youcef Hocine", "يوسف حسين"},
		{"AL-SAMARRAI Usama", "أسامة السامرائي"},
	}
	for _, p := range same {
		if ex := CompareNames(Parse(p[0]), Parse(p[1])); ex.Score < 0.9 {
			t.Errorf("%q ~ %q: %s", p[0], p[1], ex.Text("en"))
		}
	}
	different := [][2]string{
		{"Hasan Ali al-Khatib", "Hussein Ali al-Khatib"},
		{"محمد خالد التكريتي", "Mahmoud Khalid al-Tikriti"},
		{"Ahmad Khalid al-Obeidi", "Khalid Omar al-Obeidi"}, // son and father
		{"Omar Khalid al-Obeidi", "Ahmad Khalid al-Obeidi"}, // brothers
		{"Sami al-Bashqali", "Sami al-Jubaylawi"},
		{"Abd al-Rahman Haddad", "Abd al-Aziz Haddad"},
		{"Umar al-Rawi", "Amr al-Rawi"},
	}
	for _, p := range different {
		if ex := CompareNames(Parse(p[0]), Parse(p[1])); ex.Score >= 0.75 {
			t.Errorf("%q ~ %q: %s", p[0], p[1], ex.Text("en"))
		}
	}
}

func TestSearchScore(t *testing.T) {
	rec := Parse("عبد الله بن أحمد الجبيلاوي")
	for _, q := range []string{"Abdallah al-Jbeilaoui", "abdullah jubaylawi", "Jubaylawi Abdullah", "عبدالله الجبيلاوي", "jubaylawi", "Abdallah"} {
		if ex := SearchScore(Parse(q), rec); ex.Score < 0.85 {
			t.Errorf("%q: %s", q, ex.Text("en"))
		}
	}
	if ex := SearchScore(Parse("Sami Bashqali"), rec); ex.Score >= 0.5 {
		t.Errorf("Sami Bashqali: %s", ex.Text("en"))
	}
	if ex := SearchScore(Parse("Bashq"), Parse("Sami al-Bashqali")); ex.Score < 0.75 || ex.Parts[0].How != Partial {
		t.Errorf("prefix: %+v", ex)
	}
}

func TestComparePersons(t *testing.T) {
	a := Prepare(Person{Names: []string{"سامي أحمد البشقلي", "Sami Ahmad al-Bashqali"}, Birth: "1990-03-04", BirthPrecision: "day", Sex: "male", Nationalities: []string{"SYR"}, Father: "أحمد"})
	b := Prepare(Person{Names: []string{"BASHQALI Sami"}, Birth: "1990", BirthPrecision: "year", Sex: "male", Nationalities: []string{"SYR"}, Father: "Ahmed"})
	if ex := ComparePersons(a, b); ex.Score < Threshold {
		t.Errorf("same person: %s", ex.Text("en"))
	}
	c := *b
	c.Sex = "female"
	if ex := ComparePersons(a, Prepare(c.Person)); ex.Score >= Threshold {
		t.Errorf("other sex: %s", ex.Text("en"))
	}
	d := b.Person
	d.Birth, d.BirthPrecision = "1971", "year"
	if ex := ComparePersons(a, Prepare(d)); ex.Score >= Threshold {
		t.Errorf("born 19 years apart: %s", ex.Text("en"))
	}
	ar := ComparePersons(a, b).Text("ar")
	if !strings.Contains(ar, "الاسم") || !strings.Contains(ar, "تاريخ الميلاد") {
		t.Errorf("Arabic explanation: %s", ar)
	}
}
