package web

import "testing"

// TestMonthsText: penalties are stored in months; pages say them as a
// person would.
func TestMonthsText(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	tests := []struct {
		in   any
		want string
	}{
		{1.0, "1 month"},
		{6.0, "6 months"},
		{2.5, "2.5 months"},
		{12.0, "1 year"},
		{18.0, "1 year and 6 months"},
		{36.0, "3 years"},
		{240.0, "20 years"},
		{30.5, "30.5 months"},
		{f(13), "1 year and 1 month"},
		{(*float64)(nil), ""},
	}
	for _, tc := range tests {
		if got := monthsText(tc.in); got != tc.want {
			t.Errorf("monthsText(%v) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
