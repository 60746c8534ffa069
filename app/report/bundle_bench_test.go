package report

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/google/uuid"

	"indicia/app/progress"
)

// benchBundle is a station's bundle held in memory: 20 learners, 200 attempts of 20
// answers (4,000 answers) and an xAPI statement per answer.
func benchBundle(n int) *progress.Bundle {
	start := time.Date(2026, 2, 2, 8, 0, 0, 0, time.UTC).Add(time.Duration(n) * time.Hour)
	ms := func(t time.Time) int64 { return t.UnixMilli() }
	b := &progress.Bundle{Station: uuid.NewString(), Created: start.Add(90 * 24 * time.Hour)}
	plan := make([]map[string]any, 20)
	for i := range plan {
		plan[i] = map[string]any{"q": fmt.Sprintf("q%02d", i), "o": []string{"a", "b", "c", "d"}}
	}
	planJSON, _ := json.Marshal(plan)
	t := start
	for l := range 20 {
		lu := fmt.Sprintf("%032x", uuid.New())
		b.Learners = append(b.Learners, progress.BundleLearner{UID: lu[:32], Station: b.Station, Name: fmt.Sprintf("Learner %02d-%02d", n, l),
			Role: "police", Language: "nl", Cohort: "BENCH", CreatedAt: ms(t), LastActive: ms(t)})
		for a := range 10 {
			right, pct, passed := 16, 80, true
			au := fmt.Sprintf("%032x", uuid.New())
			at := progress.BundleAttempt{UID: au[:32], Learner: lu[:32], ModuleID: fmt.Sprintf("module%d", a%5), ContentVersion: "2026.11-1",
				Language: "nl", Plan: planJSON, PassMark: 80, Total: 20, Kind: "quiz", Status: "finished", Correct: &right,
				Percent: &pct, Passed: &passed, StartedAt: ms(t)}
			for pos := range 20 {
				t = t.Add(15 * time.Second)
				ok := pos < right
				conf := 1 + pos%3
				at.Answers = append(at.Answers, progress.BundleAnswer{Position: pos, QuestionID: fmt.Sprintf("q%02d", pos),
					Response: json.RawMessage(`{"chosen":["b"]}`), Complete: true, Correct: &ok, TimeMs: 15000, AnsweredAt: ms(t), Confidence: &conf})
				id := uuid.NewString()
				b.Statements = append(b.Statements, progress.BundleStatement{ID: id, CreatedAt: ms(t), Learner: lu[:32], Statement: json.RawMessage(fmt.Sprintf(
					`{"id":%q,"actor":{"objectType":"Agent","account":{"homePage":"https://indicia.invalid/station/%s","name":"%064x"}},`+
						`"verb":{"id":"http://adlnet.gov/expapi/verbs/answered","display":{"en-US":"answered"}},`+
						`"object":{"objectType":"Activity","id":"https://indicia.invalid/module/module%d/question/q%02d","definition":{"type":"http://adlnet.gov/expapi/activities/cmi.interaction","interactionType":"choice","correctResponsesPattern":["b"]}},`+
						`"result":{"success":%t,"response":"b","duration":"PT15S"},"context":{"platform":"Indicia","language":"nl","revision":"2026.11-1"},"timestamp":%q}`,
					id, b.Station, l, a%5, pos, ok, t.UTC().Format(time.RFC3339)))})
			}
			finished := ms(t)
			at.FinishedAt = &finished
			b.Attempts = append(b.Attempts, at)
		}
	}
	return b
}

// BenchmarkReadBundles reads and checks 50 bundle files holding 200,000 answers and
// 200,000 statements in all (signature, decompression, strict parsing, validation).
// The floor, from the same run: decompressing and decoding the same payloads with
// json.Unmarshal, without any check.
func BenchmarkReadBundles(b *testing.B) {
	key := testKey(42)
	var files [][]byte
	answers := 0
	for i := range 50 {
		var buf bytes.Buffer
		bf, err := WriteBundle(&buf, key, benchBundle(i))
		if err != nil {
			b.Fatal(err)
		}
		answers += bf.Counts.Answers
		files = append(files, buf.Bytes())
	}
	var read, floor time.Duration
	n := 0
	for b.Loop() {
		start := time.Now()
		for _, f := range files {
			if _, err := ReadBundle(f, ReadBundleOptions{}); err != nil {
				b.Fatal(err)
			}
		}
		read += time.Since(start)
		start = time.Now()
		for _, f := range files {
			zr, err := gzip.NewReader(bytes.NewReader(f[bundleHeaderSize : len(f)-64]))
			if err != nil {
				b.Fatal(err)
			}
			raw, _ := io.ReadAll(zr)
			var pb progress.Bundle
			if err := json.Unmarshal(raw, &pb); err != nil {
				b.Fatal(err)
			}
		}
		floor += time.Since(start)
		n++
	}
	b.ReportMetric(float64(answers)*float64(n)/read.Seconds(), "answers/s")
	b.ReportMetric(read.Seconds()/float64(n), "read-s")
	b.ReportMetric(floor.Seconds()/float64(n), "floor-s")
	b.ReportMetric(read.Seconds()/floor.Seconds(), "x-floor")
}
