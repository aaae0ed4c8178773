package chunk

import "testing"

// A chunk declares a contract when one of its code lines declares an
// interface, a trait, a protocol, an abstract class or method, a type
// class, a module type or a C++ pure virtual function, in any of the
// languages; the same words in comments, in strings, as a type's use or
// in a list do not count.
func TestContractFacts(t *testing.T) {
	for _, tc := range []struct {
		language, text string
		want           bool
	}{
		{"go", "type Router interface {\n\tRoute(pattern string)\n}\n", true},
		{"go", "type (\n\tEncoder interface { // encodes\n\t\tEncode(v any) error\n\t}\n)\n", true},
		{"go", "type Set[T comparable] interface {\n\tHas(T) bool\n}\n", true},
		{"go", "type Server struct {\n\tHandler interface{}\n}\n", false},
		{"go", "func f(v interface{}) {}\n", false},
		{"go", "// Router is the interface every router implements.\nvar r Router\n", false},
		{"java", "public interface Encoder {\n    Object encode(Object source) throws EncoderException;\n}\n", true},
		{"java", "public abstract class BaseDescription implements Description {\n}\n", true},
		{"java", "public class Hex implements BinaryEncoder {\n}\n", false},
		{"java", "String s = \"interface Foo\";\n", false},
		{"csharp", "public partial interface IContractResolver\n{\n}\n", true},
		{"kotlin", "fun interface Callback {\n    fun call()\n}\n", true},
		{"kotlin", "sealed interface Result\n", true},
		{"typescript", "export interface AdapterOptions {\n  timeout: number\n}\n", true},
		{"typescript", "export default abstract class Store {}\n", true},
		{"php", "interface AdapterInterface extends ReadInterface\n{\n}\n", true},
		{"php", "trait Macroable\n{\n}\n", true},
		{"rust", "pub trait Source: Debug {\n    fn collect(&self) -> Result<Map>;\n}\n", true},
		{"rust", "pub(crate) unsafe trait RawLock {}\n", true},
		{"rust", "impl Source for File {\n}\n", false},
		{"scala", "trait Facade[J] {\n  def jnull(): J\n}\n", true},
		{"swift", "public protocol URLRequestConvertible {\n}\n", true},
		{"objective-c", "@protocol RCTBridgeModule <NSObject>\n@end\n", true},
		{"clojure", "(defprotocol Channel\n  (close! [chan]))\n", true},
		{"elixir", "defprotocol Enumerable do\n  def count(e)\nend\n", true},
		{"elixir", "  @callback init(args :: term) :: {:ok, term}\n", true},
		{"erlang", "-callback init(Args :: term()) -> ok.\n", true},
		{"python", "class Reader(ABC):\n    @abstractmethod\n    def read(self): ...\n", true},
		{"python", "class SupportsClose(Protocol):\n    def close(self) -> None: ...\n", true},
		{"python", "class Base(metaclass=abc.ABCMeta):\n    pass\n", true},
		{"python", "class Session(object):\n    protocol = 'http'\n", false},
		{"haskell", "class Monad m => MonadLogger m where\n  logMsg :: String -> m ()\n", true},
		{"ocaml", "module type S = sig\n  type t\nend\n", true},
		{"ocaml", "module Make (X : S) = struct end\n", false},
		{"cpp", "class Sink {\n public:\n  virtual void Append(const char* bytes, size_t n) = 0;\n};\n", true},
		{"cpp", "  virtual size_t Available() const = 0;\n", true},
		{"cpp", "  virtual ~Sink();\n  virtual void Flush() {}\n", false},
		{"ruby", "module Net\n  class Protocol\n  end\nend\n", false},
	} {
		got := FileFacts(tc.text, tc.language, []Chunk{{StartLine: 1, EndLine: 99}})[0].Contract
		if got != tc.want {
			t.Errorf("%s %q: Contract = %v, want %v", tc.language, tc.text, got, tc.want)
		}
	}
}

// Only the chunk that holds the declaring line declares the contract,
// and the fact survives the metadata.
func TestContractFactInItsChunk(t *testing.T) {
	text := "package p\n\n// Store keeps blobs.\ntype Store interface {\n\tPut(b []byte) error\n}\n\nfunc (m *Mem) Put(b []byte) error {\n\tif b == nil {\n\t\treturn nil\n\t}\n\treturn nil\n}\n"
	facts := FileFacts(text, "go", []Chunk{{StartLine: 1, EndLine: 7}, {StartLine: 8, EndLine: 13}})
	if !facts[0].Contract || facts[1].Contract {
		t.Fatalf("Contract by chunk = %v, %v; want true, false", facts[0].Contract, facts[1].Contract)
	}
	for _, f := range []Facts{facts[0], {Logic: 2, Comments: 0.5, Generated: true, Contract: true}} {
		if got, ok := ParseFacts(f.Meta()); !ok || got != f {
			t.Errorf("ParseFacts(%q) = %+v, %v; want %+v", f.Meta(), got, ok, f)
		}
	}
}
