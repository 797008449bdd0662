package upload

import (
	"bytes"
	"encoding/binary"
	"errors"
	"image"
	"image/color"
	"strings"
	"testing"
)

func TestCheckPhotoAccepts(t *testing.T) {
	upright := rotate(portrait(350, 490, white, 0.12), false)
	cases := []struct {
		about string
		data  []byte
		want  PhotoInfo
	}{
		{"2寸 35×49 PNG", photo(350, 490, white), PhotoInfo{PNG, 350, 490, 1}},
		{"2寸 413×579 JPEG", jpegOf(portrait(413, 579, white, 0.12)), PhotoInfo{JPG, 413, 579, 1}},
		{"35×45 variant", photo(350, 450, white), PhotoInfo{PNG, 350, 450, 1}},
		{"1寸 pixel size 295×413", photo(295, 413, white), PhotoInfo{PNG, 295, 413, 1}},
		{"off-white wall", photo(350, 490, color.NRGBA{240, 238, 230, 255}), PhotoInfo{PNG, 350, 490, 1}},
		{"hair reaching the top edge", pngOf(portrait(350, 490, white, -0.02)), PhotoInfo{PNG, 350, 490, 1}},
		{"phone portrait stored sideways (EXIF 6)", withEXIF(jpegOf(upright), 6, binary.BigEndian), PhotoInfo{JPG, 350, 490, 6}},
		{"same, little-endian EXIF", withEXIF(jpegOf(upright), 6, binary.LittleEndian), PhotoInfo{JPG, 350, 490, 6}},
	}
	for _, c := range cases {
		got, err := CheckPhoto(bytes.NewReader(c.data))
		if err != nil || got != c.want {
			t.Errorf("%s: %+v, %v; want %+v", c.about, got, err, c.want)
		}
	}
}

func TestCheckPhotoRefuses(t *testing.T) {
	upright := rotate(portrait(350, 490, white, 0.12), false)
	transparent := portrait(350, 490, color.NRGBA{}, 0.12)
	gray := image.NewGray(image.Rect(0, 0, 350, 490))
	for i := range gray.Pix {
		gray.Pix[i] = 255
	}
	cases := []struct {
		about string
		data  []byte
		code  string
		says  []string
	}{
		{"landscape 4:3", photo(640, 480, white), "photo_ratio", []string{"宽:高约 5:7（2寸，35mm×49mm）", "4:3 横向照片", "640×480"}},
		{"sideways pixels without EXIF", jpegOf(upright), "photo_ratio", []string{"7:5 横向照片"}},
		{"square", photo(400, 400, white), "photo_ratio", []string{"正方形"}},
		{"phone screen 9:16", photo(360, 640, white), "photo_ratio", []string{"9:16 竖向照片，比2寸照片窄长"}},
		{"大2寸 35×53", photo(350, 530, white), "photo_ratio", []string{"窄长"}},
		{"5:6, too wide", photo(500, 600, white), "photo_ratio", []string{"5:6 竖向照片，比2寸照片宽"}},
		{"tiny", photo(100, 140, white), "photo_small", []string{"100×140", "260×360"}},
		{"blue background", photo(350, 490, color.NRGBA{60, 120, 220, 255}), "photo_background", []string{"背景应为白色", "蓝色"}},
		{"pale blue background", photo(350, 490, color.NRGBA{190, 220, 250, 255}), "photo_background", []string{"蓝色"}},
		{"red background", photo(350, 490, color.NRGBA{200, 30, 40, 255}), "photo_background", []string{"红色"}},
		{"grey background", photo(350, 490, color.NRGBA{170, 170, 170, 255}), "photo_background", []string{"偏灰"}},
		{"dark background", photo(350, 490, color.NRGBA{40, 40, 40, 255}), "photo_background", []string{"太暗"}},
		{"transparent background", pngOf(transparent), "photo_background", []string{"透明"}},
		{"black and white", pngOf(gray), "photo_gray", []string{"彩色照片", "黑白"}},
		{"black and white JPEG with a face", jpegOf(toGray(portrait(350, 490, white, 0.12))), "photo_gray", []string{"彩色照片"}},
		{"PDF", minimalPDF, "photo_type", []string{"jpg 或 png", "PDF 文档"}},
		{"docx", minimalDocx(), "photo_type", []string{"Word 文档（docx）"}},
		{"HEIC", heic, "photo_type", []string{"HEIC"}},
		{"broken JPEG", []byte("\xFF\xD8\xFF\xE0garbage"), "photo_damaged", []string{"损坏"}},
		{"48 megapixels", pngHeader(6000, 8000), "photo_pixels", []string{"6000×8000", "2400 万像素"}},
		{"empty", nil, "empty", []string{"空的"}},
		{"over 10 MB", append(photo(350, 490, white), make([]byte, MaxSize)...), "too_large", []string{"10MB"}},
	}
	for _, c := range cases {
		_, err := CheckPhoto(bytes.NewReader(c.data))
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("%s: %v, want a refusal", c.about, err)
			continue
		}
		if e.Code != c.code || !strings.Contains(e.Message, "照片") {
			t.Errorf("%s: %s %q, want %s naming 照片", c.about, e.Code, e.Message, c.code)
		}
		for _, s := range c.says {
			if !strings.Contains(e.Message, s) {
				t.Errorf("%s: %q does not say %q", c.about, e.Message, s)
			}
		}
	}
}

func toGray(img image.Image) *image.NRGBA {
	b := img.Bounds()
	out := image.NewNRGBA(b)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			g := color.GrayModel.Convert(img.At(x, y))
			out.Set(x, y, g)
		}
	}
	return out
}

// Each EXIF orientation shows the stored pixels turned the way cameras
// mean it: the marked corner of the shown photo must come out top-left.
func TestEXIFOrientations(t *testing.T) {
	shown := image.NewNRGBA(image.Rect(0, 0, 30, 40))
	for i := range shown.Pix {
		shown.Pix[i] = 255
	}
	for y := range 8 {
		for x := range 8 {
			shown.Set(x, y, color.NRGBA{255, 0, 0, 255})
		}
	}
	mirror := func(img image.Image) *image.NRGBA {
		b := img.Bounds()
		out := image.NewNRGBA(b)
		for y := range b.Dy() {
			for x := range b.Dx() {
				out.Set(b.Dx()-1-x, y, img.At(x, y))
			}
		}
		return out
	}
	// stored[o] is what a camera writes for orientation o.
	stored := map[int]image.Image{
		1: shown,
		2: mirror(shown),
		3: rotate(rotate(shown, true), true),
		4: rotate(rotate(mirror(shown), true), true),
		5: rotate(mirror(shown), false),
		6: rotate(shown, false),
		7: rotate(mirror(shown), true),
		8: rotate(shown, true),
	}
	for o, img := range stored {
		j := withEXIF(jpegOf(img), uint16(o), binary.BigEndian)
		if got := jpegOrientation(j); got != o {
			t.Errorf("orientation %d read as %d", o, got)
		}
		up, err := UprightPhoto(j)
		if err != nil {
			t.Fatal(err)
		}
		if b := up.Bounds(); b.Dx() != 30 || b.Dy() != 40 {
			t.Errorf("orientation %d: upright %v", o, b)
		} else if r, g, _, _ := up.At(2, 2).RGBA(); r>>8 < 200 || g>>8 > 60 {
			t.Errorf("orientation %d: upright photo not turned", o)
		}
		v := newView(img, o)
		r, g, _, _ := v.at(2, 2)
		r2, g2, _, _ := v.at(v.w-3, v.h-3)
		if v.w != 30 || v.h != 40 || r < 200 || g > 60 || g2 < 200 || r2 < 200 {
			t.Errorf("orientation %d: shown %d×%d, top-left (%.0f,%.0f), bottom-right (%.0f,%.0f)", o, v.w, v.h, r, g, r2, g2)
		}
	}
	if jpegOrientation(jpegOf(shown)) != 1 || jpegOrientation([]byte("\xFF\xD8\xFF\xE1\x00")) != 1 {
		t.Error("no EXIF should read as 1")
	}
}

func FuzzOrientation(f *testing.F) {
	f.Add(withEXIF(jpegOf(image.NewGray(image.Rect(0, 0, 2, 2))), 6, binary.LittleEndian))
	f.Fuzz(func(t *testing.T, b []byte) {
		if o := jpegOrientation(b); o < 1 || o > 8 {
			t.Fatal(o)
		}
	})
}

// The direct reads of the decoders' image types give what At gives.
func TestViewReadsEachImageTypeAsAt(t *testing.T) {
	src := portrait(40, 56, white, 0.2)
	b := src.Bounds()
	rgba, nrgba, gray := image.NewRGBA(b), image.NewNRGBA(b), image.NewGray(b)
	ycc := image.NewYCbCr(b, image.YCbCrSubsampleRatio420)
	pal := image.NewPaletted(b, color.Palette{color.White, color.Black, color.NRGBA{200, 150, 120, 255}, color.NRGBA{0, 0, 255, 128}})
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			c := src.At(x, y)
			rgba.Set(x, y, c)
			nrgba.Set(x, y, color.NRGBA{uint8(x * 6), uint8(y * 4), 90, uint8(255 - x)})
			gray.Set(x, y, c)
			pal.Set(x, y, c)
			yc := color.YCbCrModel.Convert(c).(color.YCbCr)
			ycc.Y[ycc.YOffset(x, y)], ycc.Cb[ycc.COffset(x, y)], ycc.Cr[ycc.COffset(x, y)] = yc.Y, yc.Cb, yc.Cr
		}
	}
	for _, img := range []image.Image{rgba, nrgba, gray, ycc, pal, image.NewCMYK(b)} {
		v := newView(img, 1)
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				r, g, bl, a := v.rgba(x, y)
				R, G, B, A := img.At(x, y).RGBA()
				if r != R || g != G || bl != B || a != A {
					t.Fatalf("%T at %d,%d: %d %d %d %d, At gives %d %d %d %d", img, x, y, r, g, bl, a, R, G, B, A)
				}
			}
		}
	}
}
