package supervisor

import "net/http"

// Handler is the API of the runtime this process owns, for callers in this
// process that need not go through the socket (client.InProcess); nil
// while another process owns the state directory, or once this runtime is
// shutting down, when callers must use the socket. Ask again for each
// request: ownership changes when an attached process takes over.
func (e *Embedded) Handler() http.Handler {
	e.mu.Lock()
	rt := e.rt
	e.mu.Unlock()
	if rt == nil || rt.isClosing() {
		return nil
	}
	return rt.Handler()
}
