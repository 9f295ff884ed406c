//go:build modernc

package main

import _ "modernc.org/sqlite" // registers "sqlite"

const driverName = "modernc"
const sqlDriver = "sqlite"

// modernc.org/sqlite: _pragma=name(value), busy_timeout moved first, the rest
// sorted; BEGIN is deferred unless _txlock=immediate is given.
func writerDSN(path, sync string) string {
	return "file:" + path + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(wal)&_pragma=synchronous(" + sync + ")&_txlock=immediate"
}

func readerDSN(path string) string {
	return "file:" + path + "?_pragma=busy_timeout(10000)&_pragma=query_only(1)"
}
