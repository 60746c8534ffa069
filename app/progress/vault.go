package progress

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"

	"golang.org/x/crypto/argon2"
)

// The trainer's vault keeps this installation's secrets (the LRS password, a copy of
// the certificate signing key) in the database, encrypted: each with AES-256-GCM under
// a random 32-byte vault key, which is itself stored wrapped (AES-256-GCM) under a key
// derived from the trainer passphrase with argon2id (64 MiB, 3 passes, 4 lanes, its
// own salt). Only the trainer's passphrase opens it: the database file and its
// backups hold no secret in clear. Changing the passphrase wraps the same vault key
// again.

const settingVault = "trainer.vault"

// ErrVaultLocked is returned when a secret must be read or written without the
// trainer's passphrase.
var ErrVaultLocked = errors.New("the trainer passphrase is needed for this")

// ErrSetupCode is returned when the first trainer passphrase is set on an installation
// that has learners, without a valid one-time code from `indicia trainer init`.
var ErrSetupCode = errors.New("setting up trainer mode needs the one-time code that `indicia trainer init` prints")

// ErrTrainerExists is returned by InitTrainerSetup when a passphrase is already set.
var ErrTrainerExists = errors.New("trainer mode is already set up")

type vaultRecord struct {
	Salt    []byte `json:"salt"`
	Time    uint32 `json:"t"`
	Memory  uint32 `json:"m"`
	Threads uint8  `json:"p"`
	Nonce   []byte `json:"nonce"`
	Wrapped []byte `json:"wrapped"`
}

type sealedSecret struct {
	Nonce []byte `json:"nonce"`
	Data  []byte `json:"data"`
}

// Vault is the trainer's open vault: it lives while trainer mode is open.
type Vault struct{ key []byte }

func gcm(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

func (v *Vault) seal(name string, plain []byte) (sealedSecret, error) {
	return sealWith(v.key, name, plain)
}

func (v *Vault) open(name string, s sealedSecret) ([]byte, error) {
	return openWith(v.key, name, s)
}

func sealWith(key []byte, name string, plain []byte) (sealedSecret, error) {
	a, err := gcm(key)
	if err != nil {
		return sealedSecret{}, err
	}
	nonce := make([]byte, a.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return sealedSecret{}, err
	}
	return sealedSecret{Nonce: nonce, Data: a.Seal(nil, nonce, plain, []byte(name))}, nil
}

func openWith(key []byte, name string, s sealedSecret) ([]byte, error) {
	a, err := gcm(key)
	if err != nil {
		return nil, err
	}
	if len(s.Nonce) != a.NonceSize() {
		return nil, fmt.Errorf("secret %s: %w", name, ErrCorrupt)
	}
	plain, err := a.Open(nil, s.Nonce, s.Data, []byte(name))
	if err != nil {
		return nil, fmt.Errorf("secret %s cannot be opened: %w", name, ErrCorrupt)
	}
	return plain, nil
}

// wrapVault wraps the vault key under a key derived from passphrase.
func wrapVault(key []byte, passphrase string) (vaultRecord, error) {
	rec := vaultRecord{Salt: make([]byte, 16), Time: trainerTime, Memory: trainerMemory, Threads: trainerThreads}
	if _, err := rand.Read(rec.Salt); err != nil {
		return rec, err
	}
	kek := argon2.IDKey([]byte(passphrase), rec.Salt, rec.Time, rec.Memory, rec.Threads, 32)
	sealed, err := sealWith(kek, settingVault, key)
	if err != nil {
		return rec, err
	}
	rec.Nonce, rec.Wrapped = sealed.Nonce, sealed.Data
	return rec, nil
}

func newVaultKey() ([]byte, error) {
	key := make([]byte, 32)
	_, err := rand.Read(key)
	return key, err
}

// OpenVault checks the trainer passphrase (CheckTrainerPassphrase, with its delays) and
// opens the vault. An installation set up before the vault existed gets one now, and an
// LRS password an older version kept in clear is sealed in it and removed from clear.
func (s *Store) OpenVault(ctx context.Context, passphrase string) (*Vault, error) {
	if err := s.CheckTrainerPassphrase(ctx, passphrase); err != nil {
		return nil, err
	}
	var rec vaultRecord
	has, err := s.setting(ctx, s.read, settingVault, &rec)
	if err != nil {
		return nil, err
	}
	v := &Vault{}
	var newRec *vaultRecord
	if has {
		kek := s.kdf([]byte(passphrase), rec.Salt, rec.Time, rec.Memory, rec.Threads, 32)
		if v.key, err = openWith(kek, settingVault, sealedSecret{Nonce: rec.Nonce, Data: rec.Wrapped}); err != nil {
			return nil, err
		}
	} else {
		if v.key, err = newVaultKey(); err != nil {
			return nil, err
		}
		r, err := wrapVault(v.key, passphrase)
		if err != nil {
			return nil, err
		}
		newRec = &r
	}
	var lrs LRSSettings
	if _, err := s.setting(ctx, s.read, "lrs", &lrs); err != nil {
		return nil, err
	}
	if newRec == nil && lrs.Password == "" {
		return v, nil
	}
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return nil, wrapWrite("open the trainer's vault", err)
	}
	defer tx.Rollback()
	if newRec != nil {
		if err := putSetting(ctx, tx, settingVault, *newRec); err != nil {
			return nil, wrapWrite("open the trainer's vault", err)
		}
	}
	if lrs.Password != "" {
		sealed, err := v.seal(settingLRSPassword, []byte(lrs.Password))
		if err != nil {
			return nil, err
		}
		lrs.Password = ""
		if err := putSetting(ctx, tx, "lrs", lrs); err != nil {
			return nil, wrapWrite("open the trainer's vault", err)
		}
		if err := putSetting(ctx, tx, settingLRSPassword, sealed); err != nil {
			return nil, wrapWrite("open the trainer's vault", err)
		}
	}
	return v, wrapWrite("open the trainer's vault", tx.Commit())
}

func (s *Store) readSealed(ctx context.Context, name string) (sealedSecret, bool, error) {
	var sl sealedSecret
	has, err := s.setting(ctx, s.read, name, &sl)
	return sl, has, err
}

// settingSigningKey is the settings key of the copy of the signing key's seed.
const settingSigningKey = "secret.signing-key"

// SealSigningKey keeps a copy of the certificate signing key's seed in the database,
// sealed with the vault, so that backups hold it and it survives the machine.
func (s *Store) SealSigningKey(ctx context.Context, v *Vault, seed []byte) error {
	if v == nil {
		return ErrVaultLocked
	}
	sealed, err := v.seal(settingSigningKey, seed)
	if err != nil {
		return err
	}
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return wrapWrite("keep the signing key", err)
	}
	defer tx.Rollback()
	if err := putSetting(ctx, tx, settingSigningKey, sealed); err != nil {
		return wrapWrite("keep the signing key", err)
	}
	return wrapWrite("keep the signing key", tx.Commit())
}

// SealedSigningKey returns the copy of the signing key's seed the database holds; ok is
// false when it holds none.
func (s *Store) SealedSigningKey(ctx context.Context, v *Vault) (seed []byte, ok bool, err error) {
	sealed, has, err := s.readSealed(ctx, settingSigningKey)
	if err != nil || !has {
		return nil, false, err
	}
	if v == nil {
		return nil, true, ErrVaultLocked
	}
	seed, err = v.open(settingSigningKey, sealed)
	return seed, err == nil, err
}

// HoldsSigningKey tells whether the database holds a sealed copy of the signing key.
func (s *Store) HoldsSigningKey(ctx context.Context) (bool, error) {
	_, has, err := s.readSealed(ctx, settingSigningKey)
	return has, err
}

// TrainerSetupState says how trainer mode can be set up.
type TrainerSetupState int

// The set-up states.
const (
	SetupDone      TrainerSetupState = iota // a passphrase is set
	SetupOpen                               // no learner yet: whoever installs sets it
	SetupNeedsCode                          // learners exist: a code from `indicia trainer init` is needed
)

// TrainerSetup tells how the trainer passphrase can be set.
func (s *Store) TrainerSetup(ctx context.Context) (TrainerSetupState, error) {
	has, err := s.HasTrainerPassphrase(ctx)
	if err != nil || has {
		return SetupDone, err
	}
	var n int
	if err := s.read.QueryRowContext(ctx, `SELECT count(*) FROM learners`).Scan(&n); err != nil {
		return SetupDone, err
	}
	if n == 0 {
		return SetupOpen, nil
	}
	return SetupNeedsCode, nil
}

type setupCode struct {
	Hash    []byte `json:"hash"`
	Expires int64  `json:"expires"`
	Tries   int    `json:"tries"`
}

// SetupCodeLife is how long a code from InitTrainerSetup stays valid.
const SetupCodeLife = 24 * time.Hour

// maxSetupTries is how many wrong codes end a code.
const maxSetupTries = 5

var setupEncoding = base32.NewEncoding("0123456789ABCDEFGHJKMNPQRSTVWXYZ").WithPadding(base32.NoPadding)

// InitTrainerSetup makes a one-time code that lets the first trainer passphrase be set
// on an installation that already has learners: whoever can run `indicia trainer init`
// on the machine gives it to the trainer. It replaces any earlier code and is valid
// for SetupCodeLife, and for five tries.
func (s *Store) InitTrainerSetup(ctx context.Context) (code string, expires time.Time, err error) {
	if has, err := s.HasTrainerPassphrase(ctx); err != nil {
		return "", time.Time{}, err
	} else if has {
		return "", time.Time{}, ErrTrainerExists
	}
	raw := make([]byte, 10)
	if _, err := rand.Read(raw); err != nil {
		return "", time.Time{}, err
	}
	compact := setupEncoding.EncodeToString(raw)[:12] // 60 bits
	expires = s.now().Add(SetupCodeLife)
	sum := sha256.Sum256([]byte("indicia trainer setup\x00" + compact))
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return "", time.Time{}, wrapWrite("make a set-up code", err)
	}
	defer tx.Rollback()
	if err := putSetting(ctx, tx, "trainer.setup", setupCode{Hash: sum[:], Expires: expires.UnixMilli()}); err != nil {
		return "", time.Time{}, wrapWrite("make a set-up code", err)
	}
	if err := tx.Commit(); err != nil {
		return "", time.Time{}, wrapWrite("make a set-up code", err)
	}
	return compact[:4] + "-" + compact[4:8] + "-" + compact[8:], expires, nil
}

func normalizeSetupCode(code string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(code) {
		switch {
		case unicode.IsSpace(r) || r == '-':
		case r == 'O':
			b.WriteByte('0')
		case r == 'I' || r == 'L':
			b.WriteByte('1')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// SetupTrainer sets the first trainer passphrase and creates the trainer's vault. While
// no learner exists anyone may (the person installing the app); once learners exist,
// only with the code InitTrainerSetup made (ErrSetupCode otherwise), so that a learner
// who finds a shared machine without a trainer cannot make themselves its trainer.
func (s *Store) SetupTrainer(ctx context.Context, code, passphrase string) error {
	if err := checkPassphraseLength(passphrase); err != nil {
		return err
	}
	// The slow work first, outside the transaction.
	sec, err := hashPassphrase(passphrase)
	if err != nil {
		return err
	}
	key, err := newVaultKey()
	if err != nil {
		return err
	}
	wrapped, err := wrapVault(key, passphrase)
	if err != nil {
		return err
	}
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return wrapWrite("set up trainer mode", err)
	}
	defer tx.Rollback()
	var existing trainerSecret
	if has, err := s.setting(ctx, tx, "trainer.passphrase", &existing); err != nil {
		return err
	} else if has {
		return ErrTrainerExists
	}
	var learners int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM learners`).Scan(&learners); err != nil {
		return wrapWrite("set up trainer mode", err)
	}
	if learners > 0 {
		var sc setupCode
		has, err := s.setting(ctx, tx, "trainer.setup", &sc)
		if err != nil {
			return err
		}
		sum := sha256.Sum256([]byte("indicia trainer setup\x00" + normalizeSetupCode(code)))
		valid := has && sc.Tries < maxSetupTries && s.now().UnixMilli() < sc.Expires && subtle.ConstantTimeCompare(sum[:], sc.Hash) == 1
		if !valid {
			if has && code != "" {
				sc.Tries++
				if err := putSetting(ctx, tx, "trainer.setup", sc); err != nil {
					return wrapWrite("set up trainer mode", err)
				}
				if err := tx.Commit(); err != nil {
					return wrapWrite("set up trainer mode", err)
				}
			}
			return ErrSetupCode
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM settings WHERE key = 'trainer.setup'`); err != nil {
			return wrapWrite("set up trainer mode", err)
		}
	}
	for k, v := range map[string]any{"trainer.passphrase": sec, "trainer.failures": trainerFailures{}, settingVault: wrapped} {
		if err := putSetting(ctx, tx, k, v); err != nil {
			return wrapWrite("set up trainer mode", err)
		}
	}
	return wrapWrite("set up trainer mode", tx.Commit())
}
