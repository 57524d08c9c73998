package config

import "net/url"

// introspectionProblems says what is wrong with an issuer's introspection
// setting, each problem prefixed with name. Opaque tokens only ever reach
// the API, so they need its audience; the issuer answers only a caller it
// can authenticate, so they need the portal's credentials there.
func (i Issuer) introspectionProblems(name, env string) []string {
	in := i.Introspection
	if in == nil {
		return nil
	}
	var p []string
	if i.APIAudience == "" {
		p = append(p, name+": introspection serves the API: set api_audience too")
	}
	if in.ClientID == "" || in.ClientSecret == "" {
		p = append(p, name+": introspection needs the portal's resource-server credentials at the issuer: client_id and client_secret (or client_secret_file)")
	}
	if in.Endpoint != "" {
		if u, err := url.Parse(in.Endpoint); err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
			p = append(p, name+": introspection endpoint must be an absolute http(s) URL")
		} else if env == EnvProduction && u.Scheme != "https" {
			p = append(p, name+": introspection endpoint must be https in production: the portal sends its secret there")
		}
	}
	return p
}
