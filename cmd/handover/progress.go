package main

import (
	"io"
	"time"

	"github.com/schollz/progressbar/v3"
)

// newProgress returns a progress bar on w for a job of n steps.
func newProgress(w io.Writer, n int64, what string) *progressbar.ProgressBar {
	return progressbar.NewOptions64(n,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription(what),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetItsString("it"),
		progressbar.OptionThrottle(200*time.Millisecond),
		progressbar.OptionOnCompletion(func() { io.WriteString(w, "\n") }),
		progressbar.OptionSetWidth(30),
	)
}
