// Package ldapdir reads users from an LDAP directory or Active Directory and maps them to
// [domain.DirectoryEntry] values.
//
// A [Reader] dials, binds and runs one paged subtree search per call to [Reader.Search],
// handing each page to a callback before it fetches the next, so memory stays flat however
// large the directory is. [MapEntry] is the pure mapping from one entry to a user, and
// [IsRetryable] and [IsInvalidCredentials] classify the errors.
package ldapdir

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"time"

	"github.com/go-ldap/ldap/v3"

	"github.com/ucmpush/ucmpush/domain"
)

// Reconnect backoff: the first redial waits reconnectDelay, each further one twice as long,
// at most maxReconnectDelay.
const (
	reconnectDelay    = 250 * time.Millisecond
	maxReconnectDelay = 5 * time.Second
)

// Reader reads users from one directory. It keeps no connection between calls: each
// [Reader.Search] and [Reader.Check] dials, binds and closes its own, so a Reader is safe for
// concurrent use.
type Reader struct {
	s *settings
}

// New validates cfg (see [Config.Validate]), applies its defaults and returns a Reader. It
// opens no connection.
func New(cfg Config) (*Reader, error) {
	s, err := cfg.normalize()
	if err != nil {
		return nil, err
	}
	return &Reader{s: s}, nil
}

// SearchStats counts the work of one [Reader.Search].
type SearchStats struct {
	// Entries is the number of entries handed to the page function in the last pass, the one
	// that completed unless Search returned an error. Invalid entries are included.
	Entries int
	// Invalid is the number of those entries with a non-empty Invalid reason.
	Invalid int
	// Pages is the number of pages the server returned in the last pass.
	Pages int
	// Reconnects is the number of times the search redialed after a dropped connection.
	Reconnects int
}

// Search reads every entry below the base DN that matches the filter and calls fn once per
// page, in server order, before it requests the next page. Pages that contain no entry are not
// passed to fn. The search requests exactly the mapped attributes, the key and the disabled
// attribute, and maps each entry with [MapEntry], so invalid entries reach fn too.
//
// If the connection drops mid-search (a network error, not an LDAP result), Search redials,
// binds again and restarts from the first page, because paging cookies are bound to the
// connection; it does so up to MaxReconnects times, waiting 250 ms, then twice as long each
// time, at most 5 s. fn therefore may receive an entry more than once and must be idempotent:
// the caller upserts entries by Key, so a re-delivered entry changes nothing. A caller that
// deletes users missing from a search must use only a search that returned a nil error.
//
// An error from fn stops the search, requests that the server release the paging state, and
// is returned wrapped. Canceling ctx closes the connection, which ends the search and the
// paging state on the server, and Search returns an error that wraps ctx.Err(). Other errors
// say what failed and which setting to check; classify them with [IsRetryable] and
// [IsInvalidCredentials]. The returned stats are valid with an error too.
func (r *Reader) Search(
	ctx context.Context,
	fn func(page []domain.DirectoryEntry) error,
) (SearchStats, error) {
	log := r.s.Logger.With("url", redactURL(r.s.URL), "baseDN", r.s.BaseDN)
	log.Info("directory search started", "filter", r.s.Filter, "pageSize", r.s.PageSize)

	var stats SearchStats
	connected := false
	for {
		pass := SearchStats{Reconnects: stats.Reconnects}
		err := r.searchOnce(ctx, fn, &pass, &connected)
		stats = pass
		if err == nil {
			log.Info("directory search finished", "entries", stats.Entries,
				"invalid", stats.Invalid, "pages", stats.Pages, "reconnects", stats.Reconnects)
			return stats, nil
		}

		if ctx.Err() != nil {
			return stats, fmt.Errorf("search %q on %s stopped after %d pages: %w",
				r.s.BaseDN, redactURL(r.s.URL), stats.Pages, ctx.Err())
		}
		if !connected || !isConnectionDrop(err) {
			return stats, err
		}
		if stats.Reconnects >= r.s.MaxReconnects {
			return stats, fmt.Errorf("%w (gave up after %d reconnects)", err, stats.Reconnects)
		}

		stats.Reconnects++
		delay := backoff(stats.Reconnects)
		log.Warn("directory connection dropped, reconnecting", "error", err,
			"reconnect", stats.Reconnects, "maxReconnects", r.s.MaxReconnects, "delay", delay)
		if err := sleep(ctx, delay); err != nil {
			return stats, fmt.Errorf("search %q on %s stopped while waiting to reconnect: %w",
				r.s.BaseDN, redactURL(r.s.URL), err)
		}
	}
}

// Check dials, binds and reads the base DN entry, to confirm that the settings work before a
// sync depends on them. Its errors are those of [Reader.Search].
func (r *Reader) Check(ctx context.Context) error {
	conn, closeConn, err := r.connect(ctx)
	if err != nil {
		return err
	}
	defer closeConn()

	req := ldap.NewSearchRequest(r.s.BaseDN, ldap.ScopeBaseObject, ldap.NeverDerefAliases,
		1, 0, false, "(objectClass=*)", []string{"1.1"}, nil)
	if _, err := conn.Search(req); err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("check %s: %w", redactURL(r.s.URL), ctx.Err())
		}
		return r.s.describeSearchError(markConnectionLost(conn, err), 0)
	}
	return nil
}

// searchOnce runs one pass of the paged search on a new connection. It sets *connected once
// a bind succeeds.
func (r *Reader) searchOnce(
	ctx context.Context,
	fn func([]domain.DirectoryEntry) error,
	stats *SearchStats,
	connected *bool,
) error {
	conn, closeConn, err := r.connect(ctx)
	if err != nil {
		return err
	}
	defer closeConn()
	*connected = true

	paging := ldap.NewControlPaging(r.s.PageSize)
	req := ldap.NewSearchRequest(r.s.BaseDN, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases,
		0, 0, false, r.s.Filter, r.s.attributes, []ldap.Control{paging})

	for {
		if err := ctx.Err(); err != nil {
			return err
		}

		result, err := conn.Search(req)
		if err != nil {
			return r.s.describeSearchError(markConnectionLost(conn, err), stats.Entries)
		}
		stats.Pages++

		page := make([]domain.DirectoryEntry, 0, len(result.Entries))
		for _, e := range result.Entries {
			entry := MapEntry(e, r.s.Mapping)
			if entry.Invalid != "" {
				stats.Invalid++
			}
			page = append(page, entry)
		}
		stats.Entries += len(page)
		r.s.Logger.Debug("directory page read", "page", stats.Pages, "entries", len(page),
			"referrals", len(result.Referrals))

		cookie := pagingCookie(result)
		if len(page) > 0 {
			if err := fn(page); err != nil {
				abandonPaging(conn, req, paging, cookie)
				return &callbackError{err: err}
			}
		}
		if len(cookie) == 0 {
			return nil
		}
		paging.SetCookie(cookie)
	}
}

// connect dials, upgrades to TLS as configured and binds. The returned function closes the
// connection; canceling ctx closes it too, which makes a pending request return at once.
func (r *Reader) connect(ctx context.Context) (*ldap.Conn, func(), error) {
	dialer := net.Dialer{Timeout: r.s.Timeout}
	raw, err := dialer.DialContext(ctx, "tcp", r.s.addr)
	if err != nil {
		return nil, nil, r.s.describeConnectError(err)
	}

	if r.s.implicitTLS {
		tlsConn := tls.Client(raw, r.s.tls)
		handshakeCtx, cancel := context.WithTimeout(ctx, r.s.Timeout)
		err := tlsConn.HandshakeContext(handshakeCtx)
		cancel()
		if err != nil {
			raw.Close()
			return nil, nil, r.s.describeHandshakeError(err)
		}
		raw = tlsConn
	}

	conn := ldap.NewConn(raw, r.s.implicitTLS)
	conn.Start()
	conn.SetTimeout(r.s.Timeout)
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	closeConn := func() {
		stop()
		conn.Close()
	}

	if r.s.StartTLS {
		if err := conn.StartTLS(r.s.tls); err != nil {
			err = markConnectionLost(conn, err)
			closeConn()
			return nil, nil, r.s.describeStartTLSError(err)
		}
	}

	if r.s.BindDN != "" {
		if err := conn.Bind(r.s.BindDN, r.s.BindPassword); err != nil {
			err = markConnectionLost(conn, err)
			closeConn()
			return nil, nil, r.s.describeBindError(err)
		}
	}
	return conn, closeConn, nil
}

// pagingCookie returns the cookie of the paged results control in result, or nil when the
// server sent none, which ends the search.
func pagingCookie(result *ldap.SearchResult) []byte {
	control := ldap.FindControl(result.Controls, ldap.ControlTypePaging)
	paging, ok := control.(*ldap.ControlPaging)
	if !ok {
		return nil
	}
	return paging.Cookie
}

// abandonPaging requests that the server drop the paging state of req (RFC 2696: page size 0
// with the last cookie). It is best effort, because closing the connection drops the state too.
func abandonPaging(conn *ldap.Conn, req *ldap.SearchRequest, paging *ldap.ControlPaging,
	cookie []byte) {
	if len(cookie) == 0 {
		return
	}
	paging.PagingSize = 0
	paging.SetCookie(cookie)
	_, _ = conn.Search(req)
}

func backoff(attempt int) time.Duration {
	delay := reconnectDelay
	for i := 1; i < attempt && delay < maxReconnectDelay; i++ {
		delay *= 2
	}
	return min(delay, maxReconnectDelay)
}

func sleep(ctx context.Context, d time.Duration) error {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return nil
	}
}
