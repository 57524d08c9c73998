# How transparency reports count and protect investigations. These are rules
# of law and policy, so they live here, not in code; every published report
# carries the rules it was counted under, so a recount applies the same ones.
package catalogue

# Processes that are always national-security process: their numbers are
# reported only in bands and only after a delay (50 U.S.C. § 1874). A
# process may also be national-security for some stated purposes only
# (national_security_purposes: a UK authorisation in the interests of
# national security, Investigatory Powers Act 2016, s. 60A(7)(a)); the
# scope decision says so for each request.
national_security_processes := {id | some id, p in processes; p.national_security}

# period_months: the reporting period (6: half-years, "2026-H2"; 3:
# quarters; 12: years). threshold: a count from 1 to threshold-1 shows as
# "fewer than <threshold>" (0 stays 0: it identifies nobody). band_width:
# national-security counts show as bands (0-249, 250-499, ...).
# national_security_delay_days: those bands appear only in reports
# published this long after the period ends.
#
# complementary_suppression: the threshold must not be undone by
# subtraction. Wherever the report publishes a total and its parts
# (countries within the totals, rows within a country or a request type,
# reasons within the rejections), a count shown as "fewer than" the
# threshold beside an exact total and otherwise exact parts would be the
# total minus the rest; so more counts are withheld ("suppressed") until no
# protected count can be worked out from the published sums. The report
# builder applies it, and the recount with it.
transparency := {
	"period_months": 6,
	"threshold": 5,
	"band_width": 250,
	"national_security_delay_days": 180,
	"complementary_suppression": true,
	"barred": [
		"Whether a particular account, person or investigation was the subject of a request: the log and the reports hold no identifiers.",
		"National-security demands (processes marked so in the catalogue, and UK authorisations whose purpose is national security) as exact numbers: only in bands, and only once the delay after the period has passed.",
		"Counts from 1 up to the threshold in any cell: they show as \"fewer than\" the threshold, and counts that would let a reader subtract one out are suppressed.",
		"Whether the provider has received a technical capability notice (Investigatory Powers Act 2016, s. 255(8)) or a national security letter outside the bands the law allows.",
	],
}
