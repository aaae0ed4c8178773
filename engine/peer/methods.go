package peer

// Method is one call of the protocol: its name, written here once, and
// whether it may be sent again when its answer was lost.
type Method struct {
	Name string
	// Idempotent calls are sent again when the connection broke after
	// they left; any call is sent again when it never left (ErrNotSent).
	Idempotent bool
}

// The calls of Protocol. TestProtocolGolden pins this list with the
// version: adding, removing or changing one without bumping Protocol
// fails it.
var (
	MethodHello           = Method{Name: "hello", Idempotent: true}
	MethodSearch          = Method{Name: "search", Idempotent: true}
	MethodFindRelated     = Method{Name: "find_related", Idempotent: true}
	MethodAddDocument     = Method{Name: "add_document"}
	MethodGetDocument     = Method{Name: "get_document", Idempotent: true}
	MethodDeleteDocument  = Method{Name: "delete_document"}
	MethodListCollections = Method{Name: "list_collections", Idempotent: true}
	MethodListNotesPage   = Method{Name: "list_notes_page", Idempotent: true}
	MethodStatus          = Method{Name: "status", Idempotent: true}
	MethodPing            = Method{Name: "ping", Idempotent: true}
	MethodProgress        = Method{Name: "progress", Idempotent: true}
)

// Methods are the calls of Protocol, in a fixed order.
var Methods = []Method{
	MethodHello, MethodSearch, MethodFindRelated, MethodAddDocument, MethodGetDocument, MethodDeleteDocument,
	MethodListCollections, MethodListNotesPage, MethodStatus, MethodPing, MethodProgress,
}

// Idempotent reports whether the call named name is idempotent; an
// unknown name is not.
func Idempotent(name string) bool {
	for _, m := range Methods {
		if m.Name == name {
			return m.Idempotent
		}
	}
	return false
}
