// Keeps the gRPC surface's descriptors in the generated pool of a static link.
#pragma once

namespace nasfake::proto {

// Touches the services' files (JobService, Operations) and every type an Any
// of an answer may name (google.rpc error details, operation metadata and
// responses), so that a static link keeps their descriptors in the generated
// pool, where method lookups and the JSON mapping's type URLs resolve. A
// binary that links no grpc++ stub (`nasfake serve`) would otherwise have no
// JobService. Cheap after the first call; call it before any lookup.
void KeepDescriptorsLinked();

}  // namespace nasfake::proto
