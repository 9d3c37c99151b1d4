package refdata

import (
	"encoding/json"
	"fmt"
	"os"
)

// Tokens is one testdata/tokenizer/tokens_NAME.json: the golden strings and
// their ids under each variant the reference produced (a file holds only
// the variants it names; the others stay nil).
type Tokens struct {
	Strings         []string `json:"strings"`
	TokenizerSHA256 string   `json:"tokenizer_sha256"` // Gemma: the tokenizer.json the ids come from
	IDCount         int      `json:"id_count"`         // Gemma: ids in that tokenizer.json
	PieceSize       int      `json:"spm_piece_size"`   // SentencePiece: pieces in the model
	SpecialIDs      struct {
		Pad, EOS, BOS, Unk int32
	} `json:"special_ids"`
	Variants struct {
		Raw          [][]int32  `json:"raw"` // tokenizer.json alone (Gemma)
		SPMRaw       [][]int32  `json:"spm_raw"`
		SPMRawPieces [][]string `json:"spm_raw_pieces"`
		SiglipNoPad  [][]int32  `json:"siglip_no_padding"`
		SiglipMax64  [][]int32  `json:"siglip_max_length_64"`
		Siglip2NoPad [][]int32  `json:"siglip2_no_padding"`
		Siglip2Max64 [][]int32  `json:"siglip2_max_length_64"`
	} `json:"variants"`
}

// LoadTokens reads testdata/tokenizer/tokens_NAME.json.
func LoadTokens(name string) (*Tokens, error) {
	b, err := os.ReadFile(Path("tokenizer/tokens_" + name + ".json"))
	if err != nil {
		return nil, err
	}
	var g Tokens
	if err := json.Unmarshal(b, &g); err != nil {
		return nil, fmt.Errorf("tokens_%s.json: %w", name, err)
	}
	return &g, nil
}
