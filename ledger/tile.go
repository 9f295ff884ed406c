package ledger

import (
	"fmt"
	"math/bits"
	"strconv"
	"strings"
)

// MaxTileLevel is the highest tile level a tile path may name.
const MaxTileLevel = 63

// A TilePath names a tile or an entry bundle of a C2SP tiled log, relative
// to the log's prefix: "tile/<L>/<N>[.p/<W>]" or "tile/entries/<N>[.p/<W>]".
type TilePath struct {
	Level   uint   // tile level L, 0..63; 0 for an entry bundle
	Entries bool   // an entry bundle rather than a tile of hashes
	Index   uint64 // tile index N
	Width   uint   // number of hashes or entries: TileWidth for a full tile, 1..255 for a partial one
}

// String returns the path of t, "tile/<L>/<N>[.p/<W>]" or
// "tile/entries/<N>[.p/<W>]". It is the inverse of [ParseTilePath] for a
// valid t.
func (t TilePath) String() string {
	b := make([]byte, 0, 48)
	b = append(b, "tile/"...)
	if t.Entries {
		b = append(b, "entries"...)
	} else {
		b = strconv.AppendUint(b, uint64(t.Level), 10)
	}
	b = append(b, '/')
	// N in groups of three digits, most significant first, all but the last
	// prefixed with 'x'.
	var groups [7]uint16 // 2^64 has 20 digits
	n, i := t.Index, len(groups)
	for {
		i--
		groups[i] = uint16(n % 1000)
		n /= 1000
		if n == 0 {
			break
		}
	}
	for ; i < len(groups); i++ {
		if i < len(groups)-1 {
			b = append(b, 'x')
		}
		g := groups[i]
		b = append(b, byte('0'+g/100), byte('0'+g/10%10), byte('0'+g%10))
		if i < len(groups)-1 {
			b = append(b, '/')
		}
	}
	if t.Width < TileWidth {
		b = append(b, ".p/"...)
		b = strconv.AppendUint(b, uint64(t.Width), 10)
	}
	return string(b)
}

// ParseTilePath parses a tile path relative to the log's prefix, as written
// by [TilePath.String]. Only the canonical form is accepted: no leading zeros
// in L or W, no leading "x000" group in N, W in 1..255. Errors wrap
// [ErrMalformed].
func ParseTilePath(p string) (TilePath, error) {
	bad := func(why string) (TilePath, error) {
		return TilePath{}, fmt.Errorf("%w: tile path %q: %s", ErrMalformed, p, why)
	}
	rest, ok := strings.CutPrefix(p, "tile/")
	if !ok {
		return bad("does not begin with tile/")
	}
	elems := strings.Split(rest, "/")
	if len(elems) < 2 {
		return bad("too few elements")
	}
	var t TilePath
	if elems[0] == "entries" {
		t.Entries = true
	} else {
		l, ok := parseDecimal(elems[0], MaxTileLevel)
		if !ok {
			return bad("level is not a decimal in 0..63")
		}
		t.Level = uint(l)
	}
	elems = elems[1:]

	t.Width = TileWidth
	if last := len(elems) - 1; last >= 1 && strings.HasSuffix(elems[last-1], ".p") {
		w, ok := parseDecimal(elems[last], TileWidth-1)
		if !ok || w == 0 {
			return bad("partial width is not a decimal in 1..255")
		}
		t.Width = uint(w)
		elems[last-1] = strings.TrimSuffix(elems[last-1], ".p")
		elems = elems[:last]
	}

	if len(elems) > 7 {
		return bad("index has too many groups")
	}
	for i, e := range elems {
		if i < len(elems)-1 {
			var ok bool
			if e, ok = strings.CutPrefix(e, "x"); !ok {
				return bad("index group without x prefix")
			}
			if i == 0 && e == "000" {
				return bad("index has a leading zero group")
			}
		}
		if len(e) != 3 || !isDigit(e[0]) || !isDigit(e[1]) || !isDigit(e[2]) {
			return bad("index group is not three digits")
		}
		g := uint64(e[0]-'0')*100 + uint64(e[1]-'0')*10 + uint64(e[2]-'0')
		hi, lo := bits.Mul64(t.Index, 1000)
		lo, carry := bits.Add64(lo, g, 0)
		if hi != 0 || carry != 0 {
			return bad("index overflows")
		}
		t.Index = lo
	}
	return t, nil
}

// parseDecimal parses s as a decimal in [0, max] with no sign and no
// leading zeros.
func parseDecimal(s string, max uint64) (uint64, bool) {
	if s == "" || len(s) > 1 && s[0] == '0' {
		return 0, false
	}
	var v uint64
	for _, c := range []byte(s) {
		if !isDigit(c) {
			return 0, false
		}
		v = v*10 + uint64(c-'0')
		if v > max {
			return 0, false
		}
	}
	return v, true
}

// within reports whether every hash or entry of t is complete in the tree of
// size leaves, that is whether (Index·256 + Width)·256^Level <= size.
func (t TilePath) within(size uint64) bool {
	hi, end := bits.Mul64(t.Index, TileWidth)
	end, carry := bits.Add64(end, uint64(t.Width), 0)
	if hi != 0 || carry != 0 {
		return false
	}
	var shift uint
	if !t.Entries {
		shift = t.Level * TileHeight
	}
	return shift < 64 && end <= size>>shift
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }
