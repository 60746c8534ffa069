package report

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"indicia/app/progress"
)

// Trust: who vouches for a certificate. A signature only proves that the certificate
// is unchanged since the holder of its key signed it; the trust list of the
// installation that verifies says which keys it believes, and since when they are
// revoked. Three small files carry trust between installations:
//
//   - an issuer key file (ExportIssuerKey): an issuer's public key and name, handed to
//     those who verify its certificates (`indicia trust add FILE`);
//   - a signing key file (ExportSigningKey): the private key, sealed with a passphrase,
//     to move an issuer to a new machine (`indicia trust key import`);
//   - a register (ExportRegister): the issuer's certificates, each sealed with its
//     number and check code, so that someone who has only those two short codes can
//     find and check the certificate (`indicia verify --register FILE NUMBER CHECK`),
//     while the register names nobody to whoever lacks them.

// Trust is what the trust list says of a certificate's issuer.
type Trust struct {
	Trusted bool
	Key     progress.TrustedKey // the entry, when the key is on the list
	Listed  bool                // the key is on the list (perhaps revoked)
	Revoked bool                // revoked on or before the certificate's issue day
}

// CheckTrust looks the certificate's key up in the trust list: trusted when it is listed
// (by fingerprint, and by public key when the list knows it) and not revoked on the day
// the certificate was issued.
func CheckTrust(c Certificate, keys []progress.TrustedKey) Trust {
	fp := Fingerprint(c.PublicKey)
	for _, k := range keys {
		if k.Fingerprint != fp || k.PublicKey != nil && !bytes.Equal(k.PublicKey, c.PublicKey) {
			continue
		}
		t := Trust{Key: k, Listed: true}
		t.Revoked = !k.RevokedFrom.IsZero() && !c.Issued.Before(k.RevokedFrom)
		t.Trusted = !t.Revoked
		return t
	}
	return Trust{}
}

// issuerKeyFile is the JSON of an issuer key file.
type issuerKeyFile struct {
	Format    string `json:"format"`
	Name      string `json:"name"`
	PublicKey string `json:"public_key"` // hexadecimal
}

const (
	issuerKeyFormat  = "indicia-issuer-key/1"
	signingKeyFormat = "indicia-signing-key/1"
	registerFormat   = "indicia-register/1"
	maxKeyFile       = 4096
)

// IssuerKey is an issuer's public key and name, as a key file carries them.
type IssuerKey struct {
	Name        string
	PublicKey   ed25519.PublicKey
	Fingerprint string
}

// ExportIssuerKey is the issuer key file of key, named name.
func ExportIssuerKey(name string, key ed25519.PublicKey) ([]byte, error) {
	data, err := json.MarshalIndent(issuerKeyFile{Format: issuerKeyFormat, Name: name, PublicKey: hex.EncodeToString(key)}, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(data, '\n'), nil
}

// ErrKeyFile is a key file that cannot be read.
var ErrKeyFile = errors.New("not an Indicia issuer key file")

// ParseIssuerKey reads an issuer key file strictly: its format, a printable name of at
// most 200 bytes and a 32-byte key, nothing else.
func ParseIssuerKey(data []byte) (IssuerKey, error) {
	var f issuerKeyFile
	if len(data) > maxKeyFile {
		return IssuerKey{}, fmt.Errorf("%w: larger than %d bytes", ErrKeyFile, maxKeyFile)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return IssuerKey{}, fmt.Errorf("%w: %v", ErrKeyFile, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return IssuerKey{}, fmt.Errorf("%w: data after the key", ErrKeyFile)
	}
	pub, err := hex.DecodeString(f.PublicKey)
	name := strings.TrimSpace(f.Name)
	switch {
	case f.Format != issuerKeyFormat:
		return IssuerKey{}, fmt.Errorf("%w: format %q", ErrKeyFile, f.Format)
	case err != nil || len(pub) != ed25519.PublicKeySize || f.PublicKey != hex.EncodeToString(pub):
		return IssuerKey{}, fmt.Errorf("%w: the key is not 64 lowercase hexadecimal digits", ErrKeyFile)
	case name == "" || len(name) > 200 || !utf8.ValidString(name) || !certPrintable(name):
		return IssuerKey{}, fmt.Errorf("%w: the name is empty, too long or not printable", ErrKeyFile)
	}
	return IssuerKey{Name: name, PublicKey: pub, Fingerprint: Fingerprint(pub)}, nil
}

// sealedKeyFile is the JSON of a signing key file.
type sealedKeyFile struct {
	Format    string `json:"format"`
	Name      string `json:"name"`
	PublicKey string `json:"public_key"`
	Salt      []byte `json:"salt"`
	Time      uint32 `json:"t"`
	Memory    uint32 `json:"m"`
	Threads   uint8  `json:"p"`
	Nonce     []byte `json:"nonce"`
	Sealed    []byte `json:"sealed"`
}

// ExportSigningKey is the signing key file of key: its seed sealed (AES-256-GCM) with a
// key derived from passphrase by argon2id (64 MiB, 3 passes, 4 lanes).
func ExportSigningKey(name string, key *SigningKey, passphrase string) ([]byte, error) {
	f := sealedKeyFile{Format: signingKeyFormat, Name: name, PublicKey: hex.EncodeToString(key.Public()),
		Salt: make([]byte, 16), Time: 3, Memory: 64 * 1024, Threads: 4}
	if _, err := rand.Read(f.Salt); err != nil {
		return nil, err
	}
	aead, err := keyFileAEAD(passphrase, f)
	if err != nil {
		return nil, err
	}
	f.Nonce = make([]byte, aead.NonceSize())
	if _, err := rand.Read(f.Nonce); err != nil {
		return nil, err
	}
	f.Sealed = aead.Seal(nil, f.Nonce, key.Seed(), []byte(f.PublicKey))
	data, err := json.MarshalIndent(f, "", "  ")
	return append(data, '\n'), err
}

func keyFileAEAD(passphrase string, f sealedKeyFile) (cipher.AEAD, error) {
	if f.Time == 0 || f.Time > 16 || f.Memory < 8*1024 || f.Memory > 1<<20 || f.Threads == 0 || len(f.Salt) < 16 {
		return nil, fmt.Errorf("%w: unusable key derivation parameters", ErrKeyFile)
	}
	block, err := aes.NewCipher(argon2.IDKey([]byte(passphrase), f.Salt, f.Time, f.Memory, f.Threads, 32))
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// ErrWrongKeyPassphrase is a signing key file opened with another passphrase.
var ErrWrongKeyPassphrase = errors.New("the passphrase does not open this key file")

// ImportSigningKey opens a signing key file with passphrase and makes it the store's
// signing key: the current key file, if any, is kept aside (<key>.replaced-<time>),
// never deleted, and its key stays in the trust list as a former own key. With the
// trainer's vault open, the database keeps a sealed copy of the new key.
func ImportSigningKey(ctx context.Context, store *progress.Store, v *progress.Vault, data []byte, passphrase string) (*SigningKey, error) {
	var f sealedKeyFile
	if len(data) > maxKeyFile {
		return nil, ErrKeyFile
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil || f.Format != signingKeyFormat {
		return nil, ErrKeyFile
	}
	aead, err := keyFileAEAD(passphrase, f)
	if err != nil {
		return nil, err
	}
	if len(f.Nonce) != aead.NonceSize() {
		return nil, ErrKeyFile
	}
	seed, err := aead.Open(nil, f.Nonce, f.Sealed, []byte(f.PublicKey))
	if err != nil {
		return nil, ErrWrongKeyPassphrase
	}
	if len(seed) != ed25519.SeedSize {
		return nil, ErrKeyFile
	}
	priv := ed25519.NewKeyFromSeed(seed)
	if hex.EncodeToString(priv.Public().(ed25519.PublicKey)) != f.PublicKey {
		return nil, ErrKeyFile
	}
	path := SigningKeyPath(store.Path())
	if old, err := readSigningKey(path); err == nil {
		if bytes.Equal(old.Seed(), seed) {
			return old, trustOwnKey(ctx, store, old)
		}
		aside := path + ".replaced-" + time.Now().UTC().Format("20060102-150405")
		if err := os.Rename(path, aside); err != nil {
			return nil, fmt.Errorf("keep the current key aside: %w", err)
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	if err := createPrivateOnce(path, []byte(hex.EncodeToString(seed)+"\n")); err != nil {
		return nil, err
	}
	k, err := readSigningKey(path)
	if err != nil {
		return nil, err
	}
	if v != nil {
		if err := store.SealSigningKey(ctx, v, seed); err != nil {
			return nil, err
		}
	}
	if name := strings.TrimSpace(f.Name); name != "" && certPrintable(name) {
		if cur, err := store.IssuerName(ctx); err == nil && cur == "" {
			store.SetIssuerName(ctx, name)
		}
	}
	return k, trustOwnKey(ctx, store, k)
}

// The register: for each certificate, its number and the whole signed certificate
// sealed (AES-256-GCM) under SHA-256 of the number and the check code.
type registerFile struct {
	Format  string          `json:"format"`
	Issuer  string          `json:"issuer"`
	Key     string          `json:"public_key"`
	Created int64           `json:"created"`
	Entries []registerEntry `json:"entries"`
}

type registerEntry struct {
	Number string `json:"number"`
	Nonce  []byte `json:"nonce"`
	Sealed []byte `json:"sealed"`
}

const maxRegister = 64 << 20

func registerAEAD(number, check string) (cipher.AEAD, error) {
	sum := sha256.Sum256([]byte("indicia/register\x00" + number + "\x00" + normalizeCheck(check)))
	block, err := aes.NewCipher(sum[:])
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// normalizeCheck reads a check code as typed: without spaces or hyphens, upper case, O
// as 0 and I or L as 1.
func normalizeCheck(s string) string {
	n, err := certNormalize(s)
	if err != nil {
		return strings.ToUpper(s)
	}
	return n
}

// ExportRegister writes the register of the certificates issued with key.
func ExportRegister(ctx context.Context, store *progress.Store, key *SigningKey, now time.Time) ([]byte, int, error) {
	issued, err := store.IssuedCertificates(ctx)
	if err != nil {
		return nil, 0, err
	}
	name, err := store.IssuerName(ctx)
	if err != nil {
		return nil, 0, err
	}
	r := registerFile{Format: registerFormat, Issuer: name, Key: hex.EncodeToString(key.Public()), Created: now.UnixMilli(), Entries: []registerEntry{}}
	for _, ic := range issued {
		c, err := Verify(ic.Code)
		if err != nil || !bytes.Equal(c.PublicKey, key.Public()) {
			continue // a certificate of a former key: its own register has it
		}
		aead, err := registerAEAD(c.Number, c.CheckCode)
		if err != nil {
			return nil, 0, err
		}
		e := registerEntry{Number: c.Number, Nonce: make([]byte, aead.NonceSize())}
		if _, err := rand.Read(e.Nonce); err != nil {
			return nil, 0, err
		}
		e.Sealed = aead.Seal(nil, e.Nonce, []byte(ic.Code), []byte(c.Number))
		r.Entries = append(r.Entries, e)
	}
	data, err := json.Marshal(r)
	return data, len(r.Entries), err
}

// ErrNotInRegister is a number and check code the register does not hold together.
var ErrNotInRegister = errors.New("no certificate of the register has this number and check code")

// LookUpRegister finds the certificate with number and check code in a register and
// checks it (Verify): its signature, and that its number and check code are the ones
// given. Someone without the check code learns nothing from the register.
func LookUpRegister(data []byte, number, check string) (Certificate, error) {
	if len(data) > maxRegister {
		return Certificate{}, fmt.Errorf("the register is larger than %d bytes", maxRegister)
	}
	var r registerFile
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil || r.Format != registerFormat {
		return Certificate{}, errors.New("not an Indicia register of certificates")
	}
	number = strings.ToUpper(strings.TrimSpace(number))
	for _, e := range r.Entries {
		if e.Number != number {
			continue
		}
		aead, err := registerAEAD(number, check)
		if err != nil || len(e.Nonce) != aead.NonceSize() {
			continue
		}
		code, err := aead.Open(nil, e.Nonce, e.Sealed, []byte(e.Number))
		if err != nil {
			continue
		}
		c, err := Verify(string(code))
		if err != nil {
			return Certificate{}, err
		}
		if c.Number != number || normalizeCheck(c.CheckCode) != normalizeCheck(check) {
			return Certificate{}, certProblem(ProblemBadSignature)
		}
		return c, nil
	}
	return Certificate{}, ErrNotInRegister
}
