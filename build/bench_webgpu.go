package main

// `go run ./build bench -backend webgpu`: our WebGPU backend (web/webgpu/)
// against onnxruntime-web's WebGPU execution provider, on the same adapter
// (one headless Chromium page), the same model and the same input, runs
// interleaved:
//
//	tiny/webgpu ours_ms=… peer_ms=… ratio=… ours_first_ms=… peer_first_ms=… ours_max_logit_err=… peer_max_logit_err=… adapter="…"
//
// The model is testdata/tiny (the whole SiglipModel: 2 images and 4 texts
// to logits per run): ours from its f32 model file with backend 'webgpu',
// the peer from testdata/tinyonnx/tiny_fp32.onnx; the peer gets
// transformers' pixel_values and input_ids (tiny/golden.npz), ours the
// same images and texts through our API (preprocessing and tokenisation,
// both tested bit-exact against those, are in our time). Both logits are
// checked against transformers' fp64 ones. Without a GPU, Chromium is
// started on SwiftShader (a software Vulkan): the line is then a smoke
// test of the harness; with a GPU (-gpu) it is the real figure. The tiny
// model is the only one both finish on SwiftShader in seconds.

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/siglip-wasm/siglip-wasm/internal/refdata"
	"github.com/siglip-wasm/siglip-wasm/modelfile"
	"github.com/siglip-wasm/siglip-wasm/modelfile/weights"
	"github.com/siglip-wasm/siglip-wasm/safetensors"
)

type webgpuBenchConfig struct {
	Runs   int       `json:"runs"`
	Warmup int       `json:"warmup"`
	Peer   benchCase `json:"peer"`
	Model  string    `json:"model"`
	Images []string  `json:"images"` // URLs of the encoded images
	Texts  []string  `json:"texts"`
	Golden []float64 `json:"golden"` // fp64 logits_per_image, row-major
}

func runBenchWebGPU(root, chromium string, runs, warmup int, timeout time.Duration, realGPU, verbose bool) error {
	srv := &benchServer{root: root, outDir: filepath.Join(root, "build", "out", "bench"), virtual: map[string][]byte{}}
	if err := os.MkdirAll(srv.outDir, 0o755); err != nil {
		return err
	}
	if err := buildWasm(filepath.Join(root, "web", "dist")); err != nil {
		return err
	}
	cases, err := tinyCases(srv)
	if err != nil {
		return err
	}
	var peer benchCase
	for _, c := range cases {
		if c.Name == "tiny-f32" {
			peer = c
		}
	}
	if peer.Name == "" {
		return fmt.Errorf("no tiny-f32 case")
	}
	model, err := tinyModelFile()
	if err != nil {
		return err
	}
	srv.virtual["/bench/webgpu/tiny-f32.siglip"] = model
	var meta struct {
		Texts  []string `json:"texts"`
		Images []string `json:"images"`
	}
	raw, err := os.ReadFile(refdata.Path("tiny/golden_meta.json"))
	if err == nil {
		err = json.Unmarshal(raw, &meta)
	}
	if err != nil {
		return fmt.Errorf("tiny/golden_meta.json: %w", err)
	}
	cfg := webgpuBenchConfig{Runs: runs, Warmup: warmup, Peer: peer, Model: "/bench/webgpu/tiny-f32.siglip", Texts: meta.Texts}
	for _, name := range meta.Images[:2] {
		b, err := os.ReadFile(refdata.Path("images/" + name))
		if err != nil {
			return err
		}
		srv.virtual["/bench/webgpu/"+name] = b
		cfg.Images = append(cfg.Images, "/bench/webgpu/"+name)
	}
	gold, err := refdata.LoadNPZ("tiny/golden.npz")
	if err != nil {
		return err
	}
	cfg.Golden = gold["fp64/logits_per_image"].F64
	if cfgJSON, err := json.Marshal(cfg); err != nil {
		return err
	} else {
		srv.virtual["/bench/webgpu/config.json"] = cfgJSON
	}
	origin, stop, err := srv.start()
	if err != nil {
		return err
	}
	defer stop()
	warnLoad("before")
	gpuFlag := "0"
	if realGPU {
		gpuFlag = "1"
	}
	cmd := exec.Command("node", filepath.Join(root, "build", "bench", "webgpu.mjs"),
		"--url", origin+"/build/bench/webgpu.html", "--chromium", chromium,
		"--timeout-ms", fmt.Sprint(timeout.Milliseconds()), "--gpu", gpuFlag)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting node build/bench/webgpu.mjs: %w", err)
	}
	var failures []string
	sc := bufio.NewScanner(out)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		line := sc.Bytes()
		if verbose {
			fmt.Fprintf(os.Stderr, "driver: %s\n", line)
		}
		var ev struct {
			Type, Message, URL, Adapter              string
			OursMs, PeerMs, OursFirstMs, PeerFirstMs float64
			OursErr, PeerErr                         float64
			OursBackend                              string
		}
		if err := json.Unmarshal(line, &ev); err != nil {
			failures = append(failures, fmt.Sprintf("driver printed %q", line))
			continue
		}
		switch ev.Type {
		case "result":
			if ev.OursBackend != "webgpu" {
				failures = append(failures, "our model did not run on webgpu: "+ev.OursBackend)
			}
			fmt.Printf("tiny/webgpu ours_ms=%.1f peer_ms=%.1f ratio=%.2f ours_first_ms=%.0f peer_first_ms=%.0f ours_max_logit_err=%.1e peer_max_logit_err=%.1e adapter=%q\n",
				ev.OursMs, ev.PeerMs, ev.OursMs/ev.PeerMs, ev.OursFirstMs, ev.PeerFirstMs, ev.OursErr, ev.PeerErr, ev.Adapter)
			if ev.OursErr > 1e-4 || ev.PeerErr > 1e-3 {
				failures = append(failures, fmt.Sprintf("logits off transformers' fp64: ours %.2e (limit 1e-4), peer %.2e (limit 1e-3)", ev.OursErr, ev.PeerErr))
			}
		case "foreign":
			failures = append(failures, "the page asked another origin: "+ev.URL)
		case "error":
			failures = append(failures, ev.Message)
		}
	}
	if err := cmd.Wait(); err != nil {
		failures = append(failures, fmt.Sprintf("build/bench/webgpu.mjs: %v", err))
	}
	warnLoad("after")
	for _, p := range srv.misses() {
		failures = append(failures, "page requested a missing file: "+p)
	}
	if len(failures) > 0 {
		return fmt.Errorf("%s", strings.Join(failures, "\n"))
	}
	return nil
}

// tinyModelFile writes testdata/tiny (f32, with the XLNet vocabulary its
// goldens were tokenised with) as one model file, in memory.
func tinyModelFile() ([]byte, error) {
	cfg, err := os.ReadFile(refdata.Path("tiny/config.json"))
	if err != nil {
		return nil, err
	}
	st, err := os.ReadFile(refdata.Path("tiny/model.safetensors"))
	if err != nil {
		return nil, err
	}
	tok, err := os.ReadFile(refdata.Path("tokenizer/xlnet-base-cased-spiece.model"))
	if err != nil {
		return nil, err
	}
	f, err := safetensors.Parse(st)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := modelfile.Write(&b, weights.Specs, cfg, tok, "spiece.model", modelfile.FromSafetensors(f), "f32"); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
