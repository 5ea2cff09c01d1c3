#include "events/rocksdb/rocksdb_outbox.h"

#include <algorithm>
#include <mutex>
#include <utility>

#include "events/guarded.h"
#include "events/rocksdb/master_key_cipher.h"
#include "events/rocksdb/storage_layout.h"

namespace iam::events::rocksdb_backend {
namespace {

class RocksDbOutboxImpl final : public RocksDbOutbox {
 public:
  RocksDbOutboxImpl(const Database& database, std::string master_key, bool read_only)
      : database_(database), cipher_(std::move(master_key)), read_only_(read_only) {}

  Status Initialize() override {
    auto db = database_.Acquire();
    if (!db) return NoDatabase();
    std::string value;
    auto s = db->Get(rocksdb::ReadOptions(), db.cf().meta, layout::kOutboxSequenceKey, &value);
    if (s.ok()) {
      if (value.size() != 8) return Status::Corruption("the outbox sequence record is damaged");
      last_sequence_ = layout::ReadBigEndian64(value);
    } else if (!s.IsNotFound()) {
      return FromRocks(s, "reading the outbox sequence");
    }
    // The records themselves also bound it, should the counter lag behind.
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), db.cf().meta));
    it->SeekForPrev(layout::OutboxKey(UINT64_MAX));
    if (it->Valid() && it->key().starts_with(layout::kOutboxPrefix)) {
      auto sequence = layout::OutboxSequence(it->key().ToStringView());
      if (!sequence.ok()) return sequence.status();
      last_sequence_ = std::max(last_sequence_, *sequence);
    }
    return FromRocks(it->status(), "reading the outbox");
  }

  Status Check(const std::vector<OutboxMail>& mails) const override {
    if (mails.empty()) return Status::Ok();
    if (!cipher_.has_key()) return Status::FailedPrecondition("no master key configured for the outbox");
    for (const OutboxMail& mail : mails) {
      if (Status valid = ValidateOutboxMail(mail); !valid.ok()) return valid;
    }
    return Status::Ok();
  }

  Status Stage(const Families& cf, const std::vector<OutboxMail>& mails, rocksdb::WriteBatch& write,
               rocksdb::WriteBatch& undo) override {
    if (Status valid = Check(mails); !valid.ok() || mails.empty()) return valid;
    std::vector<std::pair<std::string, std::string>> records;
    uint64_t sequence = last_sequence_;
    for (const OutboxMail& mail : mails) {
      std::string key = layout::OutboxKey(++sequence);
      auto sealed = cipher_.Seal(key, layout::EncodeOutboxMail(mail));
      if (!sealed.ok()) return Status(sealed.status().code(), "outbox mail: " + sealed.status().message());
      records.emplace_back(std::move(key), std::move(*sealed));
    }
    for (const auto& [key, record] : records) {
      write.Put(cf.meta, key, record);
      undo.Delete(cf.meta, key);
    }
    last_sequence_ = sequence;
    write.Put(cf.meta, layout::kOutboxSequenceKey, layout::PositionKey(sequence));
    return Status::Ok();
  }

  void Committed() override {
    std::lock_guard lock(wakeup_mu_);
    if (wakeup_) RunGuarded("the outbox wakeup", wakeup_);
  }

  Result<std::vector<PendingMail>> PendingAfter(uint64_t after_sequence, size_t max) const override {
    if (!cipher_.has_key()) return Status::FailedPrecondition("no master key configured for the outbox");
    std::vector<PendingMail> out;
    auto db = database_.Acquire();
    if (!db) return NoDatabase();
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), db.cf().meta));
    for (it->Seek(after_sequence == 0 ? std::string(layout::kOutboxPrefix) : layout::OutboxKey(after_sequence + 1));
         it->Valid() && it->key().starts_with(layout::kOutboxPrefix) && out.size() < max; it->Next()) {
      const std::string_view key = it->key().ToStringView();
      auto sequence = layout::OutboxSequence(key);
      if (!sequence.ok()) return sequence.status();
      const std::string named = "outbox mail " + std::to_string(*sequence) + ": ";
      auto plain = cipher_.Open(key, it->value().ToStringView());
      if (!plain.ok()) return Status(plain.status().code(), named + plain.status().message());
      auto mail = layout::DecodeOutboxMail(*plain);
      if (!mail.ok()) return Status(mail.status().code(), named + mail.status().message());
      out.push_back({*sequence, std::move(*mail)});
    }
    if (!it->status().ok()) return FromRocks(it->status(), "reading the outbox");
    return out;
  }

  Status Remove(uint64_t sequence) override {
    if (read_only_) return Status::Unavailable("the store is open read-only");
    rocksdb::WriteOptions options;
    options.sync = true;
    auto db = database_.Acquire();
    if (!db) return NoDatabase();
    return FromRocks(db->Delete(options, db.cf().meta, layout::OutboxKey(sequence)), "removing an outbox mail");
  }

  void SetWakeup(std::function<void()> wakeup) override {
    std::lock_guard lock(wakeup_mu_);
    wakeup_ = std::move(wakeup);
  }

 private:
  const Database& database_;
  const MasterKeyCipher cipher_;
  const bool read_only_;
  uint64_t last_sequence_ = 0;  // Initialize, then the event log's writer thread only
  std::mutex wakeup_mu_;
  std::function<void()> wakeup_;
};

}  // namespace

std::unique_ptr<RocksDbOutbox> RocksDbOutbox::Create(const Database& database, std::string master_key, bool read_only) {
  return std::make_unique<RocksDbOutboxImpl>(database, std::move(master_key), read_only);
}

}  // namespace iam::events::rocksdb_backend
