package config

import "net/url"

// problems checks the object store settings: all or nothing, and an
// endpoint the client can use.
func (s S3) problems() []string {
	if s.Endpoint == "" {
		if s.Bucket != "" || s.AccessKeyID != "" || s.SecretAccessKey != "" {
			return []string{"WARRANTDESK_S3_BUCKET or an S3 key is set without WARRANTDESK_S3_ENDPOINT: set the endpoint too, or none of them to keep blobs in <data-dir>/blobs"}
		}
		return nil
	}
	var p []string
	if u, err := url.Parse(s.Endpoint); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") {
		p = append(p, "WARRANTDESK_S3_ENDPOINT is not an http(s) URL without a path (name the bucket in WARRANTDESK_S3_BUCKET)")
	}
	if s.Bucket == "" {
		p = append(p, "WARRANTDESK_S3_ENDPOINT is set but WARRANTDESK_S3_BUCKET is empty")
	}
	if (s.AccessKeyID == "") != (s.SecretAccessKey == "") {
		p = append(p, "set both WARRANTDESK_S3_ACCESS_KEY_ID and WARRANTDESK_S3_SECRET_ACCESS_KEY, or neither")
	}
	return p
}
