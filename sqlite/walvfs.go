package sqlite

import (
	"github.com/ncruces/go-sqlite3/vfs"
)

// walVFS is the operating system's VFS with one change: the write-ahead log's
// writes are gathered in memory and reach the file together, when SQLite syncs
// (or reads, truncates, sizes or closes) the log. SQLite writes a frame as two
// writes (its 24-byte header, then the page), so a commit of 30 pages cost 60
// pwrite calls; now it costs one, followed by the same fdatasync as before.
//
// Durability is unchanged: SQLite (synchronous=FULL) syncs the log before a commit
// is visible or acknowledged, and the gathered writes are written out before that
// sync. Writes not yet synced are, as before, not promised to survive a crash; the
// log's checksums make recovery ignore a transaction whose frames are incomplete.
// It relies on synchronous=FULL (db.go sets it on every connection): under NORMAL
// SQLite would publish a commit in the wal-index without a sync, while its frames
// could still be in this buffer, and other connections would read stale log bytes.
// Only the log is wrapped: the database file and its shared memory are the os VFS's.
type walVFS struct{ vfs.VFSFilename }

// walVFSName names walVFS in connection URIs (vfs=…).
const walVFSName = "handover-wal"

func init() {
	vfs.Register(walVFSName, walVFS{vfs.Find("os").(vfs.VFSFilename)})
}

func (v walVFS) OpenFilename(name *vfs.Filename, flags vfs.OpenFlag) (vfs.File, vfs.OpenFlag, error) {
	f, flags, err := v.VFSFilename.OpenFilename(name, flags)
	if err != nil || flags&vfs.OPEN_WAL == 0 {
		return f, flags, err
	}
	return &walFile{File: f}, flags, nil
}

// walGather is the most a walFile holds before writing it out: far more than one
// batch's frames, so that a commit is one write.
const walGather = 4 << 20

// walFile gathers consecutive writes to a write-ahead log.
type walFile struct {
	vfs.File
	buf []byte // bytes written at off, not yet passed to the file
	off int64
}

var (
	_ vfs.FileUnwrap             = (*walFile)(nil)
	_ vfs.FilePowersafeOverwrite = (*walFile)(nil)
	_ vfs.FileSizeHint           = (*walFile)(nil)
)

func (f *walFile) Unwrap() vfs.File { return f.File }

// flush writes out what was gathered.
func (f *walFile) flush() error {
	if len(f.buf) == 0 {
		return nil
	}
	_, err := f.File.WriteAt(f.buf, f.off) // an error for a short write
	f.buf = f.buf[:0]
	return err
}

func (f *walFile) WriteAt(p []byte, off int64) (int, error) {
	if len(f.buf) > 0 && (off != f.off+int64(len(f.buf)) || len(f.buf)+len(p) > walGather) {
		if err := f.flush(); err != nil {
			return 0, err
		}
	}
	if len(f.buf) == 0 {
		f.off = off
	}
	f.buf = append(f.buf, p...) // p is SQLite's memory: copy it
	return len(p), nil
}

func (f *walFile) ReadAt(p []byte, off int64) (int, error) {
	if err := f.flush(); err != nil {
		return 0, err
	}
	return f.File.ReadAt(p, off)
}

func (f *walFile) Sync(flags vfs.SyncFlag) error {
	if err := f.flush(); err != nil {
		return err
	}
	return f.File.Sync(flags)
}

func (f *walFile) Truncate(size int64) error {
	if err := f.flush(); err != nil {
		return err
	}
	return f.File.Truncate(size)
}

func (f *walFile) Size() (int64, error) {
	if err := f.flush(); err != nil {
		return 0, err
	}
	return f.File.Size()
}

func (f *walFile) Close() error {
	err := f.flush()
	if cerr := f.File.Close(); err == nil {
		err = cerr
	}
	return err
}

func (f *walFile) PowersafeOverwrite() bool {
	if p, ok := f.File.(vfs.FilePowersafeOverwrite); ok {
		return p.PowersafeOverwrite()
	}
	return false
}

func (f *walFile) SetPowersafeOverwrite(psow bool) {
	if p, ok := f.File.(vfs.FilePowersafeOverwrite); ok {
		p.SetPowersafeOverwrite(psow)
	}
}

func (f *walFile) SizeHint(size int64) error {
	if err := f.flush(); err != nil {
		return err
	}
	if h, ok := f.File.(vfs.FileSizeHint); ok {
		return h.SizeHint(size)
	}
	return nil
}
