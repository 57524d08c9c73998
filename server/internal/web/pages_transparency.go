package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"

	"github.com/gin-gonic/gin"

	"github.com/warrantdesk/warrantdesk/server/internal/errs"
	"github.com/warrantdesk/warrantdesk/server/internal/locale"
	"github.com/warrantdesk/warrantdesk/server/internal/transparency"
)

// Chart geometry, in SVG user units: a label column, then the bars.
const (
	chartWidth  = 720
	chartLabel  = 200
	chartBars   = 440
	chartRow    = 28
	chartTop    = 8
	trendHeight = 200
)

// An hbar is one horizontal bar of a chart; a protected count ("fewer
// than 5", a band) has no length, only its text.
type hbar struct {
	Label, Value        string
	Y, TextY, W, ValueX int
	Protected           bool
}

// A segment is one part of a stacked bar.
type segment struct {
	X, W  int
	Class string
	Title string
}

type stackRow struct {
	Label     string
	Y, TextY  int
	Segments  []segment
	Protected bool // some part is protected and not drawn
	TotalX    int
	TotalText string
}

// A vbar is one column of the trend chart.
type vbar struct {
	Label, Value              string
	X, Y, H, W, TextX, ValueY int
	Protected                 bool
}

type transparencyPage struct {
	Page
	Form           url.Values // the publish form as typed, when it was refused
	Fields         map[string]*errs.FieldError
	Periods        []string // published periods, newest first
	Period         string
	Country        string // the country filter, or ""
	Countries      []string
	Published      *apiReportVersion
	Versions       []apiReportVersion
	Report         transparency.Report
	ByCountry      []transparency.Cell // as filtered
	Rows           []transparency.Cell
	NSRows         []transparency.Cell
	ThresholdBelow int    // the largest count shown as "fewer than"
	Suppressed     string // how a count withheld by complementary suppression shows
	Barred         []string
	BaseURL        string
	Key            string
	CanPublish     bool

	// Chart geometry, in SVG user units.
	ByCountryChart []hbar
	OutcomeChart   []stackRow
	Trend          []vbar
	TrendRows      []trendRow
	ChartWidth     int
	ChartLabelW    int
	CountryHeight  int
	OutcomeHeight  int
	TrendHeight    int
	LabelX         int
	AxisY, AxisX2  int
	TrendValueY    int
	TrendLabelY    int

	pr *locale.Printer // says the protected counts in the page's language
}

// Count is a published count as the page says it: exact, or protected
// ("fewer than 5", "suppressed") in the page's language; a band
// ("250-499") reads alike in every language.
func (p transparencyPage) Count(c transparency.Count) string {
	return sayCount(p.pr, c)
}

// sayCount says c in pr's language.
func sayCount(pr *locale.Printer, c transparency.Count) string {
	var k int
	switch {
	case c.Exact() || pr == nil:
		return c.String()
	case c.Text == transparency.SuppressedText:
		return pr.Sprintf("suppressed")
	}
	if n, err := fmt.Sscanf(c.Text, "fewer than %d", &k); err == nil && n == 1 {
		return pr.Sprintf("fewer than %d", k)
	}
	return c.Text
}

type trendRow struct {
	Period, Received, WithData string
}

func exactN(c transparency.Count) int {
	if c.Exact() {
		return c.N
	}
	return 0
}

func scale(n, max, width int) int {
	if max <= 0 {
		return 0
	}
	return n * width / max
}

// countryChart draws requests received per country.
func countryChart(pr *locale.Printer, cells []transparency.Cell) []hbar {
	top := 0
	for _, c := range cells {
		top = max(top, exactN(c.RequestsReceived))
	}
	out := make([]hbar, len(cells))
	for i, c := range cells {
		y := chartTop + i*chartRow
		w := scale(exactN(c.RequestsReceived), top, chartBars-60)
		out[i] = hbar{Label: c.Country, Value: sayCount(pr, c.RequestsReceived), Y: y, TextY: y + 17, W: w,
			ValueX: chartLabel + w + 6, Protected: !c.RequestsReceived.Exact()}
		if out[i].Protected {
			out[i].ValueX = chartLabel + 18
		}
	}
	return out
}

// outcomeChart stacks the outcomes of each row: data produced, no data,
// rejected, withdrawn.
func outcomeChart(pr *locale.Printer, cells []transparency.Cell) []stackRow {
	top := 0
	parts := func(c transparency.Cell) []transparency.Count {
		return []transparency.Count{c.RequestsWithData, c.NoDataFound, c.Rejected, c.Withdrawn}
	}
	for _, c := range cells {
		sum := 0
		for _, p := range parts(c) {
			sum += exactN(p)
		}
		top = max(top, sum)
	}
	classes := []string{"seg-data", "seg-nodata", "seg-rejected", "seg-withdrawn"}
	names := []string{locale.M("data produced"), locale.M("no data found"), locale.M("rejected"), locale.M("withdrawn")}
	out := make([]stackRow, len(cells))
	for i, c := range cells {
		y := chartTop + i*chartRow
		r := stackRow{Label: c.Country + " · " + c.Process, Y: y, TextY: y + 17}
		x := chartLabel
		for j, p := range parts(c) {
			if !p.Exact() {
				r.Protected = true
				continue
			}
			w := scale(p.N, top, chartBars-60)
			if w > 0 {
				r.Segments = append(r.Segments, segment{X: x, W: w, Class: classes[j], Title: fmt.Sprintf("%s: %d", pr.Sprintf(names[j]), p.N)})
			}
			x += w
		}
		r.TotalX = x + 6
		if r.Protected {
			r.TotalText = pr.Sprintf("some parts protected (fewer than the threshold, or suppressed)")
		}
		out[i] = r
	}
	return out
}

// trendChart draws requests received per published period, oldest first.
func trendChart(points []trendRow, counts []transparency.Count) []vbar {
	top := 0
	for _, c := range counts {
		top = max(top, exactN(c))
	}
	n := max(len(points), 1)
	w := min((chartWidth-40)/n, 90)
	out := make([]vbar, len(points))
	for i, p := range points {
		h := scale(exactN(counts[i]), top, trendHeight-50)
		x := 20 + i*w
		out[i] = vbar{Label: p.Period, Value: p.Received, X: x + 8, W: w - 16, H: h, Y: trendHeight - 30 - h,
			TextX: x + w/2, ValueY: trendHeight - 34 - h, Protected: !counts[i].Exact()}
	}
	return out
}

// handleTransparencyPage handles "GET /transparency?period=&country=": the
// newest report (or the period asked for), its charts each followed by its
// data table, downloads, what the provider may not report, and how to
// recount it.
func (s *Server) handleTransparencyPage(c *gin.Context) {
	s.showTransparency(c, http.StatusOK, nil)
}

// showTransparency renders the reports page; problem, when the publish
// form was refused, goes in the error summary with what was typed.
func (s *Server) showTransparency(c *gin.Context, status int, problem error) {
	ctx := c.Request.Context()
	svc, err := s.transparencyService()
	if err != nil {
		s.renderError(c, err)
		return
	}
	p := transparencyPage{Page: s.page(c, "Transparency reports"), BaseURL: s.cfg.BaseURL, ChartWidth: chartWidth, ChartLabelW: chartLabel,
		Country: c.Query("country"), TrendHeight: trendHeight, LabelX: chartLabel - 8, AxisY: trendHeight - 30,
		AxisX2: chartWidth - 16, TrendValueY: trendHeight - 36, TrendLabelY: trendHeight - 10}
	p.pr = s.printer(c)
	p.CanPublish = p.Caps.Can("report.publish")
	if problem != nil {
		p.Page.Errors, p.Fields = fieldErrors(problem)
		p.Form = c.Request.PostForm
	}
	if lg, err := s.transparencyLog(); err == nil {
		p.Key = lg.Key()
	}
	if cat, err := s.policy.Catalogue(ctx); err == nil {
		p.Barred = cat.Transparency.Barred
	}
	list, err := svc.List(ctx)
	if err != nil {
		s.renderError(c, err)
		return
	}
	newest := map[string]transparency.Published{}
	for _, pub := range list {
		if _, ok := newest[pub.Period]; !ok {
			newest[pub.Period] = pub
			p.Periods = append(p.Periods, pub.Period)
		}
	}
	if len(p.Periods) == 0 {
		s.html(c, status, "transparency", p)
		return
	}
	p.Period = c.DefaultQuery("period", p.Periods[0])
	pub, ok := newest[p.Period]
	if !ok {
		s.renderError(c, errs.Wrap(transparency.ErrNotPublished, errs.NotFound, "No report for that period is published."))
		return
	}
	rep, err := pub.Report()
	if err != nil {
		s.renderError(c, err)
		return
	}
	if p.Country != "" {
		p.Title = p.pr.Sprintf("Transparency report %s: %s", p.Period, p.Country)
	} else {
		p.Title = p.pr.Sprintf("Transparency report %s", p.Period)
	}
	v := toAPIReportVersion(pub)
	p.Published, p.Report = &v, rep
	p.ThresholdBelow, p.Suppressed = rep.Rules.Threshold-1, p.Count(transparency.Count{Text: transparency.SuppressedText})
	for _, other := range list {
		if other.Period == pub.Period {
			p.Versions = append(p.Versions, toAPIReportVersion(other))
		}
	}
	for _, cell := range rep.ByCountry {
		p.Countries = append(p.Countries, cell.Country)
	}
	keep := func(cells []transparency.Cell) []transparency.Cell {
		if p.Country == "" {
			return cells
		}
		return slices.DeleteFunc(slices.Clone(cells), func(c transparency.Cell) bool { return c.Country != p.Country })
	}
	p.ByCountry, p.Rows, p.NSRows = keep(rep.ByCountry), keep(rep.Rows), keep(rep.NationalSecurity.Rows)
	p.ByCountryChart = countryChart(p.pr, p.ByCountry)
	p.CountryHeight = chartTop*2 + len(p.ByCountryChart)*chartRow
	p.OutcomeChart = outcomeChart(p.pr, p.Rows)
	p.OutcomeHeight = chartTop*2 + len(p.OutcomeChart)*chartRow

	// The trend: each period's newest version, oldest first.
	var counts []transparency.Count
	for i := len(p.Periods) - 1; i >= 0; i-- {
		r, err := newest[p.Periods[i]].Report()
		if err != nil {
			s.renderError(c, err)
			return
		}
		cell := r.Totals
		if p.Country != "" {
			cell = transparency.Cell{RequestsReceived: transparency.Count{}, RequestsWithData: transparency.Count{}}
			for _, bc := range r.ByCountry {
				if bc.Country == p.Country {
					cell = bc
				}
			}
		}
		p.TrendRows = append(p.TrendRows, trendRow{Period: r.Period, Received: p.Count(cell.RequestsReceived), WithData: p.Count(cell.RequestsWithData)})
		counts = append(counts, cell.RequestsReceived)
	}
	p.Trend = trendChart(p.TrendRows, counts)
	s.html(c, status, "transparency", p)
}

// handleTransparencyPublish handles "POST /provider/transparency/publish":
// an administrator freezes a period (the page's form for
// POST /api/v1/transparency/reports).
func (s *Server) handleTransparencyPublish(c *gin.Context) {
	svc, err := s.transparencyService()
	if err != nil {
		s.renderError(c, err)
		return
	}
	pub, err := svc.Publish(c.Request.Context(), transparency.Publisher{Principal: principal(c).Principal}, c.PostForm("period"), c.PostForm("reason"), nil)
	if err != nil {
		var e *errs.Error
		if errors.As(err, &e) && (e.Code == errs.Invalid || e.Code == errs.Conflict) {
			// A refusal is an error on the form, never the success banner.
			s.showTransparency(c, statuses[e.Code], err)
			return
		}
		s.renderError(c, err)
		return
	}
	s.setFlash(c, s.printer(c).Sprintf("Published %s version %d, counted from %d log entries.", pub.Period, pub.Version, pub.TreeSize))
	c.Redirect(http.StatusSeeOther, "/transparency?period="+url.QueryEscape(pub.Period))
}
