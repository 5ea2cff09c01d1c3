#include "projections/session_directory.h"

#include "events/payload_json.h"
#include "events/personal_data.h"
#include "events/session_events.h"
#include "events/sign_in_events.h"
#include "projections/fold.h"

namespace iam::projections {
namespace {

constexpr std::string_view kSessionRow = "session/";
constexpr std::string_view kSignInRow = "signin/";

std::string SessionKey(std::string_view id) { return std::string(kSessionRow) + std::string(id); }
std::string SignInKey(std::string_view username) { return std::string(kSignInRow) + std::string(username); }

}  // namespace

void SessionDirectory::IndexTokens(const SessionRecord& session) {
  if (!session.refresh_token_hash.empty()) by_token_hash_[session.refresh_token_hash] = session.session_id;
  for (const std::string& hash : session.spent_hashes) by_token_hash_[hash] = session.session_id;
}

void SessionDirectory::UnindexTokens(const SessionRecord& session) {
  by_token_hash_.erase(session.refresh_token_hash);
  for (const std::string& hash : session.spent_hashes) by_token_hash_.erase(hash);
}

Status SessionDirectory::Apply(const events::Event& e, std::vector<std::string>* changed,
                               std::vector<std::string>* removed) {
  if (e.aggregate_type == events::kSignInAggregate) {
    // An older log's stream, keyed by the username, counts with the new one.
    const bool digest = events::IsPersonalDataDigest(e.aggregate_id);
    const std::string key = digest ? e.aggregate_id : events::SignInStreamId(e.aggregate_id);
    SignInCounter& counter = counters_[key];
    counter.username = key;
    if (digest) counter.version = VersionAfter(e, counter.version);
    if (e.event_type == events::kUserLockoutCleared) {
      counter.failed = 0;
      counter.locked_until_ms = 0;
    } else if (e.event_type == events::kUserLockedOut) {
      auto locked = events::ParseUserLockedOut(e);
      if (!locked.ok()) return locked.status();
      counter.failed = 0;
      counter.locked_until_ms = locked->until_ms;
    } else if (e.event_type == events::kUserSignInFailed || e.event_type == events::kUserSignInSucceeded) {
      auto attempt = events::ParseSignInAttempt(e);
      if (!attempt.ok()) return attempt.status();
      if (!attempt->ui_identity_id.empty()) counter.ui_identity_id = attempt->ui_identity_id;
      if (e.event_type == events::kUserSignInFailed) {
        ++counter.failed;
      } else {
        counter.failed = 0;
        counter.last_success_ms = e.change_date_ms;
      }
    }
    if (changed) changed->push_back(SignInKey(key));
    return Status::Ok();
  }
  if (e.aggregate_type != events::kSessionAggregate) return Status::Ok();
  if (e.event_type == events::kUserSessionStarted) {
    auto started = events::ParseSessionStarted(e);
    if (!started.ok()) return started.status();
    if (sessions_.count(started->session_id)) return Contradiction(e, "session " + started->session_id + " is open");
    SessionRecord session;
    session.session_id = started->session_id;
    session.ui_identity_id = started->ui_identity_id;
    session.account_id = e.resource_owner;
    session.amr = std::move(started->amr);
    session.mfa_pending = started->mfa_pending;
    session.refresh_token_hash = std::move(started->refresh_token_hash);
    session.refresh_expires_ms = started->refresh_expires_ms;
    session.expires_ms = started->expires_ms;
    session.created_ms = e.change_date_ms;
    session.last_seen_ms = e.change_date_ms;
    session.ip_network = std::move(started->ip_network);
    session.user_agent = std::move(started->user_agent);
    session.version = VersionAfter(e, 0);
    IndexTokens(session);
    sessions_.emplace(session.session_id, std::move(session));
    if (changed) changed->push_back(SessionKey(e.aggregate_id));
    return Status::Ok();
  }
  auto it = sessions_.find(e.aggregate_id);
  if (e.event_type != events::kUserSessionRefreshed && e.event_type != events::kUserSessionEnded) return Status::Ok();
  if (it == sessions_.end()) return Contradiction(e, "session " + e.aggregate_id + " is not open");
  SessionRecord& session = it->second;
  if (e.event_type == events::kUserSessionRefreshed) {
    auto refreshed = events::ParseSessionRefreshed(e);
    if (!refreshed.ok()) return refreshed.status();
    if (!session.refresh_token_hash.empty()) session.spent_hashes.push_back(session.refresh_token_hash);
    session.refresh_token_hash = std::move(refreshed->refresh_token_hash);
    session.amr = std::move(refreshed->amr);
    session.mfa_pending = false;
    session.refresh_expires_ms = refreshed->refresh_expires_ms;
    session.last_seen_ms = e.change_date_ms;
    session.ip_network = std::move(refreshed->ip_network);
    session.user_agent = std::move(refreshed->user_agent);
    session.workspace_guid = std::move(refreshed->workspace_guid);
    session.version = VersionAfter(e, session.version);
    IndexTokens(session);
    if (changed) changed->push_back(SessionKey(e.aggregate_id));
  } else {
    auto ended = events::ParseSessionEnded(e);
    if (!ended.ok()) return ended.status();
    UnindexTokens(session);
    sessions_.erase(it);
    if (removed) removed->push_back(SessionKey(e.aggregate_id));
  }
  return Status::Ok();
}

const SignInCounter* SessionDirectory::FindCounter(std::string_view username) const {
  auto it = counters_.find(events::SignInStreamId(username));
  return it == counters_.end() ? nullptr : &it->second;
}

const SessionRecord* SessionDirectory::FindSession(std::string_view session_id) const {
  auto it = sessions_.find(session_id);
  return it == sessions_.end() ? nullptr : &it->second;
}

const SessionRecord* SessionDirectory::SessionOfRefreshToken(std::string_view refresh_token_hash) const {
  auto it = by_token_hash_.find(refresh_token_hash);
  return it == by_token_hash_.end() ? nullptr : FindSession(it->second);
}

std::vector<const SessionRecord*> SessionDirectory::SessionsOf(std::string_view ui_identity_id) const {
  std::vector<const SessionRecord*> out;
  for (const auto& [id, session] : sessions_) {
    if (session.ui_identity_id == ui_identity_id) out.push_back(&session);
  }
  return out;
}

// "session/" sorts before "signin/".
std::vector<std::string> SessionDirectory::RowKeys() const {
  std::vector<std::string> keys;
  keys.reserve(sessions_.size() + counters_.size());
  for (const auto& [id, session] : sessions_) keys.push_back(SessionKey(id));
  for (const auto& [name, counter] : counters_) keys.push_back(SignInKey(name));
  return keys;
}

std::optional<std::string> SessionDirectory::EncodeRow(std::string_view key) const {
  if (key.starts_with(kSignInRow)) {
    auto found = counters_.find(key.substr(kSignInRow.size()));
    if (found == counters_.end()) return std::nullopt;
    const SignInCounter* c = &found->second;
    return events::PayloadWriter()
        .Set("username", c->username)
        .Set("uiIdentityId", c->ui_identity_id)
        .Set("failed", c->failed)
        .Set("lockedUntil", c->locked_until_ms)
        .Set("version", static_cast<int64_t>(c->version))
        .Set("lastSucceededAt", c->last_success_ms)
        .Finish();
  }
  if (!key.starts_with(kSessionRow)) return std::nullopt;
  const SessionRecord* s = FindSession(key.substr(kSessionRow.size()));
  if (!s) return std::nullopt;
  return events::PayloadWriter()
      .Set("sessionId", s->session_id)
      .Set("uiIdentityId", s->ui_identity_id)
      .Set("accountId", s->account_id)
      .SetStrings("amr", s->amr)
      .SetBool("mfaPending", s->mfa_pending)
      .Set("refreshTokenHash", s->refresh_token_hash)
      .SetStrings("spentHashes", s->spent_hashes)
      .Set("refreshExpiresAt", s->refresh_expires_ms)
      .Set("expiresAt", s->expires_ms)
      .Set("createdAt", s->created_ms)
      .Set("lastSeenAt", s->last_seen_ms)
      .Set("ipNetwork", s->ip_network)
      .Set("userAgent", s->user_agent)
      .Set("workspaceGuid", s->workspace_guid)
      .Set("version", static_cast<int64_t>(s->version))
      .Finish();
}

Status SessionDirectory::RestoreRow(std::string_view key, std::string_view row) {
  events::PayloadReader r(row, "sessions row " + std::string(key));
  if (key.starts_with(kSignInRow)) {
    SignInCounter c{r.String("username"), r.String("uiIdentityId"), r.Int("failed"), r.Int("lockedUntil"),
                    static_cast<uint64_t>(r.Int("version")), r.OptionalInt("lastSucceededAt", 0)};
    if (!r.status().ok()) return r.status();
    counters_[c.username] = std::move(c);
    return Status::Ok();
  }
  if (!key.starts_with(kSessionRow)) return Status::Corruption("unknown sessions row " + std::string(key));
  SessionRecord s;
  s.session_id = r.String("sessionId");
  s.ui_identity_id = r.String("uiIdentityId");
  s.account_id = r.String("accountId");
  s.amr = r.Strings("amr");
  s.mfa_pending = r.Bool("mfaPending");
  s.refresh_token_hash = r.String("refreshTokenHash");
  s.spent_hashes = r.Strings("spentHashes");
  s.refresh_expires_ms = r.Int("refreshExpiresAt");
  s.expires_ms = r.Int("expiresAt");
  s.created_ms = r.Int("createdAt");
  s.last_seen_ms = r.Int("lastSeenAt");
  s.ip_network = r.String("ipNetwork");
  s.user_agent = r.String("userAgent");
  s.workspace_guid = r.OptionalString("workspaceGuid");
  s.version = static_cast<uint64_t>(r.Int("version"));
  if (!r.status().ok()) return r.status();
  sessions_[s.session_id] = std::move(s);
  return Status::Ok();
}

Status SessionDirectory::FinishRestore() {
  by_token_hash_.clear();
  for (const auto& [id, session] : sessions_) IndexTokens(session);
  return Status::Ok();
}

}  // namespace iam::projections
