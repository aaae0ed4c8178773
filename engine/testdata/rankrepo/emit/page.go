// Package render writes pages: render.Render is its entry point.
package render

import "io"

// Render writes the page to w; render's callers pass a buffered writer.
func Render(w io.Writer, page string) error {
	_, err := io.WriteString(w, page)
	return err
}
