package misc

// journal replay checkpoint: journal replay checkpoint.
func notes() {}
