// projects.locations.nasJobs.nasTrialDetails: get, list.
#include "fake/api/handlers.h"
#include "fake/errors.h"

namespace nasfake::api {

StatusOr<std::string> GetNasTrialDetail(FakeEnv& env, const Call& call) {
  auto job = NasJobOf(call);
  if (!job.ok()) return job.status();
  if (!model::IsNumericId(call.vars[3])) {
    return errors::InvalidResourceName("NasTrialDetail",
                                       job->ToString() + "/nasTrialDetails/" + call.vars[3]);
  }
  auto detail = env.jobs().GetTrialDetail(model::NasTrialDetailName{*job, call.vars[3]});
  if (!detail.ok()) return detail.status();
  return model::ToJson(*detail, call.json);
}

StatusOr<std::string> ListNasTrialDetails(FakeEnv& env, const Call& call) {
  auto job = NasJobOf(call);
  if (!job.ok()) return job.status();
  auto page_size = PageSizeParam(call);
  if (!page_size.ok()) return page_size.status();
  auto page = env.jobs().ListTrialDetails(*job, *page_size, call.Param("page_token").value_or(""));
  if (!page.ok()) return page.status();
  std::vector<std::string> items;
  for (const auto& item : page->details) items.push_back(model::ToJson(item, call.json));
  return ListBody("nasTrialDetails", items, page->next_page_token);
}

}  // namespace nasfake::api
