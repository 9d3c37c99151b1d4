package tokenizer

import (
	"fmt"
	"testing"
)

// shortLabels are 1000 zero-shot style prompts.
func shortLabels() []string {
	colours := []string{"red", "green", "blue", "yellow", "purple", "orange", "black", "white", "Golden", "pale-pink"}
	things := []string{"cat", "dog", "plane", "remote control", "circle", "square", "triangle", "ring", "car", "café"}
	templates := []string{"a photo of a %s %s", "A %s %s.", "an image of the %s %s", "%s %s", "a drawing of a %s %s!",
		"a close-up photo of a %s %s", "a blurry photo of a %s %s", "a bad photo of the %s %s", "art of a %s %s", "a %s %s in the snow"}
	var out []string
	for _, tp := range templates {
		for _, c := range colours {
			for _, th := range things {
				out = append(out, fmt.Sprintf(tp, c, th))
			}
		}
	}
	return out
}

func BenchmarkEncodeBatch1000Labels(b *testing.B) {
	tok := xlnet(b)
	labels := shortLabels()
	ids := 0
	b.ResetTimer()
	for range b.N {
		flat, err := tok.EncodeBatch(labels, 64)
		if err != nil {
			b.Fatal(err)
		}
		ids = 0
		for i := range labels {
			for _, id := range flat[i*64 : (i+1)*64] {
				if id != tok.EOSID() {
					ids++
				}
			}
		}
	}
	b.ReportMetric(float64(ids*b.N)/b.Elapsed().Seconds(), "ids/s")
	b.ReportMetric(float64(len(labels)*b.N)/b.Elapsed().Seconds(), "labels/s")
}

func BenchmarkLoadSentencePiece(b *testing.B) {
	data := testdata(b, "xlnet-base-cased-spiece.model")
	for range b.N {
		if _, err := Load(data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLoadTokenizerJSON(b *testing.B) {
	js, err := ConvertToTokenizerJSON(testdata(b, "xlnet-base-cased-spiece.model"))
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		if _, err := Load(js); err != nil {
			b.Fatal(err)
		}
	}
}
