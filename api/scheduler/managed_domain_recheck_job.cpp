#include "api/scheduler/managed_domain_recheck_job.h"

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "commands/managed_domain_commands.h"
#include "commands/scheduler_commands.h"
#include "projections/identity_read_models.h"

namespace iam::api {
namespace {

struct DueCheck {
  std::string account_id;
  std::string domain;
  std::string method;
  std::string code;
};

}  // namespace

SchedulerJob ManagedDomainRecheckJob(projections::ProjectionRunner& runner, commands::CommandProcessor& processor,
                                     const DomainVerifier& verifier) {
  return {"managed-domain-recheck", [&runner, &processor, &verifier](int64_t now_ms) -> Result<int64_t> {
            auto domains = runner.LiveAs<projections::ManagedDomainsReadModel>(projections::kManagedDomainsProjection);
            if (!domains) return runner.Serving(projections::kManagedDomainsProjection);
            std::vector<DueCheck> due;
            domains->Published()->ForEachDue(now_ms, [&due](const projections::ManagedDomainRecord& r) {
              due.push_back({r.account_id, r.domain, r.method, r.verification_code});
            });
            int64_t appended = 0;
            for (DueCheck& check : due) {
              commands::DomainCheckResult result = verifier.Check(check.method, check.domain, check.code);
              // The events belong to the domain's workspace (W-21).
              commands::CommandContext context{check.account_id, commands::kSchedulerActor, ""};
              auto events = std::make_shared<std::atomic<int64_t>>(0);
              auto outcome = processor.Execute(
                  std::make_unique<commands::RecordDomainRecheck>(check.domain, check.method, check.code,
                                                                  std::move(result), now_ms, events),
                  std::move(context));
              if (!outcome.ok()) return outcome.status();
              if (outcome->sequence != 0) appended += events->load();
            }
            return appended;
          }};
}

}  // namespace iam::api
