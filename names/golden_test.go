package names

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// TestExplanationGolden keeps the JSON form of explanations (served by the API) and
// their English and Arabic text in testdata/explain.golden.json.
func TestExplanationGolden(t *testing.T) {
	type out struct {
		A, B        string
		Explanation Explanation
		En, Ar      string
	}
	var got []out
	for _, p := range [][2]string{
		{"سامي البشقلي", "BASHQALI Sami"},
		{"عبد الله بن أحمد الجبيلاوي", "Abdallah el-Jbeilaoui"},
		{"Hasan Ali al-Khatib", "Hussein Ali al-Khatib"},
		{"أبو حمزة", "Abou Hamza"},
	} {
		ex := CompareNames(Parse(p[0]), Parse(p[1]))
		got = append(got, out{p[0], p[1], ex, ex.Text("en"), ex.Text("ar")})
	}
	b, err := json.MarshalIndent(got, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", "explain.golden.json")
	if *update {
		if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(bytes.TrimSpace(want), b) {
		t.Errorf("explanations differ from %s (go test -run TestExplanationGolden -update):\n%s", path, b)
	}
}
