package progress

import "errors"

// OpenErrorKey is the message id (in locales) that says why Open refused a database: a
// newer version's file, a foreign or damaged one, a folder that cannot be written, a
// copy of the app already using it, or another reason (Open.Generic). The desktop app
// and the command-line tools say it in the same words.
func OpenErrorKey(err error) string {
	switch {
	case errors.Is(err, ErrNewerSchema):
		return "Open.Newer"
	case errors.Is(err, ErrForeign):
		return "Open.Foreign"
	case errors.Is(err, ErrCorrupt):
		return "Open.Corrupt"
	case errors.Is(err, ErrNotWritable):
		return "Open.NotWritable"
	case errors.Is(err, ErrInUse):
		return "Open.InUse"
	}
	return "Open.Generic"
}
