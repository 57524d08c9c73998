package web

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/warrantdesk/warrantdesk/server/internal/errs"
	"github.com/warrantdesk/warrantdesk/server/internal/transparency"
)

// apiReportVersion describes one published version of a period's report.
type apiReportVersion struct {
	Period      string    `json:"period"`
	Version     int       `json:"version"`
	PublishedAt time.Time `json:"published_at"`
	TreeSize    int64     `json:"tree_size"`
	RootHash    string    `json:"root_hash"`
	Correction  string    `json:"correction_reason,omitempty"`
	URL         string    `json:"url"`
	CSVURL      string    `json:"csv_url"`
}

func toAPIReportVersion(p transparency.Published) apiReportVersion {
	u := "/api/v1/transparency/reports/" + p.Period + "?version=" + strconv.Itoa(p.Version)
	return apiReportVersion{Period: p.Period, Version: p.Version, PublishedAt: p.PublishedAt.UTC(), TreeSize: p.TreeSize,
		RootHash: p.RootHash, Correction: p.Reason, URL: u, CSVURL: u + "&format=csv"}
}

// apiReport is one version with its signed bytes: Report is the JSON exactly
// as signed (hash these bytes), Signature the signed note over them.
type apiReport struct {
	apiReportVersion
	Versions  []apiReportVersion `json:"versions"` // every version of the period, newest first
	Report    json.RawMessage    `json:"report"`
	Signature string             `json:"signature"`
}

func (s *Server) transparencyService() (*transparency.Service, error) {
	if s.transparency == nil {
		return nil, errs.E(errs.Unavailable, "Transparency reports are not available on this server.")
	}
	return s.transparency, nil
}

// wantCSV reads ?format=: json (the default) or csv.
func wantCSV(c *gin.Context) (bool, error) {
	switch c.DefaultQuery("format", "json") {
	case "json":
		return false, nil
	case "csv":
		return true, nil
	}
	return false, &errs.Error{Code: errs.Invalid, Message: "Use format=json or format=csv.",
		Fields: []errs.FieldError{{Field: "format", Message: "Use json or csv."}}}
}

// handleAPIReportList handles "GET /api/v1/transparency/reports": every
// published version, newest period first; with ?format=csv the newest
// version of every period as one CSV.
func (s *Server) handleAPIReportList(c *gin.Context) {
	csvOut, err := wantCSV(c)
	if err != nil {
		s.renderError(c, err)
		return
	}
	svc, err := s.transparencyService()
	if err != nil {
		s.renderError(c, err)
		return
	}
	list, err := svc.List(c.Request.Context())
	if err != nil {
		s.renderError(c, err)
		return
	}
	if csvOut {
		var buf bytes.Buffer
		seen := map[string]bool{}
		for _, p := range list {
			if seen[p.Period] {
				continue // an older version
			}
			seen[p.Period] = true
			rep, err := p.Report()
			if err != nil {
				s.renderError(c, err)
				return
			}
			b := rep.CSV()
			if buf.Len() > 0 {
				b = b[bytes.IndexByte(b, '\n')+1:] // one header
			}
			buf.Write(b)
		}
		if buf.Len() == 0 {
			buf.WriteString(csvHeaderLine())
		}
		c.Header("Content-Disposition", `attachment; filename="transparency-reports.csv"`)
		c.Data(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
		return
	}
	out := struct {
		Reports []apiReportVersion `json:"reports"`
	}{Reports: []apiReportVersion{}}
	for _, p := range list {
		out.Reports = append(out.Reports, toAPIReportVersion(p))
	}
	c.JSON(http.StatusOK, out)
}

// csvHeaderLine is the CSV when nothing is published yet.
func csvHeaderLine() string { return strings.Join(transparency.CSVHeader, ",") + "\n" }

// handleAPIReportGet handles "GET /api/v1/transparency/reports/:period":
// the newest version (or ?version=n), as JSON with its signature, or
// ?format=csv.
func (s *Server) handleAPIReportGet(c *gin.Context) {
	csvOut, err := wantCSV(c)
	var f errs.Fields
	version := queryInt(c, "version", 0, &f)
	if err == nil {
		err = f.Err()
	}
	if err != nil {
		s.renderError(c, err)
		return
	}
	svc, err := s.transparencyService()
	if err != nil {
		s.renderError(c, err)
		return
	}
	ctx := c.Request.Context()
	pub, err := svc.Find(ctx, c.Param("period"), int(version))
	if err != nil {
		s.renderError(c, err)
		return
	}
	if csvOut {
		rep, err := pub.Report()
		if err != nil {
			s.renderError(c, err)
			return
		}
		c.Header("Content-Disposition", `attachment; filename="transparency-`+pub.Period+`-v`+strconv.Itoa(pub.Version)+`.csv"`)
		c.Data(http.StatusOK, "text/csv; charset=utf-8", rep.CSV())
		return
	}
	out, err := s.apiReport(c, svc, pub)
	if err != nil {
		s.renderError(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}

func (s *Server) apiReport(c *gin.Context, svc *transparency.Service, pub *transparency.Published) (apiReport, error) {
	all, err := svc.List(c.Request.Context())
	if err != nil {
		return apiReport{}, err
	}
	out := apiReport{apiReportVersion: toAPIReportVersion(*pub), Versions: []apiReportVersion{},
		Report: json.RawMessage(pub.Body), Signature: pub.Signature}
	for _, p := range all {
		if p.Period == pub.Period {
			out.Versions = append(out.Versions, toAPIReportVersion(p))
		}
	}
	return out, nil
}

// handleAPIReportPublish handles "POST /api/v1/transparency/reports"
// {"period": "2026-H2", "reason": "…"}: administrators freeze a period's
// report (a correction, with a reason, when it is already published).
func (s *Server) handleAPIReportPublish(c *gin.Context) {
	var in struct {
		Period string `json:"period"`
		Reason string `json:"reason"`
	}
	if err := decodeStrict(c, &in); err != nil {
		s.renderError(c, err)
		return
	}
	svc, err := s.transparencyService()
	if err != nil {
		s.renderError(c, err)
		return
	}
	pub, err := svc.Publish(c.Request.Context(), transparency.Publisher{Principal: principal(c).Principal}, in.Period, in.Reason, nil)
	if err != nil {
		s.renderError(c, err)
		return
	}
	out, err := s.apiReport(c, svc, pub)
	if err != nil {
		s.renderError(c, err)
		return
	}
	c.Header("Location", out.URL)
	c.JSON(http.StatusCreated, out)
}
