package ledger

import (
	"errors"
	"math"
	"testing"

	"pgregory.net/rapid"
)

func TestTilePathExamples(t *testing.T) {
	for _, tc := range []struct {
		path string
		tile TilePath
	}{
		{"tile/0/000", TilePath{Level: 0, Index: 0, Width: 256}},
		{"tile/0/001.p/5", TilePath{Level: 0, Index: 1, Width: 5}},
		{"tile/1/x001/234", TilePath{Level: 1, Index: 1234, Width: 256}},
		{"tile/2/x001/x234/067.p/255", TilePath{Level: 2, Index: 1234067, Width: 255}},
		{"tile/63/999", TilePath{Level: 63, Index: 999, Width: 256}},
		{"tile/entries/x001/000", TilePath{Entries: true, Index: 1000, Width: 256}},
		{"tile/entries/000.p/1", TilePath{Entries: true, Index: 0, Width: 1}},
		{"tile/0/x018/x446/x744/x073/x709/x551/615", TilePath{Index: math.MaxUint64, Width: 256}},
	} {
		got, err := ParseTilePath(tc.path)
		if err != nil || got != tc.tile {
			t.Errorf("ParseTilePath(%q) = %+v, %v; want %+v", tc.path, got, err, tc.tile)
		}
		if s := tc.tile.String(); s != tc.path {
			t.Errorf("%+v.String() = %q, want %q", tc.tile, s, tc.path)
		}
	}
}

func TestTilePathRejects(t *testing.T) {
	for _, p := range []string{
		"", "tile", "tile/", "tile/0", "tile/0/", "/tile/0/000", "tiles/0/000",
		"tile/00/000", "tile/64/000", "tile/-1/000", "tile/+1/000", "tile/a/000",
		"tile/0/0", "tile/0/00", "tile/0/0000", "tile/0/x000/001", "tile/0/001/002",
		"tile/0/x001", "tile/0/x001/x002", "tile/0/1a3", "tile/0/x1/234",
		"tile/0/000.p/0", "tile/0/000.p/256", "tile/0/000.p/05", "tile/0/000.p/", "tile/0/000.p",
		"tile/0/000.p/1/2", "tile/0/000/.p/1", "tile/entries/000.p/x",
		"tile/0/x018/x446/x744/x073/x709/x551/616", // 2^64
		"tile/0/x001/x000/x000/x000/x000/x000/x000/000",
		"tile/entries", "tile/entries/", "tile/0/000/", "tile/0//000",
	} {
		if tp, err := ParseTilePath(p); !errors.Is(err, ErrMalformed) {
			t.Errorf("ParseTilePath(%q) = %+v, %v; want ErrMalformed", p, tp, err)
		}
	}
}

func TestTilePathRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		tp := TilePath{
			Entries: rapid.Bool().Draw(t, "entries"),
			Index:   rapid.OneOf(rapid.Uint64(), rapid.Uint64Range(0, 5000)).Draw(t, "index"),
			Width:   rapid.UintRange(1, TileWidth).Draw(t, "width"),
		}
		if !tp.Entries {
			tp.Level = rapid.UintRange(0, MaxTileLevel).Draw(t, "level")
		}
		got, err := ParseTilePath(tp.String())
		if err != nil || got != tp {
			t.Fatalf("ParseTilePath(%q) = %+v, %v; want %+v", tp.String(), got, err, tp)
		}
	})
}

func TestTileWithin(t *testing.T) {
	for _, tc := range []struct {
		tile TilePath
		size uint64
		want bool
	}{
		{TilePath{Width: 256}, 255, false},
		{TilePath{Width: 256}, 256, true},
		{TilePath{Width: 255}, 255, true},
		{TilePath{Width: 1}, 0, false},
		{TilePath{Index: 1, Width: 17}, 273, true},
		{TilePath{Index: 1, Width: 17}, 272, false},
		{TilePath{Level: 1, Width: 1}, 256, true},
		{TilePath{Level: 1, Width: 1}, 255, false},
		{TilePath{Level: 1, Width: 2}, 511, false},
		{TilePath{Entries: true, Level: 1, Width: 2}, 2, true}, // level is ignored for bundles
		{TilePath{Level: 8, Width: 1}, math.MaxUint64, false},
		{TilePath{Level: 7, Width: 255}, math.MaxUint64, true},
		{TilePath{Index: math.MaxUint64, Width: 256}, math.MaxUint64, false},
		{TilePath{Index: math.MaxUint64 >> 8, Width: 255}, math.MaxUint64, true},
		{TilePath{Index: math.MaxUint64 >> 8, Width: 256}, math.MaxUint64, false},
	} {
		if got := tc.tile.within(tc.size); got != tc.want {
			t.Errorf("%+v.within(%d) = %v, want %v", tc.tile, tc.size, got, tc.want)
		}
	}
}
