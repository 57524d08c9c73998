package web

import (
	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/warrantdesk/warrantdesk/server/internal/identity"
)

// routes registers every route of warrantdesk. It is the table of contents:
// each group states its audience and its middleware chain.
func (s *Server) routes() {
	r := s.engine
	r.Use(withRequestID, s.recoverPanics, s.accessLog, s.securityHeaders, s.limitBody)
	r.NoRoute(s.handleNotFound)
	r.NoMethod(s.handleMethodNotAllowed)

	// Operations: no session lookup; /metrics asks for its own token
	// (metricsAccess).
	r.GET("/healthz", s.handleHealthz)
	r.GET("/readyz", s.handleReadyz)
	r.GET("/metrics", s.metricsAccess, gin.WrapH(promhttp.HandlerFor(s.registry, promhttp.HandlerOpts{})))
	r.GET("/static/:hash/*path", s.handleStatic)
	r.GET("/favicon.ico", s.handleFavicon) // browsers ask for it on every site

	// The embedded demo OpenID Provider (only with --demo). It has its own
	// login form protection; our session middleware does not apply.
	if s.idp != nil {
		r.Any("/idp/*path", gin.WrapH(s.idp.Handler()))
	}

	// Everything else knows who is calling, and refuses cross-origin writes.
	// An address that keeps presenting bad bearer tokens is refused before
	// any of them is looked at.
	app := r.Group("/", s.limitAuthFailures(newRateLimiter(authFailuresPerSecond, authFailureBurst)), s.authenticate, s.crossOrigin)

	// Public pages: anyone, signed in or not.
	app.GET("/", s.handleHome)
	app.GET("/guide", s.handleGuide)
	app.GET("/log", s.handleLogPage)
	app.GET("/transparency", s.handleTransparencyPage)
	// The language switch on every page; a signed-in person's choice is
	// kept in their profile too, so it asks for the form's token.
	app.POST("/language", s.requireCSRF, noStore, s.handleLanguage)

	// Sign-in and sign-out.
	signin := app.Group("/", s.rateLimit(newRateLimiter(2, 20)), noStore)
	signin.GET("/login", s.handleLogin)
	signin.POST("/login", s.handleLoginStart)
	signin.GET("/auth/callback", s.handleAuthCallback)
	signin.GET(stepUpPath, s.requireSession, s.requireAuth, s.handleStepUp)
	signin.POST("/logout", s.requireAuth, s.requireCSRF, s.handleLogout)
	signin.POST(identity.BackChannelLogoutPath, s.handleBackChannelLogout) // issuers, not browsers

	// Actions that cannot be undone (withdraw, approve, countersign, reject,
	// suspend) are confirmed: their POST without confirm=yes is answered
	// with a confirmation page, which acts on nothing; its form posts again
	// with confirm=yes (pages_confirm.go). No confirmation is a GET: what
	// was typed never travels in a URL.

	// Agency pages: officers and supervisors of the signed-in agency, with
	// a browser session (requireSession: bearer tokens are for the API).
	agency := app.Group("/agency", s.requireSession, s.requireAuth, s.requireAgencyMember, s.requireCSRF, noStore)
	agency.GET("", s.handleAgencyDashboard)
	agency.GET("/requests/new", s.handleRequestNew)
	agency.POST("/requests", s.handleRequestCreate)
	agency.GET("/requests/:id", s.handleRequestShow)
	agency.GET("/requests/:id/edit", s.handleRequestEdit) // → check your answers
	agency.GET("/requests/:id/steps/:step", s.handleStepShow)
	agency.POST("/requests/:id/steps/:step", s.handleStepSave)
	agency.GET("/requests/:id/check", s.handleCheckAnswers)
	agency.POST("/requests/:id/documents", s.handleRequestUpload)
	agency.GET("/requests/:id/documents/:doc", s.handleDocumentDownload)
	agency.POST("/requests/:id/submit", s.handleRequestSubmit)
	agency.POST("/requests/:id/messages", s.handleAnswerPage)
	agency.POST("/requests/:id/cosign", s.handleCosignPage)
	agency.POST("/requests/:id/withdraw", s.handleWithdrawPage)
	agency.POST("/requests/:id/link", s.handleLinkPage)
	agency.POST("/requests/:id/shares", s.handleSharePage)
	agency.POST("/requests/:id/unshare", s.handleUnsharePage)
	agency.GET("/requests/:id/production", s.handleProductionDownload)
	agency.GET("/settings", s.handleAgencySettings)
	agency.POST("/settings/recipient", s.handleAgencyRecipientSave)

	// The signed-in person's own settings (language, time zone): anyone
	// signed in with a browser.
	account := app.Group("/account", s.requireSession, s.requireAuth, s.requireCSRF, noStore)
	account.GET("", s.handleAccount)
	account.POST("", s.handleAccountSave)

	// Provider pages: intake, reviewers, counsel, admins and auditors, with
	// a browser session.
	provider := app.Group("/provider", s.requireSession, s.requireAuth, s.requireProviderStaff, s.requireCSRF, noStore)
	provider.GET("", s.handleProviderList)
	provider.GET("/requests/:id", s.handleRequestShow)
	provider.GET("/requests/:id/documents/:doc", s.handleDocumentDownload)
	provider.GET("/queue", s.handleQueuePage)
	provider.GET("/requests/:id/review", s.handleReviewPage)
	provider.POST("/requests/:id/review", s.handleReviewDecision)
	provider.GET("/agencies", s.handleAgenciesPage)
	provider.GET("/identity", s.handleIdentityPage)
	provider.POST("/identity/test", s.handleIdentityTest)
	provider.POST("/agencies", s.handleAgencyCreatePage)
	provider.POST("/agencies/:id/status", s.handleAgencyStatusPage)
	provider.GET("/agencies/:id", s.handleAgencyPage)
	provider.POST("/agencies/:id/verifications", s.handleAgencyVerificationPage)
	provider.POST("/agencies/:id/documents", s.handleAgencyDocumentPage)
	provider.GET("/agencies/:id/documents/:doc", s.handleAgencyDocumentDownload)
	provider.POST("/agencies/:id/callbacks", s.handleAgencyCallbackPage)
	provider.POST("/agencies/:id/callbacks/:cid/remove", s.handleAgencyCallbackRemovePage)
	provider.POST("/agencies/:id/domains", s.handleAgencyDomainPage)
	provider.POST("/people/:id/status", s.handlePersonStatusPage)
	provider.GET("/audit", s.handleAuditPage)
	provider.GET("/audit.csv", s.handleAuditExport)
	provider.GET("/notices", s.handleProviderNotices)
	provider.POST("/requests/:id/production", s.handleProviderProductionBuild)
	provider.POST("/transparency/publish", s.handleTransparencyPublish)

	// The JSON API: bearer tokens (agency systems) or a session (people).
	api := app.Group("/api/v1", s.rateLimit(newRateLimiter(s.cfg.RateLimit, int(2*s.cfg.RateLimit))), noStore)
	api.GET("/openapi.json", s.handleOpenAPI)
	api.GET("/catalogue", s.handleAPICatalogue)
	api.GET("/log/checkpoint", s.handleAPILogCheckpoint)
	api.GET("/log/key", s.handleAPILogKey)
	api.GET("/log/entries", s.handleAPILogEntries)
	api.GET("/log/leaves", s.handleAPILogLeaves)
	api.GET("/log/proof/inclusion", s.handleAPILogInclusion)
	api.GET("/log/proof/consistency", s.handleAPILogConsistency)
	api.GET("/productions/key", s.handleAPIProductionKey)
	api.GET("/transparency/reports", s.handleAPIReportList)
	api.GET("/transparency/reports/:period", s.handleAPIReportGet)

	authed := api.Group("", s.requireAuth, s.requireCSRF)
	authed.GET("/me", s.handleAPIMe)
	authed.GET("/requests", s.handleAPIRequestList)
	authed.POST("/requests", s.handleAPIRequestCreate)
	authed.GET("/requests/:id", s.handleAPIRequestGet)
	authed.PATCH("/requests/:id", s.handleAPIRequestUpdate)
	authed.POST("/requests/:id/documents", s.handleAPIDocumentUpload)
	authed.GET("/requests/:id/documents/:doc", s.handleDocumentDownload)
	authed.POST("/requests/:id/submit", s.handleAPIRequestSubmit)
	authed.POST("/requests/:id/transitions", s.handleAPITransition)
	authed.POST("/requests/:id/cosign", s.handleAPICosign)
	authed.POST("/requests/:id/messages", s.handleAPIMessage)
	authed.POST("/requests/:id/withdraw", s.handleAPIWithdraw)
	authed.POST("/requests/:id/link", s.handleAPILink)
	authed.GET("/requests/:id/shares", s.handleAPIShares)
	authed.POST("/requests/:id/shares", s.handleAPIShare)
	authed.DELETE("/requests/:id/shares/:person", s.handleAPIUnshare)
	authed.GET("/queue", s.handleAPIQueue)
	authed.GET("/notifications", s.handleAPINotifications)
	authed.GET("/requests/:id/receipt", s.handleAPIReceipt)
	authed.GET("/audit", s.handleAPIAudit)
	authed.GET("/agencies", s.handleAPIAgencies)
	authed.POST("/agencies", s.handleAPIAgencyCreate)
	authed.PATCH("/agencies/:id", s.handleAPIAgencyStatus)
	authed.GET("/agencies/:id/people", s.handleAPIAgencyPeople)
	authed.GET("/agencies/:id", s.handleAPIAgency)
	authed.POST("/agencies/:id/verifications", s.handleAPIAgencyVerification)
	authed.POST("/agencies/:id/documents", s.handleAPIAgencyDocument)
	authed.GET("/agencies/:id/documents/:doc", s.handleAgencyDocumentDownload)
	authed.POST("/agencies/:id/callbacks", s.handleAPIAgencyCallback)
	authed.DELETE("/agencies/:id/callbacks/:cid", s.handleAPIAgencyCallbackRemove)
	authed.POST("/agencies/:id/domains", s.handleAPIAgencyDomain)
	authed.PATCH("/people/:id", s.handleAPIPersonStatus)
	authed.GET("/requests/:id/production", s.handleProductionDownload)
	authed.POST("/requests/:id/production", s.handleAPIProductionBuild)
	authed.GET("/productions", s.handleAPIProductionList)
	authed.GET("/agency/recipient", s.handleAPIRecipientGet)
	authed.PUT("/agency/recipient", s.handleAPIRecipientPut)
	authed.DELETE("/agency/recipient", s.handleAPIRecipientDelete)
	authed.GET("/agency/supervisors", s.handleAPISupervisors)
	authed.GET("/notices", s.handleAPINotices)
	authed.POST("/transparency/reports", s.handleAPIReportPublish)
}
