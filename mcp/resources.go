package mcp

import (
	"context"
	"fmt"
	"slices"

	mcpgo "github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

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

// listHooks page resources/list through the notes: mcp-go lists the
// registered resources (the status) on the first page, and the notes
// follow, a page at a time, read from the engine's document heads
// (engine.ListNotesPage) rather than registered, so that a listing never
// reads the notes' texts. The cursor is the engine's; the wire refuses
// one the engine did not give, before mcp-go sees it. While the engine
// cannot list the notes (it is not running) none is listed.
func (s *Server) listHooks(h *server.Hooks) {
	h.AddBeforeListResources(func(ctx context.Context, id any, req *mcpgo.ListResourcesRequest) {
		cursor := string(req.Params.Cursor)
		req.Params.Cursor = "" // mcp-go's own listing: the registered resources, a first page
		limit := pageSize
		if cursor == "" {
			limit = max(pageSize-len(s.mcp.ListResources()), 1)
		}
		page, err := s.eng.ListNotesPage(ctx, engine.NotesQuery{Cursor: cursor, Limit: limit})
		if err != nil {
			s.log.Debug().Err(err).Msg("resources/list without the notes")
		}
		s.listings.Store(streamKey(id), listing{first: cursor == "", page: page})
	})
	h.AddAfterListResources(func(_ context.Context, id any, _ *mcpgo.ListResourcesRequest, res *mcpgo.ListResourcesResult) {
		v, ok := s.listings.LoadAndDelete(streamKey(id))
		if !ok {
			return
		}
		l := v.(listing)
		if !l.first {
			res.Resources = []mcpgo.Resource{}
		}
		for _, n := range l.page.Notes {
			res.Resources = append(res.Resources, tools.NoteResource(s.eng, n, s.opts...).Resource)
		}
		res.NextCursor = mcpgo.Cursor(l.page.Next)
	})
}

// listing is the page of notes a resources/list answers with.
type listing struct {
	first bool // no cursor: the registered resources come first
	page  engine.NotesPage
}
