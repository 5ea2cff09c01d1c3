#include "api/scheduler/managed_domain_recheck_job.h"

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
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
                                     DomainVerifier& verifier) {
  return {"managed-domain-recheck", [&runner, &processor, &verifier](int64_t now_ms) -> Result<int64_t> {
            auto domains = runner.LiveAs<projections::ManagedDomainsReadModel>(projections::kManagedDomainsProjection);
            if (!domains) return runner.Serving(projections::kManagedDomainsProjection);
            std::vector<DueCheck> due;
            const auto domains_version = domains->Published();
            domains_version->ForEachDue(now_ms, [&due](const projections::ManagedDomainRecord& r) {
              due.push_back({r.account_id, r.domain, r.method, r.verification_code});
            });
            // The checks run side by side on the verifier's threads (a round
            // takes a few timeouts, not one per domain); one the verifier
            // cannot take runs here.
            std::vector<commands::DomainCheckResult> results(due.size());
            std::mutex mu;
            std::condition_variable done;
            size_t pending = due.size();
            for (size_t i = 0; i < due.size(); ++i) {
              auto check = [&, i] {
                commands::DomainCheckResult result = verifier.Check(due[i].method, due[i].domain, due[i].code);
                std::lock_guard lock(mu);
                results[i] = std::move(result);
                if (--pending == 0) done.notify_all();
              };
              if (!verifier.Post(check)) check();
            }
            {
              std::unique_lock lock(mu);
              done.wait(lock, [&pending] { return pending == 0; });
            }
            int64_t appended = 0;
            for (size_t i = 0; i < due.size(); ++i) {
              // The events belong to the domain's workspace (W-21).
              commands::CommandContext context{due[i].account_id, commands::kSchedulerActor, ""};
              auto events = std::make_shared<std::atomic<int64_t>>(0);
              auto outcome = processor.Execute(
                  std::make_unique<commands::RecordDomainRecheck>(due[i].domain, due[i].method, due[i].code,
                                                                  std::move(results[i]), now_ms, events),
                  std::move(context));
              if (!outcome.ok()) return outcome.status();
              if (outcome->sequence != 0) appended += events->load();
            }
            return appended;
          }};
}

}  // namespace iam::api
