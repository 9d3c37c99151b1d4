package model

import (
	"strings"
	"testing"
)

// TestConfigMessages: issue 14 row 7. A config.json that is an array
// printed "cannot unmarshal array into Go value of type model.Config".
func TestConfigMessages(t *testing.T) {
	for in, want := range map[string]string{
		`[1, 2]`: "config.json: the document is an array, want an object",
		`{"text_config": {"hidden_size": "wide"}}`: `"text_config.hidden_size" is a string, want a whole number`,
		`{"vision_config": []}`:                    `"vision_config" is an array, want an object`,
	} {
		_, err := ParseConfigJSON([]byte(in))
		if err == nil || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "Go ") {
			t.Errorf("%s: %v, want %q", in, err, want)
		}
	}
}
