package login

import (
	"strings"

	qrcode "github.com/skip2/go-qrcode"
)

// qr draws text as a QR code with half-block characters, two modules per
// character cell vertically, so a phone can scan the verification link off
// the terminal. Light modules (the quiet zone included) are drawn in the
// foreground colour, right for the dark terminals most developers use;
// phone scanners also read the inverted code a light theme shows.
func qr(text string) (string, error) {
	code, err := qrcode.New(text, qrcode.Medium)
	if err != nil {
		return "", err
	}
	bits := code.Bitmap() // true = dark, with a quiet zone
	var b strings.Builder
	for y := 0; y < len(bits); y += 2 {
		for x := range bits[y] {
			top := !bits[y][x]
			bottom := y+1 < len(bits) && !bits[y+1][x]
			switch {
			case top && bottom:
				b.WriteRune('█')
			case top:
				b.WriteRune('▀')
			case bottom:
				b.WriteRune('▄')
			default:
				b.WriteRune(' ')
			}
		}
		b.WriteByte('\n')
	}
	return b.String(), nil
}
