package sqlite

import (
	"bytes"
	"io"
	"testing"

	"github.com/ncruces/go-sqlite3/vfs"
)

// memFile is a vfs.File in memory that counts writes and syncs.
type memFile struct {
	vfs.File // nil: only what walFile calls is implemented
	data     []byte
	writes   int
	synced   []byte // the data as of the last sync
}

func (m *memFile) WriteAt(p []byte, off int64) (int, error) {
	m.writes++
	if end := int(off) + len(p); end > len(m.data) {
		m.data = append(m.data, make([]byte, end-len(m.data))...)
	}
	return copy(m.data[off:], p), nil
}

func (m *memFile) ReadAt(p []byte, off int64) (int, error) {
	if int(off) >= len(m.data) {
		return 0, io.EOF
	}
	n := copy(p, m.data[off:])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

func (m *memFile) Sync(vfs.SyncFlag) error   { m.synced = bytes.Clone(m.data); return nil }
func (m *memFile) Size() (int64, error)      { return int64(len(m.data)), nil }
func (m *memFile) Truncate(size int64) error { m.data = m.data[:size]; return nil }
func (m *memFile) Close() error              { return nil }

func TestWALFileGathersWrites(t *testing.T) {
	m := &memFile{}
	f := &walFile{File: m}
	var want []byte
	write := func(p []byte, off int64) {
		t.Helper()
		buf := bytes.Clone(p)
		if n, err := f.WriteAt(buf, off); n != len(p) || err != nil {
			t.Fatalf("WriteAt: %d, %v", n, err)
		}
		clear(buf) // SQLite reuses its buffer: walFile must have copied it
		if end := int(off) + len(p); end > len(want) {
			want = append(want, make([]byte, end-len(want))...)
		}
		copy(want[off:], p)
	}
	hdr, page := bytes.Repeat([]byte{1}, 24), bytes.Repeat([]byte{2}, 4096)
	off := int64(32)
	write(bytes.Repeat([]byte{9}, 32), 0)
	for range 30 { // one commit's frames
		write(hdr, off)
		write(page, off+24)
		off += 24 + 4096
	}
	if m.writes != 0 {
		t.Fatalf("%d writes reached the file before the sync", m.writes)
	}
	if err := f.Sync(vfs.SYNC_FULL); err != nil {
		t.Fatal(err)
	}
	if m.writes != 1 || !bytes.Equal(m.synced, want) {
		t.Fatalf("after the sync: %d writes, synced data equal: %v", m.writes, bytes.Equal(m.synced, want))
	}

	// A write elsewhere (the log restarting from its beginning) writes out what was gathered.
	write(hdr, off)
	write(page, 32)
	if m.writes != 2 {
		t.Fatalf("%d writes after a write elsewhere, want 2", m.writes)
	}
	// Reads and sizes see every write.
	got := make([]byte, len(page))
	if _, err := f.ReadAt(got, 32); err != nil || !bytes.Equal(got, page) {
		t.Fatalf("ReadAt after WriteAt: %v", err)
	}
	write(page, off+24)
	if n, err := f.Size(); err != nil || n != int64(len(want)) {
		t.Fatalf("Size %d, %v; want %d", n, err, len(want))
	}
	write(page, off+24+4096)
	if err := f.Truncate(10); err != nil || !bytes.Equal(m.data, want[:10]) {
		t.Fatalf("Truncate: %v", err)
	}
	// More than walGather is written out as it goes.
	big := make([]byte, walGather/2+1)
	f.WriteAt(big, 10)
	f.WriteAt(big, 10+int64(len(big)))
	if len(f.buf) != len(big) {
		t.Errorf("%d bytes gathered, want %d", len(f.buf), len(big))
	}
	if err := f.Close(); err != nil || len(m.data) != 10+2*len(big) {
		t.Errorf("Close: %v; %d bytes in the file, want %d", err, len(m.data), 10+2*len(big))
	}
}
