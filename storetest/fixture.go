package storetest

import (
	"context"
	"crypto/sha256"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"golang.org/x/mod/sumdb/note"

	"github.com/handover-project/handover/custody"
	"github.com/handover-project/handover/ledger"
	"github.com/handover-project/handover/sequencer"
)

// Submitter is anything that records commands: a store, or a sequencer.
type Submitter interface {
	Submit(ctx context.Context, cmd custody.Command) (sequencer.Receipt, error)
}

// Origin is the log name the suite uses.
const Origin = "handover.test/storetest"

var (
	t0                 = time.Date(2026, 1, 20, 8, 0, 0, 0, time.UTC)
	testSkey, testVkey string
)

func init() {
	var err error
	if testSkey, testVkey, err = ledger.GenerateKey(Origin); err != nil {
		panic(err)
	}
}

// Keys returns the suite's log key pair.
func Keys() (skey, vkey string) { return testSkey, testVkey }

// Config returns the sequencer configuration the suite uses.
func Config(tb testing.TB) sequencer.Config {
	tb.Helper()
	s, err := ledger.NewSigner(testSkey)
	if err != nil {
		tb.Fatal(err)
	}
	return sequencer.Config{Origin: Origin, Signer: s}
}

// Verifier returns the verifier of the suite's log key.
func Verifier(tb testing.TB) note.Verifier {
	tb.Helper()
	v, err := ledger.NewVerifier(testVkey)
	if err != nil {
		tb.Fatal(err)
	}
	return v
}

// ID returns a fixed UUID derived from a name.
func ID(name string) uuid.UUID {
	h := sha256.Sum256([]byte(name))
	id, _ := uuid.FromBytes(h[:16])
	id[6] = id[6]&0x0f | 0x70
	id[8] = id[8]&0x3f | 0x80
	return id
}

// Meta returns command metadata for a fact that occurred at t0 plus n minutes.
func Meta(n int) custody.Meta {
	return custody.Meta{Actor: "storetest", OccurredAt: t0.Add(time.Duration(n) * time.Minute)}
}

// World submits two parties and three facilities (HSK and HOL held by SDF, IQ1 by IRQ).
func World(tb testing.TB, s Submitter) {
	tb.Helper()
	for _, p := range []custody.Party{
		{ID: ID("SDF"), Code: "SDF", Name: "Syrian Democratic Forces", Kind: custody.DetainingAuthority},
		{ID: ID("IRQ"), Code: "IRQ", Name: "Iraq, Ministry of Justice", Kind: custody.ReceivingState},
	} {
		MustSubmit(tb, s, custody.RegisterParty{Meta: Meta(0), Party: p})
	}
	for _, f := range []custody.Facility{
		{ID: ID("HSK"), Code: "HSK", Name: "Hasakah detention facility", Kind: custody.Prison, Country: "SYR", Series: "HSK",
			Capacities: map[custody.Category]int{custody.Detainee: 4000}, ControllingParty: ID("SDF")},
		{ID: ID("HOL"), Code: "HOL", Name: "al-Hol camp", Kind: custody.Camp, Country: "SYR", Series: "HOL",
			Capacities: map[custody.Category]int{custody.FamilyMember: 3000, custody.Minor: 3000}, ControllingParty: ID("SDF")},
		{ID: ID("IQ1"), Code: "IQ1", Name: "Correctional institution one", Kind: custody.CorrectionalInstitution, Country: "IRQ", Series: "IQA",
			Capacities: map[custody.Category]int{custody.Detainee: 3000}, ControllingParty: ID("IRQ")},
	} {
		MustSubmit(tb, s, custody.RegisterFacility{Meta: Meta(1), Facility: f})
	}
}

// Person returns a valid detainee record named n.
func Person(n int) custody.Person {
	nat := []string{"IRQ", "SYR", "TUN", "FRA"}[n%4]
	g, f := fixtureGiven[n%len(fixtureGiven)], fixtureFamily[n%len(fixtureFamily)]
	return custody.Person{
		ID: ID(fmt.Sprintf("person-%d", n)),
		Names: []custody.Name{
			{Text: g[1] + " " + f[1], Script: custody.Arabic, Kind: custody.PrimaryName},
			{Text: g[0] + " " + f[0], Script: custody.Latin, Kind: custody.PrimaryName},
		},
		Sex: custody.Male, Birth: custody.BirthDate{Date: "1991", Precision: custody.Year},
		Nationalities: []string{nat}, Category: custody.Detainee,
		Detention: custody.Detention{Reasons: "alleged membership of an armed group", OrderingAuthority: "SDF internal security"},
	}
}

// The given and family names of Person, Latin and Arabic: 23 and 29 (coprime),
// so that the first 667 persons differ in one or both and no two of them are
// likely duplicates (names.Threshold; a test checks it), as a registration by the
// API would refuse.
var (
	fixtureGiven = [][2]string{{"Ahmad", "أحمد"}, {"Khalid", "خالد"}, {"Omar", "عمر"}, {"Yusuf", "يوسف"}, {"Ibrahim", "إبراهيم"},
		{"Salim", "سليم"}, {"Tariq", "طارق"}, {"Faisal", "فيصل"}, {"Nabil", "نبيل"}, {"Karim", "كريم"}, {"Walid", "وليد"},
		{"Ziad", "زياد"}, {"Hamza", "حمزة"}, {"Bilal", "بلال"}, {"Mustafa", "مصطفى"}, {"Jamal", "جمال"}, {"Rami", "رامي"},
		{"Samir", "سمير"}, {"Adil", "عادل"}, {"Majid", "ماجد"}, {"Nasser", "ناصر"}, {"Hadi", "هادي"}, {"Ismail", "إسماعيل"}}
	fixtureFamily = [][2]string{{"al-Khalil", "الخليل"}, {"al-Hamdani", "الحمداني"}, {"al-Tikriti", "التكريتي"}, {"al-Kubaisi", "الكبيسي"},
		{"al-Jumaili", "الجميلي"}, {"al-Khazraji", "الخزرجي"}, {"al-Zubaidi", "الزبيدي"}, {"al-Jubouri", "الجبوري"}, {"al-Rawi", "الراوي"},
		{"al-Ani", "العاني"}, {"al-Azzawi", "العزاوي"}, {"al-Karbouli", "الكربولي"}, {"al-Mashhadani", "المشهداني"}, {"al-Qaisi", "القيسي"},
		{"al-Bayati", "البياتي"}, {"al-Saadi", "السعدي"}, {"al-Hashimi", "الهاشمي"}, {"al-Tamimi", "التميمي"}, {"al-Janabi", "الجنابي"},
		{"al-Fahdawi", "الفهداوي"}, {"al-Issawi", "العيساوي"}, {"al-Dabbagh", "الدباغ"}, {"al-Haddad", "الحداد"}, {"al-Najjar", "النجار"},
		{"al-Khatib", "الخطيب"}, {"al-Baghdadi", "البغدادي"}, {"al-Attar", "العطار"}, {"al-Halabi", "الحلبي"}, {"al-Obeidi", "العبيدي"}}
)

// MustSubmit submits a command and fails the test if it is refused.
func MustSubmit(tb testing.TB, s Submitter, cmd custody.Command) sequencer.Receipt {
	tb.Helper()
	r, err := s.Submit(context.Background(), cmd)
	if err != nil {
		tb.Fatalf("%T: %v", cmd, err)
	}
	return r
}

// MustVerify runs verify over the store and fails the test if it finds a problem.
func MustVerify(tb testing.TB, s Store) {
	tb.Helper()
	if _, err := verifyStore(s, Verifier(tb)); err != nil {
		tb.Fatalf("verify: %v", err)
	}
}
