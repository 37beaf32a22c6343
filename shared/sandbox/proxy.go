package sandbox

import (
	"io"
	"net"
	"net/http"
	"sync"
	"time"
)

// connectProxy is the HTTP CONNECT proxy clients are pointed at
// (HTTPS_PROXY, or Transport().Proxy). It tunnels CONNECTs to the hosts the
// sandbox certificate covers, on any port, to the sandbox's TLS listener,
// and refuses every other host with 403, so a misrouted client fails fast
// instead of reaching the internet.
type connectProxy struct {
	t      *Tenant
	target string // the TLS listener's address

	mu    sync.Mutex
	conns map[net.Conn]struct{}
}

func (p *connectProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	host := hostOnly(r.Host)
	sw := &statusWriter{ResponseWriter: w}
	defer func() {
		p.t.log.add(Request{Service: Proxy, Method: r.Method, Host: host, Path: r.Host, Status: sw.status, Time: time.Now()})
	}()
	if r.Method != http.MethodConnect {
		http.Error(sw, "the sandbox proxy only tunnels CONNECT", http.StatusMethodNotAllowed)
		return
	}
	if !p.t.covers(host) {
		p.t.logger.Info("sandbox proxy refused a host outside the emulated tenant", "host", host)
		http.Error(sw, "host not served by the sandbox", http.StatusForbidden)
		return
	}
	upstream, err := net.DialTimeout("tcp", p.target, 5*time.Second)
	if err != nil {
		http.Error(sw, "sandbox TLS listener unreachable", http.StatusBadGateway)
		return
	}
	hj, ok := w.(http.Hijacker)
	if !ok {
		upstream.Close()
		http.Error(sw, "cannot tunnel", http.StatusInternalServerError)
		return
	}
	client, buf, err := hj.Hijack()
	if err != nil {
		upstream.Close()
		return
	}
	sw.status = http.StatusOK
	if _, err := io.WriteString(client, "HTTP/1.1 200 Connection established\r\n\r\n"); err != nil {
		client.Close()
		upstream.Close()
		return
	}
	p.track(client, upstream)
	go func() {
		defer p.untrack(client, upstream)
		done := make(chan struct{}, 2)
		go func() {
			// Bytes the client sent after the CONNECT line may sit in buf.
			_, _ = io.Copy(upstream, buf.Reader)
			closeWrite(upstream)
			done <- struct{}{}
		}()
		go func() {
			_, _ = io.Copy(client, upstream)
			closeWrite(client)
			done <- struct{}{}
		}()
		<-done
		<-done
	}()
}

func closeWrite(c net.Conn) {
	if tc, ok := c.(interface{ CloseWrite() error }); ok {
		_ = tc.CloseWrite()
	}
}

func (p *connectProxy) track(cs ...net.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range cs {
		p.conns[c] = struct{}{}
	}
}

func (p *connectProxy) untrack(cs ...net.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range cs {
		c.Close()
		delete(p.conns, c)
	}
}

// closeAll ends every open tunnel; http.Server.Close does not know them
// once they are hijacked.
func (p *connectProxy) closeAll() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for c := range p.conns {
		c.Close()
		delete(p.conns, c)
	}
}
