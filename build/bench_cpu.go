package main

// `go run ./build bench -cpu LIST`: every case once per CPU profile, both
// engines in the same Chromium launched with the same V8 flags. A profile
// turns this machine into a smaller one as V8 sees it, so that one
// benchmark machine answers for the CPUs users have:
//
//	native     V8 as it starts here
//	novnni     AVX-VNNI off (--no-enable-avx-vnni --no-enable-avx-vnni-int8):
//	           relaxed dot lowers to pmaddubsw/pmaddwd instead of vpdpbusd
//	sse4       AVX and AVX2 off too: the SSE4.1 lowerings (no VEX, no FMA)
//	norelaxed  our loader's relaxed-SIMD forms off (a browser without relaxed
//	           SIMD); the peer runs as it ships
//
// On a CPU where V8 already reports AVX_VNNI=0, novnni is native: the run
// says so instead of measuring the same thing twice.

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"time"
)

type cpuProfile struct {
	name      string
	jsFlags   string // V8 flags (--js-flags), both engines
	noRelaxed bool   // our loader withholds simd_relaxed.wasm
}

var cpuProfiles = []cpuProfile{
	{name: "native"},
	{name: "novnni", jsFlags: "--no-enable-avx-vnni --no-enable-avx-vnni-int8"},
	{name: "sse4", jsFlags: "--no-enable-avx-vnni --no-enable-avx-vnni-int8 --no-enable-avx --no-enable-avx2"},
	{name: "norelaxed", noRelaxed: true},
}

// parseCPUProfiles turns -cpu's list ("all" or names) into profiles, in
// the order given.
func parseCPUProfiles(list string) ([]cpuProfile, error) {
	if list == "all" {
		return cpuProfiles, nil
	}
	var out []cpuProfile
	for _, name := range strings.Split(list, ",") {
		found := false
		for _, p := range cpuProfiles {
			if p.name == name {
				out, found = append(out, p), true
			}
		}
		if !found {
			return nil, fmt.Errorf("-cpu: unknown profile %q (known: all, native, novnni, sse4, norelaxed)", name)
		}
	}
	return out, nil
}

var v8FeaturesRe = regexp.MustCompile(`(?m)^CPU features:.*$`)

// v8Features returns V8's "CPU features" line under the given flags (what
// `chromium --js-flags=--help` prints first; Chromium does not always exit
// after it, so it is stopped once the line is read).
func v8Features(chromium, jsFlags string) (string, error) {
	cmd := exec.Command(chromium, "--headless", "--no-sandbox", "--disable-gpu", "--js-flags=--help "+jsFlags, "about:blank")
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	if err := cmd.Start(); err != nil {
		return "", err
	}
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		line := ""
		for sc.Scan() {
			if line == "" && v8FeaturesRe.MatchString(sc.Text()) {
				line = sc.Text()
				found <- line
			}
		}
		if line == "" {
			close(found)
		}
	}()
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); pw.Close(); close(exited) }()
	defer func() { _ = cmd.Process.Kill(); <-exited }()
	select {
	case line, ok := <-found:
		if ok {
			return line, nil
		}
		return "", fmt.Errorf("%s --js-flags=--help printed no \"CPU features\" line", chromium)
	case <-time.After(60 * time.Second):
		return "", fmt.Errorf("%s --js-flags=--help printed no \"CPU features\" line within 60 s", chromium)
	}
}

// cpuModel returns /proc/cpuinfo's model name, family and model.
func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown (no /proc/cpuinfo)"
	}
	get := func(key string) string {
		m := regexp.MustCompile(`(?m)^` + key + `\s*:\s*(.*)$`).FindSubmatch(b)
		if m == nil {
			return "?"
		}
		return strings.TrimSpace(string(m[1]))
	}
	return fmt.Sprintf("%s (family %s, model %s)", get("model name"), get("cpu family"), get("model"))
}

// v8HasVNNI: V8's feature line says AVX_VNNI=1 or AVX_VNNI_INT8=1.
func v8HasVNNI(features string) bool {
	return strings.Contains(features, "AVX_VNNI=1") || strings.Contains(features, "AVX_VNNI_INT8=1")
}
