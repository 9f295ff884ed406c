//go:build !ncruces && !modernc

package main

// Built without a driver tag: only the "gen" mode works. Used as the
// baseline for the binary size a driver adds.

const driverName = "none"
const sqlDriver = "none"

func writerDSN(path, sync string) string { return "" }
func readerDSN(path string) string       { return "" }
