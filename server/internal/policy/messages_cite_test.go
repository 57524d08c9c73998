package policy

import "testing"

func TestCitationInGerman(t *testing.T) {
	for in, want := range map[string]string{
		"Regulation (EU) 2023/1543, Article 5(4)(b)(ii)":     "Verordnung (EU) 2023/1543, Art. 5 Abs. 4 Buchst. b Ziff. ii",
		"Regulation (EU) 2023/1543, Article 12(1)(a)":        "Verordnung (EU) 2023/1543, Art. 12 Abs. 1 Buchst. a",
		"Regulation (EU) 2023/1543, Article 5(3)–(4)":        "Verordnung (EU) 2023/1543, Art. 5 Abs. 3–4",
		"Regulation (EU) 2023/1543, Article 5(4)(a)–(c)":     "Verordnung (EU) 2023/1543, Art. 5 Abs. 4 Buchst. a–c",
		"Regulation (EU) 2023/1543, Articles 4(3), 6 and 11": "Verordnung (EU) 2023/1543, Art. 4 Abs. 3, 6 und 11",
		"Regulation (EU) 2023/1543, Article 13":              "Verordnung (EU) 2023/1543, Art. 13",
		"18 U.S.C. § 2703(c)(1)(B) and (d)":                  "18 U.S.C. § 2703(c)(1)(B) and (d)",
		"Investigatory Powers Act 2016, ss. 60A and 61A":     "Investigatory Powers Act 2016, ss. 60A and 61A",
	} {
		if got := citationIn("de", in); got != want {
			t.Errorf("citationIn(de, %q) = %q, want %q", in, got, want)
		}
		if got := citationIn("en", in); got != in {
			t.Errorf("citationIn(en, %q) = %q", in, got)
		}
	}
}
