// What nasJobs.create checks before a job is stored (reference §2.2): the
// REQUIRED fields of NasJob and its spec, the documented limits on
// displayName and labels, and that a resumed job exists.
#pragma once

#include "fake/model/nas_job.h"
#include "fake/model/resource_names.h"
#include "fake/status.h"
#include "fake/store/job_store.h"

namespace nasfake::api {

// INVALID_ARGUMENT listing every missing required field (proto paths under
// "nas_job"), or naming the first field that breaks a rule. When the spec
// resumes a job, the search space and algorithm spec are copied from it.
Status ValidateNewNasJob(model::NasJob& job, const model::LocationName& parent,
                         store::JobStore& jobs);

}  // namespace nasfake::api
