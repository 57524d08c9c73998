//go:build !race

package disclosure_test

const raceEnabled = false
