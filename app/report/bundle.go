package report

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"

	"indicia/app/progress"
	"indicia/locales"
)

// A station bundle carries a machine's learners and results (progress.Bundle) to a
// trainer's machine, signed with the station's installation key (SigningKey). The file:
//
//	offset size
//	     0   14  magic "INDICIA-BUNDLE"
//	    14    2  format version, big-endian (BundleFormat)
//	    16    2  flags, 0
//	    18   16  station id (a UUID)
//	    34   32  the signer's ed25519 public key
//	    66    8  when it was exported, Unix milliseconds, big-endian
//	    74    8  payload length in the file, big-endian
//	    82    8  payload length decompressed, big-endian
//	    90   36  record counts: learners, lessons, attempts, answers, statuses, cards,
//	             reviews, statements, workplace answers (9 × uint32, big-endian)
//	   126    …  payload: the bundle as JSON, gzip-compressed
//	     …   64  ed25519 signature of bundleSignContext + header + payload
//
// Format 1, written by Indicia before the workplace questions, has a header of 122 bytes
// with the first 8 counts, and no "workplace" in its payload; it is still read.
// A reader checks, before anything is decompressed or parsed: the magic, the version,
// the sizes and counts the header declares against the limits and the file's length,
// the required key if any, and the signature. Then it decompresses no more than the
// declared length, parses strictly (no unknown or repeated fields, no more records
// than declared) and validates every field (progress.Bundle.Validate). The bundle id is
// the SHA-256 of the signed bytes (header and payload).

// BundleMagic opens every bundle file.
const BundleMagic = "INDICIA-BUNDLE"

// BundleFormat is the format version this code writes; it reads this one and every
// earlier one.
const BundleFormat = 2

// BundleExt is the usual name ending of a bundle file.
const BundleExt = ".indicia-bundle"

const (
	bundleHeaderSize = 126 // of BundleFormat (bundleHeaderSizeOf)
	// The signature covers this, then the header and payload: no certificate or other
	// message signed with the same key can pass for a bundle.
	bundleSignContext = "indicia station bundle\x00"
)

// BundleLimits bound what a reader accepts.
type BundleLimits struct {
	File    int64 // the whole file, in bytes
	Payload int64 // the payload decompressed, in bytes
}

// DefaultBundleLimits are far above what a station holds (a station with 500 learners
// who each passed every module twice writes a few megabytes).
func DefaultBundleLimits() BundleLimits {
	return BundleLimits{File: 64 << 20, Payload: 256 << 20}
}

// BundleProblem says why a bundle was refused.
type BundleProblem int

// The problems.
const (
	BundleUnreadable    BundleProblem = iota + 1 // the file cannot be read
	BundleForeign                                // not a bundle
	BundleTruncated                              // shorter than its header says
	BundleNewerFormat                            // written by a newer version
	BundleDamaged                                // its structure is wrong (before the signature is checked)
	BundleTooLarge                               // the file is larger than the limit
	BundlePayloadTooBig                          // the payload would decompress beyond the limit
	BundleTooMany                                // it declares more records than a bundle may hold
	BundleBadSignature                           // changed since it was signed
	BundleOtherKey                               // signed by a key not trusted (--trust)
	BundleBadKeyID                               // a --trust value that is no key id
	BundleInvalid                                // signed, but its content is not valid
)

// BundleError is a refused bundle. Message gives it in the user's language.
type BundleError struct {
	Problem BundleProblem
	Path    string // the file, when read from one
	Version int    // BundleNewerFormat
	Limit   int64  // BundleTooLarge, BundlePayloadTooBig
	Got     string // BundleOtherKey, BundleBadKeyID: the key id found or given
	Want    []string
	Detail  string // BundleTooMany, BundleDamaged, BundleInvalid: what is wrong (English)
	Err     error
}

func (e *BundleError) Error() string {
	var s string
	switch e.Problem {
	case BundleUnreadable:
		s = "the file cannot be read"
	case BundleForeign:
		s = "not an Indicia station bundle"
	case BundleTruncated:
		s = "the file is incomplete (truncated)"
	case BundleNewerFormat:
		s = fmt.Sprintf("written by a newer version of Indicia (bundle format %d)", e.Version)
	case BundleDamaged:
		s = "the file is damaged"
	case BundleTooLarge:
		s = fmt.Sprintf("the file is larger than %d bytes", e.Limit)
	case BundlePayloadTooBig:
		s = fmt.Sprintf("the content would take more than %d bytes", e.Limit)
	case BundleTooMany:
		s = "it declares more records than a bundle may hold"
	case BundleBadSignature:
		s = "the signature does not match: the file was changed after it was signed"
	case BundleOtherKey:
		s = fmt.Sprintf("signed with key %s, not a trusted key (%s)", e.Got, strings.Join(e.Want, ", "))
	case BundleBadKeyID:
		s = fmt.Sprintf("%q is not a station key id (16 hexadecimal digits)", e.Got)
	case BundleInvalid:
		s = "the content is not valid"
	default:
		s = "bundle error"
	}
	if e.Detail != "" {
		s += " (" + e.Detail + ")"
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	if e.Path != "" {
		s = e.Path + ": " + s
	}
	return printable(s)
}

func (e *BundleError) Unwrap() error { return e.Err }

// Message is the error in the language of l, on one line, without the file name.
func (e *BundleError) Message(l *locales.Localizer) string {
	var s string
	switch e.Problem {
	case BundleUnreadable:
		reason := "?"
		if e.Err != nil {
			reason = e.Err.Error()
			var pe *fs.PathError
			if errors.As(e.Err, &pe) {
				reason = pe.Err.Error()
			}
		}
		s = l.T("Bundle.Error.Unreadable", map[string]any{"Reason": reason})
	case BundleForeign:
		s = l.T("Bundle.Error.Foreign")
	case BundleTruncated:
		s = l.T("Bundle.Error.Truncated")
	case BundleNewerFormat:
		s = l.T("Bundle.Error.NewerFormat", map[string]any{"Version": e.Version})
	case BundleDamaged:
		s = l.T("Bundle.Error.Damaged", map[string]any{"Detail": e.Detail})
	case BundleTooLarge:
		s = l.T("Bundle.Error.TooLarge", map[string]any{"Limit": l.Number(int(e.Limit >> 20))})
	case BundlePayloadTooBig:
		s = l.T("Bundle.Error.PayloadTooBig", map[string]any{"Limit": l.Number(int(e.Limit >> 20))})
	case BundleTooMany:
		s = l.T("Bundle.Error.TooMany", map[string]any{"Detail": e.Detail})
	case BundleBadSignature:
		s = l.T("Bundle.Error.BadSignature")
	case BundleOtherKey:
		s = l.T("Bundle.Error.OtherKey", map[string]any{"Got": e.Got, "Want": strings.Join(e.Want, ", ")})
	case BundleBadKeyID:
		s = l.T("Bundle.Error.BadKeyID", map[string]any{"Key": e.Got})
	case BundleInvalid:
		s = l.T("Bundle.Error.Invalid", map[string]any{"Detail": e.Detail})
	default:
		s = e.Error()
	}
	return printable(strings.Join(strings.Fields(s), " "))
}

func bundleProblem(p BundleProblem, detail string) *BundleError {
	return &BundleError{Problem: p, Detail: detail}
}

// ParseTrust reads the key ids given with --trust (16 hexadecimal digits each, any case).
func ParseTrust(ids []string) ([]string, error) {
	var out []string
	for _, id := range ids {
		for _, part := range strings.Split(id, ",") {
			if strings.TrimSpace(part) == "" {
				continue
			}
			k, err := ParseKeyID(part)
			if err != nil {
				return nil, &BundleError{Problem: BundleBadKeyID, Got: part}
			}
			out = append(out, k)
		}
	}
	return out, nil
}

// ReadBundleOptions tune ReadBundle.
type ReadBundleOptions struct {
	// Trust, when not empty, lists the key ids (KeyID) a bundle must be signed with.
	Trust  []string
	Limits BundleLimits // zero: DefaultBundleLimits
}

// BundleFile is a bundle read and checked: its header and its content.
type BundleFile struct {
	ID        string // SHA-256 of the signed bytes, hexadecimal
	Format    int
	Station   string
	PublicKey ed25519.PublicKey
	KeyID     string
	Created   time.Time
	Counts    progress.BundleCounts
	Bundle    *progress.Bundle // ID, Station, KeyID and Created set from the header
	Size      int64            // of the file
}

// WriteBundle writes b as a bundle file signed with key, and returns what it wrote (its
// Bundle is b, with ID and KeyID set). b must pass progress.Bundle.ValidateContent:
// nothing is written that a reader would refuse.
func WriteBundle(w io.Writer, key *SigningKey, b *progress.Bundle) (*BundleFile, error) {
	if err := b.ValidateContent(); err != nil {
		return nil, fmt.Errorf("this database holds what a bundle cannot carry: %w", err)
	}
	counts := b.Counts()
	if msg := counts.Exceeds(progress.MaxBundleCounts()); msg != "" {
		return nil, fmt.Errorf("too many records for one bundle (%s)", msg)
	}
	station, _ := uuid.Parse(b.Station)
	var payload bytes.Buffer
	zw, err := gzip.NewWriterLevel(&payload, gzip.DefaultCompression)
	if err != nil {
		return nil, err
	}
	raw := &countingWriter{w: zw}
	enc := json.NewEncoder(raw)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(b); err != nil {
		return nil, fmt.Errorf("write bundle: %w", err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("write bundle: %w", err)
	}
	limits := DefaultBundleLimits()
	if raw.n > limits.Payload || int64(bundleHeaderSize+payload.Len()+ed25519.SignatureSize) > limits.File {
		return nil, fmt.Errorf("write bundle: %d bytes (%d compressed) is more than a bundle may hold", raw.n, payload.Len())
	}
	pub := key.Public()
	created := b.Created
	if created.IsZero() {
		created = time.Now()
	}
	hdr := make([]byte, bundleHeaderSize, bundleHeaderSize+payload.Len()+ed25519.SignatureSize)
	copy(hdr, BundleMagic)
	binary.BigEndian.PutUint16(hdr[14:], BundleFormat)
	copy(hdr[18:34], station[:])
	copy(hdr[34:66], pub)
	binary.BigEndian.PutUint64(hdr[66:], uint64(created.UnixMilli()))
	binary.BigEndian.PutUint64(hdr[74:], uint64(payload.Len()))
	binary.BigEndian.PutUint64(hdr[82:], uint64(raw.n))
	for i, n := range countList(counts, BundleFormat) {
		binary.BigEndian.PutUint32(hdr[90+4*i:], uint32(n))
	}
	signed := append(hdr, payload.Bytes()...)
	sig := key.sign(append([]byte(bundleSignContext), signed...))
	sum := sha256.Sum256(signed)
	f := &BundleFile{ID: hex.EncodeToString(sum[:]), Format: BundleFormat, Station: b.Station, PublicKey: pub, KeyID: key.ID,
		Created: time.UnixMilli(created.UnixMilli()), Counts: counts, Bundle: b, Size: int64(len(signed) + len(sig))}
	if _, err := w.Write(signed); err != nil {
		return nil, fmt.Errorf("write bundle: %w", err)
	}
	if _, err := w.Write(sig); err != nil {
		return nil, fmt.Errorf("write bundle: %w", err)
	}
	b.ID, b.KeyID, b.Created = f.ID, f.KeyID, f.Created
	return f, nil
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// countList lists the counts a header of the format holds, in their order.
func countList(c progress.BundleCounts, format int) []int {
	list := []int{c.Learners, c.Lessons, c.Attempts, c.Answers, c.Statuses, c.Cards, c.Reviews, c.Statements, c.Workplace}
	return list[:countsIn(format)]
}

// countsIn is how many record counts a header of the format holds.
func countsIn(format int) int {
	if format == 1 {
		return 8
	}
	return 9
}

// bundleHeaderSizeOf is the header size of a format.
func bundleHeaderSizeOf(format int) int { return 90 + 4*countsIn(format) }

// ExportBundle writes everything the store holds as a bundle signed with key. The
// statements of the outbox are tied to their learner (for erasure on the trainer's
// machine) when the database's xAPI identity tells whose pseudonym they carry.
func ExportBundle(ctx context.Context, store *progress.Store, key *SigningKey, w io.Writer) (*BundleFile, error) {
	b, err := store.ExportBundle(ctx)
	if err != nil {
		return nil, err
	}
	if len(b.Statements) > 0 {
		// Read the identity only if it exists: exporting creates nothing beside the
		// database but the signing key.
		if id, err := readXAPIIdentity(XAPISecretPath(store.Path())); err == nil {
			tieStatements(b, id)
		}
	}
	return WriteBundle(w, key, b)
}

// tieStatements sets each statement's learner from its actor's account.
func tieStatements(b *progress.Bundle, id *XAPIIdentity) {
	byAccount := make(map[string]string, len(b.Learners))
	for _, l := range b.Learners {
		byAccount[id.AccountName(l.LocalID)] = l.UID
	}
	home := id.HomePage()
	for i := range b.Statements {
		var st struct {
			Actor struct {
				Account struct {
					HomePage string `json:"homePage"`
					Name     string `json:"name"`
				} `json:"account"`
			} `json:"actor"`
		}
		if json.Unmarshal(b.Statements[i].Statement, &st) != nil || st.Actor.Account.HomePage != home {
			continue
		}
		if uid, ok := byAccount[st.Actor.Account.Name]; ok {
			b.Statements[i].Learner = uid
		}
	}
}

// ReadBundleFile reads and checks the bundle file at path (see ReadBundle). The path is
// only opened: nothing in the file is ever used as a path.
func ReadBundleFile(path string, opt ReadBundleOptions) (*BundleFile, error) {
	limits := opt.Limits
	if limits == (BundleLimits{}) {
		limits = DefaultBundleLimits()
	}
	fail := func(e *BundleError) (*BundleFile, error) {
		e.Path = path
		return nil, e
	}
	f, err := os.Open(path)
	if err != nil {
		return fail(&BundleError{Problem: BundleUnreadable, Err: err})
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return fail(&BundleError{Problem: BundleUnreadable, Err: err})
	}
	if !st.Mode().IsRegular() {
		return fail(&BundleError{Problem: BundleUnreadable, Err: errors.New("not a regular file")})
	}
	if st.Size() > limits.File {
		return fail(&BundleError{Problem: BundleTooLarge, Limit: limits.File})
	}
	data, err := io.ReadAll(io.LimitReader(f, limits.File+1))
	if err != nil {
		return fail(&BundleError{Problem: BundleUnreadable, Err: err})
	}
	opt.Limits = limits
	bf, err := ReadBundle(data, opt)
	if err != nil {
		var be *BundleError
		if errors.As(err, &be) {
			return fail(be)
		}
		return nil, err
	}
	return bf, nil
}

// ReadBundle checks a bundle file's bytes and returns its content; a refused bundle is a
// *BundleError. Nothing is decompressed or parsed before the header, the sizes and the
// signature are checked.
func ReadBundle(data []byte, opt ReadBundleOptions) (*BundleFile, error) {
	limits := opt.Limits
	if limits == (BundleLimits{}) {
		limits = DefaultBundleLimits()
	}
	if int64(len(data)) > limits.File {
		return nil, &BundleError{Problem: BundleTooLarge, Limit: limits.File}
	}
	if len(data) < len(BundleMagic) {
		if len(data) > 0 && strings.HasPrefix(BundleMagic, string(data)) {
			return nil, bundleProblem(BundleTruncated, "")
		}
		return nil, bundleProblem(BundleForeign, "")
	}
	if string(data[:len(BundleMagic)]) != BundleMagic {
		return nil, bundleProblem(BundleForeign, "")
	}
	if len(data) < 16 {
		return nil, bundleProblem(BundleTruncated, "")
	}
	version := int(binary.BigEndian.Uint16(data[14:]))
	headerSize := bundleHeaderSizeOf(version)
	if version >= 1 && version <= BundleFormat && len(data) < headerSize {
		return nil, bundleProblem(BundleTruncated, "")
	}
	var hdr []byte
	switch {
	case version > BundleFormat:
		return nil, &BundleError{Problem: BundleNewerFormat, Version: version}
	case version < 1:
		return nil, bundleProblem(BundleDamaged, "format version 0")
	case binary.BigEndian.Uint16(data[16:]) != 0:
		return nil, bundleProblem(BundleDamaged, "unknown flags")
	}
	hdr = data[:headerSize]
	var station uuid.UUID
	copy(station[:], hdr[18:34])
	if station == uuid.Nil {
		return nil, bundleProblem(BundleDamaged, "no station id")
	}
	pub := ed25519.PublicKey(bytes.Clone(hdr[34:66]))
	created := int64(binary.BigEndian.Uint64(hdr[66:]))
	payloadLen := binary.BigEndian.Uint64(hdr[74:])
	rawLen := binary.BigEndian.Uint64(hdr[82:])
	var c [9]int
	for i := range countsIn(version) {
		c[i] = int(binary.BigEndian.Uint32(hdr[90+4*i:]))
	}
	counts := progress.BundleCounts{Learners: c[0], Lessons: c[1], Attempts: c[2], Answers: c[3], Statuses: c[4],
		Cards: c[5], Reviews: c[6], Statements: c[7], Workplace: c[8]}
	body := uint64(len(data) - headerSize)
	switch {
	case payloadLen > body || body-payloadLen < ed25519.SignatureSize:
		return nil, bundleProblem(BundleTruncated, "")
	case body-payloadLen > ed25519.SignatureSize:
		return nil, bundleProblem(BundleDamaged, "data after the signature")
	case rawLen > uint64(limits.Payload):
		return nil, &BundleError{Problem: BundlePayloadTooBig, Limit: limits.Payload}
	case payloadLen < 18 || rawLen < 2:
		return nil, bundleProblem(BundleDamaged, "no content")
	case created < 946_684_800_000 || created >= 7_258_118_400_000:
		return nil, bundleProblem(BundleDamaged, "export time outside 2000–2200")
	}
	if msg := counts.Exceeds(progress.MaxBundleCounts()); msg != "" {
		return nil, bundleProblem(BundleTooMany, msg)
	}
	keyID := KeyID(pub)
	if len(opt.Trust) > 0 && !slices.Contains(opt.Trust, keyID) {
		return nil, &BundleError{Problem: BundleOtherKey, Got: keyID, Want: slices.Clone(opt.Trust)}
	}
	signedLen := headerSize + int(payloadLen)
	signed, sig := data[:signedLen], data[signedLen:]
	msg := make([]byte, 0, len(bundleSignContext)+len(signed))
	msg = append(append(msg, bundleSignContext...), signed...)
	if !ed25519.Verify(pub, msg, sig) {
		return nil, bundleProblem(BundleBadSignature, "")
	}

	// Signed: the content is what the key's holder wrote. Anyone can make a key, so it is
	// still checked as strictly as if it were not.
	b, err := decodeBundlePayload(data[headerSize:signedLen], int64(rawLen), counts, version)
	if err != nil {
		return nil, &BundleError{Problem: BundleInvalid, Detail: err.Error()}
	}
	sum := sha256.Sum256(signed)
	b.ID, b.Station, b.KeyID, b.Created = hex.EncodeToString(sum[:]), station.String(), keyID, time.UnixMilli(created)
	if err := b.Validate(); err != nil {
		return nil, &BundleError{Problem: BundleInvalid, Detail: err.Error()}
	}
	return &BundleFile{ID: b.ID, Format: version, Station: b.Station, PublicKey: pub, KeyID: keyID, Created: b.Created,
		Counts: counts, Bundle: b, Size: int64(len(data))}, nil
}

// decodeBundlePayload decompresses exactly rawLen bytes and parses them strictly: the
// top-level fields once each and no others, no more records of a kind than the header
// declares (checked while reading, so a lying header cannot make it allocate more), and
// exactly as many. A format 1 payload has no "workplace".
func decodeBundlePayload(payload []byte, rawLen int64, want progress.BundleCounts, format int) (*progress.Bundle, error) {
	br := bytes.NewReader(payload)
	zr, err := gzip.NewReader(br)
	if err != nil {
		return nil, fmt.Errorf("the payload is not gzip data: %v", err)
	}
	zr.Multistream(false)
	raw, err := io.ReadAll(io.LimitReader(zr, rawLen+1))
	if err != nil {
		return nil, fmt.Errorf("the payload does not decompress: %v", err)
	}
	if int64(len(raw)) != rawLen {
		return nil, fmt.Errorf("the payload decompresses to %d bytes, not the %d declared", len(raw), rawLen)
	}
	if n, err := zr.Read(make([]byte, 1)); n != 0 || err != io.EOF {
		return nil, errors.New("the payload decompresses to more than declared")
	}
	if br.Len() != 0 {
		return nil, errors.New("data after the compressed payload")
	}

	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, errors.New("the content is not a JSON object")
	}
	b := &progress.Bundle{}
	seen := map[string]bool{}
	answers := 0
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("the content is not JSON: %v", err)
		}
		key, _ := tok.(string)
		if seen[key] {
			return nil, fmt.Errorf("%q appears twice", key)
		}
		seen[key] = true
		switch key {
		case "learners":
			err = decodeList(dec, key, &b.Learners, want.Learners, nil)
		case "lessons":
			err = decodeList(dec, key, &b.Lessons, want.Lessons, nil)
		case "attempts":
			err = decodeList(dec, key, &b.Attempts, want.Attempts, func(a *progress.BundleAttempt) error {
				if answers += len(a.Answers); answers > want.Answers {
					return fmt.Errorf("more answers than the %d declared", want.Answers)
				}
				return nil
			})
		case "statuses":
			err = decodeList(dec, key, &b.Statuses, want.Statuses, nil)
		case "cards":
			err = decodeList(dec, key, &b.Cards, want.Cards, nil)
		case "reviews":
			err = decodeList(dec, key, &b.Reviews, want.Reviews, nil)
		case "statements":
			err = decodeList(dec, key, &b.Statements, want.Statements, nil)
		case "workplace":
			if format < 2 {
				return nil, fmt.Errorf("unknown field %q in a format %d bundle", key, format)
			}
			err = decodeList(dec, key, &b.Workplace, want.Workplace, nil)
		default:
			return nil, fmt.Errorf("unknown field %q", clipString(key))
		}
		if err != nil {
			return nil, err
		}
	}
	if tok, err := dec.Token(); err != nil || tok != json.Delim('}') {
		return nil, errors.New("the content is not a JSON object")
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("data after the content")
	}
	if got := b.Counts(); got != want {
		return nil, fmt.Errorf("the content holds %+v, the header declares %+v", got, want)
	}
	return b, nil
}

// decodeList reads a JSON array (or null) of at most max elements into out.
func decodeList[T any](dec *json.Decoder, name string, out *[]T, max int, check func(*T) error) error {
	tok, err := dec.Token()
	if err != nil {
		return fmt.Errorf("%s: %v", name, err)
	}
	if tok == nil {
		return nil
	}
	if tok != json.Delim('[') {
		return fmt.Errorf("%s is not a list", name)
	}
	*out = make([]T, 0, min(max, 4096))
	for dec.More() {
		if len(*out) >= max {
			return fmt.Errorf("more %s than the %d declared", name, max)
		}
		var v T
		if err := dec.Decode(&v); err != nil {
			return fmt.Errorf("%s[%d]: %v", name, len(*out), err)
		}
		if check != nil {
			if err := check(&v); err != nil {
				return err
			}
		}
		*out = append(*out, v)
	}
	if tok, err := dec.Token(); err != nil || tok != json.Delim(']') {
		return fmt.Errorf("%s is not a list", name)
	}
	return nil
}

// clipString shortens a name from the file quoted in a message.
func clipString(s string) string {
	if r := []rune(s); len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return s
}

// printable replaces what a terminal could take for a command (control and
// direction-changing characters) in text that may quote a file's content.
func printable(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) || r == utf8.RuneError {
			return '?'
		}
		return r
	}, s)
}
