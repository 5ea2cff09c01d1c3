// CIDR blocks of the IP allowlist (iam-rules.md I-2, I-12; D-9): parsing,
// normalising and matching IPv4, IPv6 and IPv4-mapped addresses, the
// allowlist read model that folds them (who the list admits, its rows), and
// the rules of §8 decided for callers the API tests cannot be (IPv6, mapped
// IPv4, several blocks admitting one caller).
#include "commands/cidr.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "commands/allowlist_commands.h"
#include "events/allowlist_events.h"
#include "projections/allowlist_directory.h"

namespace iam::commands {
namespace {

CidrNetwork Block(std::string_view text) {
  auto parsed = ParseCidr(text);
  EXPECT_TRUE(parsed.ok()) << text << ": " << parsed.status().ToString();
  return parsed.ok() ? *parsed : CidrNetwork{};
}

TEST(CidrParseTest, AcceptsIpv4AndIpv6BlocksAndBareAddresses) {
  EXPECT_EQ(Block("128.10.46.60/24").ToString(), "128.10.46.0/24");
  EXPECT_EQ(Block("10.0.0.0/8").ToString(), "10.0.0.0/8");
  EXPECT_EQ(Block("1.2.3.4").ToString(), "1.2.3.4/32");
  EXPECT_EQ(Block("0.0.0.0/0").ToString(), "0.0.0.0/0");
  EXPECT_EQ(Block("255.255.255.255/32").ToString(), "255.255.255.255/32");
  EXPECT_EQ(Block("2001:db8::1/48").ToString(), "2001:db8::/48");
  EXPECT_EQ(Block("2001:DB8:0:0:0:0:0:1").ToString(), "2001:db8::1/128");
  EXPECT_EQ(Block("::/0").ToString(), "::/0");
  EXPECT_EQ(Block("::1").ToString(), "::1/128");
  EXPECT_EQ(Block("::ffff:10.1.2.3/120").ToString(), "::ffff:10.1.2.0/120");
  EXPECT_EQ(Block("1.2.3.4/024").prefix_length, 24);  // leading zeros, as Go's net.ParseCIDR takes them
  EXPECT_TRUE(Block("1.2.3.4/24").network.v4);
  EXPECT_FALSE(Block("::ffff:1.2.3.4/128").network.v4);
}

TEST(CidrParseTest, KeepsHostBitsOutOfTheNetworkOnly) {
  // D-9: "127.0.0.1/24" names the network 127.0.0.0/24; the text is the caller's to keep.
  EXPECT_EQ(Block("127.0.0.1/24"), Block("127.0.0.0/24"));
  EXPECT_EQ(Block("128.5.6.6/24").ToString(), "128.5.6.0/24");
  EXPECT_EQ(Block("1.2.3.4/8").ToString(), "1.0.0.0/8");
  EXPECT_EQ(Block("10.255.255.255/13").ToString(), "10.248.0.0/13");
  EXPECT_EQ(Block("2001:db8:ffff::1/33").ToString(), "2001:db8:8000::/33");
  EXPECT_NE(Block("1.2.3.4/32"), Block("::ffff:1.2.3.4/128"));  // written differently, kept apart
}

TEST(CidrParseTest, RefusesWhatIsNoBlockAndSaysWhy) {
  struct Case {
    const char* text;
    const char* named;  // the message names this
  };
  for (const Case& c : std::initializer_list<Case>{
           {"", "empty"},
           {"abc", "'abc' is not an IPv4 or IPv6 address"},
           {"1.2.3.4:32", "'1.2.3.4:32'"},  // ':' for '/' (I-13's request)
           {"1.2.3.555/32", "'1.2.3.555'"},
           {"255.255.255.256/24", "'255.255.255.256'"},
           {"1a.2.3.4/32", "'1a.2.3.4'"},
           {"01.2.3.4/32", "'01.2.3.4'"},  // leading zero in an octet
           {"1.2.3/24", "'1.2.3'"},
           {"aa::wqert:1:0:ff/48", "'aa::wqert:1:0:ff'"},
           {"fe80::1%eth0/64", "'fe80::1%eth0'"},  // zone ids name no network
           {"1.2.3.4/", "missing"},
           {"1.2.3.4/33", "'33' is not a number from 0 to 32"},
           {"2001:db8::/129", "from 0 to 128"},
           {"1.2.3.4/-1", "'-1'"},
           {"1.2.3.4/+8", "'+8'"},
           {"1.2.3.4/2x", "'2x'"},
           {"1.2.3.4/0032", "'0032'"},
           {"1.2.3.4/24/8", "'24/8'"},
           {" 1.2.3.4/24", "' 1.2.3.4'"},  // blanks are the caller's to trim
           {"1.2.3.4 /24", "'1.2.3.4 '"},
           {"localhost", "'localhost'"},
       }) {
    auto parsed = ParseCidr(c.text);
    ASSERT_FALSE(parsed.ok()) << c.text;
    EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(parsed.status().message().find(c.named), std::string::npos)
        << c.text << ": " << parsed.status().message();
  }
  const std::string long_text(5000, '1');
  auto parsed = ParseCidr(long_text);
  ASSERT_FALSE(parsed.ok());
  EXPECT_LT(parsed.status().message().size(), 120u) << "the echo of the input is cut";
}

TEST(CidrParseTest, TrimsBlanksAroundOnly) {
  EXPECT_EQ(TrimCidrText("  1.2.3.4/24\t"), "1.2.3.4/24");
  EXPECT_EQ(TrimCidrText("1.2.3.4/24"), "1.2.3.4/24");
  EXPECT_EQ(TrimCidrText(" \t "), "");
  EXPECT_EQ(TrimCidrText(" 1.2.3.4 /24 "), "1.2.3.4 /24");
}

TEST(CidrParseTest, ParsesAddresses) {
  auto v4 = ParseIpAddress("127.0.0.1");
  ASSERT_TRUE(v4.ok());
  EXPECT_TRUE(v4->v4);
  auto mapped = ParseIpAddress("::ffff:127.0.0.1");
  ASSERT_TRUE(mapped.ok());
  EXPECT_FALSE(mapped->v4);
  EXPECT_EQ(mapped->bytes, v4->bytes);  // one form for matching
  EXPECT_TRUE(ParseIpAddress("::1").ok());
  for (const char* bad : {"", "127.0.0.1/32", "127.0.0.1:8080", "[::1]", "::1%lo", "host", "1.2.3.4.5"}) {
    EXPECT_FALSE(ParseIpAddress(bad).ok()) << bad;
  }
}

TEST(CidrContainsTest, Ipv4Blocks) {
  const CidrNetwork office = Block("128.10.46.60/24");
  EXPECT_TRUE(Contains(office, "128.10.46.0"));
  EXPECT_TRUE(Contains(office, "128.10.46.60"));
  EXPECT_TRUE(Contains(office, "128.10.46.255"));
  EXPECT_FALSE(Contains(office, "128.10.47.0"));
  EXPECT_FALSE(Contains(office, "128.10.45.255"));
  EXPECT_TRUE(Contains(Block("127.0.0.0/8"), "127.0.0.1"));
  EXPECT_TRUE(Contains(Block("10.248.0.0/13"), "10.255.1.2"));
  EXPECT_FALSE(Contains(Block("10.248.0.0/13"), "10.247.255.255"));
  EXPECT_TRUE(Contains(Block("1.2.3.4"), "1.2.3.4"));
  EXPECT_FALSE(Contains(Block("1.2.3.4"), "1.2.3.5"));
  EXPECT_TRUE(Contains(Block("0.0.0.0/0"), "203.0.113.9"));
}

TEST(CidrContainsTest, Ipv6Blocks) {
  const CidrNetwork doc = Block("2001:db8::/32");
  EXPECT_TRUE(Contains(doc, "2001:db8::1"));
  EXPECT_TRUE(Contains(doc, "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff"));
  EXPECT_FALSE(Contains(doc, "2001:db9::1"));
  EXPECT_TRUE(Contains(Block("2001:db8:8000::/33"), "2001:db8:8000::5"));
  EXPECT_FALSE(Contains(Block("2001:db8:8000::/33"), "2001:db8:7fff::5"));
  EXPECT_TRUE(Contains(Block("::1"), "::1"));
  EXPECT_FALSE(Contains(Block("::1"), "::2"));
  EXPECT_TRUE(Contains(Block("::/0"), "fe80::1"));
}

TEST(CidrContainsTest, Ipv4MappedAddressesMatchIpv4Blocks) {
  // A dual-stack socket reports IPv4 clients as ::ffff:a.b.c.d.
  EXPECT_TRUE(Contains(Block("127.0.0.0/8"), "::ffff:127.0.0.1"));
  EXPECT_TRUE(Contains(Block("128.10.46.0/24"), "::FFFF:128.10.46.7"));
  EXPECT_TRUE(Contains(Block("128.10.46.0/24"), "::ffff:800a:2e07"));  // the same address, hex
  EXPECT_FALSE(Contains(Block("128.10.46.0/24"), "::ffff:128.10.47.7"));
  EXPECT_FALSE(Contains(Block("0.0.0.0/0"), "2001:db8::1"));   // all of IPv4 is not all of IPv6
  EXPECT_FALSE(Contains(Block("1.2.3.4/32"), "::1.2.3.4"));    // IPv4-compatible is not IPv4-mapped
  // An IPv6 block covers IPv4 clients where it covers their mapped form.
  EXPECT_TRUE(Contains(Block("::ffff:10.0.0.0/104"), "10.9.8.7"));
  EXPECT_FALSE(Contains(Block("::ffff:10.0.0.0/104"), "11.9.8.7"));
  EXPECT_TRUE(Contains(Block("::/0"), "10.9.8.7"));
  EXPECT_FALSE(Contains(Block("2001:db8::/32"), "10.9.8.7"));
}

TEST(CidrContainsTest, AnUnknownAddressIsInNoBlock) {
  for (const char* address : {"", "unknown", "127.0.0.1:5000", "127.0.0.1/8"}) {
    EXPECT_FALSE(Contains(Block("0.0.0.0/0"), address)) << address;
    EXPECT_FALSE(Contains(Block("::/0"), address)) << address;
  }
}

// Events of one account's allowlist stream, as the store would number them.
class AllowlistStream {
 public:
  explicit AllowlistStream(std::string account) : account_(std::move(account)) {}

  events::Event Next(events::NewEvent ne) {
    events::Event e;
    e.position = ++position_;
    e.aggregate_type = events::kAllowlistAggregate;
    e.aggregate_id = account_;
    e.aggregate_version = ++version_;
    e.event_type = ne.event_type;
    e.resource_owner = account_;
    e.creator = "admin";
    e.change_date_ms = 1'700'000'000'000 + static_cast<int64_t>(position_);
    e.payload = ne.payload;
    return e;
  }

 private:
  std::string account_;
  uint64_t position_ = 0;
  uint64_t version_ = 0;
};

void Fold(projections::AllowlistDirectory& directory, const events::Event& e) {
  auto s = directory.Apply(e, nullptr, nullptr);
  ASSERT_TRUE(s.ok()) << s.ToString();
}

TEST(CidrDirectoryTest, AdmitsEveryoneWhileTheListIsOffAndOnlyEnabledBlocksOnceItIsOn) {
  projections::AllowlistDirectory directory;
  AllowlistStream stream("1-ACME");
  EXPECT_TRUE(directory.Admits("1-ACME", "203.0.113.9"));  // no list at all
  Fold(directory, stream.Next(events::CidrBlockAddedEvent({1, "127.0.0.1/24", "", true})));
  Fold(directory, stream.Next(events::CidrBlockAddedEvent({2, "2001:db8::/32", "lab", true})));
  Fold(directory, stream.Next(events::CidrBlockAddedEvent({3, "203.0.113.0/24", "", false})));
  EXPECT_TRUE(directory.Admits("1-ACME", "198.51.100.1"));  // blocks, but the list is off
  EXPECT_TRUE(directory.Admits("1-ACME", "not an address"));

  Fold(directory, stream.Next(events::AllowlistEnabledEvent()));
  EXPECT_TRUE(directory.Enabled("1-ACME"));
  EXPECT_TRUE(directory.Admits("1-ACME", "127.0.0.200"));
  EXPECT_TRUE(directory.Admits("1-ACME", "::ffff:127.0.0.200"));
  EXPECT_TRUE(directory.Admits("1-ACME", "2001:db8::7"));
  EXPECT_FALSE(directory.Admits("1-ACME", "127.0.1.1"));
  EXPECT_FALSE(directory.Admits("1-ACME", "203.0.113.9"));  // its block is disabled
  EXPECT_FALSE(directory.Admits("1-ACME", "not an address"));
  EXPECT_FALSE(directory.Admits("1-ACME", ""));
  EXPECT_TRUE(directory.Admits("2-OTHER", "203.0.113.9"));  // another account's list is its own

  Fold(directory, stream.Next(events::CidrBlockModifiedEvent({3, "203.0.113.0/24", "", true})));
  EXPECT_TRUE(directory.Admits("1-ACME", "203.0.113.9"));
  EXPECT_EQ(directory.Admitting("1-ACME", "127.0.0.5"), std::vector<int64_t>{1});
  Fold(directory, stream.Next(events::CidrBlockModifiedEvent({1, "127.0.0.1/8", "", true})));
  EXPECT_TRUE(directory.Admits("1-ACME", "127.0.1.1"));  // the text changed, and the network with it
  Fold(directory, stream.Next(events::ToNewEvent(events::CidrBlockRemoved{1})));
  EXPECT_FALSE(directory.Admits("1-ACME", "127.0.1.1"));
  Fold(directory, stream.Next(events::AllowlistDisabledEvent()));
  EXPECT_TRUE(directory.Admits("1-ACME", "127.0.1.1"));
}

TEST(CidrDirectoryTest, KeepsTheTextAsSentAndVersionsBlocksByTheStream) {
  projections::AllowlistDirectory directory;
  AllowlistStream stream("1-ACME");
  Fold(directory, stream.Next(events::CidrBlockAddedEvent({7, "127.0.0.1/24", "", true})));
  Fold(directory, stream.Next(events::CidrBlockAddedEvent({8, "10.0.0.0/8", "vpn", false})));
  Fold(directory, stream.Next(events::AllowlistEnabledEvent()));
  const auto* first = directory.Find("1-ACME", 7);
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(first->cidr_block, "127.0.0.1/24");
  EXPECT_EQ(first->network.ToString(), "127.0.0.0/24");
  EXPECT_EQ(first->version, 1u);
  EXPECT_EQ(first->created_by, "admin");
  EXPECT_EQ(directory.Find("1-ACME", 8)->version, 2u);
  EXPECT_EQ(directory.Version("1-ACME"), 3u);
  EXPECT_EQ(directory.Find("2-OTHER", 7), nullptr);  // X-3
  EXPECT_EQ(directory.BlockCount("1-ACME"), 2u);
  EXPECT_EQ(directory.OfAccount("1-ACME").front()->cidr_block_id, 7);

  // A provisional event (the command processor's) takes the next version.
  events::Event provisional = stream.Next(events::CidrBlockModifiedEvent({7, "127.0.0.1/24", "office", true}));
  provisional.aggregate_version = 0;
  Fold(directory, provisional);
  EXPECT_EQ(directory.Find("1-ACME", 7)->version, 4u);
  EXPECT_EQ(directory.Find("1-ACME", 7)->comments, "office");
  EXPECT_EQ(directory.Find("1-ACME", 7)->created_ms, first->created_ms);
}

TEST(CidrDirectoryTest, RowsRestoreTheSameStateAndTheCounterOutlivesRemovedBlocks) {
  projections::AllowlistDirectory directory;
  AllowlistStream acme("1-ACME"), other("2-OTHER");
  std::vector<std::string> changed, removed;
  auto fold = [&](const events::Event& e) {
    auto s = directory.Apply(e, &changed, &removed);
    ASSERT_TRUE(s.ok()) << s.ToString();
  };
  fold(acme.Next(events::CidrBlockAddedEvent({1, "127.0.0.1/24", "", true})));
  fold(acme.Next(events::CidrBlockAddedEvent({2, "2001:db8::1/64", "lab \"east\"", false})));
  fold(other.Next(events::CidrBlockAddedEvent({3, "198.51.100.0/24", "", true})));
  fold(other.Next(events::AllowlistEnabledEvent()));
  fold(other.Next(events::ToNewEvent(events::CidrBlockRemoved{3})));
  EXPECT_EQ(directory.max_cidr_block_id(), 3);
  EXPECT_NE(std::find(removed.begin(), removed.end(), "block/00000000000000000003"), removed.end());
  EXPECT_NE(std::find(changed.begin(), changed.end(), std::string(projections::AllowlistDirectory::kIdCounterRow)),
            changed.end());

  std::map<std::string, std::string> rows;
  for (const std::string& key : directory.RowKeys()) rows[key] = directory.EncodeRow(key).value();
  projections::AllowlistDirectory restored;
  for (const auto& [key, row] : rows) ASSERT_TRUE(restored.RestoreRow(key, row).ok()) << key;
  ASSERT_TRUE(restored.FinishRestore().ok());
  std::map<std::string, std::string> again;
  for (const std::string& key : restored.RowKeys()) again[key] = restored.EncodeRow(key).value();
  EXPECT_EQ(again, rows);
  EXPECT_EQ(restored.max_cidr_block_id(), 3);  // block 3 is gone; its id stays used (D-21)
  EXPECT_EQ(restored.BlockCount("2-OTHER"), 0u);
  EXPECT_TRUE(restored.Enabled("2-OTHER"));
  EXPECT_EQ(restored.Find("1-ACME", 2)->network.ToString(), "2001:db8::/64");
  EXPECT_EQ(restored.Find("1-ACME", 2)->comments, "lab \"east\"");
  EXPECT_EQ(restored.Version("1-ACME"), 2u);
}

TEST(CidrDirectoryTest, RefusesEventsThatContradictTheState) {
  AllowlistStream acme("1-ACME"), other("2-OTHER");
  projections::AllowlistDirectory directory;
  Fold(directory, acme.Next(events::CidrBlockAddedEvent({1, "127.0.0.1/24", "", true})));
  for (const events::Event& e : {acme.Next(events::CidrBlockAddedEvent({1, "10.0.0.0/8", "", true})),
                                 acme.Next(events::CidrBlockModifiedEvent({9, "10.0.0.0/8", "", true})),
                                 acme.Next(events::ToNewEvent(events::CidrBlockRemoved{9})),
                                 other.Next(events::ToNewEvent(events::CidrBlockRemoved{1})),
                                 other.Next(events::CidrBlockModifiedEvent({1, "10.0.0.0/8", "", true})),
                                 acme.Next(events::CidrBlockAddedEvent({2, "10.0.0.0/33", "", true}))}) {
    projections::AllowlistDirectory copy = directory;
    auto s = copy.Apply(e, nullptr, nullptr);
    EXPECT_EQ(s.code(), StatusCode::kCorruption) << e.event_type << " " << e.payload;
  }
  events::Event damaged = acme.Next(events::CidrBlockAddedEvent({2, "10.0.0.0/8", "", true}));
  damaged.payload = R"({"cidrBlockId":2})";
  EXPECT_EQ(directory.Apply(damaged, nullptr, nullptr).code(), StatusCode::kCorruption);
}

// Decides allowlist commands as the command processor does, folding what
// they accept into the working state.
class CidrRulesTest : public ::testing::Test {
 protected:
  Result<Decision> Run(const Command& command) {
    auto decision = command.Decide(state_, context_);
    if (decision.ok()) {
      std::vector<events::Event> accepted;
      for (const auto& append : decision->appends) {
        for (const auto& ne : append.events) accepted.push_back(events::Envelope(append, ne));
      }
      EXPECT_TRUE(state_.Apply(accepted).ok());
    }
    return decision;
  }

  int64_t Add(const std::string& text, bool enabled = true) {
    auto decision = Run(CreateCidrBlock(text, std::nullopt, enabled));
    EXPECT_TRUE(decision.ok()) << text << ": " << decision.status().ToString();
    return decision.ok() ? decision->created_id : 0;
  }

  static void ExpectRefused(const Result<Decision>& decision, StatusCode code, int reason) {
    ASSERT_FALSE(decision.ok());
    EXPECT_EQ(decision.status().code(), code) << decision.status().ToString();
    EXPECT_EQ(decision.status().reason(), reason) << decision.status().ToString();
  }

  const projections::AllowlistDirectory& Allowlist() const { return state_.Get<projections::AllowlistDirectory>(); }

  WorkingState state_;
  CommandContext context_{"1-ACME", "admin", "req"};
};

TEST_F(CidrRulesTest, CreateKeepsTheTrimmedTextAndRefusesMalformedAndDuplicateBlocks) {
  auto created = Run(CreateCidrBlock("  127.0.0.1/24 ", std::string("office"), true));
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_EQ(created->created_id, kFirstCidrBlockId);
  EXPECT_EQ(created->appends.at(0).aggregate_type, events::kAllowlistAggregate);
  EXPECT_EQ(created->appends.at(0).aggregate_id, "1-ACME");
  EXPECT_EQ(Allowlist().Find("1-ACME", 1)->cidr_block, "127.0.0.1/24");
  EXPECT_EQ(Allowlist().Find("1-ACME", 1)->comments, "office");

  ExpectRefused(Run(CreateCidrBlock("1.2.3.4:32", std::nullopt, true)), StatusCode::kPermissionDenied,
                kCidrFormatIncorrect);  // I-13
  ExpectRefused(Run(CreateCidrBlock("127.0.0.0/24", std::nullopt, false)), StatusCode::kFailedPrecondition,
                kCidrBlockDuplicate);  // the same network (I-4)
  EXPECT_EQ(Add("1.2.3.4"), 2);
  ExpectRefused(Run(CreateCidrBlock("1.2.3.4/32", std::nullopt, true)), StatusCode::kFailedPrecondition,
                kCidrBlockDuplicate);
  EXPECT_EQ(Add("::ffff:1.2.3.4/128"), 3);  // written as IPv6: another block
  auto empty_comments = Run(CreateCidrBlock("10.0.0.0/8", std::string(), true));
  ASSERT_FALSE(empty_comments.ok());
  EXPECT_EQ(empty_comments.status().code(), StatusCode::kInvalidArgument);

  // Another account's blocks are its own, ids are not.
  context_.account_id = "2-OTHER";
  EXPECT_EQ(Add("127.0.0.0/24"), 4);
}

TEST_F(CidrRulesTest, EnableNeedsABlockThatAdmitsTheCaller) {
  ExpectRefused(Run(EnableAllowlist("127.0.0.1")), StatusCode::kFailedPrecondition, kAllowlistEmpty);
  Add("127.0.0.0/8", /*enabled=*/false);
  Add("10.0.0.0/8");
  ExpectRefused(Run(EnableAllowlist("127.0.0.1")), StatusCode::kFailedPrecondition, kEnableLocksCallerOut);
  ExpectRefused(Run(EnableAllowlist("")), StatusCode::kFailedPrecondition, kEnableLocksCallerOut);
  auto enabled = Run(EnableAllowlist("10.1.2.3"));
  ASSERT_TRUE(enabled.ok()) << enabled.status().ToString();
  EXPECT_EQ(enabled->appends.size(), 1u);
  EXPECT_TRUE(Allowlist().Enabled("1-ACME"));
  auto again = Run(EnableAllowlist("203.0.113.1"));  // on already: nothing to check, nothing to append
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->appends.empty());
  auto disabled = Run(DisableAllowlist());
  ASSERT_TRUE(disabled.ok());
  EXPECT_EQ(disabled->appends.size(), 1u);
  EXPECT_FALSE(Allowlist().Enabled("1-ACME"));
  EXPECT_EQ(Allowlist().BlockCount("1-ACME"), 2u);  // I-10: the blocks stay
  EXPECT_TRUE(Run(DisableAllowlist())->appends.empty());
}

TEST_F(CidrRulesTest, AnIpv6CallerKeepsTheBlockThatAdmitsIt) {
  const std::string caller = "2001:db8::5";
  const int64_t own = Add("2001:db8::/32");
  const int64_t office = Add("10.0.0.0/8");
  ASSERT_TRUE(Run(EnableAllowlist(caller)).ok());

  ExpectRefused(Run(DeleteCidrBlock(own, caller)), StatusCode::kFailedPrecondition, kCallerCidrBlock);
  ExpectRefused(Run(ModifyCidrBlock(own, "2001:db8::/32", std::string("mine"), true, caller)),
                StatusCode::kFailedPrecondition, kCallerCidrBlock);
  ExpectRefused(Run(DeleteCidrBlock(office, "2001:db9::1")), StatusCode::kPermissionDenied, kCallerOutsideAllowlist);
  ExpectRefused(Run(ModifyCidrBlock(office, "10.0.0.0/8", std::nullopt, false, "2001:db9::1")),
                StatusCode::kPermissionDenied, kCallerOutsideAllowlist);
  EXPECT_EQ(CheckCidrBlockEditable(Allowlist(), "1-ACME", office, caller).code(), StatusCode::kOk);
  EXPECT_EQ(CheckCidrBlockDeletable(Allowlist(), "1-ACME", own, caller).reason(), kCallerCidrBlock);

  auto modified = Run(ModifyCidrBlock(office, "10.0.0.1/16", std::string("moved"), false, caller));
  ASSERT_TRUE(modified.ok()) << modified.status().ToString();
  EXPECT_EQ(Allowlist().Find("1-ACME", office)->cidr_block, "10.0.0.1/16");
  ASSERT_TRUE(Run(DeleteCidrBlock(office, caller)).ok());
  ExpectRefused(Run(DeleteCidrBlock(own, caller)), StatusCode::kFailedPrecondition, kLastCidrBlock);
  ExpectRefused(Run(DeleteCidrBlock(own, "10.0.0.1")), StatusCode::kPermissionDenied, kCallerOutsideAllowlist);
}

TEST_F(CidrRulesTest, OfTwoBlocksAdmittingTheCallerEitherMayGoButNotBoth) {
  const std::string caller = "::ffff:127.0.0.1";  // an IPv4 client on a dual-stack socket
  const int64_t wide = Add("127.0.0.0/8");
  const int64_t narrow = Add("127.0.0.1");
  Add("192.0.2.0/24");
  ASSERT_TRUE(Run(EnableAllowlist(caller)).ok());
  EXPECT_TRUE(CheckCidrBlockDeletable(Allowlist(), "1-ACME", wide, caller).ok());
  EXPECT_TRUE(CheckCidrBlockEditable(Allowlist(), "1-ACME", narrow, caller).ok());
  // Disabling one leaves the other as the block that admits the caller.
  ASSERT_TRUE(Run(ModifyCidrBlock(narrow, "127.0.0.1", std::nullopt, false, caller)).ok());
  ExpectRefused(Run(DeleteCidrBlock(wide, caller)), StatusCode::kFailedPrecondition, kCallerCidrBlock);
  ExpectRefused(Run(ModifyCidrBlock(wide, "127.0.0.0/16", std::nullopt, true, caller)),
                StatusCode::kFailedPrecondition, kCallerCidrBlock);
  ASSERT_TRUE(Run(DeleteCidrBlock(narrow, caller)).ok());  // a disabled block admits nobody
}

TEST_F(CidrRulesTest, WithTheListOffDeletesAreFreeAndEditsWaitForIt) {
  const int64_t first = Add("127.0.0.0/8");
  const int64_t second = Add("10.0.0.0/8");
  ExpectRefused(Run(ModifyCidrBlock(first, "127.0.0.0/8", std::string("x"), true, "127.0.0.1")),
                StatusCode::kFailedPrecondition, kAllowlistNotEnabled);
  EXPECT_EQ(CheckCidrBlockEditable(Allowlist(), "1-ACME", second, "127.0.0.1").reason(), kAllowlistNotEnabled);
  EXPECT_TRUE(CheckCidrBlockDeletable(Allowlist(), "1-ACME", first, "198.51.100.1").ok());
  ASSERT_TRUE(Run(DeleteCidrBlock(first, "198.51.100.1")).ok());
  ASSERT_TRUE(Run(DeleteCidrBlock(second, "")).ok());
  EXPECT_EQ(Allowlist().BlockCount("1-ACME"), 0u);
  EXPECT_EQ(Add("172.16.0.0/12"), 3);  // ids are never handed out twice (D-21)
  ExpectRefused(Run(DeleteCidrBlock(99, "127.0.0.1")), StatusCode::kNotFound, kCidrBlockNotFound);
  ExpectRefused(Run(ModifyCidrBlock(99, "1.2.3.4", std::nullopt, true, "127.0.0.1")), StatusCode::kNotFound,
                kCidrBlockNotFound);
}

TEST_F(CidrRulesTest, ModifyChecksIfMatchAndFormatAndAppendsNothingForTheSameBlock) {
  const int64_t own = Add("127.0.0.0/8");
  const int64_t other = Add("10.0.0.0/8");
  Add("192.0.2.0/24");
  ASSERT_TRUE(Run(EnableAllowlist("127.0.0.1")).ok());
  const uint64_t version = Allowlist().Find("1-ACME", other)->version;
  context_.if_match = version + 1;
  EXPECT_EQ(Run(ModifyCidrBlock(other, "10.0.0.0/8", std::nullopt, false, "127.0.0.1")).status().code(),
            StatusCode::kVersionMismatch);
  EXPECT_EQ(Run(DeleteCidrBlock(other, "127.0.0.1")).status().code(), StatusCode::kVersionMismatch);
  context_.if_match = version;
  ExpectRefused(Run(ModifyCidrBlock(other, "10.0.0.0:8", std::nullopt, false, "127.0.0.1")),
                StatusCode::kPermissionDenied, kCidrFormatIncorrect);
  ExpectRefused(Run(ModifyCidrBlock(other, "127.0.0.9/8", std::nullopt, true, "127.0.0.1")),
                StatusCode::kFailedPrecondition, kCidrBlockDuplicate);
  auto same = Run(ModifyCidrBlock(other, " 10.0.0.0/8 ", std::nullopt, true, "127.0.0.1"));
  ASSERT_TRUE(same.ok()) << same.status().ToString();
  EXPECT_TRUE(same->appends.empty());
  auto changed = Run(ModifyCidrBlock(other, "10.0.0.0/8", std::string("vpn"), true, "127.0.0.1"));
  ASSERT_TRUE(changed.ok()) << changed.status().ToString();
  EXPECT_EQ(changed->appends.size(), 1u);
  EXPECT_GT(Allowlist().Find("1-ACME", other)->version, version);
  EXPECT_EQ(Allowlist().Find("1-ACME", own)->version, 1u);  // the ETag of the others stays
}

}  // namespace
}  // namespace iam::commands
