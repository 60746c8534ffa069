// Package assets holds the files the app embeds: the icon (and later the font the
// PDF exports use).
package assets

import _ "embed"

// IconPNG is the application icon, 512×512.
//
//go:embed icon.png
var IconPNG []byte
