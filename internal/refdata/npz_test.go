package refdata

import "testing"

func TestLoadGolden(t *testing.T) {
	g, err := LoadNPZ("tiny/golden.npz")
	if err != nil {
		t.Fatal(err)
	}
	ids, ok := g["input_ids"]
	if !ok || len(ids.Shape) != 2 || ids.Shape[0] != 4 || ids.Shape[1] != 64 || len(ids.I64) != 256 {
		t.Fatalf("input_ids: %+v", ids.Shape)
	}
	px := g["pixel_values"]
	if len(px.F64) != 2*3*256*256 {
		t.Fatalf("pixel_values: %v", px.Shape)
	}
	lg := g["fp64/logits_per_image"]
	if len(lg.F64) != 8 || lg.F64[0] > -7.7 || lg.F64[0] < -7.8 {
		t.Fatalf("logits: %v", lg.F64)
	}
	// fp64 logits are stored column-major in the file: [0][1] must be the
	// first image against the second text (golden_meta.json: -7.7919...).
	if v := lg.F64[1]; v > -7.79 || v < -7.80 {
		t.Fatalf("logits[0][1] = %v: Fortran order not handled", v)
	}
	keys := ""
	for k, v := range g {
		keys += k + " " + v.String() + "\n"
	}
	t.Log(keys)
	raw, err := LoadNPY("images/pil_decoded_coco_39769_q90.npy")
	if err != nil || len(raw.Shape) != 3 || raw.Shape[2] != 3 {
		t.Fatalf("npy: %v %v", raw.Shape, err)
	}
}
