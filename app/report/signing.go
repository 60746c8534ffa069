package report

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"unicode"

	"indicia/app/progress"
)

// SigningKey is this installation's ed25519 key, which signs its certificates. It is
// created on first use and kept beside the progress database in <db>.signing-key
// (mode 0600), which holds the private key's 32-byte seed in hexadecimal. Whoever holds
// that file can issue certificates in this installation's name: back it up with the
// database, and never send it anywhere.
type SigningKey struct {
	private ed25519.PrivateKey
	// ID names the installation: the first 8 bytes of the SHA-256 of the public key,
	// in hexadecimal.
	ID string
}

// SigningKeyPath is the key file of the database at dbPath.
func SigningKeyPath(dbPath string) string { return dbPath + ".signing-key" }

// KeyID is the installation key id of a public key: the first 8 bytes of its SHA-256,
// in hexadecimal (16 characters).
func KeyID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return hex.EncodeToString(sum[:8])
}

// Public is the key's public half, which every certificate carries.
func (k *SigningKey) Public() ed25519.PublicKey { return k.private.Public().(ed25519.PublicKey) }

// LoadSigningKey reads the key of the database at dbPath, creating it when the file does
// not exist yet. Two programs creating it at once end up with the same key: the file is
// written whole under a temporary name and linked into place only if none is there.
func LoadSigningKey(dbPath string) (*SigningKey, error) {
	path := SigningKeyPath(dbPath)
	k, err := readSigningKey(path)
	if !errors.Is(err, fs.ErrNotExist) {
		return k, err
	}
	seed := make([]byte, ed25519.SeedSize)
	if _, err := rand.Read(seed); err != nil {
		return nil, fmt.Errorf("create signing key: %w", err)
	}
	if err := createPrivateOnce(path, []byte(hex.EncodeToString(seed)+"\n")); err != nil {
		return nil, fmt.Errorf("create signing key: %w", err)
	}
	return readSigningKey(path)
}

func readSigningKey(path string) (*SigningKey, error) {
	data, err := readPrivate(path, "signing key", 4*ed25519.SeedSize)
	if err != nil {
		return nil, err
	}
	seed, err := hex.DecodeString(strings.TrimSpace(string(data)))
	if err != nil || len(seed) != ed25519.SeedSize {
		return nil, fmt.Errorf("signing key %s: the file is damaged (it should hold %d hexadecimal digits)", path, 2*ed25519.SeedSize)
	}
	priv := ed25519.NewKeyFromSeed(seed)
	return &SigningKey{private: priv, ID: KeyID(priv.Public().(ed25519.PublicKey))}, nil
}

// sign signs msg.
func (k *SigningKey) sign(msg []byte) []byte { return ed25519.Sign(k.private, msg) }

// Fingerprint names an issuer's key: the first 16 bytes of the SHA-256 of the ed25519
// public key, in hexadecimal (32 digits). Its first 16 digits are the key id (KeyID).
func Fingerprint(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return hex.EncodeToString(sum[:16])
}

// FormatFingerprint writes a fingerprint in groups of four digits, to be read aloud.
func FormatFingerprint(fp string) string {
	var b strings.Builder
	for i := 0; i < len(fp); i += 4 {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(fp[i:min(i+4, len(fp))])
	}
	return b.String()
}

// ParseFingerprint reads a fingerprint typed with or without spaces, colons or hyphens.
func ParseFingerprint(s string) (string, bool) {
	fp := strings.Map(func(r rune) rune {
		switch r {
		case ' ', ':', '-', '\t':
			return -1
		}
		return unicode.ToLower(r)
	}, s)
	if len(fp) != 32 || strings.Trim(fp, "0123456789abcdef") != "" {
		return "", false
	}
	return fp, true
}

// Fingerprint is the key's fingerprint.
func (k *SigningKey) Fingerprint() string { return Fingerprint(k.Public()) }

// Seed is the key's private seed, for sealing a copy in the database.
func (k *SigningKey) Seed() []byte { return k.private.Seed() }

// ErrKeyInDatabase is returned when the signing key file is missing but the database
// holds a sealed copy: making a new key would make a new issuer. The trainer's
// passphrase brings the copy back (RestoreSigningKey).
var ErrKeyInDatabase = errors.New("the signing key file is missing, but the database holds a copy sealed with the trainer passphrase: open trainer mode, or run `indicia trust key restore`, to bring it back")

// LoadSigningKeyFor loads the signing key of the store's database, creating it only
// when the database holds no sealed copy of one, and puts it in the trust list as this
// installation's own key, named after the issuer (or "this installation" until named).
func LoadSigningKeyFor(ctx context.Context, store *progress.Store) (*SigningKey, error) {
	path := SigningKeyPath(store.Path())
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		if held, err := store.HoldsSigningKey(ctx); err != nil {
			return nil, err
		} else if held {
			return nil, ErrKeyInDatabase
		}
	}
	k, err := LoadSigningKey(store.Path())
	if err != nil {
		return nil, err
	}
	if err := trustOwnKey(ctx, store, k); err != nil {
		return nil, err
	}
	return k, nil
}

func trustOwnKey(ctx context.Context, store *progress.Store, k *SigningKey) error {
	name, err := store.IssuerName(ctx)
	if err != nil {
		return err
	}
	if name == "" {
		name = "(this installation)"
	}
	return store.TrustKey(ctx, progress.TrustedKey{Fingerprint: k.Fingerprint(), PublicKey: k.Public(), Name: name, Own: true})
}

// SyncSigningKey, with the trainer's vault open, makes the key file and the database's
// sealed copy agree: a missing key file is written back from the copy (a restored
// database on a new machine), and a key without a copy gets one, so backups hold it.
func SyncSigningKey(ctx context.Context, store *progress.Store, v *progress.Vault) error {
	path := SigningKeyPath(store.Path())
	seed, held, err := store.SealedSigningKey(ctx, v)
	if err != nil {
		return err
	}
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		if !held {
			return nil // no key yet: made when first needed
		}
		if err := createPrivateOnce(path, []byte(hex.EncodeToString(seed)+"\n")); err != nil {
			return fmt.Errorf("restore the signing key: %w", err)
		}
	}
	k, err := readSigningKey(path)
	if err != nil {
		return err
	}
	if !held || !bytes.Equal(seed, k.Seed()) {
		if err := store.SealSigningKey(ctx, v, k.Seed()); err != nil {
			return err
		}
	}
	return trustOwnKey(ctx, store, k)
}
