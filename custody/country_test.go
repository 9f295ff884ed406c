package custody

import "testing"

func TestCountries(t *testing.T) {
	if got, want := len(countries), 249+4; got != want {
		t.Fatalf("%d codes, want %d", got, want)
	}
	for _, c := range []string{"IRQ", "SYR", "FRA", "XXA"} {
		if !IsCountry(c) {
			t.Errorf("IsCountry(%q) = false", c)
		}
	}
	for _, c := range []string{"", "iq", "IQ", "irq", "ZZZ"} {
		if IsCountry(c) {
			t.Errorf("IsCountry(%q) = true", c)
		}
	}
}
