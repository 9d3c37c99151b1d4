package wasmshare

import (
	"bytes"
	"errors"
	"fmt"
)

// MaxPages is the largest maximum a 32-bit memory may declare: 65536 pages
// of 64 KiB, 4 GiB. Shared memories must declare a maximum; Chromium and
// Node 20 reserve it as address space, not as memory.
const MaxPages = 65536

// Section ids (WebAssembly core spec, binary format).
const (
	secImport = 2
	secMemory = 5
)

// Limits flags.
const (
	limMin          = 0x00
	limMinMax       = 0x01
	limSharedMinMax = 0x03
)

var magic = []byte{0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00}

// Info says what ShareMemory found and did.
type Info struct {
	MinPages uint32 // the memory's declared minimum (the host must create at least this many)
	MaxPages uint32 // the maximum now declared
	Imported bool   // the memory was already imported (only its limits changed)
}

// ShareMemory returns a copy of bin whose single linear memory is imported
// as module.name with the shared flag and the given maximum (in 64 KiB
// pages; 0 means MaxPages). It fails on a binary that is not WebAssembly,
// has no memory or several, or declares a minimum above maxPages.
func ShareMemory(bin []byte, module, name string, maxPages uint32) ([]byte, Info, error) {
	var info Info
	if maxPages == 0 {
		maxPages = MaxPages
	}
	if maxPages > MaxPages {
		return nil, info, fmt.Errorf("wasmshare: maximum %d pages is above the 32-bit limit %d", maxPages, MaxPages)
	}
	if len(bin) < 8 || !bytes.Equal(bin[:8], magic) {
		return nil, info, errors.New("wasmshare: not a WebAssembly binary (bad magic or version)")
	}
	type section struct {
		id   byte
		body []byte
	}
	var secs []section
	for p := 8; p < len(bin); {
		id := bin[p]
		size, n, err := uleb(bin, p+1)
		if err != nil {
			return nil, info, fmt.Errorf("wasmshare: section at byte %d: %w", p, err)
		}
		start := p + 1 + n
		if uint64(start)+size > uint64(len(bin)) {
			return nil, info, fmt.Errorf("wasmshare: section %d at byte %d runs past the end of the binary", id, p)
		}
		secs = append(secs, section{id, bin[start : start+int(size)]})
		p = start + int(size)
	}

	importIdx, memIdx := -1, -1
	for i, s := range secs {
		switch s.id {
		case secImport:
			importIdx = i
		case secMemory:
			memIdx = i
		}
	}

	// Scan the imports for an imported memory.
	var imports [][]byte // raw import entries
	if importIdx >= 0 {
		body := secs[importIdx].body
		count, p, err := uleb(body, 0)
		if err != nil {
			return nil, info, fmt.Errorf("wasmshare: import section: %w", err)
		}
		for i := uint64(0); i < count; i++ {
			start := p
			for f := 0; f < 2; f++ { // module and field names
				l, n, err := uleb(body, p)
				if err != nil || uint64(p+n)+l > uint64(len(body)) {
					return nil, info, fmt.Errorf("wasmshare: import %d: bad name", i)
				}
				p += n + int(l)
			}
			if p >= len(body) {
				return nil, info, fmt.Errorf("wasmshare: import %d: truncated", i)
			}
			kind := body[p]
			p++
			switch kind {
			case 0x00: // function: type index
				_, n, err := uleb(body, p)
				if err != nil {
					return nil, info, fmt.Errorf("wasmshare: import %d: %w", i, err)
				}
				p += n
			case 0x01: // table: reftype, limits
				if p >= len(body) {
					return nil, info, fmt.Errorf("wasmshare: import %d: truncated table", i)
				}
				_, _, n, err := limits(body, p+1)
				if err != nil {
					return nil, info, fmt.Errorf("wasmshare: import %d: %w", i, err)
				}
				p += 1 + n
			case 0x02: // memory: limits — rewritten
				if info.Imported {
					return nil, info, errors.New("wasmshare: the module imports more than one memory")
				}
				min, _, n, err := limits(body, p)
				if err != nil {
					return nil, info, fmt.Errorf("wasmshare: import %d: %w", i, err)
				}
				if min > maxPages {
					return nil, info, fmt.Errorf("wasmshare: memory minimum %d pages is above the maximum %d", min, maxPages)
				}
				info.Imported, info.MinPages, info.MaxPages = true, min, maxPages
				entry := append([]byte{}, body[start:p]...)
				entry = append(entry, sharedLimits(min, maxPages)...)
				imports = append(imports, entry)
				p += n
				continue
			case 0x03: // global: valtype, mutability
				p += 2
			default:
				return nil, info, fmt.Errorf("wasmshare: import %d: unknown kind 0x%02x", i, kind)
			}
			if p > len(body) {
				return nil, info, fmt.Errorf("wasmshare: import %d: truncated", i)
			}
			imports = append(imports, body[start:p])
		}
		if p != len(body) {
			return nil, info, errors.New("wasmshare: import section has trailing bytes")
		}
	}

	if memIdx >= 0 {
		if info.Imported {
			return nil, info, errors.New("wasmshare: the module both imports and defines a memory")
		}
		body := secs[memIdx].body
		count, p, err := uleb(body, 0)
		if err != nil {
			return nil, info, fmt.Errorf("wasmshare: memory section: %w", err)
		}
		if count != 1 {
			return nil, info, fmt.Errorf("wasmshare: the module defines %d memories, want 1", count)
		}
		min, _, n, err := limits(body, p)
		if err != nil {
			return nil, info, fmt.Errorf("wasmshare: memory section: %w", err)
		}
		if p+n != len(body) {
			return nil, info, errors.New("wasmshare: memory section has trailing bytes")
		}
		if min > maxPages {
			return nil, info, fmt.Errorf("wasmshare: memory minimum %d pages is above the maximum %d", min, maxPages)
		}
		info.MinPages, info.MaxPages = min, maxPages
		var entry []byte
		entry = appendName(entry, module)
		entry = appendName(entry, name)
		entry = append(entry, 0x02)
		entry = append(entry, sharedLimits(min, maxPages)...)
		imports = append(imports, entry)
	} else if !info.Imported {
		return nil, info, errors.New("wasmshare: the module has no memory")
	}

	var newImport []byte
	newImport = appendULEB(newImport, uint64(len(imports)))
	for _, e := range imports {
		newImport = append(newImport, e...)
	}

	out := append([]byte{}, magic...)
	wroteImport := false
	emit := func(id byte, body []byte) {
		out = append(out, id)
		out = appendULEB(out, uint64(len(body)))
		out = append(out, body...)
	}
	for i, s := range secs {
		switch {
		case i == importIdx:
			emit(secImport, newImport)
			wroteImport = true
		case i == memIdx:
			// dropped: the memory is imported now
		default:
			// a module without an import section gets one before the first
			// section that must follow it (ids 3..; custom sections, id 0,
			// may sit anywhere)
			if !wroteImport && s.id > secImport {
				emit(secImport, newImport)
				wroteImport = true
			}
			emit(s.id, s.body)
		}
	}
	if !wroteImport {
		emit(secImport, newImport)
	}
	return out, info, nil
}

func sharedLimits(min, max uint32) []byte {
	b := []byte{limSharedMinMax}
	b = appendULEB(b, uint64(min))
	return appendULEB(b, uint64(max))
}

// limits reads limits at b[p:]: min, max (0 when absent), bytes read.
func limits(b []byte, p int) (min, max uint32, n int, err error) {
	if p >= len(b) {
		return 0, 0, 0, errors.New("truncated limits")
	}
	flag := b[p]
	lo, n1, err := uleb(b, p+1)
	if err != nil {
		return 0, 0, 0, err
	}
	n = 1 + n1
	switch flag {
	case limMin:
	case limMinMax, limSharedMinMax:
		hi, n2, err := uleb(b, p+n)
		if err != nil {
			return 0, 0, 0, err
		}
		n += n2
		max = uint32(hi)
	default:
		return 0, 0, 0, fmt.Errorf("unsupported limits flag 0x%02x (memory64?)", flag)
	}
	if lo > MaxPages {
		return 0, 0, 0, fmt.Errorf("memory minimum %d pages is above %d", lo, MaxPages)
	}
	return uint32(lo), max, n, nil
}

// uleb decodes an unsigned LEB128 at b[p:] (at most 10 bytes).
func uleb(b []byte, p int) (v uint64, n int, err error) {
	var shift uint
	for {
		if p+n >= len(b) {
			return 0, 0, errors.New("truncated LEB128")
		}
		c := b[p+n]
		n++
		v |= uint64(c&0x7f) << shift
		if c&0x80 == 0 {
			return v, n, nil
		}
		shift += 7
		if shift >= 64 {
			return 0, 0, errors.New("LEB128 too long")
		}
	}
}

func appendULEB(b []byte, v uint64) []byte {
	for {
		c := byte(v & 0x7f)
		v >>= 7
		if v != 0 {
			b = append(b, c|0x80)
			continue
		}
		return append(b, c)
	}
}

func appendName(b []byte, s string) []byte {
	b = appendULEB(b, uint64(len(s)))
	return append(b, s...)
}
