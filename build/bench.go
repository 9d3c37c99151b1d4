package main

// `go run ./build bench`: our engine against onnxruntime-web in one headless
// Chromium page, same towers, same input, same thread count, interleaved runs.
//
// The Go side refills the stripped ONNX weights into build/out/bench/
// (bench_refill.go), serves the page cross-origin isolated on 127.0.0.1
// (bench_server.go), and runs build/bench/run.mjs under Node, which drives
// Debian's Chromium with playwright-core, refuses and reports any request to
// another origin, and prints JSON lines; this file turns them into one line
// per case and thread count:
//
//	CASE/Nt/PROFILE ours_ms=… peer_ms=… ratio=… ours_min_ms=… peer_min_ms=… page_load_ms=…
//	        ours_setup_ms=… peer_setup_ms=… ours_mb=… peer_mb=… base_mb=… peak_mb=… ours_forms=Q8,F32
//
// PROFILE is the CPU profile (bench_cpu.go, -cpu); ours_forms names the
// kernel forms our MatMulQ8 (MatMulQ4 in a q4 case) and MatMulF32 ran
// (kernel.KernelForms). A q4 line adds q4/q8_ms, q4/q8 and q4_speed
// (q4Figures): the 4-bit model against the 8-bit one, ours both.
//
// ours_ms/peer_ms are medians over -runs timed runs after -warmup runs,
// interleaved (ours, peer, ours, peer, …) in one page; ratio = ours_ms /
// peer_ms (below 1: ours is faster). Each (thread count, case) gets a fresh
// page: onnxruntime-web fixes its thread count once per page, and a wasm heap
// never shrinks, so memory would otherwise carry over between cases. Memory is
// the summed proportional set size (Pss) of all Chromium processes: base_mb
// when the page is loaded, peer_mb / ours_mb what each side's setup added,
// peak_mb the peak (sampled every 250 ms). ours_ms=n/a (with the reason) when
// our engine is not available to the page (see build/bench/ours.mjs); our
// numbers are never made up.
//
// Our side is build/bench/ourswasm (bench_ours.go builds it with -tags simd;
// build/bench/ours.mjs runs it), which checks its embedding against
// transformers' (full/golden.npz) after the timed runs. -profile adds our
// per-stage times, first-vs-second run and load figures on stderr.
//
// -tiny is the harness's smoke test: onnxruntime-web runs testdata/tinyonnx
// and its logits must match onnxruntime's (onnx_meta.json) within 1e-3.

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/siglip-wasm/siglip-wasm/internal/refdata"
)

func init() {
	register("bench", "ours vs onnxruntime-web in one headless Chromium page (-tiny: harness smoke test)", runBench)
}

// benchCase is one tower/scheme pair, as the page sees it (config.json).
type benchCase struct {
	Name     string       `json:"name"`
	Tower    string       `json:"tower"`              // "vision" or "text"
	Scheme   string       `json:"scheme"`             // "q8", "q4" or "f32"
	Model    string       `json:"model"`              // URL of the .onnx
	DataPath string       `json:"dataPath,omitempty"` // name the .onnx refers to for its external data
	DataURL  string       `json:"dataURL,omitempty"`
	Inputs   []benchInput `json:"inputs"`
	Output   string       `json:"output,omitempty"` // output to return (tiny mode)

	manifest string // testdata-relative manifest to refill from
	expect   []float64
}

type benchInput struct {
	Name  string `json:"name"`
	DType string `json:"dtype"` // "float32" or "int64"
	Dims  []int  `json:"dims"`
	URL   string `json:"url"`
}

type benchConfig struct {
	Mode    string      `json:"mode"` // "bench" or "tiny"
	Warmup  int         `json:"warmup"`
	Runs    int         `json:"runs"`
	Cases   []benchCase `json:"cases"`
	Threads string      `json:"threads"` // set per page by the driver
}

var fullCases = []benchCase{
	{Name: "vision-q8", Tower: "vision", Scheme: "q8", manifest: "base256_vision_int8.onnx"},
	{Name: "vision-f32", Tower: "vision", Scheme: "f32", manifest: "base256_vision_fp32.onnx"},
	{Name: "text-q8", Tower: "text", Scheme: "q8", manifest: "base256_text_int8.onnx"},
	{Name: "text-f32", Tower: "text", Scheme: "f32", manifest: "base256_text_fp32.onnx"},
	// q4: ours only (no q4 ONNX exists); the peer runs the int8 ONNX in the
	// same page as a yardstick, so the line's q4/q8 compares our two
	// schemes each against the same peer run (see q4Figures).
	{Name: "vision-q4", Tower: "vision", Scheme: "q4", manifest: "base256_vision_int8.onnx"},
	{Name: "text-q4", Tower: "text", Scheme: "q4", manifest: "base256_text_int8.onnx"},
}

// benchResult is one JSON line from run.mjs.
type benchResult struct {
	Type        string    `json:"type"`
	Case        string    `json:"case"`
	Threads     int       `json:"threads"`
	OursMs      *float64  `json:"ours_ms"`
	PeerMs      *float64  `json:"peer_ms"`
	OursRuns    []float64 `json:"ours_runs"`
	PeerRuns    []float64 `json:"peer_runs"`
	PeerSetupMs float64   `json:"peer_setup_ms"`
	OursSetupMs *float64  `json:"ours_setup_ms"`
	OursError   string    `json:"ours_error"`
	PeakPSSMB   float64   `json:"peak_pss_mb"`
	BasePSSMB   float64   `json:"base_pss_mb"`
	PeerPSSMB   *float64  `json:"peer_pss_mb"`
	OursPSSMB   *float64  `json:"ours_pss_mb"`
	PageLoadMs  float64   `json:"page_load_ms"`
	OursForms   string    `json:"ours_forms"`
	profile     string
	Outputs     map[string][]float64 `json:"outputs"`
	Message     string               `json:"message"`
	URL         string               `json:"url"`
}

func runBench(args []string) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	threads := fs.String("threads", "1", "comma-separated thread counts, each in a fresh page: numbers or \"max\" (navigator.hardwareConcurrency)")
	cases := fs.String("cases", "vision-q8,vision-f32,text-q8,text-f32,vision-q4,text-q4", "comma-separated cases (a q4 case's q4/q8 needs its q8 case in the list)")
	runs := fs.Int("runs", 9, "timed runs per side (median reported)")
	warmup := fs.Int("warmup", 2, "untimed runs per side first")
	tiny := fs.Bool("tiny", false, "smoke test: run testdata/tinyonnx with onnxruntime-web and check its logits against onnx_meta.json (tolerance 1e-3)")
	chromium := fs.String("chromium", "/usr/bin/chromium", "Chromium executable")
	timeout := fs.Duration("timeout", 30*time.Minute, "overall limit")
	verbose := fs.Bool("v", false, "print the driver's JSON lines and per-run times")
	profile := fs.Bool("profile", false, "print our per-stage times, first-run and setup figures (page console, on stderr)")
	cpuList := fs.String("cpu", "all", "comma-separated CPU profiles (native, novnni, sse4, norelaxed) or all")
	backend := fs.String("backend", "wasm", "wasm, or webgpu: our WebGPU backend vs onnxruntime-web's WebGPU EP on the tiny model (bench_webgpu.go)")
	gpu := fs.Bool("gpu", false, "with -backend webgpu: use the machine's GPU instead of SwiftShader")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *backend != "wasm" && *backend != "webgpu" {
		return fmt.Errorf("-backend: %q is neither wasm nor webgpu", *backend)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if *runs < 1 || *warmup < 0 {
		return fmt.Errorf("-runs must be ≥ 1 and -warmup ≥ 0 (got %d, %d)", *runs, *warmup)
	}
	for _, t := range strings.Split(*threads, ",") {
		if n, err := strconv.Atoi(t); t != "max" && (err != nil || n < 1) {
			return fmt.Errorf("-threads: %q is neither a positive number nor \"max\"", t)
		}
	}
	profiles, err := parseCPUProfiles(*cpuList)
	if err != nil {
		return err
	}
	if *tiny {
		profiles = cpuProfiles[:1]
	}
	root, err := repoRoot()
	if err != nil {
		return err
	}
	for _, need := range []string{"build/node_modules/onnxruntime-web/dist/ort.wasm.min.mjs", "build/node_modules/playwright-core/package.json"} {
		if _, err := os.Stat(filepath.Join(root, need)); err != nil {
			return fmt.Errorf("%s is missing: run build/setup.sh (npm ci in build/)", need)
		}
	}
	if _, err := os.Stat(*chromium); err != nil {
		return fmt.Errorf("no Chromium at %s (-chromium): run build/setup.sh", *chromium)
	}
	if *backend == "webgpu" {
		return runBenchWebGPU(root, *chromium, *runs, *warmup, *timeout, *gpu, *verbose)
	}
	srv := &benchServer{root: root, outDir: filepath.Join(root, "build", "out", "bench"), virtual: map[string][]byte{}}
	cfg := benchConfig{Mode: "bench", Warmup: *warmup, Runs: *runs}
	if *tiny {
		cfg.Mode, cfg.Warmup, cfg.Runs = "tiny", 0, 1
		if cfg.Cases, err = tinyCases(srv); err != nil {
			return err
		}
	} else if cfg.Cases, err = selectFullCases(*cases, srv, root); err != nil {
		return err
	} else if err := prepareOurs(srv, root, oursOptions{Profile: *profile}); err != nil {
		return err
	}
	raw, _ := json.Marshal(cfg)
	srv.virtual["/bench/config.json"] = raw

	origin, stop, err := srv.start()
	if err != nil {
		return err
	}
	defer stop()

	native, err := v8Features(*chromium, "")
	if err != nil {
		return err
	}
	if !*tiny {
		fmt.Printf("cpu: %s\nv8: %s\n", cpuModel(), native)
	}
	var failures []string
	for _, p := range profiles {
		if p.name == "novnni" && !v8HasVNNI(native) {
			fmt.Println("novnni: V8 reports no AVX-VNNI on this CPU, so novnni is the native profile (not run twice)")
			continue
		}
		if p.jsFlags != "" {
			f, err := v8Features(*chromium, p.jsFlags)
			if err != nil {
				return err
			}
			fmt.Printf("%s: v8 %s\n", p.name, f)
		}
		fails, err := runBenchDriver(root, origin, cfg, p, *threads, *chromium, *timeout, *verbose)
		failures = append(failures, fails...)
		if err != nil {
			failures = append(failures, err.Error())
		}
		if len(failures) > 0 {
			break
		}
	}
	for _, p := range srv.misses() {
		failures = append(failures, "page requested a missing file: "+p)
	}
	if len(failures) > 0 {
		return errors.New(strings.Join(failures, "\n"))
	}
	return nil
}

// runBenchDriver runs build/bench/run.mjs once: every case and thread
// count under one CPU profile, printing a line per result.
func runBenchDriver(root, origin string, cfg benchConfig, p cpuProfile, threads, chromium string, timeout time.Duration, verbose bool) ([]string, error) {
	warnLoad("before")
	norelaxed := "0"
	if p.noRelaxed {
		norelaxed = "1"
	}
	cmd := exec.Command("node", filepath.Join(root, "build", "bench", "run.mjs"),
		"--url", origin+"/build/bench/page.html", "--threads", threads, "--cases", caseNames(cfg.Cases),
		"--chromium", chromium, "--timeout-ms", fmt.Sprint(timeout.Milliseconds()),
		"--js-flags", p.jsFlags, "--norelaxed", norelaxed)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting node build/bench/run.mjs: %w", err)
	}
	var failures []string
	seen := map[string]benchResult{} // "case/threads" → result, for q4Figures
	sc := bufio.NewScanner(out)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		line := sc.Bytes()
		if verbose {
			fmt.Fprintf(os.Stderr, "driver: %s\n", line)
		}
		var r benchResult
		if err := json.Unmarshal(line, &r); err != nil {
			failures = append(failures, fmt.Sprintf("driver printed a non-JSON line: %q", line))
			continue
		}
		switch r.Type {
		case "result":
			if cfg.Mode == "tiny" {
				if msg := checkTiny(cfg.Cases, r); msg != "" {
					failures = append(failures, msg)
				}
			} else {
				r.profile = p.name
				seen[fmt.Sprintf("%s/%d", r.Case, r.Threads)] = r
				line := formatResult(r, verbose)
				if q8, ok := seen[fmt.Sprintf("%s/%d", strings.Replace(r.Case, "-q4", "-q8", 1), r.Threads)]; ok && strings.HasSuffix(r.Case, "-q4") {
					line += q4Figures(r, q8)
				}
				fmt.Println(line)
			}
		case "foreign":
			failures = append(failures, "request to another origin: "+r.URL)
		case "error":
			failures = append(failures, r.Message)
		}
	}
	waitErr := cmd.Wait()
	warnLoad("after")
	if waitErr != nil && len(failures) == 0 {
		return nil, fmt.Errorf("node build/bench/run.mjs: %w", waitErr)
	}
	return failures, nil
}

func formatResult(r benchResult, verbose bool) string {
	ms := func(p *float64) string {
		if p == nil {
			return "n/a"
		}
		return strconv.FormatFloat(*p, 'f', 1, 64)
	}
	ratio := "n/a"
	if r.OursMs != nil && r.PeerMs != nil && *r.PeerMs > 0 {
		ratio = strconv.FormatFloat(*r.OursMs / *r.PeerMs, 'f', 3, 64)
	}
	mb := func(p *float64) string {
		if p == nil {
			return "n/a"
		}
		return strconv.FormatFloat(*p, 'f', 0, 64)
	}
	s := fmt.Sprintf("%s/%dt/%s ours_ms=%s peer_ms=%s ratio=%s ours_min_ms=%s peer_min_ms=%s page_load_ms=%.0f ours_setup_ms=%s peer_setup_ms=%.0f ours_mb=%s peer_mb=%s base_mb=%.0f peak_mb=%.0f",
		r.Case, r.Threads, r.profile, ms(r.OursMs), ms(r.PeerMs), ratio, ms(minOf(r.OursRuns)), ms(minOf(r.PeerRuns)),
		r.PageLoadMs, ms(r.OursSetupMs), r.PeerSetupMs, mb(r.OursPSSMB), mb(r.PeerPSSMB), r.BasePSSMB, r.PeakPSSMB)
	if r.OursForms != "" {
		s += " ours_forms=" + r.OursForms
	}
	if r.OursError != "" {
		s += fmt.Sprintf(" ours_unavailable=%q", r.OursError)
	}
	if verbose {
		s += fmt.Sprintf(" ours_runs=%v peer_runs=%v", r.OursRuns, r.PeerRuns)
	}
	return s
}

// q4Figures compares a q4 line with its q8 one (same tower, threads and
// profile): q4/q8_ms is our q4 median over our q8 median (two pages, so
// load on the machine between them shows), q4/q8 the same with each side
// first divided by the peer's median in its own page (the int8 ONNX both
// times: a yardstick that sees the same load), and q4_speed its inverse,
// q4's speed as a fraction of q8's.
func q4Figures(q4, q8 benchResult) string {
	if q4.OursMs == nil || q8.OursMs == nil || q4.PeerMs == nil || q8.PeerMs == nil || *q4.PeerMs <= 0 || *q8.PeerMs <= 0 || *q8.OursMs <= 0 {
		return " q4/q8=n/a"
	}
	norm := (*q4.OursMs / *q4.PeerMs) / (*q8.OursMs / *q8.PeerMs)
	return fmt.Sprintf(" q4/q8_ms=%.3f q4/q8=%.3f q4_speed=%.2f", *q4.OursMs / *q8.OursMs, norm, 1/norm)
}

// checkTiny compares onnxruntime-web's logits with onnxruntime's (onnx_meta.json).
func checkTiny(cases []benchCase, r benchResult) string {
	for _, c := range cases {
		if c.Name != r.Case {
			continue
		}
		got := r.Outputs[c.Output]
		if len(got) != len(c.expect) {
			return fmt.Sprintf("%s: %s has %d values, onnx_meta.json has %d", c.Name, c.Output, len(got), len(c.expect))
		}
		worst := 0.0
		for i := range got {
			worst = max(worst, math.Abs(got[i]-c.expect[i]))
		}
		fmt.Printf("%s/%dt peer_ms=%.1f peer_setup_ms=%.0f max_abs_diff=%.2e\n", c.Name, r.Threads, deref(r.PeerMs), r.PeerSetupMs, worst)
		if !(worst <= 1e-3) {
			return fmt.Sprintf("%s: onnxruntime-web's %s differ from onnx_meta.json by %.3g (> 1e-3)", c.Name, c.Output, worst)
		}
		return ""
	}
	return fmt.Sprintf("driver reported unknown case %q", r.Case)
}

func minOf(xs []float64) *float64 {
	if len(xs) == 0 {
		return nil
	}
	m := slices.Min(xs)
	return &m
}

func caseNames(cs []benchCase) string {
	names := make([]string, len(cs))
	for i, c := range cs {
		names[i] = c.Name
	}
	return strings.Join(names, ",")
}

// warnLoad says when other work competes for the CPUs: the timings are then
// not worth much (the 2-core dev machine is shared).
func warnLoad(when string) {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return
	}
	if l, err := strconv.ParseFloat(f[0], 64); err == nil && l > float64(runtime.NumCPU())*0.75 {
		fmt.Fprintf(os.Stderr, "bench: warning: load average %.1f on %d CPUs %s the run: other work competes, timings are unreliable\n", l, runtime.NumCPU(), when)
	}
}

func deref(p *float64) float64 {
	if p == nil {
		return math.NaN()
	}
	return *p
}

func selectFullCases(list string, srv *benchServer, root string) ([]benchCase, error) {
	gold, err := refdata.LoadNPZ("full/golden.npz")
	if err != nil {
		return nil, fmt.Errorf("loading inputs: %w", err)
	}
	px, ids := gold["pixel_values"], gold["input_ids"]
	if len(px.Shape) != 4 || px.Shape[1] != 3 || len(ids.Shape) != 2 || len(ids.I64) == 0 {
		return nil, fmt.Errorf("full/golden.npz: pixel_values %v / input_ids %v are not [N,3,H,W] / [N,L] int", px.Shape, ids.Shape)
	}
	// The towers take one image / one text: the first of each.
	pxOne := px.F32()[:len(px.F64)/px.Shape[0]]
	idsOne := ids.I64[:ids.Shape[1]]
	srv.virtual["/bench/input/pixel_values.bin"] = f32Bytes(pxOne)
	srv.virtual["/bench/input/input_ids.bin"] = i64Bytes(idsOne)
	inputs := map[string][]benchInput{
		"vision": {{Name: "pixel_values", DType: "float32", Dims: append([]int{1}, px.Shape[1:]...), URL: "/bench/input/pixel_values.bin"}},
		"text":   {{Name: "input_ids", DType: "int64", Dims: []int{1, ids.Shape[1]}, URL: "/bench/input/input_ids.bin"}},
	}
	var out []benchCase
	for _, name := range strings.Split(list, ",") {
		var c *benchCase
		for i := range fullCases {
			if fullCases[i].Name == name {
				c = &fullCases[i]
			}
		}
		if c == nil {
			return nil, fmt.Errorf("-cases: unknown case %q (known: vision-q8, vision-f32, text-q8, text-f32, vision-q4, text-q4)", name)
		}
		manifest := refdata.Path("full/onnx/" + c.manifest + ".manifest.json")
		m, _, err := readManifest(manifest)
		if err != nil {
			return nil, err
		}
		start := time.Now()
		data, err := refillData(manifest, srv.outDir)
		if err != nil {
			return nil, fmt.Errorf("refilling %s: %w", c.manifest, err)
		}
		if d := time.Since(start); d > time.Second {
			fmt.Fprintf(os.Stderr, "bench: refilled %s in %.1fs\n", data, d.Seconds())
		}
		cc := *c
		cc.Model = "/testdata/full/onnx/" + c.manifest
		cc.DataPath = m.DataFile
		cc.DataURL = "/out/" + m.DataFile
		cc.Inputs = inputs[c.Tower]
		out = append(out, cc)
	}
	return out, nil
}

func tinyCases(srv *benchServer) ([]benchCase, error) {
	gold, err := refdata.LoadNPZ("tiny/golden.npz")
	if err != nil {
		return nil, fmt.Errorf("loading inputs: %w", err)
	}
	px, ids := gold["pixel_values"], gold["input_ids"]
	if len(px.Shape) != 4 || len(ids.Shape) != 2 || len(ids.I64) == 0 {
		return nil, fmt.Errorf("tiny/golden.npz: pixel_values %v / input_ids %v are not [N,3,H,W] / [N,L] int", px.Shape, ids.Shape)
	}
	srv.virtual["/bench/input/tiny_pixel_values.bin"] = f32Bytes(px.F32())
	srv.virtual["/bench/input/tiny_input_ids.bin"] = i64Bytes(ids.I64)
	raw, err := os.ReadFile(refdata.Path("tinyonnx/onnx_meta.json"))
	if err != nil {
		return nil, err
	}
	var meta map[string]json.RawMessage
	if err := json.Unmarshal(raw, &meta); err != nil {
		return nil, fmt.Errorf("tinyonnx/onnx_meta.json: %w", err)
	}
	var out []benchCase
	for _, m := range []struct{ name, file, scheme string }{{"tiny-q8", "tiny_int8.onnx", "q8"}, {"tiny-f32", "tiny_fp32.onnx", "f32"}} {
		var e struct {
			Logits [][]float64 `json:"logits_per_image"`
		}
		if err := json.Unmarshal(meta[m.file], &e); err != nil || len(e.Logits) == 0 {
			return nil, fmt.Errorf("tinyonnx/onnx_meta.json: no logits_per_image for %s (%v)", m.file, err)
		}
		var flat []float64
		for _, row := range e.Logits {
			flat = append(flat, row...)
		}
		out = append(out, benchCase{
			Name: m.name, Tower: "full", Scheme: m.scheme, Model: "/testdata/tinyonnx/" + m.file,
			Inputs: []benchInput{
				{Name: "input_ids", DType: "int64", Dims: ids.Shape, URL: "/bench/input/tiny_input_ids.bin"},
				{Name: "pixel_values", DType: "float32", Dims: px.Shape, URL: "/bench/input/tiny_pixel_values.bin"},
			},
			Output: "logits_per_image", expect: flat,
		})
	}
	return out, nil
}

func f32Bytes(v []float32) []byte {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(x))
	}
	return b
}

func i64Bytes(v []int64) []byte {
	b := make([]byte, 8*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint64(b[8*i:], uint64(x))
	}
	return b
}
