package plan

import (
	"fmt"
	"strings"
)

// ReasonCode names why a person is or is not in a movement. The codes are stable;
// their texts, in English and Arabic, come from Say.
type ReasonCode string

// Why a person is in their movement.
const (
	Deadline      ReasonCode = "deadline"  // their site has a deadline; they move before it
	Late          ReasonCode = "late"      // they move, but after their site's deadline
	PriorityGroup ReasonCode = "priority"  // they are in a priority group
	Household     ReasonCode = "household" // they travel with their household
	Cleared       ReasonCode = "cleared"   // they move once their clearance is expected
	Turn          ReasonCode = "turn"      // their turn at the site comes on that day
	Kept          ReasonCode = "kept"      // a re-plan kept them where they were
)

// Why a person is not planned.
const (
	Blocked          ReasonCode = "blocked"           // safeguards missing, no clearance expected
	HouseholdBlocked ReasonCode = "household_blocked" // a household member is blocked
	NoPlaces         ReasonCode = "no_places"         // no receiving institution has a place
	TooLarge         ReasonCode = "too_large"         // the household fits no vehicle
	NoSlot           ReasonCode = "no_slot"           // no movement left within the horizon
	InHospital       ReasonCode = "in_hospital"       // hospitalised
	OnMovement       ReasonCode = "on_movement"       // already on a planned or departed movement
	NotHeld          ReasonCode = "not_held"          // not held at a facility (escaped, in transit…)
)

// Reason is one explanation, with the values its text needs.
type Reason struct {
	Code ReasonCode `json:"code"`
	Args []string   `json:"args,omitempty"`
	// Text and Unblock are filled by Plan.Render, in one language.
	Text    string `json:"text,omitempty"`
	Unblock string `json:"unblock,omitempty"`
}

// Render fills the Text and Unblock of every reason of the plan in one language.
func (pl *Plan) Render(lang string) {
	for i := range pl.Persons {
		for j := range pl.Persons[i].Reasons {
			r := &pl.Persons[i].Reasons[j]
			r.Text, r.Unblock = r.Say(lang)
		}
	}
}

// texts hold, per language, the text of each code and what would unblock the person
// (after " | "). %[1]s… are the Args.
var texts = map[string]map[ReasonCode]string{
	"en": {
		Deadline:         "%[1]s must be empty by %[2]s (%[3]s); this movement leaves before it",
		Late:             "%[1]s must be empty by %[2]s (%[3]s), but no movement is free before then | more convoys per day or an earlier start",
		PriorityGroup:    "in priority group %[1]q",
		Household:        "travels with the %[1]s members of their household",
		Cleared:          "planned from %[1]s, when their safeguards are expected to be cleared",
		Turn:             "next in turn at %[1]s",
		Kept:             "kept in the movement already planned",
		Blocked:          "blocked: lacks %[1]s, and no date for clearance is expected | record or override %[1]s, or give the date it is expected",
		HouseholdBlocked: "waits for household member %[1]s, who lacks %[2]s | clear %[1]s's safeguards",
		NoPlaces:         "no receiving institution has a free place for %[1]s | places for %[1]s at a receiving institution",
		TooLarge:         "the household of %[1]s does not fit one vehicle (largest: %[2]s seats) | a vehicle of %[1]s seats or more",
		NoSlot:           "no movement is left within the %[1]s days planned | more convoys per day or a longer horizon",
		InHospital:       "in hospital | return to their facility",
		OnMovement:       "already on movement %[1]s",
		NotHeld:          "not held at a facility (%[1]s)",
	},
	"ar": {
		Deadline:         "يجب إخلاء %[1]s قبل %[2]s (%[3]s)؛ تغادر هذه الحركة قبل ذلك",
		Late:             "يجب إخلاء %[1]s قبل %[2]s (%[3]s)، ولا توجد حركة متاحة قبل ذلك | قوافل أكثر في اليوم أو بدء أبكر",
		PriorityGroup:    "ضمن مجموعة الأولوية «%[1]s»",
		Household:        "ينتقل مع أفراد أسرته البالغ عددهم %[1]s",
		Cleared:          "مخطط له اعتباراً من %[1]s، موعد استيفاء ضماناته المتوقع",
		Turn:             "التالي في الدور في %[1]s",
		Kept:             "أُبقي في الحركة المخططة سابقاً",
		Blocked:          "موقوف: ينقصه %[1]s، ولا يُتوقع موعد لاستيفائه | سجّل %[1]s أو تجاوزه، أو حدّد الموعد المتوقع",
		HouseholdBlocked: "ينتظر فرد أسرته %[1]s الذي ينقصه %[2]s | استوفِ ضمانات %[1]s",
		NoPlaces:         "لا توجد مؤسسة مستقبلة فيها مكان شاغر لفئة %[1]s | أماكن لفئة %[1]s في مؤسسة مستقبلة",
		TooLarge:         "أسرة من %[1]s أفراد لا تتسع لها مركبة واحدة (أكبرها %[2]s مقعداً) | مركبة من %[1]s مقعداً أو أكثر",
		NoSlot:           "لا توجد حركة متبقية ضمن الأيام المخططة (%[1]s) | قوافل أكثر في اليوم أو مدة أطول",
		InHospital:       "في المستشفى | العودة إلى مرفقه",
		OnMovement:       "على الحركة %[1]s مسبقاً",
		NotHeld:          "غير محتجز في مرفق (%[1]s)",
	},
}

// Languages lists the languages Say speaks.
var Languages = []string{"en", "ar"}

// Say renders the reason in a language ("en" or "ar"; others get English), and
// what would unblock the person, if anything.
func (r Reason) Say(lang string) (text, unblock string) {
	t, ok := texts[lang]
	if !ok {
		t = texts["en"]
	}
	tmpl, ok := t[r.Code]
	if !ok {
		return string(r.Code), ""
	}
	args := make([]any, len(r.Args))
	for i, a := range r.Args {
		args[i] = a
	}
	s := fmt.Sprintf(tmpl, args...)
	text, unblock, _ = strings.Cut(s, " | ")
	return text, unblock
}

// Planned reports whether the code explains a person in a movement.
func (c ReasonCode) Planned() bool {
	switch c {
	case Deadline, Late, PriorityGroup, Household, Cleared, Turn, Kept:
		return true
	}
	return false
}
