package report

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"strings"
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
