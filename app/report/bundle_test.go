package report

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"indicia/app/progress"
	"indicia/locales"
	"indicia/quiz"
)

// testKey is a signing key made from a fixed seed.
func testKey(seed byte) *SigningKey {
	priv := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{seed}, ed25519.SeedSize))
	return &SigningKey{private: priv, ID: KeyID(priv.Public().(ed25519.PublicKey))}
}

// stationStore is a station's database with two learners, their lessons, attempts,
// reviews and outbox statements (with real pseudonymous actors).
func stationStore(t testing.TB) *progress.Store {
	t.Helper()
	ctx := context.Background()
	s, err := progress.Open(ctx, filepath.Join(t.TempDir(), "station.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	id, err := LoadXAPIIdentity(s.Path())
	if err != nil {
		t.Fatal(err)
	}
	for i, name := range []string{"Chloë Van Daële", "Jürgen Mießen"} {
		l, err := s.CreateLearner(ctx, progress.NewLearner{Name: name, Role: []string{"police", "guardian"}[i], Language: []string{"nl", "de"}[i], Cohort: "EUP-1"})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.SaveLesson(ctx, l.ID, "core", "intro", 3, 4*time.Minute, true); err != nil {
			t.Fatal(err)
		}
		plan := quiz.Plan{{QuestionID: "q1", Options: []string{"a", "b"}}, {QuestionID: "q2", Options: []string{"b", "a"}}}
		a, err := s.StartAttempt(ctx, progress.NewAttempt{LearnerID: l.ID, ModuleID: "core", ContentVersion: "2026.11-1", Language: l.Language, Plan: plan, PassMark: 50})
		if err != nil {
			t.Fatal(err)
		}
		for pos := range plan {
			if err := s.RecordAnswer(ctx, a.ID, progress.Answer{Position: pos, QuestionID: plan[pos].QuestionID, Response: quiz.Response{Chosen: []string{"a"}},
				Complete: true, Correct: pos == 0, Time: 9 * time.Second, Confidence: quiz.Sure, Indicator: "age-doubt"}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := s.FinishAttempt(ctx, a.ID); err != nil {
			t.Fatal(err)
		}
		if err := s.RecordReview(ctx, l.ID, progress.ReviewAnswer{ModuleID: "core", QuestionID: "q2", Indicator: "age-doubt",
			Response: quiz.Response{Chosen: []string{"b"}}, Correct: true, Confidence: quiz.Fairly, Time: 3 * time.Second}); err != nil {
			t.Fatal(err)
		}
		if err := s.RecordWorkplace(ctx, l.ID, "core", time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC),
			progress.WorkplaceAnswer{MetSign: progress.ReplyYes, Alerted: progress.ReplyYes, KnewWhom: progress.ReplyNo}); err != nil {
			t.Fatal(err)
		}
		sid := id.StatementID(fmt.Sprintf("attempt/%d/passed", a.ID))
		stmt := fmt.Sprintf(`{"id":%q,"actor":{"objectType":"Agent","account":{"homePage":%q,"name":%q}},"verb":{"id":%q},"object":{"id":"https://indicia.invalid/module/core"}}`,
			sid, id.HomePage(), id.AccountName(l.ID), VerbPassed)
		if _, err := s.Enqueue(ctx, []progress.OutboxStatement{{ID: sid, Statement: json.RawMessage(stmt)}}); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

func exportBytes(t testing.TB, s *progress.Store, key *SigningKey) ([]byte, *BundleFile) {
	t.Helper()
	var buf bytes.Buffer
	bf, err := ExportBundle(context.Background(), s, key, &buf)
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), bf
}

func problemOf(err error) BundleProblem {
	var be *BundleError
	if errors.As(err, &be) {
		return be.Problem
	}
	return 0
}

// craft writes a bundle file around any JSON content, signed with key, with the header
// the writer would give it unless edit changes it (before signing).
func craft(key *SigningKey, content []byte, counts progress.BundleCounts, edit func(hdr []byte)) []byte {
	return craftFormat(key, content, counts, BundleFormat, edit)
}

// craftFormat is craft with a header of the given format.
func craftFormat(key *SigningKey, content []byte, counts progress.BundleCounts, format int, edit func(hdr []byte)) []byte {
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	zw.Write(content)
	zw.Close()
	hdr := make([]byte, bundleHeaderSizeOf(format))
	copy(hdr, BundleMagic)
	binary.BigEndian.PutUint16(hdr[14:], uint16(format))
	station := uuid.MustParse("6f1c3a52-8a2e-4c55-9d61-0b7f5a3e2d10")
	copy(hdr[18:], station[:])
	copy(hdr[34:], key.Public())
	binary.BigEndian.PutUint64(hdr[66:], uint64(time.Date(2026, 5, 4, 10, 0, 0, 0, time.UTC).UnixMilli()))
	binary.BigEndian.PutUint64(hdr[74:], uint64(z.Len()))
	binary.BigEndian.PutUint64(hdr[82:], uint64(len(content)))
	for i, n := range countList(counts, format) {
		binary.BigEndian.PutUint32(hdr[90+4*i:], uint32(n))
	}
	if edit != nil {
		edit(hdr)
	}
	signed := append(hdr, z.Bytes()...)
	return append(signed, key.sign(append([]byte(bundleSignContext), signed...))...)
}

// payloadOf decompresses a bundle's content.
func payloadOf(t testing.TB, data []byte) []byte {
	t.Helper()
	n := binary.BigEndian.Uint64(data[74:])
	zr, err := gzip.NewReader(bytes.NewReader(data[bundleHeaderSize : bundleHeaderSize+int(n)]))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if _, err := out.ReadFrom(zr); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func TestBundleRoundTrip(t *testing.T) {
	s := stationStore(t)
	key := testKey(1)
	data, written := exportBytes(t, s, key)
	if !bytes.HasPrefix(data, []byte(BundleMagic)) || written.Size != int64(len(data)) || written.KeyID != key.ID {
		t.Fatalf("written %+v", written)
	}
	sum := sha256.Sum256(data[:len(data)-ed25519.SignatureSize])
	if written.ID != fmt.Sprintf("%x", sum) {
		t.Errorf("bundle id %s is not the SHA-256 of the signed bytes", written.ID)
	}
	got, err := ReadBundle(data, ReadBundleOptions{})
	if err != nil {
		t.Fatal(err)
	}
	station, _ := s.StationID(context.Background())
	if got.ID != written.ID || got.Station != station || got.KeyID != key.ID || !got.PublicKey.Equal(key.Public()) ||
		got.Counts != written.Counts || got.Format != BundleFormat || !got.Created.Equal(written.Created) {
		t.Errorf("read %+v\nwrote %+v", got, written)
	}
	c := got.Counts
	if c.Learners != 2 || c.Attempts != 2 || c.Answers != 4 || c.Statements != 2 || c.Reviews != 2 || c.Cards != 4 || c.Lessons != 2 || c.Statuses != 2 ||
		c.Workplace != 2 {
		t.Errorf("counts %+v", c)
	}
	want, _ := json.Marshal(written.Bundle)
	have, _ := json.Marshal(got.Bundle)
	if !bytes.Equal(want, have) {
		t.Errorf("content differs:\n%s\n%s", want, have)
	}
	// No PIN hash, no local id leaves the machine.
	raw := string(payloadOf(t, data))
	if strings.Contains(raw, "pin") || strings.Contains(raw, "LocalID") || !strings.Contains(raw, "Chloë Van Daële") {
		t.Errorf("payload: %s", raw)
	}
	// Each statement knows its learner (its actor is one of this station's pseudonyms).
	for _, st := range got.Bundle.Statements {
		if st.Learner == "" {
			t.Errorf("statement %s is tied to no learner", st.ID)
		}
	}
	// Merging it into a trainer's store gives the station's records.
	tr, err := progress.Open(context.Background(), filepath.Join(t.TempDir(), "trainer.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	res, err := tr.MergeBundle(context.Background(), got.Bundle, progress.MergeOptions{})
	if err != nil || res.Learners.Added != 2 || res.Answers.Added != 4 || res.Statements.Added != 2 {
		t.Errorf("merge: %+v %v", res, err)
	}
}

// TestEveryChangedByteIsRefused flips every bit position's byte of a real bundle, one at a
// time: each copy is refused, none is ever read.
func TestEveryChangedByteIsRefused(t *testing.T) {
	data, _ := exportBytes(t, stationStore(t), testKey(2))
	for i := range data {
		for _, x := range []byte{0x01, 0x80, 0xff} {
			bad := bytes.Clone(data)
			bad[i] ^= x
			if _, err := ReadBundle(bad, ReadBundleOptions{}); err == nil {
				t.Fatalf("byte %d ^ %#x was accepted", i, x)
			} else if p := problemOf(err); p == 0 {
				t.Fatalf("byte %d: not a BundleError: %v", i, err)
			}
		}
	}
	// In the payload, the signature is what catches it.
	bad := bytes.Clone(data)
	bad[bundleHeaderSize+20] ^= 1
	if _, err := ReadBundle(bad, ReadBundleOptions{}); problemOf(err) != BundleBadSignature {
		t.Errorf("payload byte changed: %v", err)
	}
}

func TestTruncatedExtendedAndForeignFilesAreRefused(t *testing.T) {
	data, _ := exportBytes(t, stationStore(t), testKey(3))
	for n := 0; n < len(data); n++ {
		_, err := ReadBundle(data[:n], ReadBundleOptions{})
		switch p := problemOf(err); {
		case err == nil:
			t.Fatalf("truncated to %d bytes: accepted", n)
		case n == 0 && p != BundleForeign, n > 0 && p != BundleTruncated:
			t.Fatalf("truncated to %d bytes: %v", n, err)
		}
	}
	if _, err := ReadBundle(append(bytes.Clone(data), 0), ReadBundleOptions{}); problemOf(err) != BundleDamaged {
		t.Errorf("a byte appended: %v", err)
	}
	sqlite := append([]byte("SQLite format 3\x00"), make([]byte, 4080)...)
	for name, foreign := range map[string][]byte{
		"pdf": []byte("%PDF-1.7\n..."), "sqlite": sqlite, "zip": []byte("PK\x03\x04 something"),
		"gzip": {0x1f, 0x8b, 8, 0}, "text": []byte("INDICIA BUNDLE\n"), "lowercase": []byte(strings.ToLower(BundleMagic) + strings.Repeat("x", 200)),
	} {
		if _, err := ReadBundle(foreign, ReadBundleOptions{}); problemOf(err) != BundleForeign {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestUnknownVersionsAndFlagsAreRefusedEvenWhenSigned(t *testing.T) {
	key := testKey(4)
	content := []byte(`{"learners":[],"lessons":[],"attempts":[],"statuses":[],"cards":[],"reviews":[],"statements":[]}`)
	if _, err := ReadBundle(craft(key, content, progress.BundleCounts{}, nil), ReadBundleOptions{}); err != nil {
		t.Fatalf("an empty bundle: %v", err)
	}
	next := BundleFormat + 1
	newer := craft(key, content, progress.BundleCounts{}, func(h []byte) { binary.BigEndian.PutUint16(h[14:], uint16(next)) })
	_, err := ReadBundle(newer, ReadBundleOptions{})
	var be *BundleError
	if !errors.As(err, &be) || be.Problem != BundleNewerFormat || be.Version != next {
		t.Errorf("format %d: %v", next, err)
	}
	for name, edit := range map[string]func([]byte){
		"version 0":  func(h []byte) { binary.BigEndian.PutUint16(h[14:], 0) },
		"flags":      func(h []byte) { h[17] = 1 },
		"no station": func(h []byte) { clear(h[18:34]) },
		"year 1970":  func(h []byte) { binary.BigEndian.PutUint64(h[66:], 0) },
	} {
		if _, err := ReadBundle(craft(key, content, progress.BundleCounts{}, edit), ReadBundleOptions{}); problemOf(err) != BundleDamaged {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestSizeLimitsAndAbsurdCounts(t *testing.T) {
	key := testKey(5)
	data, _ := exportBytes(t, stationStore(t), key)
	path := filepath.Join(t.TempDir(), "b"+BundleExt)
	os.WriteFile(path, data, 0o600)
	if _, err := ReadBundleFile(path, ReadBundleOptions{Limits: BundleLimits{File: int64(len(data)) - 1, Payload: 1 << 20}}); problemOf(err) != BundleTooLarge {
		t.Errorf("file over the limit: %v", err)
	}
	if _, err := ReadBundleFile(path, ReadBundleOptions{Limits: BundleLimits{File: 1 << 20, Payload: 100}}); problemOf(err) != BundlePayloadTooBig {
		t.Errorf("payload over the limit: %v", err)
	}
	if _, err := ReadBundleFile(path, ReadBundleOptions{}); err != nil {
		t.Errorf("within the limits: %v", err)
	}
	if _, err := ReadBundleFile(filepath.Dir(path), ReadBundleOptions{}); problemOf(err) != BundleUnreadable {
		t.Errorf("a folder: %v", err)
	}
	if _, err := ReadBundleFile(path+".missing", ReadBundleOptions{}); problemOf(err) != BundleUnreadable {
		t.Errorf("no file: %v", err)
	}
	// A header that declares 4 billion answers, or a payload of 2^63 bytes: refused
	// before anything is decompressed (and whether signed or not).
	content := []byte(`{"learners":[]}`)
	for name, edit := range map[string]func([]byte){
		"answers":     func(h []byte) { binary.BigEndian.PutUint32(h[90+4*3:], 0xffffffff) },
		"learners":    func(h []byte) { binary.BigEndian.PutUint32(h[90:], uint32(progress.MaxBundleCounts().Learners+1)) },
		"payload":     func(h []byte) { binary.BigEndian.PutUint64(h[82:], 1<<63) },
		"compressed":  func(h []byte) { binary.BigEndian.PutUint64(h[74:], 1<<62) },
		"compressed0": func(h []byte) { binary.BigEndian.PutUint64(h[74:], 0) },
	} {
		_, err := ReadBundle(craft(key, content, progress.BundleCounts{}, edit), ReadBundleOptions{})
		if p := problemOf(err); p != BundleTooMany && p != BundlePayloadTooBig && p != BundleTruncated && p != BundleDamaged {
			t.Errorf("%s: %v", name, err)
		}
	}
	// A bomb: 200 MB of zeros in a small file, declared as 100 bytes. Decompression stops
	// at the declared size.
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	zw.Write(make([]byte, 200<<20))
	zw.Close()
	bomb := craft(key, []byte(`{}`), progress.BundleCounts{}, func(h []byte) {})
	hdr := bytes.Clone(bomb[:bundleHeaderSize])
	binary.BigEndian.PutUint64(hdr[74:], uint64(z.Len()))
	binary.BigEndian.PutUint64(hdr[82:], 100)
	signed := append(hdr, z.Bytes()...)
	bomb = append(signed, key.sign(append([]byte(bundleSignContext), signed...))...)
	if _, err := ReadBundle(bomb, ReadBundleOptions{}); problemOf(err) != BundleInvalid {
		t.Errorf("bomb: %v", err)
	}
}

func TestTrustedKeys(t *testing.T) {
	s := stationStore(t)
	ours, theirs := testKey(6), testKey(7)
	data, _ := exportBytes(t, s, ours)
	if _, err := ReadBundle(data, ReadBundleOptions{Trust: []string{ours.ID}}); err != nil {
		t.Errorf("our key trusted: %v", err)
	}
	_, err := ReadBundle(data, ReadBundleOptions{Trust: []string{theirs.ID}})
	var be *BundleError
	if !errors.As(err, &be) || be.Problem != BundleOtherKey || be.Got != ours.ID {
		t.Errorf("another key: %v", err)
	}
	// The same payload re-signed with another key (someone who copied it and changed
	// it): a valid bundle of that key's, refused when ours is required.
	resigned := craft(theirs, payloadOf(t, data), progress.BundleCounts{}, func(h []byte) {
		copy(h[:74], data[:74]) // the station's header, lengths aside
		copy(h[90:], data[90:bundleHeaderSize])
		copy(h[34:66], theirs.Public())
	})
	if _, err := ReadBundle(resigned, ReadBundleOptions{}); err != nil {
		t.Errorf("re-signed, no key required: %v", err)
	}
	if _, err := ReadBundle(resigned, ReadBundleOptions{Trust: []string{ours.ID}}); problemOf(err) != BundleOtherKey {
		t.Errorf("re-signed with another key: %v", err)
	}
	// The public key swapped without re-signing: the signature fails.
	swapped := bytes.Clone(data)
	copy(swapped[34:66], theirs.Public())
	if _, err := ReadBundle(swapped, ReadBundleOptions{}); problemOf(err) != BundleBadSignature {
		t.Errorf("key swapped: %v", err)
	}
	if keys, err := ParseTrust([]string{strings.ToUpper(ours.ID) + "," + theirs.ID}); err != nil || len(keys) != 2 || keys[0] != ours.ID {
		t.Errorf("ParseTrust: %v %v", keys, err)
	}
	if _, err := ParseTrust([]string{"../../etc"}); problemOf(err) != BundleBadKeyID {
		t.Errorf("bad key id: %v", err)
	}
}

// TestSignedButInvalidContentIsRefused: anyone can make a key, so a valid signature
// proves nothing about the content, which is checked as strictly as ever.
func TestSignedButInvalidContentIsRefused(t *testing.T) {
	key := testKey(8)
	data, written := exportBytes(t, stationStore(t), key)
	good := payloadOf(t, data)
	counts := written.Counts
	replace := func(old, new string) []byte {
		if !bytes.Contains(good, []byte(old)) {
			t.Fatalf("%q is not in the content", old)
		}
		return bytes.Replace(good, []byte(old), []byte(new), 1)
	}
	l0 := written.Bundle.Learners[0]
	for name, content := range map[string][]byte{
		"unknown top field":    append([]byte(`{"admin":true,`), good[1:]...),
		"repeated top field":   append([]byte(`{"learners":[],`), good[1:]...),
		"unknown field":        replace(`"role":`, `"isTrainer":true,"role":`),
		"path as module":       replace(`"module":"core"`, `"module":"../../../etc/passwd"`),
		"name with escape":     replace(l0.Name, `Chlo\u001b[2J`),
		"trailing data":        append(bytes.Clone(good), []byte(`{}`)...),
		"not an object":        []byte(`[1,2,3]`),
		"not json":             []byte(`{"learners":[{`),
		"more than declared":   replace(`"learners":[`, `"learners":[`+string(mustJSON(l0))+`,`),
		"number for a string":  replace(`"role":"police"`, `"role":7`),
		"float for an integer": replace(`"total":2`, `"total":2.5`),
		"learner of nobody":    replace(`"learner":"`+l0.UID, `"learner":"`+strings.Repeat("0", 32)),
	} {
		_, err := ReadBundle(craft(key, content, counts, nil), ReadBundleOptions{})
		if p := problemOf(err); p != BundleInvalid {
			t.Errorf("%s: %v", name, err)
		}
	}
	more := counts
	more.Learners++
	if _, err := ReadBundle(craft(key, good, more, nil), ReadBundleOptions{}); problemOf(err) != BundleInvalid {
		t.Errorf("fewer than declared: %v", err)
	}
	// The gzip stream itself: trailing junk, a second stream, the wrong length.
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	zw.Write(good)
	zw.Close()
	for name, payload := range map[string][]byte{
		"junk after the stream": append(bytes.Clone(z.Bytes()), 0, 0, 0),
		"two streams":           append(bytes.Clone(z.Bytes()), z.Bytes()...),
		"not gzip":              good,
	} {
		hdr := bytes.Clone(data[:bundleHeaderSize])
		binary.BigEndian.PutUint64(hdr[74:], uint64(len(payload)))
		signed := append(hdr, payload...)
		file := append(signed, key.sign(append([]byte(bundleSignContext), signed...))...)
		if _, err := ReadBundle(file, ReadBundleOptions{}); problemOf(err) != BundleInvalid {
			t.Errorf("%s: %v", name, err)
		}
	}
	// A bundle signed by this key for another purpose (a certificate) is no bundle.
	sig := key.sign(append([]byte(certSignContext), data[:len(data)-ed25519.SignatureSize]...))
	other := append(bytes.Clone(data[:len(data)-ed25519.SignatureSize]), sig...)
	if _, err := ReadBundle(other, ReadBundleOptions{}); problemOf(err) != BundleBadSignature {
		t.Errorf("signed in another context: %v", err)
	}
}

func mustJSON(v any) []byte {
	data, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return data
}

func TestWriteRefusesWhatAReaderWouldRefuse(t *testing.T) {
	b := &progress.Bundle{Station: "not-a-uuid"}
	var buf bytes.Buffer
	if _, err := WriteBundle(&buf, testKey(9), b); err == nil || buf.Len() != 0 {
		t.Errorf("bad station: %v, %d bytes written", err, buf.Len())
	}
}

func TestBundleMessagesInEveryLanguage(t *testing.T) {
	lb, err := locales.NewBundle()
	if err != nil {
		t.Fatal(err)
	}
	errs := []*BundleError{
		{Problem: BundleUnreadable, Err: &os.PathError{Op: "open", Path: "x", Err: os.ErrPermission}},
		{Problem: BundleForeign}, {Problem: BundleTruncated}, {Problem: BundleNewerFormat, Version: 3},
		{Problem: BundleDamaged, Detail: "unknown flags"}, {Problem: BundleTooLarge, Limit: 64 << 20},
		{Problem: BundlePayloadTooBig, Limit: 256 << 20}, {Problem: BundleTooMany, Detail: "answers: 9, at most 1"},
		{Problem: BundleBadSignature}, {Problem: BundleOtherKey, Got: "0123456789abcdef", Want: []string{"fedcba9876543210"}},
		{Problem: BundleBadKeyID, Got: "zz"}, {Problem: BundleInvalid, Detail: "learners[0]: a name with \x1b[2J"},
	}
	for _, lang := range locales.Languages {
		l := lb.For(lang)
		for _, e := range errs {
			m := e.Message(l)
			if m == "" || strings.HasPrefix(m, "Bundle.") || strings.ContainsAny(m, "\n\x1b") || strings.Contains(m, "{{") {
				t.Errorf("%s: %v: %q", lang, e.Problem, m)
			}
		}
		if m := errs[1].Message(l); lang != "en" && m == errs[1].Message(lb.For("en")) {
			t.Errorf("%s: not translated: %q", lang, m)
		}
	}
}

// ---------------------------------------------------------------------------------------
// Fuzzing

var updateSeed = flag.Bool("update-bundle-seed", false, "write a new real bundle into testdata/fuzz/FuzzReadBundle")

const (
	seedCorpusFile = "testdata/fuzz/FuzzReadBundle/station-bundle"
	// format1SeedFile is a real bundle written by Indicia before format 2 (before the
	// workplace answers travelled): kept as it was, never made again.
	format1SeedFile = "testdata/fuzz/FuzzReadBundle/station-bundle-format1"
)

// readSeed reads the real bundle of the seed corpus (Go's corpus file format).
func readSeed(t testing.TB) []byte { return readCorpusFile(t, seedCorpusFile) }

func readCorpusFile(t testing.TB, seedCorpusFile string) []byte {
	t.Helper()
	text, err := os.ReadFile(seedCorpusFile)
	if err != nil {
		t.Fatalf("the seed corpus: %v (go test -run TestFuzzSeed -update-bundle-seed makes it)", err)
	}
	lines := strings.SplitN(strings.TrimSpace(string(text)), "\n", 2)
	if len(lines) != 2 || lines[0] != "go test fuzz v1" || !strings.HasPrefix(lines[1], "[]byte(") {
		t.Fatalf("%s is not a fuzz corpus file", seedCorpusFile)
	}
	s, err := strconv.Unquote(strings.TrimSuffix(strings.TrimPrefix(lines[1], "[]byte("), ")"))
	if err != nil {
		t.Fatal(err)
	}
	return []byte(s)
}

// TestFuzzSeedIsARealBundle keeps the seed corpus a bundle the reader accepts.
func TestFuzzSeedIsARealBundle(t *testing.T) {
	if *updateSeed {
		data, _ := exportBytes(t, stationStore(t), testKey(10))
		os.MkdirAll(filepath.Dir(seedCorpusFile), 0o755)
		if err := os.WriteFile(seedCorpusFile, []byte("go test fuzz v1\n[]byte("+strconv.Quote(string(data))+")\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	bf, err := ReadBundle(readSeed(t), ReadBundleOptions{})
	if err != nil {
		t.Fatalf("the seed bundle is refused: %v", err)
	}
	if bf.Format != BundleFormat || bf.Counts.Learners == 0 || bf.Counts.Answers == 0 || bf.Counts.Statements == 0 || bf.Counts.Workplace == 0 {
		t.Errorf("the seed bundle holds too little: %+v", bf.Counts)
	}
}

// FuzzReadBundle: any bytes are refused with a BundleError, or are exactly one of the
// signed bundles the fuzzer started from: a changed signed bundle is never accepted.
// Nothing panics.
func FuzzReadBundle(f *testing.F) {
	seed, format1 := readSeed(f), readCorpusFile(f, format1SeedFile)
	fresh := craft(testKey(11), []byte(`{"learners":[],"statements":[]}`), progress.BundleCounts{}, nil)
	good := map[[32]byte]bool{sha256.Sum256(seed): true, sha256.Sum256(fresh): true, sha256.Sum256(format1): true}
	f.Add(fresh)
	f.Add(seed[:bundleHeaderSize])
	f.Add([]byte(BundleMagic))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		bf, err := ReadBundle(data, ReadBundleOptions{})
		if err == nil {
			if !good[sha256.Sum256(data)] {
				t.Fatalf("accepted a bundle that is not one of the signed seeds (%d bytes)", len(data))
			}
			if bf.Bundle.Validate() != nil {
				t.Fatal("accepted an invalid bundle")
			}
			return
		}
		var be *BundleError
		if !errors.As(err, &be) {
			t.Fatalf("not a BundleError: %v", err)
		}
	})
}

// FuzzBundleContent signs whatever content the fuzzer makes, so that the strict parser
// and the validation are what is fuzzed: they refuse it, or what they accept writes and
// reads back the same. Nothing panics.
func FuzzBundleContent(f *testing.F) {
	key := testKey(12)
	f.Add(payloadOf(f, readSeed(f)))
	f.Add([]byte(`{"learners":[{"uid":"0123456789abcdef0123456789abcdef","station":"6f1c3a52-8a2e-4c55-9d61-0b7f5a3e2d10","name":"A","role":"police","language":"fr","cohort":"","created":1700000000000,"active":1700000000000}]}`))
	f.Add([]byte(`{"learners":null,"attempts":[{}]}`))
	f.Fuzz(func(t *testing.T, content []byte) {
		var loose progress.Bundle
		json.Unmarshal(content, &loose)
		bf, err := ReadBundle(craft(key, content, loose.Counts(), nil), ReadBundleOptions{})
		if err != nil {
			if problemOf(err) == 0 {
				t.Fatalf("not a BundleError: %v", err)
			}
			return
		}
		var buf bytes.Buffer
		if _, err := WriteBundle(&buf, key, bf.Bundle); err != nil {
			t.Fatalf("accepted content cannot be written again: %v", err)
		}
		again, err := ReadBundle(buf.Bytes(), ReadBundleOptions{})
		if err != nil || again.Counts != bf.Counts {
			t.Fatalf("accepted content does not read back: %v", err)
		}
	})
}

// TestFormat1BundlesStillMerge: a bundle written before format 2 (a station not yet
// updated) reads and merges; it carries no workplace answers, and a format 1 payload
// that holds some, or a format 1 header read as format 2, is refused.
func TestFormat1BundlesStillMerge(t *testing.T) {
	data := readCorpusFile(t, format1SeedFile)
	if v := binary.BigEndian.Uint16(data[14:]); v != 1 {
		t.Fatalf("the format 1 seed is format %d", v)
	}
	bf, err := ReadBundle(data, ReadBundleOptions{})
	if err != nil {
		t.Fatalf("a format 1 bundle is refused: %v", err)
	}
	if bf.Format != 1 || bf.Counts.Learners == 0 || bf.Counts.Answers == 0 || bf.Counts.Workplace != 0 || len(bf.Bundle.Workplace) != 0 {
		t.Errorf("read %+v", bf)
	}
	trainer, err := progress.Open(context.Background(), filepath.Join(t.TempDir(), "trainer.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer trainer.Close()
	res, err := trainer.MergeBundle(context.Background(), bf.Bundle, progress.MergeOptions{})
	if err != nil {
		t.Fatalf("merge: %v", err)
	}
	if res.Learners.Added != bf.Counts.Learners || res.Answers.Added != bf.Counts.Answers || res.Workplace != (progress.MergeCount{}) {
		t.Errorf("merged %+v from %+v", res, bf.Counts)
	}

	// The version field says 2, the header is a format 1 header: its counts end early
	// and the payload starts four bytes too soon, so the signature no longer matches.
	relabelled := bytes.Clone(data)
	binary.BigEndian.PutUint16(relabelled[14:], 2)
	if _, err := ReadBundle(relabelled, ReadBundleOptions{}); err == nil {
		t.Error("a format 1 bundle relabelled format 2 is accepted")
	}
	// A format 1 bundle whose payload holds workplace answers: not what format 1 is.
	key := testKey(13)
	content := []byte(`{"learners":[],"workplace":[]}`)
	if _, err := ReadBundle(craftFormat(key, content, progress.BundleCounts{}, 1, nil), ReadBundleOptions{}); problemOf(err) != BundleInvalid {
		t.Errorf("workplace in a format 1 payload: %v", err)
	}
	if _, err := ReadBundle(craftFormat(key, content, progress.BundleCounts{}, 2, nil), ReadBundleOptions{}); err != nil {
		t.Errorf("the same in format 2: %v", err)
	}
	// Format 1 without the field reads as it did.
	if _, err := ReadBundle(craftFormat(key, []byte(`{"learners":[]}`), progress.BundleCounts{}, 1, nil), ReadBundleOptions{}); err != nil {
		t.Errorf("an empty format 1 bundle: %v", err)
	}
}
