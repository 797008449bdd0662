//go:build !unix

package document

import "time"

func cpuTime() time.Duration { return 0 }
