package paint

// Render draws the canvas. Render is called once per frame; Render
// clears first, so a Render of an empty canvas draws the background.
func Render(c *Canvas) {
	c.Render()
	c.Render()
}

// Canvas is what Render draws on.
type Canvas struct{ frames int }

// Render counts a frame of Render.
func (c *Canvas) Render() { c.frames++ }
