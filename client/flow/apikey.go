package flow

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/wardauth/ward/secret"
)

// ErrAPIKeyFromTerminal refuses a key typed at a terminal: it would land in
// the scrollback and, with some shells, the history.
var ErrAPIKeyFromTerminal = errors.New("ward login --with-api-key reads the key from standard input, not a terminal; " +
	"pipe it in, for example: printenv WARD_KEY | ward login --with-api-key")

// ReadAPIKey reads an API key from r, which must not be a terminal. It
// trims whitespace, and refuses a Ward key whose checksum is wrong (a typo
// or a truncated copy, caught before anything is stored or sent).
func ReadAPIKey(r io.Reader, isTerminal bool) (string, error) {
	if isTerminal {
		return "", ErrAPIKeyFromTerminal
	}
	line, err := bufio.NewReader(io.LimitReader(r, 4096)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("reading the API key from standard input: %w", err)
	}
	key := strings.TrimSpace(line)
	if key == "" {
		return "", errors.New("no API key on standard input")
	}
	if strings.HasPrefix(key, secret.APIKey) {
		if err := secret.Check(key, secret.APIKey); err != nil {
			return "", fmt.Errorf("the API key's checksum is wrong: it was mistyped or cut short; copy it again")
		}
		return key, nil
	}
	return "", fmt.Errorf("this is not a Ward API key (they start with %s)", secret.APIKey)
}
