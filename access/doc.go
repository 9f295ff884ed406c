// Package access is who may do what in handover: accounts (users of one party
// holding roles), their credentials (argon2id password hashes, session and API
// token secrets, stored only as hashes), the authorisation table of (role, action,
// scope), and the audit log's entries. It is pure apart from its Store interface,
// which the storage engines implement; accounts live beside the ledger, never in it:
// the ledger is shared with monitors, password hashes are not.
package access
