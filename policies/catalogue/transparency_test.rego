package catalogue_test

import data.catalogue

# The national-security processes are derived from the processes' flag:
# the U.S. processes that are national-security whatever their purpose.
test_national_security_processes_are_the_flagged_ones if {
	catalogue.national_security_processes == {"us.nsl", "us.fisa_br", "us.fisa_prtt"}
}

# A UK IPA authorisation is national-security only for its stated purpose
# (s. 60A(7)(a)), never as a process.
test_uk_ipa_is_national_security_by_purpose_only if {
	not "uk.ipa" in catalogue.national_security_processes
	"national_security" in catalogue.processes["uk.ipa"].national_security_purposes
}

test_transparency_protects_counts if {
	r := catalogue.transparency
	r.threshold > 1
	r.band_width > 0
	r.national_security_delay_days >= 180
	r.complementary_suppression == true
}
