package postgres

import "time"

// SetIdleLockTimeout shortens IdleLockTimeout for the connections opened until
// the returned function restores it.
func SetIdleLockTimeout(d time.Duration) (restore func()) {
	old := idleLockTimeout
	idleLockTimeout = d
	return func() { idleLockTimeout = old }
}
