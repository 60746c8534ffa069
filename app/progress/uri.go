package progress

import (
	"net/url"
	"path/filepath"
	"runtime"
	"strings"
)

// sqliteURI is the go-sqlite3 data source name of the file at path: an SQLite "file:"
// URI in which every byte of the path that has a meaning in a URI ('?', '#', '%',
// spaces, letters outside ASCII...) is percent-encoded, followed by params. Building
// it by concatenation cut a folder named "Team #2" at the '#' and opened "Team ".
func sqliteURI(path string, params url.Values) string {
	return sqliteURIFor(path, runtime.GOOS == "windows", params)
}

// sqliteURIFor is sqliteURI for a path of Windows (backslashes, drive letters, UNC
// shares) or of the other systems.
func sqliteURIFor(path string, windows bool, params url.Values) string {
	p := path
	if windows {
		p = strings.ReplaceAll(p, `\`, "/")
		// C:/x is written file:///C:/x; a share \\server\share\x, file:////server/share/x
		// (SQLite refuses an authority, and Windows reads //server/share as the share).
		if len(p) >= 2 && p[1] == ':' {
			p = "/" + p
		}
	} else {
		p = filepath.ToSlash(p)
	}
	var b strings.Builder
	b.WriteString("file:")
	if strings.HasPrefix(p, "/") {
		b.WriteString("//") // an empty authority, then the absolute path
	}
	const hex = "0123456789ABCDEF"
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9',
			c == '-', c == '.', c == '_', c == '~', c == '/', c == ':':
			b.WriteByte(c)
		default:
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		}
	}
	if len(params) > 0 {
		b.WriteByte('?')
		b.WriteString(params.Encode())
	}
	return b.String()
}
