package upload

import (
	"bytes"

	"image"
	_ "image/jpeg"
	_ "image/png"
	"io"
)

// The 2-inch ID photo (2寸): 35 mm × 49 mm, a width:height of 5:7 (0.714).
// The common 35 × 45 mm 证件照 (0.778) is also sold as "2寸", so the ratio
// accepted is 0.68–0.80: both, and nothing landscape or square.
const (
	minPhotoRatio = 0.68
	maxPhotoRatio = 0.80
	// 300 × 413 px is 2 inches at ~210 dpi: enough to print the photo on
	// the certificate; below that faces blur.
	minPhotoWidth  = 260
	minPhotoHeight = 360
	// The background band must be near white: mean luma ≥ 200 of 255 and
	// little colour, since blue and red are the other usual backgrounds.
	minBackgroundLuma   = 200
	maxBackgroundChroma = 40
)

// PhotoInfo is an accepted photo.
type PhotoInfo struct{ Width, Height int }

// CheckPhoto accepts a 2-inch white-background colour photo (seed 000 3.2:
// 请您上传近期大小为2寸的免冠白底彩色照片) or says what is wrong.
func CheckPhoto(r io.Reader) (PhotoInfo, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxSize+1))
	if err != nil {
		return PhotoInfo{}, err
	}
	if len(data) > MaxSize {
		return PhotoInfo{}, refuse("too_large", "照片文件超过10MB，请上传较小的照片")
	}
	if k, what := sniff(data); k != JPG && k != PNG {
		return PhotoInfo{}, refuse("photo_type", "照片须为 jpg 或 png 图片，您上传的是%s", what)
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return PhotoInfo{}, refuse("photo_type", "照片无法打开，文件可能已损坏，请重新拍摄或导出后上传")
	}
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	ratio := float64(w) / float64(h)
	switch {
	case ratio < minPhotoRatio || ratio > maxPhotoRatio:
		shape := "竖向"
		if w >= h {
			shape = "横向或方形"
		}
		return PhotoInfo{}, refuse("photo_ratio", "照片比例应为宽:高约 5:7（2寸，35mm×49mm），您上传的是 %d×%d 像素的%s照片", w, h, shape)
	case w < minPhotoWidth || h < minPhotoHeight:
		return PhotoInfo{}, refuse("photo_small", "照片太小（%d×%d 像素），请上传至少 %d×%d 像素的照片，以便清晰打印", w, h, minPhotoWidth, minPhotoHeight)
	}
	luma, chroma, colourful := sampleBackground(img)
	switch {
	case !colourful:
		return PhotoInfo{}, refuse("photo_gray", "请上传彩色照片，您上传的是黑白照片")
	case luma < minBackgroundLuma || chroma > maxBackgroundChroma:
		return PhotoInfo{}, refuse("photo_background", "照片背景应为白色（浅色、无图案），请重新拍摄白底照片后上传")
	}
	return PhotoInfo{Width: w, Height: h}, nil
}

// sampleBackground measures the band along the top and the upper sides,
// where an ID photo shows only background (the shoulders fill the bottom),
// and tells whether the picture has any colour at all.
func sampleBackground(img image.Image) (luma, chroma float64, colourful bool) {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	band := max(w/12, 2)
	var n, sumY, sumC float64
	add := func(x, y int) {
		r, g, bl, _ := img.At(b.Min.X+x, b.Min.Y+y).RGBA()
		R, G, B := float64(r>>8), float64(g>>8), float64(bl>>8)
		sumY += 0.299*R + 0.587*G + 0.114*B
		sumC += max(R, G, B) - min(R, G, B)
		n++
	}
	step := max(band/4, 1)
	for y := 0; y < band; y += step {
		for x := 0; x < w; x += step {
			add(x, y)
		}
	}
	for y := band; y < h/2; y += step {
		for x := 0; x < band; x += step {
			add(x, y)
			add(w-1-x, y)
		}
	}
	for y := 0; y < h; y += max(h/60, 1) {
		for x := 0; x < w; x += max(w/40, 1) {
			r, g, bl, _ := img.At(b.Min.X+x, b.Min.Y+y).RGBA()
			R, G, B := r>>8, g>>8, bl>>8
			if max(R, G, B)-min(R, G, B) > 12 {
				colourful = true
			}
		}
	}
	return sumY / n, sumC / n, colourful
}
