package web

import (
	"strings"
	"testing"

	"github.com/warrantdesk/warrantdesk/server/internal/identity"
	"github.com/warrantdesk/warrantdesk/server/internal/request"
)

// TestAttachACorrectedOrder: while the provider asks for information, the
// officer's page offers to attach a corrected order beside the answer;
// otherwise it does not.
func TestAttachACorrectedOrder(t *testing.T) {
	r := mustRenderer(t)
	officer := &identity.Principal{Name: "Dana Reyes", AgencyName: "Riverside PD"}
	asked := apiRequest{ID: "r1", Reference: "WD-2026-000001", Status: string(request.StateNeedsInfo), Process: "us.subpoena",
		AllowedActions: []string{"message"}}
	for _, tc := range []struct {
		desc   string
		attach bool
	}{{"Asked", true}, {"NotAsked", false}} {
		t.Run(tc.desc, func(t *testing.T) {
			html := mustRender(t, r, "request_detail", requestDetailPage{Page: Page{Title: "Request", User: officer}, Base: "/agency", R: asked,
				CanAttach: tc.attach, MaxUploadMiB: 20})
			if got := strings.Contains(html, `id="form-attach"`); got != tc.attach {
				t.Errorf("attach form shown: %v, want %v", got, tc.attach)
			}
			if tc.attach && !strings.Contains(html, `aria-describedby="f-file-hint"`) {
				t.Error("the file field is not described by its hint")
			}
		})
	}
}
