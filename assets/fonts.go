package assets

import _ "embed"

// The DejaVu Sans font (regular and bold) that the PDF exports embed, so that accented
// names and every language print the same on any machine. Its licence (Bitstream Vera,
// DejaVu changes in the public domain) is in fonts/LICENSE.
var (
	//go:embed fonts/DejaVuSans.ttf
	FontRegular []byte
	//go:embed fonts/DejaVuSans-Bold.ttf
	FontBold []byte
)
