package main

// `go run ./build bench -backend webgpu`: our WebGPU backend (web/webgpu/)
// against onnxruntime-web's WebGPU execution provider, on the same adapter
// (one headless Chromium page), the same model and the same input, runs
// interleaved:
//
//	tiny-f32/webgpu ours_ms=… peer_ms=… ratio=… ours_first_ms=… peer_first_ms=… ours_max_logit_err=… peer_max_logit_err=… ours_compile_ms=… ours_uploaded_bytes=… file_bytes=… adapter="…"
//	tiny-q8/webgpu … ours_int8_dot=dot4I8Packed|i32 adapter="…"
//
// (ours_compile_ms: our kernels' compile time at load; the uploaded bytes
// are the tower tensors as stored, against the model file's size.)
//
// The model is testdata/tiny (the whole SiglipModel: 2 images and 4 texts
// to logits per run), two cases: ours from its f32 model file with backend
// 'webgpu' against testdata/tinyonnx/tiny_fp32.onnx, and ours from its q8
// file (the int8 products) against tiny_int8.onnx; the peer gets
// transformers' pixel_values and input_ids (tiny/golden.npz), ours the
// same images and texts through our API (preprocessing and tokenisation,
// both tested bit-exact against those, are in our time). Both logits are
// checked against transformers' fp64 ones (q8: only for gross errors). Without a GPU, Chromium is
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
	peers := map[string]benchCase{}
	for _, c := range cases {
		peers[c.Scheme] = c
	}
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
	gold, err := refdata.LoadNPZ("tiny/golden.npz")
	if err != nil {
		return err
	}
	var images []string
	for _, name := range meta.Images[:2] {
		b, err := os.ReadFile(refdata.Path("images/" + name))
		if err != nil {
			return err
		}
		srv.virtual["/bench/webgpu/"+name] = b
		images = append(images, "/bench/webgpu/"+name)
	}
	// f32: ours on f32 shaders against the peer's fp32 graph; q8: ours on
	// the int8 products (the wasm path's numbers) against the peer's int8
	// graph (tinyonnx/tiny_int8.onnx, onnxruntime's dynamic quantization).
	for _, scheme := range []string{"f32", "q8"} {
		peer, ok := peers[scheme]
		if !ok {
			return fmt.Errorf("no tiny-%s case", scheme)
		}
		model, err := tinyModelFile(scheme)
		if err != nil {
			return err
		}
		name := "tiny-" + scheme
		srv.virtual["/bench/webgpu/"+name+".siglip"] = model
		cfg := webgpuBenchConfig{Runs: runs, Warmup: warmup, Peer: peer, Model: "/bench/webgpu/" + name + ".siglip", Texts: meta.Texts,
			Images: images, Golden: gold["fp64/logits_per_image"].F64}
		cfgJSON, err := json.Marshal(cfg)
		if err != nil {
			return err
		}
		srv.virtual["/bench/webgpu/"+name+".json"] = cfgJSON
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
	var failures []string
	for _, scheme := range []string{"f32", "q8"} {
		failures = append(failures, runWebGPUDriver(root, chromium, origin, "tiny-"+scheme, gpuFlag, timeout, verbose)...)
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

// runWebGPUDriver runs build/bench/webgpu.mjs on the page for one case
// (its config at /bench/webgpu/NAME.json), prints its line and returns
// what went wrong.
func runWebGPUDriver(root, chromium, origin, name, gpuFlag string, timeout time.Duration, verbose bool) []string {
	cmd := exec.Command("node", filepath.Join(root, "build", "bench", "webgpu.mjs"),
		"--url", origin+"/build/bench/webgpu.html?config=/bench/webgpu/"+name+".json", "--chromium", chromium,
		"--timeout-ms", fmt.Sprint(timeout.Milliseconds()), "--gpu", gpuFlag)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return []string{err.Error()}
	}
	if err := cmd.Start(); err != nil {
		return []string{fmt.Sprintf("starting node build/bench/webgpu.mjs: %v", err)}
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
			OursBackend, OursInt8Dot                 string
			CompileMs                                float64
			UploadedBytes, FileBytes                 int64
		}
		if err := json.Unmarshal(line, &ev); err != nil {
			failures = append(failures, fmt.Sprintf("driver printed %q", line))
			continue
		}
		switch ev.Type {
		case "result":
			if ev.OursBackend != "webgpu" {
				failures = append(failures, name+": our model did not run on webgpu: "+ev.OursBackend)
			}
			dot := ""
			if ev.OursInt8Dot != "" && strings.HasSuffix(name, "-q8") {
				dot = " ours_int8_dot=" + ev.OursInt8Dot
			}
			fmt.Printf("%s/webgpu ours_ms=%.1f peer_ms=%.1f ratio=%.2f ours_first_ms=%.0f peer_first_ms=%.0f ours_max_logit_err=%.1e peer_max_logit_err=%.1e ours_compile_ms=%.0f ours_uploaded_bytes=%d file_bytes=%d%s adapter=%q\n",
				name, ev.OursMs, ev.PeerMs, ev.OursMs/ev.PeerMs, ev.OursFirstMs, ev.PeerFirstMs, ev.OursErr, ev.PeerErr, ev.CompileMs, ev.UploadedBytes, ev.FileBytes, dot, ev.Adapter)
			// f32: both against transformers' fp64 to f32 rounding; q8:
			// ours is the wasm path's int8 arithmetic (its own tests bound
			// it), so only a gross error fails here.
			oursLimit, peerLimit := 1e-4, 1e-3
			if strings.HasSuffix(name, "-q8") {
				oursLimit, peerLimit = 0.5, 0.5
			}
			if ev.OursErr > oursLimit || ev.PeerErr > peerLimit {
				failures = append(failures, fmt.Sprintf("%s: logits off transformers' fp64: ours %.2e (limit %g), peer %.2e (limit %g)", name, ev.OursErr, oursLimit, ev.PeerErr, peerLimit))
			}
		case "foreign":
			failures = append(failures, "the page asked another origin: "+ev.URL)
		case "error":
			failures = append(failures, name+": "+ev.Message)
		}
	}
	if err := cmd.Wait(); err != nil {
		failures = append(failures, fmt.Sprintf("build/bench/webgpu.mjs (%s): %v", name, err))
	}
	return failures
}

// tinyModelFile writes testdata/tiny (with the XLNet vocabulary its
// goldens were tokenised with) as one model file in the weight scheme
// asked for, in memory.
func tinyModelFile(scheme string) ([]byte, error) {
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
	if err := modelfile.Write(&b, weights.Specs, cfg, tok, "spiece.model", modelfile.FromSafetensors(f), scheme); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
