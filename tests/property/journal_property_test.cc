// The journal against a model: any sequence of Begin, Complete and Clear on a
// journal of any capacity leaves exactly the entries a plain list of Entry
// values would hold, byte for byte. The journal packs each entry into one
// buffer and reuses dropped entries' buffers, so this checks the packing (any
// bytes, NULs included, in every field) and the reuse (a short entry in the
// buffer of a long one, big bodies cut and their buffers released).
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <deque>
#include <string>
#include <tuple>
#include <vector>

#include "fake/journal/journal.h"
#include "tests/support/test_support.h"

namespace nasfake::journal {
namespace {

using ::nasfake::testing::BeginEntry;
using ::nasfake::testing::CompleteEntry;

// Mostly short strings of any bytes; sometimes a body past kMaxBodyBytes
// (ASCII, so the model's cut needs no UTF-8 rule: the unit tests cover that).
rc::Gen<std::string> Text() { return rc::gen::container<std::string>(rc::gen::arbitrary<char>()); }

rc::Gen<std::string> Body() {
  return rc::gen::weightedOneOf<std::string>(
      {{6, Text()},
       {1, rc::gen::map(rc::gen::inRange<size_t>(kMaxBodyBytes - 2, kMaxBodyBytes + 3000),
                        [](size_t n) { return std::string(n, 'b'); })},
       {1, rc::gen::map(rc::gen::inRange<size_t>(16 * 1024, 40 * 1024),
                        [](size_t n) { return std::string(n, 'm'); })}});
}

rc::Gen<api::HeaderList> Headers() {
  return rc::gen::container<api::HeaderList>(rc::gen::pair(Text(), Text()));
}

Entry RandomRequest() {
  Entry e;
  e.method = *Text();
  e.target = *Text();
  e.headers = *Headers();
  e.body = *Body();
  e.operation = *Text();
  e.resource = *Text();
  e.virtual_time = model::Timestamp(std::chrono::microseconds(*rc::gen::arbitrary<int32_t>()));
  e.real_time = std::chrono::system_clock::time_point(
      std::chrono::microseconds(*rc::gen::arbitrary<int32_t>()));
  e.response_body = *Text();  // ignored by Begin
  e.status = 99;              // ignored by Begin
  return e;
}

Entry RandomOutcome() {
  Entry e;
  e.method = "ignored by Complete";
  e.rule = *Text();
  e.action = *Text();
  e.status = *rc::gen::inRange(0, 600);
  e.response_content_type = *Text();
  e.response_headers = *Headers();
  e.response_body = *Body();
  if (*rc::gen::arbitrary<bool>()) {
    e.fault = api::WireFault{api::WireFault::Kind::kDribble, *rc::gen::inRange<size_t>(0, 100),
                             std::chrono::milliseconds(*rc::gen::inRange(0, 1000))};
  }
  return e;
}

// The documented cut: kMaxBodyBytes kept, then the marker.
std::string Cut(const std::string& body) {
  if (body.size() <= kMaxBodyBytes) return body;
  return body.substr(0, kMaxBodyBytes) + "…[truncated " +
         std::to_string(body.size() - kMaxBodyBytes) + " bytes]";
}

auto Fields(const Entry& e) {
  return std::tie(e.id, e.method, e.target, e.headers, e.body, e.operation, e.resource,
                  e.virtual_time, e.real_time, e.rule, e.action, e.status, e.response_content_type,
                  e.response_headers, e.response_body, e.fault, e.completed);
}

RC_GTEST_PROP(JournalProperty, HoldsWhatAListOfEntriesWould, ()) {
  const size_t capacity = *rc::gen::inRange<size_t>(0, 6);
  Journal journal(capacity);
  std::deque<Entry> model;
  uint64_t next_id = 1;
  uint64_t dropped = 0;

  const int steps = *rc::gen::inRange(1, 40);
  for (int step = 0; step < steps; ++step) {
    const int op = *rc::gen::inRange(0, 10);
    if (op < 5) {  // Begin
      Entry request = RandomRequest();
      const uint64_t id = BeginEntry(journal, request);
      RC_ASSERT(id == next_id);
      Entry kept;
      kept.id = next_id++;
      kept.method = request.method;
      kept.target = request.target;
      kept.headers = request.headers;
      kept.body = Cut(request.body);
      kept.operation = request.operation;
      kept.resource = request.resource;
      kept.virtual_time = request.virtual_time;
      kept.real_time = request.real_time;
      model.push_back(kept);
      while (model.size() > capacity) {
        model.pop_front();
        ++dropped;
      }
    } else if (op < 9) {  // Complete an id: kept, dropped or never issued
      const uint64_t id = *rc::gen::inRange<uint64_t>(0, next_id + 1);
      const Entry outcome = RandomOutcome();
      CompleteEntry(journal, id, outcome);
      for (Entry& e : model) {
        if (e.id != id) continue;
        e.rule = outcome.rule;
        e.action = outcome.action;
        e.status = outcome.status;
        e.response_content_type = outcome.response_content_type;
        e.response_headers = outcome.response_headers;
        e.response_body = Cut(outcome.response_body);
        e.fault = outcome.fault;
        e.completed = true;
      }
    } else {
      journal.Clear();
      model.clear();
      dropped = 0;
    }

    const std::vector<Entry> entries = journal.Entries();
    RC_ASSERT(entries.size() == model.size());
    RC_ASSERT(journal.size() == model.size());
    RC_ASSERT(journal.dropped() == dropped);
    for (size_t i = 0; i < entries.size(); ++i) RC_ASSERT(Fields(entries[i]) == Fields(model[i]));
  }
}

}  // namespace
}  // namespace nasfake::journal
