package witness

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/tlog"
)

// maxResponseBytes bounds what a Client reads of a response.
const maxResponseBytes = 64 << 10

// Client calls one witness's add-checkpoint (c2sp.org/tlog-witness), for
// the log's side. It is safe for concurrent use.
type Client struct {
	url string
	hc  *http.Client
}

// NewClient returns a client for the witness whose submission prefix is
// prefix (http://127.0.0.1:7380, or https://witness.example/ua). hc is the
// HTTP client to use; nil means one from NewHTTPClient. Share one HTTP
// client between the clients of a log, so connections are kept alive.
func NewClient(prefix string, hc *http.Client) (*Client, error) {
	if !strings.HasPrefix(prefix, "http://") && !strings.HasPrefix(prefix, "https://") {
		return nil, fmt.Errorf("witness: %q is not an http:// or https:// URL", prefix)
	}
	if hc == nil {
		hc = NewHTTPClient()
	}
	return &Client{url: strings.TrimSuffix(prefix, "/") + "/add-checkpoint", hc: hc}, nil
}

// NewHTTPClient returns an HTTP client fit for talking to witnesses: it
// keeps connections alive (a few per witness), bounds connecting to 3 s
// and a whole request to 10 s. Contexts may shorten that.
func NewHTTPClient() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.DialContext = (&net.Dialer{Timeout: 3 * time.Second, KeepAlive: 30 * time.Second}).DialContext
	t.MaxIdleConnsPerHost = 8
	t.IdleConnTimeout = 90 * time.Second
	t.TLSHandshakeTimeout = 3 * time.Second
	t.ResponseHeaderTimeout = 10 * time.Second
	return &http.Client{Transport: t, Timeout: 10 * time.Second}
}

// AddCheckpoint sends checkpoint (signed by the log) with the consistency
// proof from oldSize, the size of the latest checkpoint the witness
// cosigned, and returns the witness's cosignature line(s), unverified:
// check them against the witness's key (Group does).
//
// A refusal is an *Error whose Code follows the HTTP status; on
// CodeConflict, Error.Size is the witness's size: retry with a proof from
// it. A status the protocol does not define, or a 409 without the size,
// is an *Error with Code 0.
func (c *Client) AddCheckpoint(ctx context.Context, oldSize uint64, proof tlog.TreeProof, checkpoint []byte) ([]byte, error) {
	hs := make([][]byte, len(proof))
	for i := range proof {
		hs[i] = proof[i][:]
	}
	body := appendAddCheckpoint(make([]byte, 0, 64+len(proof)*45+len(checkpoint)), oldSize, hs, checkpoint)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("witness: %w", err)
	}
	req.Header.Set("Content-Type", "text/plain; charset=utf-8")
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("witness: %w", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes+1))
	if err != nil {
		return nil, fmt.Errorf("witness: %s: reading the response: %w", c.url, err)
	}
	if len(b) > maxResponseBytes {
		return nil, fmt.Errorf("witness: %s: the response is larger than %d bytes", c.url, maxResponseBytes)
	}
	switch resp.StatusCode {
	case http.StatusOK:
		if err := checkSigLines(b); err != nil {
			return nil, fmt.Errorf("witness: %s: %v", c.url, err)
		}
		return b, nil
	case http.StatusConflict:
		ct, _, _ := strings.Cut(resp.Header.Get("Content-Type"), ";")
		s, ok := strings.CutSuffix(string(b), "\n")
		size, err := strconv.ParseUint(s, 10, 64)
		if strings.TrimSpace(ct) != "text/x.tlog.size" || !ok || err != nil || !isDecimal([]byte(s)) {
			// Not the protocol's 409: no size to retry from.
			return nil, &Error{Status: resp.StatusCode,
				Msg: fmt.Sprintf("%s: 409 Conflict without the witness's size (Content-Type %q)", c.url, ct)}
		}
		return nil, &Error{Code: CodeConflict, Status: resp.StatusCode, Size: size,
			Msg: fmt.Sprintf("%s: conflict: the witness's latest cosigned checkpoint has size %d", c.url, size)}
	}
	msg := strings.TrimSpace(string(b))
	msg = strings.TrimPrefix(msg, "witness: ")
	if len(msg) > 300 {
		msg = msg[:300] + "…"
	}
	if msg == "" {
		msg = http.StatusText(resp.StatusCode)
	}
	return nil, &Error{Code: codeOf(resp.StatusCode), Status: resp.StatusCode,
		Msg: fmt.Sprintf("%s: %s: %s", c.url, resp.Status, msg)}
}

// checkSigLines checks that b is one or more signature lines, "— " to "\n".
func checkSigLines(b []byte) error {
	if len(b) == 0 {
		return fmt.Errorf("the witness returned no cosignature")
	}
	for len(b) > 0 {
		line, rest, ok := bytes.Cut(b, []byte("\n"))
		if !ok || !bytes.HasPrefix(line, []byte("— ")) {
			return fmt.Errorf("the witness returned something other than signature lines")
		}
		b = rest
	}
	return nil
}
