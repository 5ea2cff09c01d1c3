#include "projections/mailed_token_directory.h"

#include "events/payload_json.h"
#include "projections/fold.h"

namespace iam::projections {
namespace {

constexpr std::string_view kTokenRow = "token/";
constexpr std::string_view kVersionRow = "user/";

std::string TokenKey(std::string_view hash) { return std::string(kTokenRow) + std::string(hash); }
std::string VersionKey(std::string_view id) { return std::string(kVersionRow) + std::string(id); }

int64_t StateNumber(MailedTokenRecord::State state) { return static_cast<int64_t>(state); }

}  // namespace

template <typename Tokens>
Status MailedTokenDirectory<Tokens>::Apply(const events::Event& e, std::vector<std::string>* changed,
                                           std::vector<std::string>*) {
  const events::MailedTokenKind& kind = Tokens::kKind;
  if (e.aggregate_type != kind.aggregate) return Status::Ok();
  uint64_t& version = versions_[e.aggregate_id];
  version = VersionAfter(e, version);
  if (changed) changed->push_back(VersionKey(e.aggregate_id));
  if (e.event_type == kind.issued) {
    auto issued = events::ParseMailedTokenIssued(e);
    if (!issued.ok()) return issued.status();
    if (auto live = live_by_user_.find(issued->ui_identity_id); live != live_by_user_.end()) {
      tokens_[live->second].state = MailedTokenRecord::State::kSuperseded;  // T-4
      if (changed) changed->push_back(TokenKey(live->second));
    }
    tokens_[issued->token_hash] = {issued->token_hash, issued->token_id, issued->ui_identity_id, issued->expires_ms,
                                   MailedTokenRecord::State::kLive};
    live_by_user_[issued->ui_identity_id] = issued->token_hash;
    if (changed) changed->push_back(TokenKey(issued->token_hash));
  } else if (e.event_type == kind.consumed) {
    auto consumed = events::ParseMailedTokenConsumed(e);
    if (!consumed.ok()) return consumed.status();
    auto live = live_by_user_.find(consumed->ui_identity_id);
    if (live == live_by_user_.end() || tokens_[live->second].token_id != consumed->token_id) {
      return Contradiction(e, "token " + consumed->token_id + " is not the live one");
    }
    tokens_[live->second].state = MailedTokenRecord::State::kUsed;
    if (changed) changed->push_back(TokenKey(live->second));
    live_by_user_.erase(live);
  }
  return Status::Ok();
}

template <typename Tokens>
const MailedTokenRecord* MailedTokenDirectory<Tokens>::FindByHash(std::string_view token_hash) const {
  auto it = tokens_.find(token_hash);
  return it == tokens_.end() ? nullptr : &it->second;
}

template <typename Tokens>
uint64_t MailedTokenDirectory<Tokens>::VersionOf(std::string_view ui_identity_id) const {
  auto it = versions_.find(ui_identity_id);
  return it == versions_.end() ? 0 : it->second;
}

// "token/" sorts before "user/".
template <typename Tokens>
std::vector<std::string> MailedTokenDirectory<Tokens>::RowKeys() const {
  std::vector<std::string> keys;
  keys.reserve(tokens_.size() + versions_.size());
  for (const auto& [hash, token] : tokens_) keys.push_back(TokenKey(hash));
  for (const auto& [id, version] : versions_) keys.push_back(VersionKey(id));
  return keys;
}

template <typename Tokens>
std::optional<std::string> MailedTokenDirectory<Tokens>::EncodeRow(std::string_view key) const {
  if (key.starts_with(kVersionRow)) {
    auto it = versions_.find(key.substr(kVersionRow.size()));
    if (it == versions_.end()) return std::nullopt;
    return events::PayloadWriter().Set("version", static_cast<int64_t>(it->second)).Finish();
  }
  if (!key.starts_with(kTokenRow)) return std::nullopt;
  const MailedTokenRecord* t = FindByHash(key.substr(kTokenRow.size()));
  if (!t) return std::nullopt;
  return events::PayloadWriter()
      .Set("tokenHash", t->token_hash)
      .Set("tokenId", t->token_id)
      .Set("uiIdentityId", t->ui_identity_id)
      .Set("expiresAt", t->expires_ms)
      .Set("state", StateNumber(t->state))
      .Finish();
}

template <typename Tokens>
Status MailedTokenDirectory<Tokens>::RestoreRow(std::string_view key, std::string_view row) {
  events::PayloadReader r(row, std::string(kProjectionName) + " row " + std::string(key));
  if (key.starts_with(kVersionRow)) {
    const int64_t version = r.Int("version");
    if (!r.status().ok()) return r.status();
    versions_[std::string(key.substr(kVersionRow.size()))] = static_cast<uint64_t>(version);
    return Status::Ok();
  }
  if (!key.starts_with(kTokenRow)) return Status::Corruption("unknown " + std::string(kProjectionName) + " row " + std::string(key));
  MailedTokenRecord t{r.String("tokenHash"), r.String("tokenId"), r.String("uiIdentityId"), r.Int("expiresAt"),
                     MailedTokenRecord::State::kLive};
  const int64_t state = r.Int("state");
  if (!r.status().ok()) return r.status();
  if (state < 0 || state > 2) return Status::Corruption(std::string(kProjectionName) + " row " + std::string(key) + ": bad state");
  t.state = static_cast<MailedTokenRecord::State>(state);
  tokens_[t.token_hash] = std::move(t);
  return Status::Ok();
}

template <typename Tokens>
Status MailedTokenDirectory<Tokens>::FinishRestore() {
  live_by_user_.clear();
  for (const auto& [hash, token] : tokens_) {
    if (token.state == MailedTokenRecord::State::kLive) live_by_user_[token.ui_identity_id] = hash;
  }
  return Status::Ok();
}

template class MailedTokenDirectory<PasswordResetTokens>;
template class MailedTokenDirectory<ConfirmationTokens>;

}  // namespace iam::projections
