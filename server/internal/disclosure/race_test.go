//go:build race

package disclosure_test

// raceEnabled: the race detector slows everything tenfold; tests that
// need bulk shrink it.
const raceEnabled = true
