// The scheduler's "managed-domain-recheck" job (seed-003 MD-8, TO-2, CC-14).
#pragma once

#include "api/scheduler/scheduler.h"
#include "api/uauth/domain_verification.h"
#include "commands/command_processor.h"
#include "projections/projection_runner.h"

namespace iam::api {

// Checks every VERIFIED or VERIFICATION_LOST domain whose re-check is due
// (24 h after its last check) by its last method, side by side on the
// verifier's threads (each bounded by its timeout), and records each outcome
// through the writer, which appends only while the domain is still in the
// state that was checked (commands::RecordDomainRecheck). kUnavailable
// while the managed-domains read model does not serve; the processor's
// errors. Everything named must outlive the job.
SchedulerJob ManagedDomainRecheckJob(projections::ProjectionRunner& runner, commands::CommandProcessor& processor,
                                     DomainVerifier& verifier);

}  // namespace iam::api
