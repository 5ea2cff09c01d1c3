#include "events/access_events.h"

#include "events/payload_json.h"

namespace iam::events {
NewEvent ToNewEvent(const AccountCreated& e) {
  return {kAccountCreated, 1,
          PayloadWriter().Set("accountId", e.account_id).Set("accountName", e.account_name).Finish()};
}

NewEvent ToNewEvent(const ApiClientCreated& e) {
  return {kApiClientCreated, 1,
          PayloadWriter()
              .Set("clientId", e.client_id)
              .Set("clientName", e.client_name)
              .Set("accessToken", e.access_token)
              .Set("ownerUiIdentityId", e.owner_ui_identity_id)
              .Set("ownerUsername", e.owner_username)
              .Finish()};
}

Result<AccountCreated> ParseAccountCreated(const Event& e) {
  PayloadReader r(e);
  AccountCreated out{r.String("accountId"), r.String("accountName")};
  return FinishPayload(r, std::move(out));
}

Result<ApiClientCreated> ParseApiClientCreated(const Event& e) {
  PayloadReader r(e);
  ApiClientCreated out{r.String("clientId"), r.String("clientName"), r.String("accessToken"),
                       r.String("ownerUiIdentityId"), r.String("ownerUsername")};
  return FinishPayload(r, std::move(out));
}

}  // namespace iam::events
