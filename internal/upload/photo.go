package upload

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"math"
)

// The photo of the 基本信息 step (seed 000 3.2: 请您上传近期大小为2寸的免冠
// 白底彩色照片): checked for type, size, proportions and a light background,
// with a clear reason when refused.
const (
	// 2寸 is 35 mm × 49 mm, width:height 5:7 (0.714). Photo studios and
	// ID-photo apps also sell 35 × 45 mm (0.778, the passport size) and
	// 33 × 48 mm (小2寸, 0.69) as "2寸", and the 1寸 pixel size 295×413 is
	// the same 5:7, so 0.68–0.80 takes all of them and nothing square or
	// landscape. 大2寸 (35 × 53 mm, 0.66) is outside: it is not what the
	// seed asks for.
	minPhotoRatio = 0.68
	maxPhotoRatio = 0.80

	// 260 × 360 px is about 190 dpi over 35 × 49 mm: a clear print at 2
	// inches and sharper on the smaller certificate photo. It lets in the
	// 1寸 file (295×413) most people already have, and the 2寸 file of
	// ID-photo apps (413×579, 300 dpi) with room to spare.
	minPhotoWidth  = 260
	minPhotoHeight = 360

	// 24 megapixels is ten times a 600-dpi 2寸 print; the cap bounds the
	// memory of decoding (a 10 MB PNG can declare 100 000 × 100 000
	// pixels, 40 GB once decoded).
	maxPhotoPixels = 24_000_000

	// The background band must be near white: mean luma (BT.601) of at
	// least 200 of 255, and a mean chroma (max−min of R, G, B) of at most
	// 40, since blue (蓝底) and red (红底) are the other usual ID-photo
	// backgrounds and a pale blue can be bright enough to pass on luma.
	minBackgroundLuma   = 200
	maxBackgroundChroma = 40

	// A pixel counts as coloured above this chroma (JPEG noise in a
	// black-and-white photo stays well below it); a colour portrait has
	// skin in far more than 1% of its samples.
	colourChroma   = 16
	minColourShare = 0.01
)

// PhotoInfo describes an accepted photo. Width and Height are as the photo
// is shown, after its EXIF orientation.
type PhotoInfo struct {
	Kind          Kind
	Width, Height int
	// Orientation is the JPEG's EXIF orientation (1–8; 1 when absent).
	// Phones store portraits as landscape pixels with orientation 6 and
	// browsers turn them upright; anything that draws the pixels itself
	// (image.Decode, a PDF library) must turn them too.
	Orientation int
}

// CheckPhoto accepts a 2-inch white-background colour photo or says what
// is wrong and what is wanted. It reads at most MaxSize+1 bytes from r.
func CheckPhoto(r io.Reader) (PhotoInfo, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxSize+1))
	if err != nil {
		return PhotoInfo{}, err
	}
	switch {
	case len(data) == 0:
		return PhotoInfo{}, refuse("empty", "照片文件是空的（0 字节），请重新选择照片")
	case len(data) > MaxSize:
		return PhotoInfo{}, refuse("too_large", "照片文件大小超过10MB，请上传较小的照片（2寸证件照通常只有几十到几百 KB）")
	}
	s := identify(data[:min(len(data), sniffLen)], bytes.NewReader(data), int64(len(data)))
	if s.kind != JPG && s.kind != PNG {
		if s.damaged && (s.what == describe[JPG] || s.what == describe[PNG]) {
			return PhotoInfo{}, refuse("photo_damaged", "照片无法打开（文件已损坏或不完整），请重新导出照片后上传")
		}
		return PhotoInfo{}, refuse("photo_type", "照片须为 jpg 或 png 格式的图片，您上传的是%s", spaced(s.what))
	}
	info := PhotoInfo{Kind: s.kind, Orientation: 1}
	decodeConfig, decode := png.DecodeConfig, png.Decode
	if s.kind == JPG {
		decodeConfig, decode = jpeg.DecodeConfig, jpeg.Decode
		info.Orientation = jpegOrientation(data)
	}
	cfg, err := decodeConfig(bytes.NewReader(data))
	if err != nil {
		return PhotoInfo{}, refuse("photo_damaged", "照片无法打开（文件已损坏或不完整），请重新导出照片后上传")
	}
	info.Width, info.Height = cfg.Width, cfg.Height
	if info.Orientation >= 5 {
		info.Width, info.Height = cfg.Height, cfg.Width
	}
	w, h := info.Width, info.Height
	if int64(w)*int64(h) > maxPhotoPixels {
		return PhotoInfo{}, refuse("photo_pixels", "照片像素过大（%d×%d 像素），请裁剪为2寸证件照后上传（不超过 2400 万像素，413×579 像素即可）", w, h)
	}
	if ratio := float64(w) / float64(h); ratio < minPhotoRatio || ratio > maxPhotoRatio {
		return PhotoInfo{}, refuse("photo_ratio", "照片比例应为宽:高约 5:7（2寸，35mm×49mm），您上传的是%s（%d×%d 像素），请按2寸证件照的比例裁剪后上传", shape(w, h), w, h)
	}
	if w < minPhotoWidth || h < minPhotoHeight {
		return PhotoInfo{}, refuse("photo_small", "照片太小（%d×%d 像素），无法清晰打印：2寸照片至少需要 %d×%d 像素，请上传更清晰的照片", w, h, minPhotoWidth, minPhotoHeight)
	}
	img, err := decode(bytes.NewReader(data))
	if err != nil {
		return PhotoInfo{}, refuse("photo_damaged", "照片无法打开（文件已损坏或不完整），请重新导出照片后上传")
	}
	v := newView(img, info.Orientation)
	if !v.colourful() {
		return PhotoInfo{}, refuse("photo_gray", "请上传彩色照片：您上传的是黑白照片，证件照须为彩色")
	}
	if bg := v.background(); bg.alpha < 250 {
		return PhotoInfo{}, refuse("photo_background", "照片背景应为白色，您上传的照片背景是透明的，请制作白色背景的证件照后上传")
	} else if bg.luma < minBackgroundLuma || bg.chroma > maxBackgroundChroma {
		return PhotoInfo{}, refuse("photo_background", "照片背景应为白色，您上传的照片背景%s，请在白色背景前重新拍摄或制作白底证件照后上传", bg.describe())
	}
	return info, nil
}

// shape names a refused proportion the way a person would: "4:3 横向照片".
func shape(w, h int) string {
	p, q := simpleRatio(w, h)
	switch {
	case w == h:
		return "正方形照片"
	case w > h:
		return fmt.Sprintf(" %d:%d 横向照片", p, q)
	case float64(w)/float64(h) < minPhotoRatio:
		return fmt.Sprintf(" %d:%d 竖向照片，比2寸照片窄长", p, q)
	}
	return fmt.Sprintf(" %d:%d 竖向照片，比2寸照片宽", p, q)
}

// simpleRatio is the nearest ratio with small terms (4:3, 16:9, 7:5).
func simpleRatio(w, h int) (int, int) {
	r := float64(w) / float64(h)
	bp, bq, best := w, h, math.Inf(1)
	for q := 1; q <= 16; q++ {
		p := int(math.Round(r * float64(q)))
		if p < 1 {
			continue
		}
		// Within 1% is close enough to say; the smallest such terms win.
		e := math.Abs(float64(p)/float64(q)-r) / r
		if e < 0.01 {
			return p, q
		}
		if e < best {
			bp, bq, best = p, q, e
		}
	}
	return bp, bq
}

// view reads an image as it is shown, after its EXIF orientation.
type view struct {
	img    image.Image
	o      int
	rw, rh int // stored size
	w, h   int // shown size
}

func newView(img image.Image, orientation int) view {
	b := img.Bounds()
	v := view{img: img, o: orientation, rw: b.Dx(), rh: b.Dy(), w: b.Dx(), h: b.Dy()}
	if orientation >= 5 {
		v.w, v.h = v.h, v.w
	}
	return v
}

// at returns the 8-bit colour shown at (x, y), composited over white (so
// transparent shows as a page would show it), and the alpha.
func (v view) at(x, y int) (r, g, b, a float64) {
	R, G, B, A := v.rgba(v.stored(x, y)) // alpha-premultiplied
	white := float64(0xffff - A)
	return (float64(R) + white) / 257, (float64(G) + white) / 257, (float64(B) + white) / 257, float64(A) / 257
}

// pixel returns the stored colour shown at (x, y).
func (v view) pixel(x, y int) (r, g, b, a uint8) {
	c := color.NRGBAModel.Convert(v.raw(x, y)).(color.NRGBA)
	return c.R, c.G, c.B, c.A
}

func (v view) raw(x, y int) color.Color {
	rx, ry := v.stored(x, y)
	return v.img.At(rx, ry)
}

// rgba is the colour stored at (rx, ry), as color.Color's RGBA gives it.
// The decoders' own image types are read directly: through At, every
// sample boxed its colour in an interface, an allocation each, half of
// the check's time.
func (v view) rgba(rx, ry int) (r, g, b, a uint32) {
	switch img := v.img.(type) {
	case *image.RGBA:
		return img.RGBAAt(rx, ry).RGBA()
	case *image.NRGBA:
		return img.NRGBAAt(rx, ry).RGBA()
	case *image.YCbCr:
		return img.YCbCrAt(rx, ry).RGBA()
	case *image.Gray:
		return img.GrayAt(rx, ry).RGBA()
	case *image.Paletted:
		if i := int(img.ColorIndexAt(rx, ry)); i < len(img.Palette) {
			return img.Palette[i].RGBA()
		}
	}
	return v.img.At(rx, ry).RGBA()
}

// stored is where the pixel shown at (x, y) is stored.
func (v view) stored(x, y int) (int, int) {
	rx, ry := x, y
	switch v.o { // EXIF 2.3, tag 0x0112
	case 2:
		rx = v.rw - 1 - x
	case 3:
		rx, ry = v.rw-1-x, v.rh-1-y
	case 4:
		ry = v.rh - 1 - y
	case 5:
		rx, ry = y, x
	case 6:
		rx, ry = y, v.rh-1-x
	case 7:
		rx, ry = v.rw-1-y, v.rh-1-x
	case 8:
		rx, ry = v.rw-1-y, x
	}
	o := v.img.Bounds().Min
	return o.X + rx, o.Y + ry
}

func luma(r, g, b float64) float64   { return 0.299*r + 0.587*g + 0.114*b }
func chroma(r, g, b float64) float64 { return max(r, g, b) - min(r, g, b) }

// colourful samples a grid over the whole photo for coloured pixels.
func (v view) colourful() bool {
	sx, sy := max(v.w/100, 1), max(v.h/140, 1)
	n, coloured := 0, 0
	for y := 0; y < v.h; y += sy {
		for x := 0; x < v.w; x += sx {
			r, g, b, _ := v.at(x, y)
			if chroma(r, g, b) > colourChroma {
				coloured++
			}
			n++
		}
	}
	return float64(coloured) >= minColourShare*float64(n)
}

type backgroundStats struct{ r, g, b, luma, chroma, alpha float64 }

// background measures where an ID photo shows only background: a band
// along the top (1/20 of the height, above the head) and the upper
// corners (1/5 of the width, down to 1/3 of the height, beside the head).
// The bottom is left out: shoulders and clothes fill it.
func (v view) background() backgroundStats {
	var s backgroundStats
	n := 0.0
	add := func(x, y int) {
		r, g, b, a := v.at(x, y)
		s.r, s.g, s.b, s.alpha = s.r+r, s.g+g, s.b+b, s.alpha+a
		s.luma += luma(r, g, b)
		s.chroma += chroma(r, g, b)
		n++
	}
	band, corner, depth := max(v.h/20, 1), max(v.w/5, 1), max(v.h/3, 1)
	step := max(min(v.w, v.h)/120, 1)
	for y := 0; y < depth; y += step {
		for x := 0; x < v.w; x += step {
			if y < band || x < corner || x >= v.w-corner {
				add(x, y)
			}
		}
	}
	s.r, s.g, s.b, s.luma, s.chroma, s.alpha = s.r/n, s.g/n, s.b/n, s.luma/n, s.chroma/n, s.alpha/n
	return s
}

// describe names a refused background: its colour, or that it is grey or
// dark (a white wall in poor light).
func (s backgroundStats) describe() string {
	if s.chroma > maxBackgroundChroma {
		return "是" + hueName(s.r, s.g, s.b) + "的"
	}
	if s.luma < 120 {
		return "太暗（深色或灰色）"
	}
	return "偏灰、不够白（可能是光线不足）"
}

func hueName(r, g, b float64) string {
	mx, mn := max(r, g, b), min(r, g, b)
	if mx-mn < 1 {
		return "灰色"
	}
	var h float64
	switch mx {
	case r:
		h = math.Mod((g-b)/(mx-mn), 6)
	case g:
		h = (b-r)/(mx-mn) + 2
	default:
		h = (r-g)/(mx-mn) + 4
	}
	h *= 60
	if h < 0 {
		h += 360
	}
	switch {
	case h < 20 || h >= 330:
		return "红色"
	case h < 70:
		return "黄色"
	case h < 170:
		return "绿色"
	case h < 260:
		return "蓝色"
	}
	return "紫色"
}

// jpegOrientation reads the EXIF orientation from a JPEG's APP1 segment,
// 1 when there is none or it cannot be read.
func jpegOrientation(data []byte) int {
	if len(data) < 4 || data[0] != 0xFF || data[1] != 0xD8 {
		return 1
	}
	for i := 2; i+4 <= len(data); {
		if data[i] != 0xFF {
			return 1
		}
		marker := data[i+1]
		switch {
		case marker == 0xFF: // fill byte
			i++
			continue
		case marker == 0xD8 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7): // no length
			i += 2
			continue
		case marker == 0xDA || marker == 0xD9: // image data: EXIF comes before it
			return 1
		}
		n := int(binary.BigEndian.Uint16(data[i+2:]))
		if n < 2 || i+2+n > len(data) {
			return 1
		}
		if seg := data[i+4 : i+2+n]; marker == 0xE1 && bytes.HasPrefix(seg, []byte("Exif\x00\x00")) {
			return tiffOrientation(seg[6:])
		}
		i += 2 + n
	}
	return 1
}

func tiffOrientation(t []byte) int {
	if len(t) < 8 {
		return 1
	}
	var bo binary.ByteOrder
	switch string(t[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return 1
	}
	off := int64(bo.Uint32(t[4:]))
	if bo.Uint16(t[2:]) != 42 || off+2 > int64(len(t)) {
		return 1
	}
	for k, n := int64(0), int64(bo.Uint16(t[off:])); k < n; k++ {
		e := off + 2 + 12*k
		if e+12 > int64(len(t)) {
			break
		}
		// Orientation is tag 0x0112, one SHORT (type 3) held in the entry.
		if bo.Uint16(t[e:]) == 0x0112 && bo.Uint16(t[e+2:]) == 3 {
			if o := int(bo.Uint16(t[e+8:])); o >= 1 && o <= 8 {
				return o
			}
			return 1
		}
	}
	return 1
}

// UprightPhoto decodes an accepted photo turned as it is shown: a phone
// portrait stored sideways with EXIF orientation 6 comes out standing.
// image.Decode ignores EXIF, so a PDF drawn from its result would print
// such a photo lying on its side.
func UprightPhoto(data []byte) (image.Image, error) {
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	o := jpegOrientation(data)
	if o == 1 {
		return img, nil
	}
	v := newView(img, o)
	out := image.NewNRGBA(image.Rect(0, 0, v.w, v.h))
	for y := range v.h {
		for x := range v.w {
			r, g, b, a := v.pixel(x, y)
			out.SetNRGBA(x, y, color.NRGBA{r, g, b, a})
		}
	}
	return out, nil
}
