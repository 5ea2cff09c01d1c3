// The JWT signing keys (T-13): created once and found again after a restart,
// rotated every 30 days, the previous key verifying for 24 hours and then
// destroyed, with every change one write to the secret store.
#include "api/auth/signing_key_ring.h"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/json.hpp>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "commands/base64url.h"
#include "events/storage.h"
#include "tests/support/temp_dir.h"

namespace iam::api {
namespace {

constexpr int64_t kDay = 24 * 60 * 60;
constexpr int64_t kStart = 1767225600;  // 2026-01-01T00:00:00Z
constexpr int64_t kRotation = kStart + 30 * kDay;

// A secret store in memory whose reads or writes can be made to fail.
class MemorySecretStore : public events::SecretStore {
 public:
  Status Put(const std::string& id, const std::string& plaintext) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (writes_fail_) return Status::IOError("disk full");
    values_[id] = plaintext;
    ++puts_;
    return Status::Ok();
  }
  Result<std::string> Get(const std::string& id) const override {
    std::lock_guard<std::mutex> lock(mu_);
    if (reads_fail_) return Status::IOError("unreadable");
    auto it = values_.find(id);
    if (it == values_.end()) return Status::NotFound("no secret " + id);
    return it->second;
  }
  void SetWritesFail(bool fail) {
    std::lock_guard<std::mutex> lock(mu_);
    writes_fail_ = fail;
  }
  void SetReadsFail(bool fail) {
    std::lock_guard<std::mutex> lock(mu_);
    reads_fail_ = fail;
  }
  int puts() const {
    std::lock_guard<std::mutex> lock(mu_);
    return puts_;
  }

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::string> values_;
  bool writes_fail_ = false;
  bool reads_fail_ = false;
  int puts_ = 0;
};

std::unique_ptr<SigningKeyRing> OpenRing(events::SecretStore& secrets, int64_t now = kStart) {
  Result<std::unique_ptr<SigningKeyRing>> ring = SigningKeyRing::Open(secrets, now);
  EXPECT_TRUE(ring.ok()) << ring.status().ToString();
  return ring.ok() ? std::move(*ring) : nullptr;
}

// A token that outlives every test, so only its key decides whether it verifies.
std::string LongLivedToken(const SigningKeyRing& ring, const std::string& subject) {
  Result<std::string> token = ring.Sign(boost::json::object{{"sub", subject}, {"exp", kStart + 365 * kDay}});
  EXPECT_TRUE(token.ok()) << token.status().ToString();
  return token.ok() ? *token : std::string();
}

// The kids the stored record holds, in order.
std::vector<std::string> StoredKids(const events::SecretStore& secrets) {
  Result<std::string> record = secrets.Get(std::string(kSigningKeysSecretId));
  EXPECT_TRUE(record.ok()) << record.status().ToString();
  std::vector<std::string> kids;
  if (!record.ok()) return kids;
  const boost::json::value ring = boost::json::parse(*record);
  for (const boost::json::value& key : ring.at("keys").as_array()) {
    kids.emplace_back(key.at("kid").as_string());
  }
  return kids;
}

std::vector<std::string> Kids(const std::vector<Ed25519Key>& keys) {
  std::vector<std::string> kids;
  for (const Ed25519Key& key : keys) kids.push_back(key.kid());
  return kids;
}

// RotateIfDue's answer (the new kid, or nullopt), failing the test on an error.
std::optional<std::string> Upkeep(SigningKeyRing& ring, int64_t now) {
  Result<std::optional<std::string>> rotated = ring.RotateIfDue(now);
  EXPECT_TRUE(rotated.ok()) << rotated.status().ToString();
  return rotated.ok() ? *rotated : std::nullopt;
}

// A ring opened at kStart on an empty store in memory.
class JwtSigningKeyRingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ring_ = OpenRing(secrets_);
    ASSERT_NE(ring_, nullptr);
    first_kid_ = ring_->current_kid();
  }

  MemorySecretStore secrets_;
  std::unique_ptr<SigningKeyRing> ring_;
  std::string first_kid_;
};

TEST_F(JwtSigningKeyRingTest, CreatesOneKeyAndStoresIt) {
  EXPECT_EQ(first_kid_.size(), 43u);
  EXPECT_EQ(StoredKids(secrets_), std::vector<std::string>{first_kid_});
  EXPECT_EQ(Kids(ring_->VerificationKeys(kStart)), std::vector<std::string>{first_kid_});
  EXPECT_EQ(boost::json::parse(ring_->Jwks(kStart)).at("keys").as_array().size(), 1u);
  const std::string token = LongLivedToken(*ring_, "alice");
  Result<boost::json::object> claims = ring_->Verify(token, kStart);
  ASSERT_TRUE(claims.ok()) << claims.status().ToString();
  EXPECT_EQ(claims->at("sub").as_string(), "alice");
  // The JWKS never carries a private key.
  EXPECT_EQ(ring_->Jwks(kStart).find("\"d\""), std::string::npos);
}

TEST_F(JwtSigningKeyRingTest, RestartFindsTheSameKeysInTheRocksDbSecretStore) {
  iam::testing::TempDir dir;
  events::StorageOptions options;
  options.data_dir = dir.string();
  options.master_key = std::string(32, 'm');
  std::string kid;
  std::string previous_kid;
  std::string token;
  {
    auto storage = events::Storage::OpenRocksDb(options);
    ASSERT_TRUE(storage.ok()) << storage.status().ToString();
    auto ring = OpenRing((*storage)->secrets());
    ASSERT_NE(ring, nullptr);
    previous_kid = ring->current_kid();
    token = LongLivedToken(*ring, "before the restart");
    Result<std::string> rotated = ring->Rotate(kStart + kDay);
    ASSERT_TRUE(rotated.ok()) << rotated.status().ToString();
    kid = *rotated;
  }
  auto storage = events::Storage::OpenRocksDb(options);
  ASSERT_TRUE(storage.ok()) << storage.status().ToString();
  auto ring = OpenRing((*storage)->secrets(), kStart + kDay + 60);
  ASSERT_NE(ring, nullptr);
  EXPECT_EQ(ring->current_kid(), kid);
  EXPECT_EQ(Kids(ring->VerificationKeys(kStart + kDay + 60)), (std::vector<std::string>{kid, previous_kid}));
  EXPECT_TRUE(ring->Verify(token, kStart + kDay + 60).ok());
  // The retirement time survived too: the previous key ends 24 h after it.
  EXPECT_EQ(Kids(ring->VerificationKeys(kStart + 2 * kDay)), std::vector<std::string>{kid});
  EXPECT_EQ(StoredKids((*storage)->secrets()), (std::vector<std::string>{kid, previous_kid}));
}

TEST_F(JwtSigningKeyRingTest, RotatesEveryThirtyDays) {
  EXPECT_FALSE(Upkeep(*ring_, kRotation - 1));
  EXPECT_EQ(ring_->current_kid(), first_kid_);

  const std::optional<std::string> second = Upkeep(*ring_, kRotation);
  ASSERT_TRUE(second);
  EXPECT_NE(*second, first_kid_);
  EXPECT_EQ(ring_->current_kid(), *second);
  EXPECT_EQ(StoredKids(secrets_), (std::vector<std::string>{*second, first_kid_}));
  // The new key's 30 days start at its rotation.
  EXPECT_FALSE(Upkeep(*ring_, kRotation + 30 * kDay - 1));
  EXPECT_EQ(ring_->current_kid(), *second);
  const std::optional<std::string> third = Upkeep(*ring_, kRotation + 30 * kDay);
  ASSERT_TRUE(third);
  EXPECT_EQ(StoredKids(secrets_), (std::vector<std::string>{*third, *second}));
}

TEST_F(JwtSigningKeyRingTest, PreviousKeyVerifiesForADayThenIsDestroyed) {
  const std::string old_token = LongLivedToken(*ring_, "signed by the first key");
  const std::optional<std::string> second = Upkeep(*ring_, kRotation);
  ASSERT_TRUE(second);
  const std::string new_token = LongLivedToken(*ring_, "signed by the second key");

  // During the overlap both keys are published and verify.
  for (int64_t now : {kRotation, kRotation + kDay / 2, kRotation + kDay - 1}) {
    EXPECT_TRUE(ring_->Verify(old_token, now).ok()) << now - kRotation;
    EXPECT_TRUE(ring_->Verify(new_token, now).ok()) << now - kRotation;
    EXPECT_EQ(Kids(ring_->VerificationKeys(now)), (std::vector<std::string>{*second, first_kid_}));
    EXPECT_EQ(boost::json::parse(ring_->Jwks(now)).at("keys").as_array().size(), 2u);
    // Upkeep inside the overlap keeps the previous key.
    EXPECT_FALSE(Upkeep(*ring_, now));
    EXPECT_EQ(StoredKids(secrets_).size(), 2u);
  }

  // After 24 hours the previous key no longer verifies, even before the
  // upkeep has destroyed it.
  const int64_t after = kRotation + kDay;
  EXPECT_EQ(ring_->Verify(old_token, after).status().code(), StatusCode::kPermissionDenied);
  EXPECT_TRUE(ring_->Verify(new_token, after).ok());
  EXPECT_EQ(Kids(ring_->VerificationKeys(after)), std::vector<std::string>{*second});
  EXPECT_EQ(StoredKids(secrets_), (std::vector<std::string>{*second, first_kid_}));

  // The upkeep destroys it, in the store too: a restart cannot bring it back.
  EXPECT_FALSE(Upkeep(*ring_, after));
  EXPECT_EQ(StoredKids(secrets_), std::vector<std::string>{*second});
  auto restarted = OpenRing(secrets_, after);
  ASSERT_NE(restarted, nullptr);
  EXPECT_EQ(Kids(restarted->VerificationKeys(kRotation)), std::vector<std::string>{*second});
  EXPECT_EQ(restarted->Verify(old_token, kRotation).status().code(), StatusCode::kPermissionDenied);
  EXPECT_TRUE(restarted->Verify(new_token, after).ok());
}

TEST_F(JwtSigningKeyRingTest, RotationWithinTheOverlapKeepsTwoKeys) {
  const std::string first_token = LongLivedToken(*ring_, "first");
  Result<std::string> second = ring_->Rotate(kStart + 60);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  const std::string second_token = LongLivedToken(*ring_, "second");
  Result<std::string> third = ring_->Rotate(kStart + 120);
  ASSERT_TRUE(third.ok()) << third.status().ToString();
  EXPECT_EQ(Kids(ring_->VerificationKeys(kStart + 120)), (std::vector<std::string>{*third, *second}));
  EXPECT_EQ(StoredKids(secrets_), (std::vector<std::string>{*third, *second}));
  EXPECT_EQ(ring_->Verify(first_token, kStart + 120).status().code(), StatusCode::kPermissionDenied);
  EXPECT_TRUE(ring_->Verify(second_token, kStart + 120).ok());
}

TEST_F(JwtSigningKeyRingTest, LongOverdueRotationHappensOnce) {
  // A server that was down for 100 days rotates once when it comes back.
  const int64_t back = kStart + 100 * kDay;
  const std::optional<std::string> rotated = Upkeep(*ring_, back);
  ASSERT_TRUE(rotated);
  EXPECT_FALSE(Upkeep(*ring_, back + 1));
  EXPECT_EQ(ring_->current_kid(), *rotated);
}

TEST_F(JwtSigningKeyRingTest, FailedWriteChangesNothing) {
  secrets_.SetWritesFail(true);
  EXPECT_EQ(ring_->RotateIfDue(kRotation).status().code(), StatusCode::kIOError);
  EXPECT_EQ(ring_->Rotate(kStart + 1).status().code(), StatusCode::kIOError);
  EXPECT_EQ(ring_->current_kid(), first_kid_);
  EXPECT_EQ(Kids(ring_->VerificationKeys(kRotation)), std::vector<std::string>{first_kid_});
  secrets_.SetWritesFail(false);
  EXPECT_EQ(StoredKids(secrets_), std::vector<std::string>{first_kid_});
  // Opening an existing ring never writes.
  const int puts = secrets_.puts();
  auto reopened = OpenRing(secrets_, kRotation);
  ASSERT_NE(reopened, nullptr);
  EXPECT_EQ(reopened->current_kid(), first_kid_);
  EXPECT_EQ(secrets_.puts(), puts);
}

TEST_F(JwtSigningKeyRingTest, OpenReportsStoreFailures) {
  // Reading an existing ring fails: the error, not a new ring over it.
  secrets_.SetReadsFail(true);
  EXPECT_EQ(SigningKeyRing::Open(secrets_, kStart).status().code(), StatusCode::kIOError);
  secrets_.SetReadsFail(false);
  // Storing a new ring fails.
  MemorySecretStore empty;
  empty.SetWritesFail(true);
  EXPECT_EQ(SigningKeyRing::Open(empty, kStart).status().code(), StatusCode::kIOError);
  EXPECT_EQ(empty.puts(), 0);
}

TEST_F(JwtSigningKeyRingTest, OpenRefusesARecordItDidNotWrite) {
  ASSERT_TRUE(ring_->Rotate(kStart + 1).ok());
  Result<std::string> valid = secrets_.Get(std::string(kSigningKeysSecretId));
  ASSERT_TRUE(valid.ok());
  const boost::json::object record = boost::json::parse(*valid).as_object();
  // `record` with one member of one key replaced (nullopt: removed).
  auto altered = [&](size_t key, std::string_view member, std::optional<boost::json::value> replacement) {
    boost::json::object copy = record;
    boost::json::object& entry = copy["keys"].as_array()[key].as_object();
    if (replacement) {
      entry[member] = *replacement;
    } else {
      entry.erase(member);
    }
    return boost::json::serialize(copy);
  };
  boost::json::object previous_first = record;
  std::swap(previous_first["keys"].as_array()[0], previous_first["keys"].as_array()[1]);

  const std::string refused[] = {
      "not json",
      "[]",
      R"({"keys":[]})",
      R"({"keys":{}})",
      altered(0, "kid", record.at("keys").at(1).at("kid")),  // another key's kid
      altered(1, "retiredAt", nullptr),                      // two current keys
      boost::json::serialize(previous_first),                // the current key not first
      altered(0, "privateKey", boost::json::value(commands::Base64UrlEncode("short"))),
      altered(0, "privateKey", boost::json::value("not base64url!")),
      altered(0, "created", std::nullopt),
      altered(0, "created", boost::json::value("2026-01-01")),
  };
  for (const std::string& text : refused) {
    MemorySecretStore secrets;
    ASSERT_TRUE(secrets.Put(std::string(kSigningKeysSecretId), text).ok());
    EXPECT_EQ(SigningKeyRing::Open(secrets, kStart).status().code(), StatusCode::kCorruption) << text;
  }
}

TEST_F(JwtSigningKeyRingTest, SignsAndVerifiesWhileRotating) {
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 3; ++t) {
    threads.emplace_back([&, t] {
      const std::string subject = "thread " + std::to_string(t);
      for (int i = 0; i < 200; ++i) {
        const std::string token = LongLivedToken(*ring_, subject);
        // Rotations all happen at one instant, so a token's key is verifiable
        // unless two rotations came between signing and verifying.
        const Result<boost::json::object> claims = ring_->Verify(token, kStart + 10);
        if (!claims.ok() && claims.status().code() != StatusCode::kPermissionDenied) ++failures;
        if (claims.ok() && claims->at("sub").as_string() != subject) ++failures;
      }
    });
  }
  for (int r = 0; r < 20; ++r) EXPECT_TRUE(ring_->Rotate(kStart + 10).ok());
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(StoredKids(secrets_).size(), 2u);
  EXPECT_EQ(StoredKids(secrets_).front(), ring_->current_kid());
}

}  // namespace
}  // namespace iam::api
