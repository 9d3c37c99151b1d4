package main

// `go run ./build benchnative`: our native engine (package model with the
// native kernels of package kernel) against onnxruntime-node, on the same
// refilled base-256 ONNX graphs and input as `bench` (the first image and
// text of full/golden.npz), at the same thread counts. Ours runs in a
// child process of this tool (GOMAXPROCS = threads: the kernel pool sizes
// itself once), the peer in node (build/benchnative.mjs, intraOpNumThreads
// = threads). Rounds alternate ours, peer, ours, peer… so that load from
// other processes falls on both; each prints the median of all its runs:
//
//	CASE/native threads=N ours_ms=… peer_ms=… ratio=… (ours/peer) ours_cpu_ms=… peer_cpu_ms=… cpu_ratio=…
//
// cpu_ratio compares process CPU time per run, a second view that a shared
// machine distorts less than wall time.

import (
	"encoding/json"
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
	"github.com/siglip-wasm/siglip-wasm/kernel"
	"github.com/siglip-wasm/siglip-wasm/model"
)

func init() {
	register("benchnative", "ours (native kernels) vs onnxruntime-node on the base-256 graphs, same input and threads", runBenchNative)
}

// nativeRuns is one side's output for one round (JSON, from the child or node).
type nativeRuns struct {
	SetupMs float64   `json:"setup_ms"`
	Runs    []float64 `json:"runs"`
	CPURuns []float64 `json:"cpu_runs"`
	Level   string    `json:"level,omitempty"`
}

func runBenchNative(args []string) error {
	fs := flag.NewFlagSet("benchnative", flag.ContinueOnError)
	cases := fs.String("cases", "vision-q8", "comma-separated: vision-q8, vision-f32, text-q8, text-f32")
	threads := fs.String("threads", "1,2", "comma-separated thread counts")
	rounds := fs.Int("rounds", 3, "alternating rounds per side")
	runs := fs.Int("runs", 3, "timed runs per round (after one warm-up)")
	child := fs.String("child", "", "internal: run our side of CASE and print its runs")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *child != "" {
		return benchNativeChild(*child, *runs)
	}
	root, err := os.Getwd()
	if err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(root, "build/node_modules/onnxruntime-node/package.json")); err != nil {
		return fmt.Errorf("onnxruntime-node is missing: run (cd build && npm ci)")
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	outDir := filepath.Join(root, "build/out/bench")
	inDir := filepath.Join(outDir, "native-input")
	if err := os.MkdirAll(inDir, 0o755); err != nil {
		return err
	}
	inputs, err := writeNativeInputs(inDir)
	if err != nil {
		return err
	}
	for _, tstr := range strings.Split(*threads, ",") {
		nt, err := strconv.Atoi(tstr)
		if err != nil || nt < 1 {
			return fmt.Errorf("-threads: bad count %q", tstr)
		}
		for _, name := range strings.Split(*cases, ",") {
			c := findFullCase(name)
			if c == nil {
				return fmt.Errorf("-cases: unknown case %q", name)
			}
			manifest := refdata.Path("full/onnx/" + c.manifest + ".manifest.json")
			if _, err := refillData(manifest, outDir); err != nil {
				return fmt.Errorf("refilling %s: %w", c.manifest, err)
			}
			// onnxruntime reads external data next to the graph: link the
			// graph into the folder the refilled data is in.
			graph := filepath.Join(outDir, c.manifest)
			os.Remove(graph)
			if err := os.Symlink(refdata.Path("full/onnx/"+c.manifest), graph); err != nil {
				return err
			}
			in := inputs[c.Tower]
			var ours, peer nativeRuns
			for r := 0; r < *rounds; r++ {
				o, err := runJSON(exec.Command(self, "benchnative", "-child", name, "-runs", strconv.Itoa(*runs)),
					"GOMAXPROCS="+tstr)
				if err != nil {
					return fmt.Errorf("%s ours: %w", name, err)
				}
				p, err := runJSON(exec.Command("node", "build/benchnative.mjs", graph,
					in.file, in.name, in.dtype, in.dims, tstr, "1", strconv.Itoa(*runs)))
				if err != nil {
					return fmt.Errorf("%s peer: %w", name, err)
				}
				ours.Level = o.Level
				ours.Runs, ours.CPURuns = append(ours.Runs, o.Runs...), append(ours.CPURuns, o.CPURuns...)
				peer.Runs, peer.CPURuns = append(peer.Runs, p.Runs...), append(peer.CPURuns, p.CPURuns...)
			}
			om, pm := median(ours.Runs), median(peer.Runs)
			oc, pc := median(ours.CPURuns), median(peer.CPURuns)
			fmt.Printf("%s/native threads=%d ours_ms=%.1f peer_ms=%.1f ratio=%.2f ours_cpu_ms=%.1f peer_cpu_ms=%.1f cpu_ratio=%.2f (level %s; %d runs each; load %s)\n",
				name, nt, om, pm, om/pm, oc, pc, oc/pc, ours.Level, len(ours.Runs), loadAvg())
		}
	}
	return nil
}

func findFullCase(name string) *benchCase {
	for i := range fullCases {
		if fullCases[i].Name == name {
			return &fullCases[i]
		}
	}
	return nil
}

type nativeInput struct{ file, name, dtype, dims string }

// writeNativeInputs writes the first image and text of full/golden.npz as
// raw little-endian files for node, as selectFullCases serves them.
func writeNativeInputs(dir string) (map[string]nativeInput, error) {
	gold, err := refdata.LoadNPZ("full/golden.npz")
	if err != nil {
		return nil, fmt.Errorf("loading inputs: %w", err)
	}
	px, ids := gold["pixel_values"], gold["input_ids"]
	if len(px.Shape) != 4 || px.Shape[1] != 3 || len(ids.Shape) != 2 || len(ids.I64) == 0 {
		return nil, fmt.Errorf("full/golden.npz: pixel_values %v / input_ids %v are not [N,3,H,W] / [N,L] int", px.Shape, ids.Shape)
	}
	pxOne := px.F32()[:len(px.F64)/px.Shape[0]]
	idsOne := ids.I64[:ids.Shape[1]]
	pf, tf := filepath.Join(dir, "pixel_values.bin"), filepath.Join(dir, "input_ids.bin")
	if err := os.WriteFile(pf, f32Bytes(pxOne), 0o644); err != nil {
		return nil, err
	}
	if err := os.WriteFile(tf, i64Bytes(idsOne), 0o644); err != nil {
		return nil, err
	}
	return map[string]nativeInput{
		"vision": {pf, "pixel_values", "float32", fmt.Sprintf("1x3x%dx%d", px.Shape[2], px.Shape[3])},
		"text":   {tf, "input_ids", "int64", fmt.Sprintf("1x%d", ids.Shape[1])},
	}, nil
}

func runJSON(cmd *exec.Cmd, env ...string) (nativeRuns, error) {
	cmd.Env = append(os.Environ(), env...)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	var r nativeRuns
	if err != nil {
		return r, err
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &r); err != nil {
		return r, fmt.Errorf("bad output %q: %w", out, err)
	}
	if len(r.Runs) == 0 {
		return r, fmt.Errorf("no runs in %q", out)
	}
	return r, nil
}

// benchNativeChild is our side: formula weights of the base-256
// configuration (the peer's graph holds refilled weights: same
// architecture and input, other numbers), one warm-up, then runs.
func benchNativeChild(name string, runs int) error {
	c := findFullCase(name)
	if c == nil {
		return fmt.Errorf("unknown case %q", name)
	}
	raw, err := os.ReadFile(refdata.Path("full/config.json"))
	if err != nil {
		return err
	}
	cfg, err := model.ParseConfigJSON(raw)
	if err != nil {
		return err
	}
	var src model.WeightSource = model.FormulaSource{}
	if c.Scheme == "q8" {
		src = model.Quantized(src)
	}
	gold, err := refdata.LoadNPZ("full/golden.npz")
	if err != nil {
		return err
	}
	t0 := time.Now()
	vision := c.Tower == "vision"
	m, err := model.LoadTowers(cfg, src, vision, !vision)
	if err != nil {
		return err
	}
	var run func() error
	if vision {
		p, err := m.NewPlan(1, 0)
		if err != nil {
			return err
		}
		px := gold["pixel_values"]
		one := px.F32()[:len(px.F64)/px.Shape[0]]
		run = func() error { _, err := p.Images(one, 1); return err }
	} else {
		p, err := m.NewPlan(0, 1)
		if err != nil {
			return err
		}
		ids := gold["input_ids"]
		one := make([]int32, ids.Shape[1])
		for i := range one {
			one[i] = int32(ids.I64[i])
		}
		run = func() error { _, err := p.Texts(one, 1); return err }
	}
	kernel.WarmUp()
	if err := run(); err != nil {
		return err
	}
	r := nativeRuns{SetupMs: float64(time.Since(t0).Microseconds()) / 1000, Level: kernel.Native()}
	if r.Level == "" {
		r.Level = "pure-go"
	}
	r.Level += fmt.Sprintf(",GOMAXPROCS=%d", runtime.GOMAXPROCS(0))
	for i := 0; i < runs; i++ {
		c0 := cpuMs()
		s := time.Now()
		if err := run(); err != nil {
			return err
		}
		r.Runs = append(r.Runs, float64(time.Since(s).Microseconds())/1000)
		r.CPURuns = append(r.CPURuns, cpuMs()-c0)
	}
	return json.NewEncoder(os.Stdout).Encode(r)
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	return strings.Fields(string(b))[0]
}
