package names

// subCost is what substituting one consonant class for another costs (0 to 1).
// The pairs are the confusions of Latin spelling and of regional pronunciation:
// ث read t or s (Levant, Iraq), ذ read d or z, ظ read dh (Gulf, Iraq) or z, ج read g
// (Egypt) or zh, غ written g or r (French), ق read g (Bedouin, Gulf), خ written h
// (Turkish), ش written s.
var subCost = func() map[[2]byte]float64 {
	m := map[[2]byte]float64{}
	for _, p := range []struct {
		a, b byte
		c    float64
	}{
		{cTH, cT, 0.3}, {cTH, cS, 0.3}, {cDH, cD, 0.3}, {cDH, cZ, 0.3}, {cTH, cDH, 0.4},
		{cZ, cD, 0.5}, {cJ, cG, 0.3}, {cG, cK, 0.4}, {cK, cKH, 0.5}, {cKH, cH, 0.4},
		{cSH, cS, 0.4}, {cJ, cZ, 0.5}, {cT, cD, 0.7}, {cS, cZ, 0.6}, {cSH, cJ, 0.6},
		{cB, cF, 0.8}, {cN, cM, 0.8}, {cKH, cG, 0.6}, {cSH, cKH, 0.4},
	} {
		m[[2]byte{p.a, p.b}], m[[2]byte{p.b, p.a}] = p.c, p.c
	}
	return m
}()

// subTable is subCost as an array, for speed.
var subTable = func() (t [256][256]float64) {
	for i := range t {
		for j := range t[i] {
			if i != j {
				t[i][j] = 1
			}
		}
	}
	for k, c := range subCost {
		t[k[0]][k[1]] = c
	}
	return t
}()

func sub(a, b byte) float64 { return subTable[a][b] }

// indel is the cost of a consonant one spelling has and the other lacks. An h costs
// less: Latin digraphs swallow it (Adham read a-dh-am, Ishaq read i-sh-aq).
func indel(c byte) float64 {
	if c == cH {
		return 0.5
	}
	return 1
}

// vowelCost is what two vowel hints at aligned places cost: nothing when either side
// is silent or they agree, 0.5 when both speak and disagree (Hasan, Husayn), 0.2
// when only one side writes a long vowel and the other writes none in Arabic script.
func vowelCost(a, b uint8, aAr, bAr bool) float64 {
	va, vb := a&^vLong, b&^vLong
	switch {
	case va != 0 && vb != 0:
		if va&vb == 0 {
			return 0.5
		}
		return 0
	case va == 0 && vb != 0 && aAr && b&vLong != 0,
		vb == 0 && va != 0 && bAr && a&vLong != 0:
		return 0.2
	}
	return 0
}

// distance is the weighted edit distance between two words' consonant classes, with
// the vowel costs of the consonants it aligns.
func distance(a, b word) float64 {
	n, m := len(a.cons), len(b.cons)
	var b1, b2 [33]float64
	prev, cur := b1[:], b2[:]
	if m+1 > len(b1) {
		prev, cur = make([]float64, m+1), make([]float64, m+1)
	}
	prev, cur = prev[:m+1], cur[:m+1]
	for j := 1; j <= m; j++ {
		prev[j] = prev[j-1] + indel(b.cons[j-1])
	}
	for i := 1; i <= n; i++ {
		cur[0] = prev[0] + indel(a.cons[i-1])
		for j := 1; j <= m; j++ {
			d := prev[j-1] + sub(a.cons[i-1], b.cons[j-1]) + vowelCost(a.vow[i-1], b.vow[j-1], a.ar, b.ar)
			d = min(d, prev[j]+indel(a.cons[i-1]), cur[j-1]+indel(b.cons[j-1]))
			cur[j] = d
		}
		prev, cur = cur, prev
	}
	return prev[m]
}

// wordSim is how alike two words are, from 0 (nothing shared) to 1 (same key, no
// vowel conflict). Words without consonants (Aya, آية) agree only with each other.
func wordSim(a, b word) float64 {
	n := max(len(a.cons), len(b.cons))
	if n == 0 {
		return 0.9
	}
	if len(a.cons) == 0 || len(b.cons) == 0 {
		return 0
	}
	return max(1-distance(a, b)/float64(n), 0)
}
