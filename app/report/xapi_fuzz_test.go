package report

import (
	"bytes"
	"encoding/json"
	"testing"
)

// FuzzStatementJSON feeds arbitrary JSON to the statement decoder that reads statements
// back from the outbox and from station bundles: it never panics, and whatever decodes
// encodes to the same bytes after another round trip, so statements passed from machine
// to machine do not drift.
func FuzzStatementJSON(f *testing.F) {
	f.Add(`{"id":"3f2a9c1e-5b7d-5c3e-9a41-0b6f2d8e7c10","actor":{"objectType":"Agent","account":{"homePage":"https://indicia.invalid/station/x","name":"ab12"}},"verb":{"id":"http://adlnet.gov/expapi/verbs/answered","display":{"en-US":"answered"}},"object":{"objectType":"Activity","id":"https://indicia.invalid/module/core/question/q1","definition":{"type":"http://adlnet.gov/expapi/activities/cmi.interaction","interactionType":"choice","correctResponsesPattern":["b"],"choices":[{"id":"a","description":{"fr":"A"}},{"id":"b","description":{"fr":"B"}}]}},"result":{"success":true,"response":"b","duration":"PT12S"},"context":{"language":"fr","revision":"2026.11-1"},"timestamp":"2026-03-02T09:00:00Z"}`)
	f.Add(`{"id":"","result":{"score":{"scaled":0.83,"raw":10,"min":0,"max":12},"completion":true}}`)
	f.Add(`{"context":{"contextActivities":{"grouping":[{"id":"x"}]}},"object":{"definition":{"name":{"nl":"é"}}}}`)
	f.Add(`[]`)
	f.Fuzz(func(t *testing.T, data string) {
		var s Statement
		if json.Unmarshal([]byte(data), &s) != nil {
			return
		}
		out, err := json.Marshal(s)
		if err != nil {
			t.Fatalf("a decoded statement does not encode: %v", err)
		}
		var again Statement
		if err := json.Unmarshal(out, &again); err != nil {
			t.Fatalf("an encoded statement does not decode: %v\n%s", err, out)
		}
		// Encoding is stable: what one machine writes, the next reads and writes the same.
		if out2, _ := json.Marshal(again); !bytes.Equal(out, out2) {
			t.Fatalf("round trip changed the statement:\n%s\n%s", out, out2)
		}
	})
}
