package config

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
)

// parseHTTP completes the HTTP part of the configuration: the listen
// address (a bare port binds loopback), the allowed origins, and the rule
// that a server reachable from other machines must authenticate.
func (cfg *Config) parseHTTP(origins string, getenv func(string) string) error {
	cfg.AuthToken = strings.TrimSpace(getenv("SPRITES_MCP_AUTH_TOKEN"))
	for _, o := range strings.Split(origins, ",") {
		if o = strings.TrimSpace(o); o == "" {
			continue
		}
		norm, err := NormalizeOrigin(o)
		if err != nil {
			return fmt.Errorf("--allowed-origins %q: %w", o, err)
		}
		cfg.AllowedOrigins = append(cfg.AllowedOrigins, norm)
	}

	if strings.TrimSpace(cfg.HTTP) == "" {
		cfg.HTTP = ""
		switch {
		case cfg.AuthFile != "":
			return errors.New("--auth-file applies to HTTP only: add --http ADDR (or drop --auth-file for stdio)")
		case cfg.Stateless:
			return errors.New("--stateless applies to HTTP only: add --http ADDR")
		case len(cfg.AllowedOrigins) > 0:
			return errors.New("--allowed-origins applies to HTTP only: add --http ADDR")
		}
		return nil
	}
	addr, err := normalizeListenAddr(cfg.HTTP)
	if err != nil {
		return fmt.Errorf("--http %q: %w", cfg.HTTP, err)
	}
	cfg.HTTP = addr
	if cfg.AuthFile != "" && cfg.AuthToken != "" {
		return errors.New("both --auth-file and SPRITES_MCP_AUTH_TOKEN are set: use one (put the token's client in the auth file)")
	}
	if cfg.AuthFile == "" && cfg.AuthToken == "" && !isLoopbackListen(addr) {
		return fmt.Errorf("--http %s is reachable from other machines and no authentication is set: "+
			"set SPRITES_MCP_AUTH_TOKEN or --auth-file, or bind loopback (--http 127.0.0.1:PORT)", addr)
	}
	return nil
}

// normalizeListenAddr turns "8080" or ":8080" into "127.0.0.1:8080", so the
// default is never every interface, and checks the port.
func normalizeListenAddr(addr string) (string, error) {
	addr = strings.TrimSpace(addr)
	if _, err := strconv.Atoi(addr); err == nil {
		addr = ":" + addr
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", errors.New("want host:port or :port, such as :8080 or 0.0.0.0:8080")
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return "", fmt.Errorf("port %q: want a number from 0 to 65535", port)
	}
	if host == "" {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port), nil
}

// isLoopbackListen reports whether addr (host:port) binds loopback only.
func isLoopbackListen(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	return IsLoopbackName(host)
}

// IsLoopbackName reports whether host (without port) is a loopback name
// or address. The transport checks a request's Host with it, so the bind
// and the check agree on what loopback is.
func IsLoopbackName(host string) bool {
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.IsLoopback()
}

// NormalizeOrigin returns an origin as browsers send it: lower-case
// scheme://host[:port], without a default port or a path. The transport
// normalises a request's Origin with it before comparing it with
// AllowedOrigins.
func NormalizeOrigin(o string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(o))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", errors.New("want scheme://host[:port], such as https://app.example.com")
	}
	if (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return "", errors.New("an origin has no path, query or user: want scheme://host[:port]")
	}
	scheme := strings.ToLower(u.Scheme)
	host := strings.ToLower(u.Hostname())
	port := u.Port()
	if (scheme == "http" && port == "80") || (scheme == "https" && port == "443") {
		port = ""
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if port != "" {
		host += ":" + port
	}
	return scheme + "://" + host, nil
}
