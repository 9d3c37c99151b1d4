package imageproc

import (
	"image"
	"image/color"
)

// restoreGIFTransparentColour puts back the palette colour of the first
// frame's transparent index, which Go's GIF decoder replaces with transparent
// black. PIL keeps the colour, and convert("RGB") shows it. data has already
// been decoded successfully; the walk is still bounds-checked throughout.
func restoreGIFTransparentColour(data []byte, m *image.Paletted) {
	if len(data) < 13 {
		return
	}
	var global []byte
	pos := 13
	if p := data[10]; p&0x80 != 0 {
		n := 3 << (1 + p&7)
		if pos+n > len(data) {
			return
		}
		global = data[pos : pos+n]
		pos += n
	}
	transparent := -1
	for pos < len(data) {
		switch data[pos] {
		case 0x21: // extension: label, then sub-blocks
			if pos+2 > len(data) {
				return
			}
			label := data[pos+1]
			pos += 2
			for pos < len(data) && data[pos] != 0 {
				n := int(data[pos])
				if label == 0xf9 && n == 4 && pos+5 <= len(data) {
					transparent = -1
					if data[pos+1]&1 != 0 {
						transparent = int(data[pos+4])
					}
				}
				pos += 1 + n
			}
			pos++ // block terminator
		case 0x2c: // image descriptor: the first frame
			if transparent < 0 || transparent >= len(m.Palette) || pos+10 > len(data) {
				return
			}
			table := global
			if p := data[pos+9]; p&0x80 != 0 {
				n := 3 << (1 + p&7)
				if pos+10+n > len(data) {
					return
				}
				table = data[pos+10 : pos+10+n]
			}
			if 3*transparent+3 <= len(table) {
				t := table[3*transparent:]
				m.Palette[transparent] = color.RGBA{t[0], t[1], t[2], 255}
			}
			return
		default:
			return
		}
	}
}
