package report

import (
	"bufio"
	"context"
	"encoding/csv"
	"io"
	"strconv"
	"strings"

	"indicia/app/progress"
)

// WriteCSV writes the report as CSV (RFC 4180: commas, quotes where needed, CRLF line
// ends), in UTF-8 with a byte order mark so that spreadsheet programs read accented
// names right. Dates are YYYY-MM-DD, the best score a whole percentage (empty when no
// attempt was finished), the time spent in minutes.
func (c *Completion) WriteCSV(ctx context.Context, w io.Writer) error {
	counts, err := c.Source.CompletionCounts(ctx, c.query())
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	if _, err := bw.WriteString("\uFEFF"); err != nil {
		return err
	}
	cw := csv.NewWriter(bw)
	cw.UseCRLF = true
	if err := cw.Write(c.headers()); err != nil {
		return err
	}
	titles := c.moduleTitles()
	rec := make([]string, numColumns)
	err = c.each(ctx, counts.Rows(), func(r *progress.CompletionRow) error {
		rec[colNumber] = strconv.FormatInt(r.Learner.ID, 10)
		rec[colName] = safeCell(r.Learner.Name)
		rec[colRole] = c.roleLabel(r.Learner.Role)
		rec[colLanguage] = strings.ToUpper(r.Learner.Language)
		rec[colCohort] = safeCell(r.Learner.Cohort)
		rec[colRegistered] = isoDate(r.Learner.CreatedAt)
		rec[colLastActive] = isoDate(r.Learner.LastActive)
		rec[colModule] = titles[r.ModuleID]
		rec[colStatus] = c.rowStatus(r)
		rec[colScore] = ""
		if r.HasScore {
			rec[colScore] = strconv.Itoa(r.BestPercent)
		}
		rec[colPassedOn] = isoDate(r.PassedAt)
		rec[colAttempts] = strconv.Itoa(r.Attempts)
		rec[colTime] = strconv.Itoa(minutes(r.TimeSpent))
		return cw.Write(rec) // buffered; an error of the writer underneath shows at Flush
	})
	if err != nil {
		return err
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return bw.Flush()
}

// safeCell keeps a spreadsheet program from taking text a learner typed (a name, a
// cohort code) for a formula (OWASP's advice against CSV injection): text starting with
// = + - @ or a control character gets a leading apostrophe, so it stays text.
func safeCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
