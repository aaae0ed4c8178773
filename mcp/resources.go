package mcp

import (
	"context"
	"fmt"
	"slices"
	"sync"

	mcpgo "github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
	"github.com/rs/zerolog"

	"workspace-qdrant-mcp/engine"
	"workspace-qdrant-mcp/tools"
)

// pageSize is how many items a page of resources/list (and of every
// other list) holds at most.
var pageSize = 50

// subscriptions are the resources a session wants
// notifications/resources/updated for.
type subscriptions struct {
	// legacy are the URIs of resources/subscribe (protocol 2025-11-25
	// and older).
	legacy map[string]bool
	// streams are the open subscriptions/listen requests (2026-07-28),
	// by request id, with the URIs each asked for.
	streams map[string]stream
}

// stream is one open subscriptions/listen request.
type stream struct {
	id   any // the request's JSON-RPC id, which tags every notification on the stream
	uris []string
}

// streamKey identifies a request id: 1 and "1" are different ids.
func streamKey(id any) string { return fmt.Sprintf("%T:%v", id, id) }

// subscriptionHooks record resources/subscribe, resources/unsubscribe
// and the opening and closing of subscriptions/listen streams.
func (s *Server) subscriptionHooks(h *server.Hooks) {
	h.AddAfterSubscribe(func(_ context.Context, _ any, req *mcpgo.SubscribeRequest, _ *mcpgo.EmptyResult) {
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.subs.legacy == nil {
			s.subs.legacy = map[string]bool{}
		}
		s.subs.legacy[req.Params.URI] = true
	})
	h.AddAfterUnsubscribe(func(_ context.Context, _ any, req *mcpgo.UnsubscribeRequest, _ *mcpgo.EmptyResult) {
		s.mu.Lock()
		defer s.mu.Unlock()
		delete(s.subs.legacy, req.Params.URI)
	})
	h.AddBeforeSubscriptionsListen(func(_ context.Context, id any, req *mcpgo.SubscriptionsListenRequest) {
		uris := req.Params.Notifications.ResourceSubscriptions
		if len(uris) == 0 {
			return
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.subs.streams == nil {
			s.subs.streams = map[string]stream{}
		}
		s.subs.streams[streamKey(id)] = stream{id: id, uris: slices.Clone(uris)}
	})
	h.AddAfterSubscriptionsListen(func(_ context.Context, id any, _ *mcpgo.SubscriptionsListenRequest, _ *mcpgo.SubscriptionsListenResult) {
		s.endStream(id)
	})
}

// endStream forgets the subscriptions/listen stream of request id.
func (s *Server) endStream(id any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.subs.streams, streamKey(id))
}

// statusUpdated sends notifications/resources/updated for the status
// resource to a session subscribed to it: once for resources/subscribe,
// and once on each subscriptions/listen stream that asked for it, tagged
// with the stream's id. It never blocks.
func (s *Server) statusUpdated() {
	s.mu.Lock()
	session := s.session
	var notes []mcpgo.JSONRPCNotification
	if s.subs.legacy[tools.StatusURI] {
		notes = append(notes, updated(tools.StatusURI, nil))
	}
	for _, st := range s.subs.streams {
		if slices.Contains(st.uris, tools.StatusURI) {
			notes = append(notes, updated(tools.StatusURI, map[string]any{mcpgo.MetaKeySubscriptionID: st.id}))
		}
	}
	s.mu.Unlock()
	for _, n := range notes {
		s.send(session, n)
	}
}

// updated is a notifications/resources/updated for uri, with meta as
// its _meta when not nil.
func updated(uri string, meta map[string]any) mcpgo.JSONRPCNotification {
	return mcpgo.JSONRPCNotification{
		JSONRPC: mcpgo.JSONRPC_VERSION,
		Notification: mcpgo.Notification{
			Method: mcpgo.MethodNotificationResourceUpdated,
			Params: mcpgo.NotificationParams{Meta: meta, AdditionalFields: map[string]any{"uri": uri}},
		},
	}
}

// notesList keeps the notes registered as resources of the server, so
// that resources/list lists them (mcp-go lists registered resources
// only). It reads them from the engine before each resources/list.
type notesList struct {
	eng  *engine.Manager
	opts []tools.Option
	srv  *server.MCPServer

	mu   sync.Mutex
	uris map[string]bool // the URIs of the notes registered
}

// sync registers the notes the engine holds and unregisters the others;
// while the engine cannot list them (it is not running), none is listed.
func (n *notesList) sync(ctx context.Context, log zerolog.Logger) {
	notes, err := n.eng.ListNotes(ctx)
	if err != nil {
		log.Debug().Err(err).Msg("resources/list without the notes")
		notes = nil
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	keep := make(map[string]bool, len(notes))
	var add []server.ServerResource
	for _, note := range notes {
		uri := tools.DocumentURI(note.ID)
		keep[uri] = true
		if !n.uris[uri] {
			add = append(add, tools.NoteResource(n.eng, note, n.opts...))
		}
	}
	var drop []string
	for uri := range n.uris {
		if !keep[uri] {
			drop = append(drop, uri)
		}
	}
	if len(drop) > 0 {
		n.srv.DeleteResources(drop...)
	}
	if len(add) > 0 {
		n.srv.AddResources(add...)
	}
	n.uris = keep
}
