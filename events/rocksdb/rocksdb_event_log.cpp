#include "events/rocksdb/rocksdb_event_log.h"

#include <rocksdb/write_batch.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>

#include "events/clock.h"
#include "events/event_codec.h"
#include "events/rocksdb/storage_layout.h"

namespace iam::events::rocksdb_backend {
namespace {

struct StreamHead {
  uint64_t version = 0;
  int64_t creation_date_ms = 0;
};

std::string EncodeHead(const StreamHead& head) {
  std::string out;
  layout::AppendBigEndian64(out, head.version);
  layout::AppendBigEndian64(out, static_cast<uint64_t>(head.creation_date_ms));
  return out;
}

// The column families, opened once; handles owned by RocksDbStorage.
class RocksDbEventStore final : public RocksDbEventLog {
 public:
  RocksDbEventStore(rocksdb::DB* db, const Families& cf, bool read_only, size_t max_requests)
      : db_(db), cf_(cf), read_only_(read_only), max_requests_(max_requests) {}

  ~RocksDbEventStore() override { Stop(); }

  Status Initialize() override {
    auto last = LastPosition();
    if (!last.ok()) return last.status();
    next_position_ = *last + 1;
    head_.store(*last);
    if (!read_only_) writer_ = std::thread([this] { WriterLoop(); });
    return Status::Ok();
  }

  Status RefreshHead() override {
    auto last = LastPosition();
    if (!last.ok()) return last.status();
    {
      std::lock_guard lock(head_mu_);
      head_.store(*last);
    }
    head_cv_.notify_all();
    return Status::Ok();
  }

  void Stop() override {
    {
      std::lock_guard lock(queue_mu_);
      if (closing_) return;
      closing_ = true;
    }
    queue_cv_.notify_all();
    if (writer_.joinable()) writer_.join();
  }

  void AppendAsync(AppendRequest request, AppendCallback done) override {
    if (read_only_) {
      done(Status::Unavailable("the store is open read-only"));
      return;
    }
    {
      std::lock_guard lock(queue_mu_);
      if (!closing_) {
        queue_.push_back({std::move(request), std::move(done)});
        queue_cv_.notify_one();
        return;
      }
    }
    done(Status::Unavailable("the event store is closing"));
  }

  uint64_t Head() const override { return head_.load(std::memory_order_acquire); }

  Result<std::vector<Event>> ReadStream(const std::string& aggregate_type,
                                        const std::string& aggregate_id, uint64_t from_version,
                                        size_t max_count) const override {
    std::vector<Event> out;
    const std::string prefix = layout::StreamKey(aggregate_type, aggregate_id) + '\0';
    const uint64_t head = Head();
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cf_.stream_index));
    std::vector<uint64_t> positions;
    for (it->Seek(layout::StreamIndexKey(aggregate_type, aggregate_id, std::max<uint64_t>(from_version, 1)));
         it->Valid() && it->key().starts_with(prefix) && positions.size() < max_count; it->Next()) {
      if (it->value().size() != 8) {
        return Status::Corruption("stream index entry of " + aggregate_type + "/" + aggregate_id +
                                  " is damaged");
      }
      const uint64_t position = layout::ReadBigEndian64(it->value().ToStringView());
      if (position > head) break;
      positions.push_back(position);
    }
    if (!it->status().ok()) return FromRocks(it->status(), "reading stream index");
    for (uint64_t position : positions) {
      std::string record;
      auto s = db_->Get(rocksdb::ReadOptions(), cf_.events, layout::PositionKey(position), &record);
      if (s.IsNotFound()) {
        return Status::Corruption("event at position " + std::to_string(position) +
                                  " is indexed but missing");
      }
      if (!s.ok()) return FromRocks(s, "reading event " + std::to_string(position));
      auto event = DecodeEvent(record, position);
      if (!event.ok()) return event.status();
      out.push_back(std::move(*event));
    }
    return out;
  }

  Result<std::vector<Event>> ReadAll(uint64_t from_position, size_t max_count) const override {
    std::vector<Event> out;
    const uint64_t head = Head();
    if (from_position == 0) from_position = 1;
    if (from_position > head) return out;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cf_.events));
    uint64_t expected = from_position;
    for (it->Seek(layout::PositionKey(from_position)); it->Valid() && out.size() < max_count; it->Next()) {
      if (it->key().size() != 8) return Status::Corruption("event key of unexpected size in the log");
      const uint64_t position = layout::ReadBigEndian64(it->key().ToStringView());
      if (position > head) break;
      if (position != expected) {
        return Status::Corruption("event log has a gap: position " + std::to_string(expected) +
                                  " is missing");
      }
      auto event = DecodeEvent(it->value().ToStringView(), position);
      if (!event.ok()) return event.status();
      out.push_back(std::move(*event));
      ++expected;
    }
    if (!it->status().ok()) return FromRocks(it->status(), "reading the event log");
    if (out.size() < max_count && expected <= head) {
      return Status::Corruption("event log has a gap: position " + std::to_string(expected) +
                                " is missing");
    }
    return out;
  }

  bool WaitForHeadAfter(uint64_t position, std::chrono::milliseconds timeout) const override {
    std::unique_lock lock(head_mu_);
    return head_cv_.wait_for(lock, timeout, [&] { return head_.load() > position; });
  }

  void AddCommitListener(CommitListener* listener) override {
    std::lock_guard lock(listeners_mu_);
    listeners_.push_back(listener);
  }

 private:
  struct Pending {
    AppendRequest request;
    AppendCallback done;
  };

  Result<uint64_t> LastPosition() const {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cf_.events));
    it->SeekToLast();
    if (!it->status().ok()) return FromRocks(it->status(), "finding the log head");
    if (!it->Valid()) return uint64_t{0};
    if (it->key().size() != 8) return Status::Corruption("event key of unexpected size in the log");
    return layout::ReadBigEndian64(it->key().ToStringView());
  }

  // The committed head of a stream (writer thread only).
  Result<StreamHead> LoadHead(const std::string& key) {
    if (auto it = head_cache_.find(key); it != head_cache_.end()) return it->second;
    std::string value;
    auto s = db_->Get(rocksdb::ReadOptions(), cf_.streams, key, &value);
    StreamHead head;
    if (s.IsNotFound()) return head;
    if (!s.ok()) return FromRocks(s, "reading stream head");
    if (value.size() != 16) return Status::Corruption("stream head record is damaged");
    head.version = layout::ReadBigEndian64(value);
    head.creation_date_ms = static_cast<int64_t>(layout::ReadBigEndian64(std::string_view(value).substr(8)));
    head_cache_.emplace(key, head);
    return head;
  }

  void WriterLoop() {
    std::vector<Pending> batch;
    while (true) {
      {
        std::unique_lock lock(queue_mu_);
        queue_cv_.wait(lock, [&] { return closing_ || !queue_.empty(); });
        if (queue_.empty() && closing_) break;
        const size_t take = std::min(queue_.size(), max_requests_);
        for (size_t i = 0; i < take; ++i) {
          batch.push_back(std::move(queue_.front()));
          queue_.pop_front();
        }
      }
      CommitBatch(batch);
      batch.clear();
    }
  }

  // Validates every request against the heads (committed + earlier requests of
  // this batch), writes the accepted ones in one synced WriteBatch, then
  // publishes and completes them.
  void CommitBatch(std::vector<Pending>& batch) {
    std::vector<std::optional<Result<AppendResult>>> outcomes(batch.size());
    // For a request whose idempotency key repeats one earlier in this batch.
    std::vector<size_t> duplicate_of(batch.size(), SIZE_MAX);
    std::unordered_map<std::string, StreamHead> batch_heads;
    std::unordered_map<std::string, size_t> batch_keys;
    std::vector<Event> committed;
    rocksdb::WriteBatch write;
    uint64_t position = next_position_;
    // changeDate never goes backwards, even if the wall clock does.
    const int64_t now = std::max(NowMillis(), last_change_ms_);

    auto head_of = [&](const std::string& key) -> Result<StreamHead> {
      if (auto it = batch_heads.find(key); it != batch_heads.end()) return it->second;
      return LoadHead(key);
    };

    for (size_t i = 0; i < batch.size(); ++i) {
      const AppendRequest& request = batch[i].request;
      if (request.streams.empty()) {
        outcomes[i] = Status::InvalidArgument("an append needs at least one stream");
        continue;
      }
      if (!request.idempotency_key.empty()) {
        if (auto it = batch_keys.find(request.idempotency_key); it != batch_keys.end()) {
          duplicate_of[i] = it->second;
          continue;
        }
        std::string record;
        auto s = db_->Get(rocksdb::ReadOptions(), cf_.idempotency, request.idempotency_key, &record);
        if (s.ok()) {
          auto original = DecodeAppendResult(record);
          if (original.ok()) original->replayed = true;
          outcomes[i] = std::move(original);
          continue;
        }
        if (!s.IsNotFound()) {
          outcomes[i] = FromRocks(s, "reading idempotency record");
          continue;
        }
      }
      // Validate all streams of the request before touching the batch.
      std::unordered_map<std::string, StreamHead> request_heads;
      std::vector<std::string> keys;
      Status failure;
      AppendResult result;
      result.change_date_ms = now;
      uint64_t request_position = position;
      std::vector<Event> request_events;
      for (const StreamAppend& stream : request.streams) {
        if (stream.events.empty() || stream.aggregate_type.empty() || stream.aggregate_id.empty()) {
          failure = Status::InvalidArgument("a stream append needs a type, an id and at least one event");
          break;
        }
        std::string key = layout::StreamKey(stream.aggregate_type, stream.aggregate_id);
        StreamHead head;
        if (auto it = request_heads.find(key); it != request_heads.end()) {
          head = it->second;
        } else {
          auto loaded = head_of(key);
          if (!loaded.ok()) {
            failure = loaded.status();
            break;
          }
          head = *loaded;
        }
        if (stream.expected_version != StreamAppend::kAnyVersion && stream.expected_version != head.version) {
          failure = Status::Conflict(stream.aggregate_type + "/" + stream.aggregate_id + " is at version " +
                                     std::to_string(head.version) + ", expected " +
                                     std::to_string(stream.expected_version));
          break;
        }
        if (head.version == 0) head.creation_date_ms = now;
        for (const NewEvent& ne : stream.events) {
          Event e;
          e.position = request_position++;
          e.event_id = NewUuid();
          e.aggregate_type = stream.aggregate_type;
          e.aggregate_id = stream.aggregate_id;
          e.aggregate_version = ++head.version;
          e.event_type = ne.event_type;
          e.schema_revision = ne.schema_revision;
          e.resource_owner = stream.resource_owner;
          e.creator = stream.creator;
          e.creation_date_ms = head.creation_date_ms;
          e.change_date_ms = now;
          e.request_id = stream.request_id;
          e.payload = ne.payload;
          request_events.push_back(std::move(e));
        }
        request_heads[key] = head;
        result.stream_versions.push_back(head.version);
        result.stream_creation_dates.push_back(head.creation_date_ms);
      }
      if (!failure.ok()) {
        outcomes[i] = failure;
        continue;
      }
      result.first_position = position;
      result.last_position = request_position - 1;
      for (const Event& e : request_events) {
        write.Put(cf_.events, layout::PositionKey(e.position), EncodeEvent(e));
        write.Put(cf_.stream_index, layout::StreamIndexKey(e.aggregate_type, e.aggregate_id, e.aggregate_version),
                  layout::PositionKey(e.position));
      }
      for (auto& [key, head] : request_heads) {
        write.Put(cf_.streams, key, EncodeHead(head));
        batch_heads[key] = head;
      }
      if (!request.idempotency_key.empty()) {
        write.Put(cf_.idempotency, request.idempotency_key, EncodeAppendResult(result));
        batch_keys.emplace(request.idempotency_key, i);
      }
      position = request_position;
      committed.insert(committed.end(), std::make_move_iterator(request_events.begin()),
                       std::make_move_iterator(request_events.end()));
      outcomes[i] = std::move(result);
    }

    if (!committed.empty()) {
      rocksdb::WriteOptions options;
      options.sync = true;
      auto s = db_->Write(options, &write);
      if (!s.ok()) {
        const Status failure = FromRocks(s, "appending to the event log");
        spdlog::error("event log write failed: {}", failure.ToString());
        for (size_t i = 0; i < batch.size(); ++i) {
          if (outcomes[i] && outcomes[i]->ok()) outcomes[i] = failure;
        }
        committed.clear();
      } else {
        next_position_ = position;
        last_change_ms_ = now;
        for (auto& [key, head] : batch_heads) head_cache_[key] = head;
        {
          std::lock_guard lock(head_mu_);
          head_.store(position - 1, std::memory_order_release);
        }
        head_cv_.notify_all();
        std::lock_guard lock(listeners_mu_);
        for (CommitListener* listener : listeners_) listener->OnCommitted(committed);
      }
    }

    for (size_t i = 0; i < batch.size(); ++i) {
      if (duplicate_of[i] != SIZE_MAX) {
        Result<AppendResult> original = *outcomes[duplicate_of[i]];
        if (original.ok()) original->replayed = true;
        batch[i].done(std::move(original));
      } else {
        batch[i].done(std::move(*outcomes[i]));
      }
    }
  }

  rocksdb::DB* db_;
  Families cf_;
  const bool read_only_;
  const size_t max_requests_;

  std::mutex queue_mu_;
  std::condition_variable queue_cv_;
  std::deque<Pending> queue_;
  bool closing_ = false;
  std::thread writer_;

  // Writer thread only.
  uint64_t next_position_ = 1;
  int64_t last_change_ms_ = 0;
  std::unordered_map<std::string, StreamHead> head_cache_;

  std::atomic<uint64_t> head_{0};
  mutable std::mutex head_mu_;
  mutable std::condition_variable head_cv_;

  std::mutex listeners_mu_;
  std::vector<CommitListener*> listeners_;
};

}  // namespace

std::unique_ptr<RocksDbEventLog> RocksDbEventLog::Create(rocksdb::DB* db, const Families& families, bool read_only,
                                                         size_t max_requests_per_commit) {
  return std::make_unique<RocksDbEventStore>(db, families, read_only, max_requests_per_commit);
}

}  // namespace iam::events::rocksdb_backend
