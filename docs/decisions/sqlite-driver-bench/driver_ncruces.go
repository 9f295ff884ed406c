//go:build ncruces

package main

import _ "github.com/ncruces/go-sqlite3/driver" // registers "sqlite3"

const driverName = "ncruces"
const sqlDriver = "sqlite3"

// ncruces/go-sqlite3: _pragma=name(value), applied in the order given
// (busy_timeout first); _txlock defaults to immediate.
func writerDSN(path, sync string) string {
	return "file:" + path + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(wal)&_pragma=synchronous(" + sync + ")&_txlock=immediate"
}

func readerDSN(path string) string {
	return "file:" + path + "?_pragma=busy_timeout(10000)&_pragma=query_only(1)"
}
