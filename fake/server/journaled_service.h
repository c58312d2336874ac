// A handler that is not a tenant's (`nasfake record`'s proxy, `nasfake
// replay`'s transcript) served as a tenant's answers are: each request is
// journaled before it is handled and completed before its answer leaves, and
// the control API answers the calls that make sense without a fake behind it:
// GET /__nasfake/v1/health and GET /__nasfake/v1/journal (the same bodies as
// FakeServer's). Every other control call is NOT_FOUND.
#pragma once

#include <functional>
#include <string>

#include "fake/api/request.h"
#include "fake/journal/journal.h"

namespace nasfake::server {

class JournaledService {
 public:
  using Handler = std::function<api::Response(api::Request&&)>;
  // `action` is what the journal says answered each request ("record",
  // "replay"). `handler` may be called from many threads at once.
  JournaledService(std::string action, Handler handler);

  api::Response Handle(api::Request&& request);
  const journal::Journal& journal() const { return journal_; }

 private:
  const std::string action_;
  const Handler handler_;
  journal::Journal journal_;
};

}  // namespace nasfake::server
