#include "events/allowlist_events.h"

#include "events/payload_json.h"

namespace iam::events {
namespace {

NewEvent Definition(const char* type, const CidrBlockDefinition& block) {
  return {type, 1,
          PayloadWriter()
              .Set("cidrBlockId", block.cidr_block_id)
              .Set("cidrBlock", block.cidr_block)
              .Set("comments", block.comments)
              .SetBool("enabled", block.enabled)
              .Finish()};
}

}  // namespace

NewEvent CidrBlockAddedEvent(const CidrBlockDefinition& block) { return Definition(kCidrBlockAdded, block); }
NewEvent CidrBlockModifiedEvent(const CidrBlockDefinition& block) { return Definition(kCidrBlockModified, block); }

NewEvent ToNewEvent(const CidrBlockRemoved& e) {
  return {kCidrBlockRemoved, 1, PayloadWriter().Set("cidrBlockId", e.cidr_block_id).Finish()};
}

NewEvent AllowlistEnabledEvent() { return {kAllowlistEnabled, 1, PayloadWriter().Finish()}; }
NewEvent AllowlistDisabledEvent() { return {kAllowlistDisabled, 1, PayloadWriter().Finish()}; }

Result<CidrBlockDefinition> ParseCidrBlockDefinition(const Event& e) {
  PayloadReader r(e);
  CidrBlockDefinition out{r.Int("cidrBlockId"), r.String("cidrBlock"), r.String("comments"), r.Bool("enabled")};
  return FinishPayload(r, out);
}

Result<CidrBlockRemoved> ParseCidrBlockRemoved(const Event& e) {
  PayloadReader r(e);
  CidrBlockRemoved out{r.Int("cidrBlockId")};
  return FinishPayload(r, out);
}

}  // namespace iam::events
