#include "api/uauth/member_listing_v2.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <boost/json.hpp>
#include <type_traits>
#include <vector>

#include "commands/base64url.h"

namespace iam::api {
namespace {

constexpr size_t kMacSize = 32;     // HMAC-SHA-256
constexpr size_t kDigestSize = 16;  // of SHA-256: ample to tell queries apart
constexpr size_t kMaxCursorText = 512;

// The lowest and highest positions the listing's read models have applied;
// nullopt when one of them is unknown to the runner.
std::optional<std::pair<uint64_t, uint64_t>> AppliedPositions(const projections::ProjectionRunner& runner) {
  constexpr auto kNames = ListingDirectories::Names();
  uint64_t lowest = UINT64_MAX, highest = 0;
  size_t seen = 0;
  for (const projections::ProjectionStatus& status : runner.Statuses()) {
    if (std::find(kNames.begin(), kNames.end(), status.name) == kNames.end()) continue;
    lowest = std::min(lowest, status.position);
    highest = std::max(highest, status.position);
    ++seen;
  }
  if (seen != kNames.size()) return std::nullopt;
  return std::make_pair(lowest, highest);
}

}  // namespace

MemberViews ViewsOf(std::shared_ptr<const ListingDirectories> state) {
  // Aliasing pointers: each names one directory and owns the whole set.
  auto part = [&](const auto& directory) {
    using D = std::remove_cvref_t<decltype(directory)>;
    return std::shared_ptr<const D>(state, &directory);
  };
  return MemberViews{part(state->Get<projections::MembershipDirectory>()),
                     part(state->Get<projections::InvitationDirectory>()),
                     part(state->Get<projections::UserDirectory>()),
                     part(state->Get<projections::MfaDirectory>()),
                     part(state->Get<projections::SessionDirectory>()),
                     part(state->Get<projections::ManagedDomainDirectory>()),
                     part(state->Get<projections::GroupDirectory>()),
                     part(state->Get<projections::WorkspaceRoleDirectory>())};
}

std::optional<PositionedViews> ReadViewsAtOnePosition(const UauthContext& context, uint64_t* fallback) {
  *fallback = 0;
  // A read of the past (asOf): its state is at one position by construction.
  if (const projections::ReadModelView* past = projections::CurrentReadModelView()) {
    auto views = ReadMemberViews(context);
    if (!views) return std::nullopt;
    return PositionedViews{past->position(), std::move(*views)};
  }
  // The runner publishes a projection's new version and then records its
  // position under the slot's lock, which Statuses() takes: positions that
  // agree before and after the versions are read prove the versions are the
  // ones at that position. Commits land between reads only under load, so a
  // few attempts nearly always suffice.
  for (int attempt = 0; attempt < 3; ++attempt) {
    const auto before = AppliedPositions(context.runner);
    auto views = ReadMemberViews(context);
    const auto after = AppliedPositions(context.runner);
    if (!before || !views || !after) return std::nullopt;
    *fallback = after->first;
    if (before->first == before->second && before == after) return PositionedViews{before->first, std::move(*views)};
  }
  return std::nullopt;
}

std::optional<MemberViews> PastMemberViews(const UauthContext& context,
                                           std::shared_ptr<const projections::ReadModelView> past) {
  // The same reads as the live listing's, answered by the past instances.
  projections::ScopedReadModelView scope(std::move(past));
  return ReadMemberViews(context);
}

std::string QueryDigest(std::string_view account_id, const MemberQuery& query) {
  // Sets are compared as sets: order and repeats in the parameters do not
  // make another query.
  std::vector<std::string> statuses = query.statuses;
  std::sort(statuses.begin(), statuses.end());
  statuses.erase(std::unique(statuses.begin(), statuses.end()), statuses.end());
  std::vector<int64_t> roles = query.role_ids;
  std::sort(roles.begin(), roles.end());
  roles.erase(std::unique(roles.begin(), roles.end()), roles.end());
  auto or_null = [](const auto& value) {
    return value ? boost::json::value_from(*value) : boost::json::value(nullptr);
  };
  boost::json::array status_array(statuses.begin(), statuses.end());
  boost::json::array role_array(roles.begin(), roles.end());
  // A JSON array: an unambiguous spelling of every part.
  const std::string canonical = boost::json::serialize(boost::json::array{
      account_id, query.sort_key, query.descending, std::move(status_array), std::move(role_array),
      or_null(query.account_type), or_null(query.search), or_null(query.mfa_enabled),
      or_null(query.access_expires_before_ms)});
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_Digest(canonical.data(), canonical.size(), digest, &size, EVP_sha256(), nullptr) != 1) return "";
  return commands::Base64UrlEncode(
      std::string_view(reinterpret_cast<const char*>(digest), std::min<size_t>(size, kDigestSize)));
}

Result<ListingCursorSealer> ListingCursorSealer::Create() {
  std::string key(32, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(key.data()), static_cast<int>(key.size())) != 1) {
    return Status::Internal("no random key for listing cursors");
  }
  return ListingCursorSealer(std::move(key));
}

std::string ListingCursorSealer::Mac(std::string_view payload) const {
  unsigned char mac[EVP_MAX_MD_SIZE];
  size_t size = 0;
  if (EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, key_.data(), key_.size(),
                reinterpret_cast<const unsigned char*>(payload.data()), payload.size(), mac, sizeof(mac),
                &size) == nullptr ||
      size != kMacSize) {
    return "";  // Open refuses every cursor then, rather than accept an unchecked one
  }
  return std::string(reinterpret_cast<const char*>(mac), size);
}

std::string ListingCursorSealer::Seal(const ListingCursor& cursor) const {
  const std::string payload = boost::json::serialize(boost::json::object{
      {"p", cursor.position},
      {"t", cursor.first_page_ms},
      {"q", cursor.query_digest},
      {"k", boost::json::array{cursor.invitation ? 1 : 0, cursor.id}}});
  return commands::Base64UrlEncode(payload + Mac(payload));
}

Result<ListingCursor> ListingCursorSealer::Open(std::string_view text) const {
  const Status refused = Status::InvalidArgument("cursor is not one this listing issued, or it was altered");
  if (text.empty() || text.size() > kMaxCursorText) return refused;
  auto bytes = commands::Base64UrlDecode(text);
  if (!bytes.ok() || bytes->size() <= kMacSize) return refused;
  const std::string_view raw(*bytes);
  const std::string_view payload = raw.substr(0, raw.size() - kMacSize);
  const std::string expected = Mac(payload);
  if (expected.size() != kMacSize || CRYPTO_memcmp(expected.data(), raw.data() + payload.size(), kMacSize) != 0) {
    return refused;
  }
  // Sealed here, so well formed; checked all the same, since a change of
  // format between builds must not crash a reader.
  boost::system::error_code ec;
  const boost::json::value value = boost::json::parse(payload, ec);
  if (ec || !value.is_object()) return refused;
  const boost::json::object& object = value.as_object();
  const auto* p = object.if_contains("p");
  const auto* t = object.if_contains("t");
  const auto* q = object.if_contains("q");
  const auto* k = object.if_contains("k");
  if (!p || !t || !q || !k || !(p->is_int64() || p->is_uint64()) || !t->is_int64() || !q->is_string() || !k->is_array() ||
      k->as_array().size() != 2 || !k->as_array()[0].is_int64() || !k->as_array()[1].is_int64()) {
    return refused;
  }
  ListingCursor cursor;
  cursor.position = p->is_uint64() ? p->as_uint64() : static_cast<uint64_t>(std::max<int64_t>(p->as_int64(), 0));
  cursor.first_page_ms = t->as_int64();
  cursor.query_digest = std::string(q->as_string());
  cursor.invitation = k->as_array()[0].as_int64() == 1;
  cursor.id = k->as_array()[1].as_int64();
  return cursor;
}

}  // namespace iam::api
