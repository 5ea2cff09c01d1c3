#include "events/access_events.h"

#include "events/payload_json.h"

namespace iam::events {
NewEvent ToNewEvent(const AccountCreated& e) {
  return {kAccountCreated, 1,
          PayloadWriter().Set("accountId", e.account_id).Set("accountName", e.account_name).Finish()};
}

NewEvent ToNewEvent(const char* type, const AccountManagerChange& e) {
  return {type, 1,
          PayloadWriter().Set("accountId", e.account_id).Set("managingAccountId", e.managing_account_id).Finish()};
}

Result<AccountManagerChange> ParseAccountManagerChange(const Event& e) {
  PayloadReader r(e);
  AccountManagerChange out{r.String("accountId"), r.String("managingAccountId")};
  return FinishPayload(r, std::move(out));
}

Result<AccountCreated> ParseAccountCreated(const Event& e) {
  PayloadReader r(e);
  AccountCreated out{r.String("accountId"), r.String("accountName")};
  return FinishPayload(r, std::move(out));
}

}  // namespace iam::events
