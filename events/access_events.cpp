#include "events/access_events.h"

#include "events/payload_json.h"

namespace iam::events {
NewEvent ToNewEvent(const AccountCreated& e) {
  return {kAccountCreated, 1,
          PayloadWriter().Set("accountId", e.account_id).Set("accountName", e.account_name).Finish()};
}

Result<AccountCreated> ParseAccountCreated(const Event& e) {
  PayloadReader r(e);
  AccountCreated out{r.String("accountId"), r.String("accountName")};
  return FinishPayload(r, std::move(out));
}

}  // namespace iam::events
