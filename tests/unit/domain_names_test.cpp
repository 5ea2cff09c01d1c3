// MD-2's normalisation of managed domains, and the managed-domain read
// model's rules (MD-3, MD-8, CC-11) folded from hand-made events.
#include <gtest/gtest.h>

#include <string>

#include "commands/domain_names.h"
#include "commands/managed_domain_commands.h"
#include "events/managed_domain_events.h"
#include "projections/managed_domain_directory.h"

namespace iam {
namespace {

using commands::NormalizeDomainName;

std::string Normalized(std::string_view text) {
  auto domain = NormalizeDomainName(text);
  EXPECT_TRUE(domain.ok()) << text << ": " << domain.status().ToString();
  return domain.ok() ? *domain : "";
}

void ExpectRefused(std::string_view text) {
  auto domain = NormalizeDomainName(text);
  EXPECT_FALSE(domain.ok()) << text << " became " << (domain.ok() ? *domain : "");
  if (!domain.ok()) {
    EXPECT_EQ(domain.status().code(), StatusCode::kInvalidArgument);
  }
}

TEST(DomainNames, TrimsLowerCasesAndDropsTheTrailingDot) {
  EXPECT_EQ(Normalized("  Example.COM. "), "example.com");
  EXPECT_EQ(Normalized("mail.example.org"), "mail.example.org");
  EXPECT_EQ(Normalized("a-b.example.co.uk"), "a-b.example.co.uk");
  EXPECT_EQ(Normalized("example.co.uk"), "example.co.uk");
}

TEST(DomainNames, ConvertsUnicodeLabelsToALabels) {
  EXPECT_EQ(Normalized("bücher.example"), "xn--bcher-kva.example");
  EXPECT_EQ(Normalized("BÜCHER.example"), "xn--bcher-kva.example");  // UTS #46 maps upper case
  EXPECT_EQ(Normalized("xn--bcher-kva.example"), "xn--bcher-kva.example");
  EXPECT_EQ(Normalized("пример.рф"), "xn--e1afmkfd.xn--p1ai");
}

TEST(DomainNames, RefusesWhatIsNoRegistrableName) {
  for (const char* text : {"", "   ", ".", "localhost", "com", "co.uk", "github.io", "xn--p1ai", "a..b.com",
                           ".example.com", "-a.example.com", "a-.example.com", "a_b.example.com", "exa mple.com",
                           "https://example.com", "example.com/path", "user@example.com", "example.com:443",
                           "127.0.0.1", "10.1.2.3", "[::1]", "example.123"}) {
    ExpectRefused(text);
  }
  ExpectRefused(std::string(64, 'a') + ".example.com");                      // a label over 63
  std::string long_name;
  for (int i = 0; i < 26; ++i) long_name += "abcdefghi.";                      // 260 characters
  ExpectRefused(long_name + "com");
  std::string longest;
  for (int i = 0; i < 24; ++i) longest += "abcdefghi.";                        // 240 characters
  EXPECT_EQ(Normalized(longest + "example.com").size(), 251u);
}

TEST(DomainNames, KnowsPublicSuffixes) {
  EXPECT_TRUE(commands::IsPublicSuffix("com"));
  EXPECT_TRUE(commands::IsPublicSuffix("co.uk"));
  EXPECT_FALSE(commands::IsPublicSuffix("example.com"));
}

TEST(DomainVerificationCode, IsTheContractsPatternAndFresh) {
  auto a = commands::NewDomainVerificationCode();
  auto b = commands::NewDomainVerificationCode();
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_TRUE(a->starts_with("iamd-domain-verification="));
  EXPECT_EQ(a->size(), std::string("iamd-domain-verification=").size() + 43);
  EXPECT_NE(*a, *b);
}

// ---------------------------------------------------------------- the read model

class ManagedDomainDirectoryTest : public ::testing::Test {
 protected:
  Status Apply(const std::string& account, events::ManagedDomainEvent e, int64_t at_ms) {
    events::NewEvent fresh = events::ToNewEvent(e);
    events::Event event;
    event.position = ++position_;
    event.aggregate_type = events::kManagedDomainAggregate;
    event.aggregate_id = events::ManagedDomainAggregateId(account, e.domain);
    event.event_type = fresh.event_type;
    event.payload = fresh.payload;
    event.resource_owner = account;
    event.change_date_ms = at_ms;
    event.creation_date_ms = at_ms;
    return directory_.Apply(event, nullptr, nullptr);
  }

  projections::ManagedDomainDirectory directory_;
  uint64_t position_ = 0;
};

TEST_F(ManagedDomainDirectoryTest, FoldsTheLifeOfADomain) {
  using E = events::ManagedDomainEvent;
  ASSERT_TRUE(Apply("A", E{events::kManagedDomainAdded, "example.com", "code-a"}, 1000).ok());
  ASSERT_TRUE(Apply("B", E{events::kManagedDomainAdded, "example.com", "code-b"}, 1000).ok());
  EXPECT_FALSE(directory_.VerifiedOwnerOf("example.com"));
  EXPECT_EQ(directory_.Find("A", "example.com")->NextCheckMs(), 0);  // PENDING: no re-check

  ASSERT_TRUE(Apply("A", E{events::kManagedDomainVerified, "example.com", "", "DNS_TXT"}, 2000).ok());
  EXPECT_EQ(directory_.VerifiedOwnerOf("example.com"), "A");
  EXPECT_EQ(directory_.VerifiedOwnerOfEmail("Someone@Example.COM"), "A");
  EXPECT_FALSE(directory_.VerifiedOwnerOfEmail("someone@sub.example.com"));  // MD-6: subdomains need their own
  // CC-11: a second VERIFIED is an impossible event.
  EXPECT_EQ(Apply("B", E{events::kManagedDomainVerified, "example.com", "", "DNS_TXT"}, 3000).code(),
            StatusCode::kCorruption);

  const int64_t day = projections::kDomainRecheckIntervalMs;
  EXPECT_EQ(directory_.Find("A", "example.com")->NextCheckMs(), 2000 + day);
  ASSERT_TRUE(Apply("A", E{events::kManagedDomainCheckFailed, "example.com", "", "DNS_TXT", "LOOKUP_FAILED", 1},
                    2000 + day).ok());
  const auto* r = directory_.Find("A", "example.com");
  EXPECT_EQ(r->consecutive_failures, 1);
  EXPECT_EQ(r->first_failure_ms, 2000 + day);
  ASSERT_TRUE(Apply("A", E{events::kManagedDomainVerificationLost, "example.com", "", "", "", 3}, 2000 + 3 * day).ok());
  EXPECT_EQ(directory_.Find("A", "example.com")->status, projections::kDomainLost);
  EXPECT_FALSE(directory_.VerifiedOwnerOf("example.com"));  // MD-8: its persons stop being managed

  // A pass restores VERIFIED and resets the failures.
  ASSERT_TRUE(Apply("A", E{events::kManagedDomainCheckPassed, "example.com", "", "HTTPS_FILE"}, 2000 + 4 * day).ok());
  r = directory_.Find("A", "example.com");
  EXPECT_EQ(r->status, projections::kDomainVerified);
  EXPECT_EQ(r->method, "HTTPS_FILE");
  EXPECT_EQ(r->consecutive_failures, 0);
  EXPECT_EQ(directory_.VerifiedOwnerOf("example.com"), "A");

  // Removal ends it; adding it again continues the aggregate with a new code.
  ASSERT_TRUE(Apply("A", E{events::kManagedDomainRemoved, "example.com"}, 2000 + 5 * day).ok());
  EXPECT_EQ(directory_.Find("A", "example.com"), nullptr);
  EXPECT_FALSE(directory_.VerifiedOwnerOf("example.com"));
  EXPECT_EQ(directory_.FindAny("A", "example.com")->version, 6u);
  ASSERT_TRUE(Apply("A", E{events::kManagedDomainAdded, "example.com", "code-a2"}, 2000 + 6 * day).ok());
  EXPECT_EQ(directory_.Find("A", "example.com")->verification_code, "code-a2");
  EXPECT_EQ(directory_.Find("A", "example.com")->version, 7u);
  EXPECT_EQ(directory_.OfAccount("A").size(), 1u);
  EXPECT_EQ(directory_.OfAccount("B").size(), 1u);

  // Rows survive a checkpoint.
  projections::ManagedDomainDirectory restored;
  for (const std::string& key : directory_.RowKeys()) {
    ASSERT_TRUE(restored.RestoreRow(key, *directory_.EncodeRow(key)).ok());
  }
  ASSERT_TRUE(restored.FinishRestore().ok());
  EXPECT_EQ(restored.Find("A", "example.com")->verification_code, "code-a2");
  EXPECT_EQ(restored.Find("B", "example.com")->verification_code, "code-b");
}

TEST_F(ManagedDomainDirectoryTest, RefusesEventsThatContradictTheState) {
  using E = events::ManagedDomainEvent;
  EXPECT_EQ(Apply("A", E{events::kManagedDomainRemoved, "example.com"}, 1).code(), StatusCode::kCorruption);
  ASSERT_TRUE(Apply("A", E{events::kManagedDomainAdded, "example.com", "c"}, 1).ok());
  EXPECT_EQ(Apply("A", E{events::kManagedDomainAdded, "example.com", "c"}, 2).code(), StatusCode::kCorruption);
  EXPECT_EQ(Apply("A", E{events::kManagedDomainVerificationLost, "example.com", "", "", "", 3}, 2).code(),
            StatusCode::kCorruption);
  EXPECT_EQ(Apply("A", E{events::kManagedDomainCheckPassed, "example.com", "", "DNS_TXT"}, 2).code(),
            StatusCode::kCorruption);
}

}  // namespace
}  // namespace iam
