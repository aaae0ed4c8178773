package qdrant

import (
	"fmt"

	"github.com/google/uuid"
	pb "github.com/qdrant/go-client/qdrant"

	"workspace-qdrant-mcp/engine/storage"
)

// idSpace is the namespace of point ids (uuid.NewSHA1).
var idSpace = uuid.MustParse("6f0c5d2e-8b7a-4c1e-9d3f-2a5b7c9e1f40")

// headID is the point id of a document's head.
func headID(docID string) *pb.PointId {
	return pb.NewIDUUID(uuid.NewSHA1(idSpace, []byte("doc\x00"+docID)).String())
}

// chunkPointID is the point id of a chunk in one generation.
func chunkPointID(chunkID string, gen int64) *pb.PointId {
	return pb.NewIDUUID(uuid.NewSHA1(idSpace, fmt.Appendf(nil, "chunk\x00%s\x00%d", chunkID, gen)).String())
}

func str(s string) *pb.Value { return pb.NewValueString(s) }
func num(n int64) *pb.Value  { return pb.NewValueInt(n) }

func metadataValue(m map[string]string) *pb.Value {
	fields := make(map[string]*pb.Value, len(m))
	for k, v := range m {
		fields[k] = str(v)
	}
	return pb.NewValueFromFields(fields)
}

// headPayload is the payload of a document's head.
func headPayload(doc storage.Document, gen int64, chunks int) map[string]*pb.Value {
	return map[string]*pb.Value{
		fRecord: str(recDoc), fDocID: str(doc.ID), fCollection: str(doc.Collection), fKind: str(doc.Kind),
		fPath: str(doc.Path), fTitle: str(doc.Title), fMetadata: metadataValue(doc.Metadata),
		fGen: num(gen), fChunks: num(int64(chunks)),
	}
}

// chunkPoint is a chunk's point in generation gen.
func (s *Store) chunkPoint(c storage.Chunk, gen int64) *pb.PointStruct {
	sparse := s.documentVector(c.Text, c.Terms)
	vectors := map[string]*pb.Vector{DenseVector: pb.NewVectorDense(c.Dense)}
	if len(sparse.Indices) > 0 {
		vectors[SparseVector] = pb.NewVectorSparse(sparse.Indices, sparse.Values)
	}
	return &pb.PointStruct{
		Id: chunkPointID(c.ID, gen),
		Payload: map[string]*pb.Value{
			fRecord: str(recChunk), fChunkID: str(c.ID), fDocID: str(c.DocID), fCollection: str(c.Collection),
			fKind: str(c.Kind), fPath: str(c.Path), fTitle: str(c.Title), fLanguage: str(c.Language),
			fOrdinal: num(int64(c.Ordinal)), fStartLine: num(int64(c.StartLine)), fEndLine: num(int64(c.EndLine)),
			fText: str(c.Text), fHash: str(c.Hash), fMetadata: metadataValue(c.Metadata), fGen: num(gen),
		},
		Vectors: pb.NewVectorsMap(vectors),
	}
}

// payload reads typed fields of a point's payload.
type payload map[string]*pb.Value

func (p payload) str(k string) string { return p[k].GetStringValue() }
func (p payload) int(k string) int64  { return p[k].GetIntegerValue() }

func (p payload) metadata() map[string]string {
	fields := p[fMetadata].GetStructValue().GetFields()
	if len(fields) == 0 {
		return nil
	}
	m := make(map[string]string, len(fields))
	for k, v := range fields {
		m[k] = v.GetStringValue()
	}
	return m
}

// chunk decodes a chunk point's payload; vectors are not filled.
func (p payload) chunk() storage.Chunk {
	return storage.Chunk{
		ID: p.str(fChunkID), DocID: p.str(fDocID), Collection: p.str(fCollection), Kind: p.str(fKind),
		Path: p.str(fPath), Title: p.str(fTitle), Language: p.str(fLanguage),
		Ordinal: int(p.int(fOrdinal)), StartLine: int(p.int(fStartLine)), EndLine: int(p.int(fEndLine)),
		Text: p.str(fText), Hash: p.str(fHash), Metadata: p.metadata(),
	}
}

// document decodes a head's payload, without chunks.
func (p payload) document() storage.Document {
	return storage.Document{
		ID: p.str(fDocID), Collection: p.str(fCollection), Kind: p.str(fKind),
		Path: p.str(fPath), Title: p.str(fTitle), Metadata: p.metadata(),
	}
}

// denseOf returns a point's dense vector from a response.
func denseOf(v *pb.VectorsOutput) []float32 {
	out := v.GetVectors().GetVectors()[DenseVector]
	if d := out.GetDense().GetData(); d != nil {
		return d
	}
	return out.GetData() //nolint:staticcheck // servers before 1.16 fill only the deprecated field
}
