package monitor

import "regexp"

func matches(s, pattern string) bool { return regexp.MustCompile(pattern).MatchString(s) }
