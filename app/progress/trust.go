package progress

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"time"
)

// TrustedKey is a certificate issuer this installation trusts: its own key, or one the
// trainer added from a key file or a fingerprint.
type TrustedKey struct {
	Fingerprint string // 32 lowercase hexadecimal digits
	PublicKey   []byte // the ed25519 public key, when known
	Name        string // the organisation, as the trainer named it
	Own         bool   // this installation's signing key
	AddedAt     time.Time
	// RevokedFrom is the first day whose certificates are no longer trusted; zero
	// when the key is not revoked.
	RevokedFrom time.Time
}

// TrustedKeys lists the trust list: own keys first, then by name.
func (s *Store) TrustedKeys(ctx context.Context) ([]TrustedKey, error) {
	return readTrustedKeys(ctx, s.read)
}

func readTrustedKeys(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}) ([]TrustedKey, error) {
	rows, err := q.QueryContext(ctx, `SELECT fingerprint, public_key, name, own, added_at, revoked_from FROM trusted_keys
		ORDER BY own DESC, name, fingerprint`)
	if err != nil {
		return nil, fmt.Errorf("read the trust list: %w", err)
	}
	defer rows.Close()
	var out []TrustedKey
	for rows.Next() {
		var k TrustedKey
		var added int64
		var revoked sql.NullInt64
		if err := rows.Scan(&k.Fingerprint, &k.PublicKey, &k.Name, &k.Own, &added, &revoked); err != nil {
			return nil, err
		}
		k.AddedAt, k.RevokedFrom = time.UnixMilli(added), fromMillis(revoked)
		out = append(out, k)
	}
	return out, rows.Err()
}

func validFingerprint(fp string) bool { return isHex(fp, 32) }

// TrustKey adds a key to the trust list, or renames it (a revocation stays). A key
// marked Own is this installation's; an earlier own key stays trusted, as a former one.
func (s *Store) TrustKey(ctx context.Context, k TrustedKey) error {
	k.Name = strings.TrimSpace(k.Name)
	switch {
	case !validFingerprint(k.Fingerprint):
		return fmt.Errorf("%w: a fingerprint has 32 hexadecimal digits", ErrInvalid)
	case k.PublicKey != nil && len(k.PublicKey) != 32:
		return fmt.Errorf("%w: an ed25519 public key has 32 bytes", ErrInvalid)
	case k.Name == "" || len(k.Name) > 200 || !isText(k.Name, 200):
		return fmt.Errorf("%w: the issuer's name is empty, too long or not text", ErrInvalid)
	}
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return wrapWrite("trust a key", err)
	}
	defer tx.Rollback()
	if k.Own {
		if _, err := tx.ExecContext(ctx, `UPDATE trusted_keys SET own = 0 WHERE own = 1 AND fingerprint <> ?`, k.Fingerprint); err != nil {
			return wrapWrite("trust a key", err)
		}
	}
	var pub any
	if k.PublicKey != nil {
		pub = k.PublicKey
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO trusted_keys (fingerprint, public_key, name, own, added_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (fingerprint) DO UPDATE SET name = excluded.name, own = max(own, excluded.own),
			public_key = coalesce(public_key, excluded.public_key)`,
		k.Fingerprint, pub, k.Name, k.Own, s.millis()); err != nil {
		return wrapWrite("trust a key", err)
	}
	return wrapWrite("trust a key", tx.Commit())
}

// RevokeKey stops trusting the certificates a key issued from the day from on (UTC);
// those issued before stay trusted. A zero from lifts the revocation.
func (s *Store) RevokeKey(ctx context.Context, fingerprint string, from time.Time) error {
	var v any
	if !from.IsZero() {
		y, m, d := from.Date()
		v = time.Date(y, m, d, 0, 0, 0, 0, time.UTC).UnixMilli()
	}
	res, err := s.write.ExecContext(ctx, `UPDATE trusted_keys SET revoked_from = ? WHERE fingerprint = ?`, v, fingerprint)
	if err != nil {
		return wrapWrite("revoke a key", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("key %s: %w", fingerprint, ErrNotFound)
	}
	return nil
}

// ReadTrustList reads the trust list of the database at path without changing it and
// without needing the app to be closed: an installation that verifies certificates
// while it runs. A database that does not exist has an empty list; one written before
// trust lists existed has none either.
func ReadTrustList(ctx context.Context, path string) ([]TrustedKey, error) {
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err := checkHeader(path); err != nil {
		return nil, &OpenError{Path: path, Reason: err}
	}
	db, err := sql.Open("sqlite3", sqliteURI(path, url.Values{"mode": {"ro"}, "_busy_timeout": {"5000"}}))
	if err != nil {
		return nil, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if has, err := hasTable(ctx, db, "trusted_keys"); err != nil {
		return nil, &OpenError{Path: path, Reason: classify(err), Detail: err}
	} else if !has {
		return nil, nil
	}
	return readTrustedKeys(ctx, db)
}

// IssuerName is the organisation's name that this installation's certificates carry
// ("" until the trainer sets it).
func (s *Store) IssuerName(ctx context.Context) (string, error) {
	var name string
	_, err := s.setting(ctx, s.read, "issuer.name", &name)
	return name, err
}

// SetIssuerName sets the organisation's name; the own key in the trust list takes it.
func (s *Store) SetIssuerName(ctx context.Context, name string) error {
	name = strings.Join(strings.Fields(name), " ")
	if name == "" || len(name) > 200 || !isText(name, 200) {
		return fmt.Errorf("%w: the organisation's name has 1 to 200 bytes of text", ErrInvalid)
	}
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return wrapWrite("set the issuer's name", err)
	}
	defer tx.Rollback()
	if err := putSetting(ctx, tx, "issuer.name", name); err != nil {
		return wrapWrite("set the issuer's name", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE trusted_keys SET name = ? WHERE own = 1`, name); err != nil {
		return wrapWrite("set the issuer's name", err)
	}
	return wrapWrite("set the issuer's name", tx.Commit())
}

// IssuedCertificate is a certificate recorded in the register.
type IssuedCertificate struct {
	Number   string
	ModuleID string
	Issued   time.Time
	Code     string // the whole signed certificate
}

// RecordCertificate gives a new certificate of a learner its number, made by number
// from the next serial, and records the code sign returns for it, in one transaction.
func (s *Store) RecordCertificate(ctx context.Context, learnerID int64, moduleID, fingerprint string, issued time.Time,
	number func(serial int64) string, sign func(number string) (string, error)) (string, string, error) {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return "", "", wrapWrite("record a certificate", err)
	}
	defer tx.Rollback()
	var serial int64
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(serial), 0) + 1 FROM certificates`).Scan(&serial); err != nil {
		return "", "", wrapWrite("record a certificate", err)
	}
	num := number(serial)
	code, err := sign(num)
	if err != nil {
		return "", "", err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO certificates (serial, number, learner_id, module_id, fingerprint, issued_at, code)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, serial, num, learnerID, moduleID, fingerprint, issued.UnixMilli(), code); err != nil {
		return "", "", wrapWrite("record a certificate", err)
	}
	return num, code, wrapWrite("record a certificate", tx.Commit())
}

// IssuedCertificates lists the certificates issued here, for the register.
func (s *Store) IssuedCertificates(ctx context.Context) ([]IssuedCertificate, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT number, module_id, issued_at, code FROM certificates ORDER BY serial`)
	if err != nil {
		return nil, fmt.Errorf("read the register: %w", err)
	}
	defer rows.Close()
	var out []IssuedCertificate
	for rows.Next() {
		var c IssuedCertificate
		var at int64
		if err := rows.Scan(&c.Number, &c.ModuleID, &at, &c.Code); err != nil {
			return nil, err
		}
		c.Issued = time.UnixMilli(at)
		out = append(out, c)
	}
	return out, rows.Err()
}
