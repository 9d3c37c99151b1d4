package tokenizer

import "fmt"

// MaxTextBytes is the longest text (in UTF-8 bytes) any path accepts: the
// command line, Node and the browser (web/siglip.js reads it from the
// module's limits() rather than copying it). SigLIP keeps 64 tokens, about
// 300 bytes of English; a text 13 times that long is surely a mistake (a
// file pasted as a label), and the bound keeps one text's work small.
const MaxTextBytes = 4096

// CheckText refuses a text longer than MaxTextBytes; what names it in the
// message ("text 3", "--text").
func CheckText(what, s string) error {
	if len(s) > MaxTextBytes {
		return fmt.Errorf("%s is %d bytes long; at most %d (SigLIP reads only the first 64 tokens)", what, len(s), MaxTextBytes)
	}
	return nil
}
