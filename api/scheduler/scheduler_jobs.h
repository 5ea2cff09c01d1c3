// The scheduler's jobs (seed-003 TO-2), one function each; a later job
// (invitation expiry, access expiry) is one more function here and one more
// entry in the server's list.
#pragma once

#include <optional>
#include <string>

#include "api/auth/signing_key_ring.h"
#include "api/scheduler/scheduler.h"
#include "commands/command_processor.h"
#include "commands/session_commands.h"
#include "projections/projection_runner.h"

namespace iam::api {

// "session-expiry" (T-14, CC-15): lists the open sessions the clock has
// ended (commands::SessionEndedByClock) in the sessions read model and ends
// them with UserSessionEnded {EXPIRED}, in batches, through the writer, which
// skips any refreshed or ended since. kUnavailable while the sessions read
// model does not serve; the processor's errors. Everything named must
// outlive the job.
SchedulerJob SessionExpiryJob(projections::ProjectionRunner& runner, commands::CommandProcessor& processor,
                              commands::SessionLifetimes lifetimes);

// "signing-key-rotation" (T-13): rotates the token signing key when due
// (SigningKeyRing::RotateIfDue, which also destroys a previous key whose
// 24 hours have passed) and records each rotation as JwtSigningKeyRotated.
// `unrecorded_kid` is a rotation made before the job ran (at start); a
// rotation whose record failed is recorded by a later round. The ring's and
// the processor's errors. `keys` and `processor` must outlive the job.
SchedulerJob SigningKeyRotationJob(SigningKeyRing& keys, commands::CommandProcessor& processor,
                                   std::optional<std::string> unrecorded_kid);

// "invitation-lapse" (V-13, CC-14): records InvitationExpired for each
// pending invitation whose token's lifetime has passed; the writer skips any
// accepted, rejected, resent or revoked since. Errors as SessionExpiryJob.
SchedulerJob InvitationLapseJob(projections::ProjectionRunner& runner, commands::CommandProcessor& processor);

// "access-expiry" (M-9, CC-14, CC-15): records UserWorkspaceAccessExpired
// for each membership whose access expiry has passed and is not recorded;
// the writer skips any whose expiry changed since. Access decisions never
// wait for it: they read the clock. Errors as SessionExpiryJob.
SchedulerJob AccessExpiryJob(projections::ProjectionRunner& runner, commands::CommandProcessor& processor);

}  // namespace iam::api
