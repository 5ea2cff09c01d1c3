#include "events/rocksdb/rocksdb_event_log.h"

#include <rocksdb/write_batch.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <future>
#include <iterator>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>

#include "events/clock.h"
#include "events/event_codec.h"
#include "events/guarded.h"
#include "events/replication.h"
#include "events/rocksdb/storage_layout.h"
#include "events/rocksdb/wal_syncer.h"

namespace iam::events::rocksdb_backend {
namespace {

// Beyond this many cached stream heads the cache starts over: heads are
// re-read from RocksDB on demand, so the bound costs a read, never a result.
constexpr size_t kMaxCachedHeads = 1 << 18;

// What clients are told while the store cannot write (D-20). Details (file
// names, errno) go to the log only.
// RocksDB properties in EventStoreStats::engine, with the names /metrics gives them.
constexpr std::pair<const char*, const char*> kAggregatedEngineFigures[] = {
    {"rocksdb.estimate-live-data-size", "live_data_bytes"},
    {"rocksdb.total-sst-files-size", "table_files_bytes"},
    {"rocksdb.cur-size-all-mem-tables", "memtable_bytes"},
    {"rocksdb.estimate-pending-compaction-bytes", "pending_compaction_bytes"},
};
constexpr std::pair<const char*, const char*> kDatabaseEngineFigures[] = {
    {"rocksdb.num-running-compactions", "running_compactions"},
    {"rocksdb.num-running-flushes", "running_flushes"},
    {"rocksdb.background-errors", "background_errors"},
    {"rocksdb.is-write-stopped", "writes_stopped"},
    {"rocksdb.actual-delayed-write-rate", "delayed_write_rate_bytes"},
};

constexpr const char* kStorageUnavailable = "storage unavailable: writes resume once the event store has recovered";
constexpr const char* kNotTheWriter = "this node does not write the event log now; send the change to the one that does";

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

// A single thread that runs completions in the order they were handed over,
// so the writer thread can start its next batch while callers build responses.
class Completer {
 public:
  Completer() : thread_([this] { Run(); }) {}
  ~Completer() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    cv_.notify_one();
    thread_.join();
  }
  void Post(std::vector<std::function<void()>> tasks) {
    {
      std::lock_guard lock(mu_);
      for (auto& task : tasks) queue_.push_back(std::move(task));
    }
    cv_.notify_one();
  }

 private:
  void Run() {
    std::vector<std::function<void()>> tasks;
    while (true) {
      {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
        if (queue_.empty()) return;  // stopping and drained
        tasks.assign(std::make_move_iterator(queue_.begin()), std::make_move_iterator(queue_.end()));
        queue_.clear();
      }
      for (auto& task : tasks) RunGuarded("an append callback", task);
      tasks.clear();
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;
  bool stopping_ = false;
  std::thread thread_;
};

class RocksDbEventStore final : public RocksDbEventLog {
 public:
  RocksDbEventStore(Database& database, std::function<Status()> reopen, RocksDbOutbox& outbox,
                    PersonalDataCipher& personal_data, const StorageOptions& options)
      : database_(database),
        reopen_(std::move(reopen)),
        outbox_(outbox),
        personal_data_(personal_data),
        read_only_(options.read_only),
        max_requests_(options.max_requests_per_commit),
        local_commits_in_flight_(std::max<size_t>(options.local_commits_in_flight, 1)),
        max_queued_(options.max_queued_appends),
        recovery_interval_(options.recovery_interval),
        min_free_bytes_(options.min_free_bytes),
        idempotency_retention_ms_(options.idempotency_retention.count()),
        data_dir_(options.data_dir) {}

  ~RocksDbEventStore() override { Stop(); }

  Status Initialize() override {
    auto last = LastPosition();
    if (!last.ok()) return last.status();
    next_position_ = *last + 1;
    written_.store(*last);
    head_.store(*last);
    auto replicated = ReadReplicatedSequence();
    if (!replicated.ok()) return replicated.status();
    replicated_sequence_.store(*replicated);
    if (*last > 0) {
      // changeDate never goes backwards across restarts either: the audit
      // index maps instants to positions by it.
      auto tail = ReadAll(*last, 1);
      if (!tail.ok()) return tail.status();
      if (!tail->empty()) last_change_ms_ = tail->front().change_date_ms;
    }
    if (!read_only_) {
      completer_ = std::make_unique<Completer>();
      if (local_commits_in_flight_ > 1) {
        // SyncWAL needs a file system that lets a sync run while the writer
        // appends; without one each commit is synced in its own write.
        if (Status probed = SyncLog(); probed.ok()) {
          syncer_ = std::make_unique<WalSyncer>([this] { return SyncLog(); });
        } else {
          spdlog::warn("event store: the write-ahead log cannot be synced apart from its writes ({}); each commit "
                       "is synced before the next one is decided",
                       probed.ToString());
        }
      }
      writer_ = std::thread([this] { WriterLoop(); });
    }
    return Status::Ok();
  }

  Status RefreshHead() override {
    auto last = LastPosition();
    if (!last.ok()) return last.status();
    written_.store(*last, std::memory_order_release);
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
    syncer_.reset();     // the writer finished every commit in flight: nothing waits for it
    completer_.reset();  // runs the completions still queued
  }

  void AppendAsync(AppendRequest request, AppendCallback done) override {
    Status refusal;
    if (read_only_) {
      refusal = Status::Unavailable("the store is open read-only");
    } else if (!writable_.load(std::memory_order_acquire)) {
      refusal = Status::Unavailable(kStorageUnavailable);
    } else {
      std::lock_guard lock(queue_mu_);
      if (closing_) {
        refusal = Status::Unavailable("the event store is closing");
      } else if (queue_.size() >= max_queued_) {
        refusal = Status::Unavailable("too many appends are waiting; retry shortly");
      } else {
        queue_.push_back({std::move(request), std::move(done)});
        queued_.store(queue_.size(), std::memory_order_relaxed);
        queue_cv_.notify_one();
        return;
      }
    }
    RunGuarded("an append callback", [&] { done(std::move(refusal)); });
  }

  uint64_t Head() const override { return head_.load(std::memory_order_acquire); }
  // The last durable event, readable once it is: ahead of Head() while the
  // listeners of its commit run (they may read the log up to it).
  uint64_t Written() const { return written_.load(std::memory_order_acquire); }
  uint64_t Epoch() const override { return epoch_.load(std::memory_order_acquire); }

  Status Health() const override {
    if (writable_.load(std::memory_order_acquire)) return Status::Ok();
    return Status::Unavailable(kStorageUnavailable);
  }

  EventStoreStats Stats() const override {
    EventStoreStats stats;
    stats.commits = commits_.load(std::memory_order_relaxed);
    stats.failed_writes = failed_writes_.load(std::memory_order_relaxed);
    stats.queued = queued_.load(std::memory_order_relaxed);
    stats.commit_seconds = commit_seconds_.Snapshot();
    stats.commit_requests = commit_requests_.Snapshot();
    if (auto db = database_.Acquire()) {
      // Summed over the column families; the write-stall figures are the database's own.
      for (const auto& [property, name] : kAggregatedEngineFigures) {
        uint64_t value = 0;
        if (db->GetAggregatedIntProperty(property, &value)) stats.engine.emplace_back(name, value);
      }
      for (const auto& [property, name] : kDatabaseEngineFigures) {
        uint64_t value = 0;
        if (db->GetIntProperty(property, &value)) stats.engine.emplace_back(name, value);
      }
    }
    return stats;
  }

  Result<std::optional<IdempotencyRecord>> FindIdempotencyRecord(const std::string& key) const override {
    auto db = database_.Acquire();
    if (!db) return NoDatabase();
    auto found = FindIdempotencyRecordIn(db, key);
    // The record of a commit still being synced is not there yet: a retry
    // reaches the writer, which answers it once the commit is durable.
    if (found.ok() && found->has_value() && (*found)->result.last_position > Written()) {
      return std::optional<IdempotencyRecord>();
    }
    return found;
  }

  Result<std::optional<IdempotencyRecord>> FindIdempotencyRecordIn(const Database::Use& db,
                                                                  const std::string& key) const {
    std::string bytes;
    auto s = db->Get(rocksdb::ReadOptions(), db.cf().idempotency, key, &bytes);
    if (s.IsNotFound()) return std::optional<IdempotencyRecord>();
    if (!s.ok()) return FromRocks(s, "reading idempotency record");
    auto record = DecodeIdempotencyRecord(bytes);
    if (!record.ok()) return record.status();
    if (record->recorded_ms < NowMillis() - idempotency_retention_ms_) return std::optional<IdempotencyRecord>();
    return std::optional<IdempotencyRecord>(std::move(*record));
  }

  Result<std::vector<Event>> ReadStream(const std::string& aggregate_type,
                                        const std::string& aggregate_id, uint64_t from_version,
                                        size_t max_count) const override {
    std::vector<Event> out;
    const std::string prefix = layout::StreamKey(aggregate_type, aggregate_id) + '\0';
    const uint64_t written = Written();
    auto db = database_.Acquire();
    if (!db) return NoDatabase();
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), db.cf().stream_index));
    std::vector<uint64_t> positions;
    for (it->Seek(layout::StreamIndexKey(aggregate_type, aggregate_id, std::max<uint64_t>(from_version, 1)));
         it->Valid() && it->key().starts_with(prefix) && positions.size() < max_count; it->Next()) {
      if (it->value().size() != 8) {
        return Status::Corruption("stream index entry of " + aggregate_type + "/" + aggregate_id +
                                  " is damaged");
      }
      const uint64_t position = layout::ReadBigEndian64(it->value().ToStringView());
      if (position > written) break;
      positions.push_back(position);
    }
    if (!it->status().ok()) return FromRocks(it->status(), "reading stream index");
    for (uint64_t position : positions) {
      std::string record;
      auto s = db->Get(rocksdb::ReadOptions(), db.cf().events, layout::PositionKey(position), &record);
      if (s.IsNotFound()) {
        return Status::Corruption("event at position " + std::to_string(position) +
                                  " is indexed but missing");
      }
      if (!s.ok()) return FromRocks(s, "reading event " + std::to_string(position));
      auto event = DecodeEvent(record, position);
      if (!event.ok()) return event.status();
      out.push_back(std::move(*event));
    }
    it.reset();
    db = {};
    if (Status opened = OpenPersonalData(out); !opened.ok()) return opened;
    return out;
  }

  Result<std::vector<Event>> ReadAll(uint64_t from_position, size_t max_count) const override {
    std::vector<Event> out;
    const uint64_t written = Written();
    if (from_position == 0) from_position = 1;
    if (from_position > written) return out;
    auto db = database_.Acquire();
    if (!db) return NoDatabase();
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), db.cf().events));
    uint64_t expected = from_position;
    for (it->Seek(layout::PositionKey(from_position)); it->Valid() && out.size() < max_count; it->Next()) {
      if (it->key().size() != 8) return Status::Corruption("event key of unexpected size in the log");
      const uint64_t position = layout::ReadBigEndian64(it->key().ToStringView());
      if (position > written) break;
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
    if (out.size() < max_count && expected <= written) {
      return Status::Corruption("event log has a gap: position " + std::to_string(expected) +
                                " is missing");
    }
    it.reset();
    db = {};
    if (Status opened = OpenPersonalData(out); !opened.ok()) return opened;
    return out;
  }

  Result<std::vector<Event>> ReadPositions(std::span<const uint64_t> positions) const override {
    std::vector<Event> out;
    out.reserve(positions.size());
    const uint64_t written = Written();
    auto db = database_.Acquire();
    if (!db) return NoDatabase();
    std::string record;
    for (uint64_t position : positions) {
      if (position == 0 || position > written) {
        return Status::NotFound("no event at position " + std::to_string(position));
      }
      auto s = db->Get(rocksdb::ReadOptions(), db.cf().events, layout::PositionKey(position), &record);
      if (s.IsNotFound()) return Status::Corruption("event at position " + std::to_string(position) + " is missing");
      if (!s.ok()) return FromRocks(s, "reading event " + std::to_string(position));
      auto event = DecodeEvent(record, position);
      if (!event.ok()) return event.status();
      out.push_back(std::move(*event));
    }
    db = {};
    if (Status opened = OpenPersonalData(out); !opened.ok()) return opened;
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

  void LeadWith(Replicator* replicator) override {
    std::lock_guard role(role_mu_);
    // A new epoch: what was decided while following (against a state other
    // nodes' commits have since moved) is not appended (see Epoch).
    epoch_.fetch_add(1, std::memory_order_acq_rel);
    replicator_.store(replicator, std::memory_order_release);
    follower_.store(false, std::memory_order_release);
  }

  void Follow() override {
    {
      std::lock_guard role(role_mu_);
      follower_.store(true, std::memory_order_release);
      replicator_.store(nullptr, std::memory_order_release);
    }
    // The writer finishes what it sent (the replicator reports each commit
    // within its timeouts) before the caller may let the replicator go.
    std::unique_lock lock(queue_mu_);
    in_flight_drained_.wait(lock, [&] { return in_flight_.empty(); });
  }

  bool Leading() const override {
    return replicator_.load(std::memory_order_acquire) != nullptr && !follower_.load(std::memory_order_acquire);
  }

  Status ApplyReplicated(const ReplicatedCommit& commit) override {
    if (read_only_) return Status::Unavailable("the store is open read-only");
    ReplicaWork work{&commit, {}};
    std::future<Status> done = work.done.get_future();
    {
      std::lock_guard lock(queue_mu_);
      if (closing_) return Status::Unavailable("the event store is closing");
      replica_queue_.push_back(&work);
    }
    queue_cv_.notify_one();
    return done.get();
  }

  uint64_t ReplicatedSequence() const override { return replicated_sequence_.load(std::memory_order_acquire); }

 private:
  // The one place stored records become events: decoded and upcast
  // (DecodeEvent), then their personal data opened.
  Result<Event> Decode(std::string_view record, uint64_t position) const {
    auto event = DecodeEvent(record, position);
    if (!event.ok()) return event;
    if (Status s = personal_data_.Open(*event); !s.ok()) return s;
    return event;
  }

  // The readers open personal data once they have let go of the database:
  // the cipher holds its key lock across the secret store, which takes the
  // database too, so opening under the database would take the two locks in
  // both orders.
  Status OpenPersonalData(std::vector<Event>& events) const {
    for (Event& event : events) {
      if (Status s = personal_data_.Open(event); !s.ok()) return s;
    }
    return Status::Ok();
  }

  struct Pending {
    AppendRequest request;
    AppendCallback done;
  };

  Result<uint64_t> LastPosition() const {
    auto db = database_.Acquire();
    if (!db) return NoDatabase();
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), db.cf().events));
    it->SeekToLast();
    if (!it->status().ok()) return FromRocks(it->status(), "finding the log head");
    if (!it->Valid()) return uint64_t{0};
    if (it->key().size() != 8) return Status::Corruption("event key of unexpected size in the log");
    return layout::ReadBigEndian64(it->key().ToStringView());
  }

  // The committed head of a stream (writer thread only).
  Result<StreamHead> LoadHead(const Database::Use& db, const std::string& key) {
    if (auto it = head_cache_.find(key); it != head_cache_.end()) return it->second;
    std::string value;
    auto s = db->Get(rocksdb::ReadOptions(), db.cf().streams, key, &value);
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
    std::vector<ReplicaWork*> replica_work;
    while (true) {
      {
        std::unique_lock lock(queue_mu_);
        Replicator* const replicator = replicator_.load(std::memory_order_acquire);
        const size_t max_in_flight =
            replicator ? std::max<size_t>(replicator->max_in_flight(), 1) : local_commits_in_flight_;
        // Replicated commits wait until this node's own in flight are
        // written: they may be among them.
        auto has_work = [&] {
          return FrontReady() || (!replica_queue_.empty() && in_flight_.empty()) ||
                 (!queue_.empty() && SentInFlight() < max_in_flight) || (closing_ && in_flight_.empty());
        };
        if (writable_.load()) {
          queue_cv_.wait(lock, has_work);
        } else {
          queue_cv_.wait_for(lock, recovery_interval_, has_work);
        }
        if (in_flight_.empty()) {
          replica_work.assign(replica_queue_.begin(), replica_queue_.end());
          replica_queue_.clear();
        }
        if (queue_.empty() && replica_work.empty() && in_flight_.empty() && closing_) break;
        if (SentInFlight() < max_in_flight) {
          const size_t take = std::min(queue_.size(), max_requests_);
          for (size_t i = 0; i < take; ++i) {
            batch.push_back(std::move(queue_.front()));
            queue_.pop_front();
          }
          queued_.store(queue_.size(), std::memory_order_relaxed);
        }
      }
      if (!writable_.load()) TryRecover();
      FinishInFlight();
      // Replicated commits first: appends are decided against them.
      for (ReplicaWork* work : replica_work) {
        work->done.set_value(writable_.load() ? ApplyOnWriter(*work->commit) : Status::Unavailable(kStorageUnavailable));
      }
      replica_work.clear();
      if (!batch.empty()) CommitBatch(batch);
      batch.clear();
    }
    std::lock_guard lock(queue_mu_);
    for (ReplicaWork* work : replica_queue_) work->done.set_value(Status::Unavailable("the event store is closing"));
    replica_queue_.clear();
  }

  Result<uint64_t> ReadReplicatedSequence() const {
    auto db = database_.Acquire();
    if (!db) return NoDatabase();
    std::string value;
    auto s = db->Get(rocksdb::ReadOptions(), db.cf().meta, layout::kReplicatedSequenceKey, &value);
    if (s.IsNotFound()) return uint64_t{0};
    if (!s.ok()) return FromRocks(s, "reading the replicated sequence");
    if (value.size() != 8) return Status::Corruption("the replicated sequence record is damaged");
    return layout::ReadBigEndian64(value);
  }

  // Free bytes on the data directory's file system, or nullopt when the
  // check is off or the file system cannot tell.
  std::optional<uint64_t> FreeBytes() const {
    if (min_free_bytes_ == 0) return std::nullopt;
    auto db = database_.Acquire();
    uint64_t free = 0;
    if (!db || !db->GetEnv()->GetFreeSpace(data_dir_, &free).ok()) return std::nullopt;
    return free;
  }

  // Recovery from either cause of refusing appends, rate-limited to one try
  // per interval. Low space: recovered once there is room again (with a
  // margin, so the store does not flap). A failed write: RocksDB's Resume()
  // must clear its background error, then a synced write undoes whatever the
  // failed write may have left in the write-ahead log, so that nothing
  // refused can reappear at the next start.
  void TryRecover() {
    // Commits in flight may still be synced: their undo is written after them.
    if (!in_flight_.empty()) return;
    const auto now = std::chrono::steady_clock::now();
    if (now - last_recovery_attempt_ < recovery_interval_) return;
    last_recovery_attempt_ = now;
    if (auto free = FreeBytes(); free && *free < 2 * min_free_bytes_) return;
    if (engine_failed_) {
      rocksdb::Status resumed = rocksdb::Status::Aborted("no database");
      if (auto db = database_.Acquire()) resumed = db->Resume();
      if (!resumed.ok()) {
        // RocksDB will not resume from some write errors (it calls them
        // fatal): close and open the database again, which replays its log.
        Status reopened = reopen_ ? reopen_() : Status::Unavailable("cannot reopen");
        if (!reopened.ok()) {
          if (!resume_refusal_logged_) {
            spdlog::error("event store cannot resume after the failed write ({}; reopening: {}); it keeps "
                          "refusing appends and retrying; nothing acknowledged is lost",
                          resumed.ToString(), reopened.ToString());
            resume_refusal_logged_ = true;
          }
          return;
        }
        spdlog::warn("event store reopened its database after a write error RocksDB does not resume from");
      }
      auto db = database_.Acquire();
      if (!db) return;
      // Newest first, the last one synced; each is idempotent, so a retry
      // after a partial undo writes them all again.
      for (size_t i = 0; i < undo_failed_writes_.size(); ++i) {
        rocksdb::WriteOptions options;
        options.sync = i + 1 == undo_failed_writes_.size();
        auto undone = db->Write(options, &undo_failed_writes_[i]);
        if (!undone.ok()) {
          spdlog::warn("event store cannot undo the failed write yet: {}", undone.ToString());
          return;
        }
      }
      undo_failed_writes_.clear();
      head_cache_.clear();
      engine_failed_ = false;
    }
    writable_.store(true, std::memory_order_release);
    spdlog::info("event store recovered: appends are accepted again (epoch {})", epoch_.load());
  }

  // Stops accepting appends: the epoch advances, so appends decided against
  // the effects of refused ones are refused too, whenever they arrive.
  void StopAccepting() {
    epoch_.fetch_add(1, std::memory_order_acq_rel);
    writable_.store(false, std::memory_order_release);
    last_recovery_attempt_ = std::chrono::steady_clock::now();
  }

  // A durable write failed: keep `undo` (what undoes every write that may
  // not be durable, newest first) for recovery.
  void EnterFailedState(const std::string& cause, std::vector<rocksdb::WriteBatch> undo) {
    failed_writes_.fetch_add(1, std::memory_order_relaxed);
    engine_failed_ = true;
    resume_refusal_logged_ = false;
    undo_failed_writes_ = std::move(undo);
    StopAccepting();
    spdlog::error("event log write failed; refusing appends until the store recovers: {}", cause);
  }

  // Refuses appends before the disk is full (see StorageOptions::min_free_bytes).
  bool SpaceRunsOut() {
    auto free = FreeBytes();
    if (!free || *free >= min_free_bytes_) return false;
    StopAccepting();
    spdlog::error("event store: {} bytes free in {}, less than the {} kept in reserve; refusing appends until "
                  "space returns", *free, data_dir_, min_free_bytes_);
    return true;
  }

  // The heads a commit leaves, its records and idempotency records, added to
  // `write`, with what undoes them added to `undo` (the heads restored to
  // their committed values). Shared by this node's commits and replicated
  // ones, so both leave the same bytes.
  Status AddCommitToWrite(const Database::Use& db, const ReplicatedCommit& commit, rocksdb::WriteBatch& write,
                          rocksdb::WriteBatch& undo) {
    const Families cf = db.cf();
    // Each family's keys go in in key order: RocksDB's memtable then finds
    // each key's place from the one before (positions ascend already; the
    // index and head keys of one commit are scattered over many streams).
    std::vector<std::pair<std::string, std::string>> index_entries;
    index_entries.reserve(commit.records.size());
    for (const ReplicatedRecord& r : commit.records) {
      std::string position_key = layout::PositionKey(r.position);
      write.Put(cf.events, position_key, r.record);
      undo.Delete(cf.events, position_key);
      index_entries.emplace_back(layout::StreamIndexKey(r.aggregate_type, r.aggregate_id, r.aggregate_version),
                                 std::move(position_key));
    }
    std::sort(index_entries.begin(), index_entries.end());
    for (const auto& [index_key, position_key] : index_entries) {
      write.Put(cf.stream_index, index_key, position_key);
      undo.Delete(cf.stream_index, index_key);
    }
    std::vector<std::pair<std::string, const ReplicatedHead*>> heads;
    heads.reserve(commit.heads.size());
    for (const ReplicatedHead& h : commit.heads) heads.emplace_back(layout::StreamKey(h.aggregate_type, h.aggregate_id), &h);
    std::sort(heads.begin(), heads.end());
    for (const auto& [key, h] : heads) {
      auto before = LoadHead(db, key);
      if (!before.ok()) return before.status();
      write.Put(cf.streams, key, EncodeHead({h->version, h->creation_date_ms}));
      if (before->version == 0) {
        undo.Delete(cf.streams, key);
      } else {
        undo.Put(cf.streams, key, EncodeHead(*before));
      }
    }
    for (const ReplicatedIdempotency& i : commit.idempotency) {
      write.Put(cf.idempotency, i.key, i.record);
      undo.Delete(cf.idempotency, i.key);
    }
    if (commit.sequence != 0) write.Put(cf.meta, layout::kReplicatedSequenceKey, layout::PositionKey(commit.sequence));
    return Status::Ok();
  }

  // How a commit is made durable here. kSynced: this log is the record, so
  // the write is synced before anyone hears of it. kReplicated: the commit is
  // already on a quorum of the replicated log, which is the record; the local
  // copy is written unsynced, and what a machine crash takes from its tail
  // comes back from the replicated log (the replicated sequence is written in
  // the same batch, so the copy stays a prefix of the stream).
  enum class LocalDurability { kSynced, kReplicated };

  // Writes `write`. On failure the store refuses appends until it has
  // recovered (D-20) and `undo` is what recovery writes.
  Status WriteCommit(const Database::Use& db, rocksdb::WriteBatch& write, rocksdb::WriteBatch& undo,
                     size_t requests, LocalDurability durability) {
    rocksdb::WriteOptions options;
    options.sync = durability == LocalDurability::kSynced;
    const auto write_started = std::chrono::steady_clock::now();
    auto s = db->Write(options, &write);
    ObserveCommit(write_started, requests);
    if (!s.ok()) {
      std::vector<rocksdb::WriteBatch> undos;
      undos.push_back(std::move(undo));
      EnterFailedState(s.ToString(), std::move(undos));
      return Status::Unavailable(kStorageUnavailable);
    }
    commits_.fetch_add(1, std::memory_order_relaxed);
    return Status::Ok();
  }

  // A commit's time from its write to its durability (sync included), and its size.
  void ObserveCommit(std::chrono::steady_clock::time_point write_started, size_t requests) {
    commit_seconds_.Observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - write_started).count());
    commit_requests_.Observe(static_cast<double>(requests));
  }

  // A written commit becomes visible: it is readable, the listeners see
  // `events` (as appended: personal data open), then the head advances and
  // the outbox wakes. The head moves only after the listeners, so a reader
  // that sees Head() >= N finds N in every live read model; it moves under
  // the listeners' lock, so a listener added meanwhile either sees the
  // commit or finds the head past it.
  void Publish(const ReplicatedCommit& commit, std::span<const Event> events) {
    next_position_ = commit.last_position() + 1;
    last_change_ms_ = std::max(last_change_ms_, commit.change_date_ms);
    if (commit.sequence != 0) replicated_sequence_.store(commit.sequence, std::memory_order_release);
    CacheHeads(commit);
    written_.store(commit.last_position(), std::memory_order_release);
    {
      std::lock_guard listeners_lock(listeners_mu_);
      for (CommitListener* listener : listeners_) {
        RunGuarded("a commit listener", [&] { listener->OnCommitted(events); });
      }
      std::lock_guard head_lock(head_mu_);
      head_.store(commit.last_position(), std::memory_order_release);
    }
    head_cv_.notify_all();
    if (!commit.mails.empty()) outbox_.Committed();
  }

  // A group commit as decided: every request's outcome, and the commit of
  // the accepted ones. With a replicator it stays in flight until the
  // replicated log has reported it.
  struct GroupCommit {
    std::vector<Pending> batch;
    std::vector<std::optional<Result<AppendResult>>> outcomes;
    // For a request whose idempotency key repeats one earlier in this batch.
    std::vector<size_t> duplicate_of;
    std::vector<size_t> accepted;  // indexes in `batch`
    ReplicatedCommit commit;
    std::vector<Event> events;  // the commit's events as appended (personal data open)
    // Whether the commit went to the replicator, or was written here and
    // waits for its sync, and what either reported (guarded by queue_mu_:
    // the replicator and the syncer report on their own threads).
    bool sent = false;
    std::optional<Result<uint64_t>> replicated;
    // Written here unsynced (see CommitBatch): `undo` takes it back should
    // its sync, or a write after it, fail.
    bool written_unsynced = false;
    rocksdb::WriteBatch undo;
    std::chrono::steady_clock::time_point write_started;
  };

  // What a commit in flight leaves, for the decisions after it.
  struct InFlightHead {
    StreamHead head;
    const GroupCommit* by = nullptr;
  };
  struct InFlightKey {
    AppendResult result;
    const GroupCommit* by = nullptr;
  };

  // Validates every request against the heads (committed, then in flight,
  // then earlier requests of this batch) and gathers the accepted ones into
  // one commit. Without a replicator it writes the commit unsynced and asks
  // the syncer to make it durable, keeping it in flight meanwhile, so the
  // next commit is decided and written during the sync; a commit carrying
  // mails, or any commit when only one may be in flight, is written in one
  // synced WriteBatch instead and completed at once. With a replicator it
  // sends the commit and keeps it in flight. FinishInFlight completes the
  // commits in flight in order.
  void CommitBatch(std::vector<Pending>& batch) {
    // A commit is decided and sent under one role: one decided while leading
    // is sent, and counted in flight, before Follow returns; one decided
    // for an unreplicated log is never a follower's.
    std::unique_lock role(role_mu_);
    Replicator* const replicator = replicator_.load(std::memory_order_acquire);
    // The outbox reads its mails straight from the database, so they must
    // not be there before they are durable: such a commit is written synced,
    // once nothing is in flight before it.
    const bool carries_mail = std::any_of(batch.begin(), batch.end(),
                                          [](const Pending& p) { return !p.request.mails.empty(); });
    const bool synced_here = replicator == nullptr && (syncer_ == nullptr || carries_mail);
    if (synced_here) DrainInFlight();
    auto group = Decide(batch);
    if (group->events.empty() ? in_flight_.empty() : synced_here) {
      role.unlock();
      if (!group->events.empty()) {
        Status written = WriteDecided(group->commit, group->events, group->batch.size(), LocalDurability::kSynced);
        if (!written.ok()) {
          for (size_t i : group->accepted) group->outcomes[i] = written;
        }
      }
      Complete(*group);
      return;
    }
    // Its outcomes hold only if the commits before it land: it waits its
    // turn even when it has nothing to send.
    GroupCommit* const sending = group.get();
    if (!group->events.empty() && replicator == nullptr) {
      if (Status written = WriteUnsynced(*group); !written.ok()) {
        for (size_t i : group->accepted) group->outcomes[i] = written;
      }
    }
    if (!group->events.empty() && (replicator != nullptr || group->written_unsynced)) {
      for (const ReplicatedHead& h : group->commit.heads) {
        in_flight_heads_[layout::StreamKey(h.aggregate_type, h.aggregate_id)] = {{h.version, h.creation_date_ms}, sending};
      }
      for (size_t i : group->accepted) {
        const AppendRequest& request = group->batch[i].request;
        if (!request.idempotency_key.empty()) in_flight_keys_[request.idempotency_key] = {**group->outcomes[i], sending};
      }
      decided_position_ = group->commit.last_position() + 1;
      group->sent = true;
    }
    {
      std::lock_guard lock(queue_mu_);
      in_flight_.push_back(std::move(group));
    }
    if (!sending->sent) return;
    // Notified under the lock: once the writer sees the report, the group may go.
    auto report = [this, sending](Result<uint64_t> outcome) {
      std::lock_guard lock(queue_mu_);
      sending->replicated = std::move(outcome);
      queue_cv_.notify_all();
    };
    if (sending->written_unsynced) {
      syncer_->Request([report](const Status& synced) {
        report(synced.ok() ? Result<uint64_t>(uint64_t{0}) : Result<uint64_t>(synced));
      });
    } else {
      replicator->Replicate(sending->commit, std::move(report));
    }
  }

  // Writes a decided commit of this node unsynced, leaving what undoes it in
  // the group; the heads it leaves are cached at once, so the undo of a
  // commit written after it restores them, not the ones before. On failure
  // the store refuses appends until it has recovered, and recovery undoes
  // this commit and every commit in flight (each was decided against the
  // ones before it): kUnavailable. A head that cannot be read fails this
  // commit alone, with nothing written.
  Status WriteUnsynced(GroupCommit& group) {
    // CommitBatch writes a commit with mails synced: its mails are staged there.
    if (!group.commit.mails.empty()) return Status::Internal("a commit with mails is never written unsynced");
    auto db = database_.Acquire();
    if (!db) return NoDatabase();
    rocksdb::WriteBatch write;
    if (Status added = AddCommitToWrite(db, group.commit, write, group.undo); !added.ok()) return added;
    group.write_started = std::chrono::steady_clock::now();
    auto s = db->Write(rocksdb::WriteOptions(), &write);
    if (!s.ok()) {
      std::vector<rocksdb::WriteBatch> undos;
      undos.push_back(std::move(group.undo));
      TakeUndosInFlight(undos);
      EnterFailedState(s.ToString(), std::move(undos));
      const Status refused = Status::Unavailable(kStorageUnavailable);
      if (!in_flight_.empty()) in_flight_failure_ = refused;
      return refused;
    }
    group.written_unsynced = true;
    CacheHeads(group.commit);
    return Status::Ok();
  }

  // Moves the undos of the commits in flight written unsynced to `undos`,
  // newest first (writer thread: only it changes the deque).
  void TakeUndosInFlight(std::vector<rocksdb::WriteBatch>& undos) {
    for (auto it = in_flight_.rbegin(); it != in_flight_.rend(); ++it) {
      GroupCommit& group = **it;
      if (!group.written_unsynced) continue;
      group.written_unsynced = false;
      undos.push_back(std::move(group.undo));
    }
  }

  // The sync of the oldest commit in flight failed: recovery undoes it and
  // every commit written after it. Returns what their requests are told.
  Status FailUnsynced(const Status& cause) {
    std::vector<rocksdb::WriteBatch> undos;
    TakeUndosInFlight(undos);
    EnterFailedState(cause.ToString(), std::move(undos));
    return Status::Unavailable(kStorageUnavailable);
  }

  // Finishes every commit in flight, waiting for their reports.
  void DrainInFlight() {
    while (true) {
      {
        std::unique_lock lock(queue_mu_);
        queue_cv_.wait(lock, [&] { return in_flight_.empty() || FrontReady(); });
        if (in_flight_.empty()) return;
      }
      FinishInFlight();
    }
  }

  // What SyncWAL makes durable: every write made before the call.
  Status SyncLog() {
    auto db = database_.Acquire();
    if (!db) return NoDatabase();
    return FromRocks(db->SyncWAL(), "syncing the write-ahead log");
  }

  // Remembers the heads `commit` leaves, for the decisions and undos after it.
  void CacheHeads(const ReplicatedCommit& commit) {
    if (head_cache_.size() + commit.heads.size() > kMaxCachedHeads) head_cache_.clear();
    for (const ReplicatedHead& h : commit.heads) {
      head_cache_[layout::StreamKey(h.aggregate_type, h.aggregate_id)] = {h.version, h.creation_date_ms};
    }
  }

  // Commits sent and not yet finished (queue_mu_ held). Groups with nothing
  // to send that wait their turn behind them take no place in the pipeline.
  size_t SentInFlight() const {
    return static_cast<size_t>(std::count_if(in_flight_.begin(), in_flight_.end(),
                                             [](const std::unique_ptr<GroupCommit>& group) { return group->sent; }));
  }

  // Whether the oldest commit in flight can be finished (queue_mu_ held).
  bool FrontReady() const {
    return !in_flight_.empty() && (!in_flight_.front()->sent || in_flight_.front()->replicated.has_value());
  }

  // Writes, in order, the commits in flight the replicator has confirmed and
  // completes their requests. Once one fails, every commit after it fails
  // too (each was decided against it): its requests are told the outcome is
  // unknown, the log follows, and the node catches up before it leads again.
  void FinishInFlight() {
    while (true) {
      // It stays at the front until it is written and completed: Follow
      // returns once the deque is empty.
      GroupCommit* group = nullptr;
      std::optional<Result<uint64_t>> replicated;
      {
        std::lock_guard lock(queue_mu_);
        if (!FrontReady()) break;
        group = in_flight_.front().get();
        replicated = group->replicated;
      }
      Status failure = in_flight_failure_;
      if (failure.ok() && group->written_unsynced) {
        if (replicated->ok()) {
          group->written_unsynced = false;
          ObserveCommit(group->write_started, group->batch.size());
          commits_.fetch_add(1, std::memory_order_relaxed);
          Publish(group->commit, group->events);
        } else {
          failure = FailUnsynced(replicated->status());
        }
      } else if (failure.ok() && group->sent) {
        if (!replicated->ok()) {
          failure = RefuseAfterReplicationFailure(replicated->status());
        } else if (group->commit.first_position() != next_position_) {
          failure = StepDown(Status::Corruption("a confirmed commit starts at position " +
                                                std::to_string(group->commit.first_position()) + ", the log is at " +
                                                std::to_string(next_position_ - 1)));
        } else {
          group->commit.sequence = **replicated;
          Status written = WriteDecided(group->commit, group->events, group->batch.size(), LocalDurability::kReplicated);
          // The replicated log has the commit and this copy does not: it
          // must not decide anything more until it has caught up.
          if (!written.ok()) failure = StepDown(written);
        }
      }
      if (!failure.ok()) {
        in_flight_failure_ = failure;
        FailInFlight(*group, failure);
      }
      ForgetInFlight(*group);
      Complete(*group);
      std::unique_ptr<GroupCommit> finished;  // freed after the lock
      std::lock_guard lock(queue_mu_);
      finished = std::move(in_flight_.front());
      in_flight_.pop_front();
      if (in_flight_.empty()) {
        in_flight_failure_ = Status::Ok();
        in_flight_drained_.notify_all();
      }
    }
  }

  // The outcomes of a group decided against commits that failed: whatever
  // depended on the state is unknown now (a request refused for its own
  // content keeps its answer).
  static void FailInFlight(GroupCommit& group, const Status& failure) {
    for (auto& outcome : group.outcomes) {
      if (outcome && outcome->status().code() != StatusCode::kInvalidArgument) outcome = failure;
    }
  }

  // Drops what `group` left for later decisions unless a later commit in
  // flight has replaced it.
  void ForgetInFlight(const GroupCommit& group) {
    for (const ReplicatedHead& h : group.commit.heads) {
      auto it = in_flight_heads_.find(layout::StreamKey(h.aggregate_type, h.aggregate_id));
      if (it != in_flight_heads_.end() && it->second.by == &group) in_flight_heads_.erase(it);
    }
    for (size_t i : group.accepted) {
      auto it = in_flight_keys_.find(group.batch[i].request.idempotency_key);
      if (it != in_flight_keys_.end() && it->second.by == &group) in_flight_keys_.erase(it);
    }
  }

  // Hands the outcomes to the completer, in request order.
  void Complete(GroupCommit& group) {
    std::vector<std::function<void()>> completions;
    completions.reserve(group.batch.size());
    for (size_t i = 0; i < group.batch.size(); ++i) {
      const size_t original = group.duplicate_of[i];
      Result<AppendResult> outcome = original != SIZE_MAX ? *group.outcomes[original] : *group.outcomes[i];
      if (original != SIZE_MAX && outcome.ok()) outcome->replayed = true;
      completions.push_back([done = std::move(group.batch[i].done), outcome = std::move(outcome)]() mutable {
        done(std::move(outcome));
      });
    }
    completer_->Post(std::move(completions));
  }

  // Decides the outcome of every request of `batch` (see CommitBatch);
  // writes nothing.
  std::unique_ptr<GroupCommit> Decide(std::vector<Pending>& batch) {
    auto group = std::make_unique<GroupCommit>();
    group->batch = std::move(batch);
    auto& outcomes = group->outcomes;
    outcomes.resize(group->batch.size());
    group->duplicate_of.assign(group->batch.size(), SIZE_MAX);
    std::unordered_map<std::string, StreamHead> batch_heads;
    std::unordered_map<std::string, size_t> batch_keys;
    ReplicatedCommit& commit = group->commit;
    uint64_t position = in_flight_.empty() ? next_position_ : decided_position_;
    // changeDate never goes backwards, even if the wall clock does.
    const int64_t now = std::max(NowMillis(), last_change_ms_);
    last_change_ms_ = now;
    commit.change_date_ms = now;
    const bool space_left = writable_.load() && !SpaceRunsOut();
    const uint64_t epoch = epoch_.load();
    auto db = database_.Acquire();
    const bool writable = space_left && db && in_flight_failure_.ok();

    auto head_of = [&](const std::string& key) -> Result<StreamHead> {
      if (auto it = batch_heads.find(key); it != batch_heads.end()) return it->second;
      if (auto it = in_flight_heads_.find(key); it != in_flight_heads_.end()) return it->second.head;
      return LoadHead(db, key);
    };

    for (size_t i = 0; i < group->batch.size(); ++i) {
      const AppendRequest& request = group->batch[i].request;
      if (!writable) {
        outcomes[i] = Status::Unavailable(kStorageUnavailable);
        continue;
      }
      if (follower_.load(std::memory_order_acquire)) {
        outcomes[i] = Status::Unavailable(kNotTheWriter);
        continue;
      }
      if (request.epoch != 0 && request.epoch != epoch) {
        outcomes[i] = Status::Unavailable("the change was decided against a write that failed; retry it");
        continue;
      }
      if (request.streams.empty()) {
        outcomes[i] = Status::InvalidArgument("an append needs at least one stream");
        continue;
      }
      if (!request.idempotency_key.empty()) {
        if (auto it = batch_keys.find(request.idempotency_key); it != batch_keys.end()) {
          group->duplicate_of[i] = it->second;
          continue;
        }
        if (auto it = in_flight_keys_.find(request.idempotency_key); it != in_flight_keys_.end()) {
          AppendResult result = it->second.result;
          result.replayed = true;
          outcomes[i] = std::move(result);
          continue;
        }
        auto original = FindIdempotencyRecordIn(db, request.idempotency_key);
        if (!original.ok()) {
          outcomes[i] = original.status();
          continue;
        }
        if (original->has_value()) {
          AppendResult result = (*original)->result;
          result.replayed = true;
          outcomes[i] = std::move(result);
          continue;
        }
      }
      // Validate all streams of the request before touching the batch.
      std::unordered_map<std::string, StreamHead> request_heads;
      std::vector<std::pair<std::string, const StreamAppend*>> request_streams;
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
          Event e = Envelope(stream, ne);
          e.position = request_position++;
          e.event_id = NewUuid();
          e.aggregate_version = ++head.version;
          e.creation_date_ms = head.creation_date_ms;
          e.change_date_ms = now;
          request_events.push_back(std::move(e));
        }
        if (!request_heads.contains(key)) request_streams.emplace_back(key, &stream);
        request_heads[key] = head;
        result.stream_versions.push_back(head.version);
        result.stream_creation_dates.push_back(head.creation_date_ms);
      }
      if (failure.ok()) failure = outbox_.Check(request.mails);
      if (!failure.ok()) {
        outcomes[i] = failure;
        continue;
      }
      // The records as stored: personal data sealed, the key durable first.
      std::vector<ReplicatedRecord> records;
      records.reserve(request_events.size());
      for (const Event& e : request_events) {
        Event sealed = e;
        if (failure = personal_data_.Seal(sealed); !failure.ok()) break;
        records.push_back({e.position, e.aggregate_type, e.aggregate_id, e.aggregate_version, EncodeEvent(sealed)});
      }
      if (!failure.ok()) {
        outcomes[i] = failure;
        continue;
      }
      commit.mails.insert(commit.mails.end(), request.mails.begin(), request.mails.end());
      result.first_position = position;
      result.last_position = request_position - 1;
      std::move(records.begin(), records.end(), std::back_inserter(commit.records));
      for (const auto& [key, stream] : request_streams) batch_heads[key] = request_heads[key];
      if (!request.idempotency_key.empty()) {
        commit.idempotency.push_back(
            {request.idempotency_key, EncodeIdempotencyRecord({result, request.idempotency_fingerprint, now})});
        batch_keys.emplace(request.idempotency_key, i);
      }
      position = request_position;
      group->events.insert(group->events.end(), std::make_move_iterator(request_events.begin()),
                           std::make_move_iterator(request_events.end()));
      outcomes[i] = std::move(result);
      group->accepted.push_back(i);
    }
    if (!group->events.empty()) {
      for (const auto& [key, head] : batch_heads) {
        const size_t separator = key.find('\0');
        commit.heads.push_back({key.substr(0, separator), key.substr(separator + 1), head.version,
                                head.creation_date_ms});
      }
      commit.message_id = group->events.front().event_id;
    }
    return group;
  }

  // Writes a decided commit (this node's or a replicated one) in one
  // WriteBatch: its mails, records, heads and idempotency records, and its
  // replicated sequence when it has one; then makes it visible (Publish).
  // The durability as LocalDurability says. On failure nothing of it is
  // visible and the store refuses appends until it has recovered.
  Status WriteDecided(const ReplicatedCommit& commit, std::span<const Event> events, size_t requests,
                      LocalDurability durability) {
    auto db = database_.Acquire();
    if (!db) return NoDatabase();
    rocksdb::WriteBatch write;
    rocksdb::WriteBatch undo;
    if (Status staged = outbox_.Stage(db.cf(), commit.mails, write, undo); !staged.ok()) return staged;
    if (Status added = AddCommitToWrite(db, commit, write, undo); !added.ok()) return added;
    if (Status written = WriteCommit(db, write, undo, requests, durability); !written.ok()) {
      return written;
    }
    // The listeners take the read models' locks, and a projection thread
    // takes the database after its own lock: never hold both ways.
    db = {};
    Publish(commit, events);
    return Status::Ok();
  }

  // The replicated log refused or did not confirm a commit: nothing of it is
  // written here, and the node stops accepting appends (the epoch advances,
  // so nothing decided against it goes through). A conflict means another
  // writer appended since: this node is deposed and follows until told
  // otherwise. After a timeout the commit may still be in the replicated
  // log; catching up from it decides.
  Status RefuseAfterReplicationFailure(const Status& cause) {
    if (cause.code() == StatusCode::kConflict) {
      spdlog::error("the replicated log has a commit this node did not write; it stops writing: {}",
                    cause.ToString());
      StepDown(cause);
      return Status::Unavailable(kNotTheWriter);
    }
    spdlog::error("the replicated log did not confirm a commit; refusing appends until it is caught up: {}",
                  cause.ToString());
    StepDown(cause);
    return Status::Unavailable("the replicated event log did not confirm the change in time; its outcome is "
                               "unknown: retry it with the same Idempotency-Key");
  }

  // This copy may be behind the replicated log: it follows (and refuses
  // appends, the epoch advanced) until the node catches it up and leads
  // again. Returns what the requests in flight are told.
  Status StepDown(const Status& cause) {
    follower_.store(true, std::memory_order_release);
    epoch_.fetch_add(1, std::memory_order_acq_rel);
    if (cause.code() != StatusCode::kConflict && cause.code() != StatusCode::kUnavailable) {
      spdlog::error("the log's copy of the replicated log stops writing: {}", cause.ToString());
    }
    return Status::Unavailable("the change's outcome is unknown (the log is catching up with the replicated "
                               "log): retry it with the same Idempotency-Key");
  }

  // A replicated commit this log holds already must hold the same bytes: a
  // copy that differs from the replicated log must not serve.
  Status SameAsWritten(const ReplicatedCommit& commit) const {
    auto db = database_.Acquire();
    if (!db) return NoDatabase();
    const ReplicatedRecord& first = commit.records.front();
    std::string stored;
    auto s = db->Get(rocksdb::ReadOptions(), db.cf().events, layout::PositionKey(first.position), &stored);
    if (!s.ok() && !s.IsNotFound()) return FromRocks(s, "reading event " + std::to_string(first.position));
    if (s.IsNotFound() || stored != first.record) {
      return Status::Corruption("replicated commit " + std::to_string(commit.sequence) + " holds other events at position " +
                                std::to_string(first.position) + " than this node's log: the copies diverged");
    }
    return Status::Ok();
  }

  // A commit of the replicated log, on the writer thread (see ApplyReplicated).
  Status ApplyOnWriter(const ReplicatedCommit& commit) {
    if (commit.records.empty()) return Status::Corruption("a replicated commit without events");
    if (commit.last_position() < next_position_) return SameAsWritten(commit);  // applied before
    if (commit.first_position() != next_position_) {
      return Status::Corruption("replicated commit " + std::to_string(commit.sequence) + " starts at position " +
                                std::to_string(commit.first_position()) + ", the log is at " +
                                std::to_string(next_position_ - 1));
    }
    std::vector<Event> events;  // decoded before the database is taken (see OpenPersonalData)
    events.reserve(commit.records.size());
    for (const ReplicatedRecord& r : commit.records) {
      auto event = Decode(r.record, r.position);
      if (!event.ok()) return event.status();
      events.push_back(std::move(*event));
    }
    return WriteDecided(commit, events, 1, LocalDurability::kReplicated);
  }

  Database& database_;
  const std::function<Status()> reopen_;  // closes and opens the database again (the storage's)
  RocksDbOutbox& outbox_;
  PersonalDataCipher& personal_data_;
  const bool read_only_;
  const size_t max_requests_;
  const size_t local_commits_in_flight_;
  const size_t max_queued_;
  const std::chrono::milliseconds recovery_interval_;
  const uint64_t min_free_bytes_;
  const int64_t idempotency_retention_ms_;
  const std::string data_dir_;

  std::mutex queue_mu_;
  std::condition_variable queue_cv_;
  std::deque<Pending> queue_;
  bool closing_ = false;
  std::thread writer_;
  std::unique_ptr<Completer> completer_;
  std::unique_ptr<WalSyncer> syncer_;  // null when one commit at a time is synced

  // Writer thread only.
  uint64_t next_position_ = 1;
  int64_t last_change_ms_ = 0;
  std::unordered_map<std::string, StreamHead> head_cache_;
  std::vector<rocksdb::WriteBatch> undo_failed_writes_;  // newest first
  bool engine_failed_ = false;          // a write failed (not merely low space)
  bool resume_refusal_logged_ = false;
  std::chrono::steady_clock::time_point last_recovery_attempt_;

  // Replication (LeadWith, Follow): where commits go before they are
  // written, and whether this node refuses appends because another writes.
  // role_mu_ orders role changes against a commit's decision and sending.
  std::mutex role_mu_;
  std::atomic<Replicator*> replicator_{nullptr};
  std::atomic<bool> follower_{false};
  std::atomic<uint64_t> replicated_sequence_{0};
  struct ReplicaWork {
    const ReplicatedCommit* commit;
    std::promise<Status> done;
  };
  std::deque<ReplicaWork*> replica_queue_;  // guarded by queue_mu_
  // Commits sent and not yet written, oldest first: the deque is changed by
  // the writer thread under queue_mu_ (Follow waits on it being empty); the
  // maps are the writer thread's.
  std::deque<std::unique_ptr<GroupCommit>> in_flight_;
  std::condition_variable in_flight_drained_;
  uint64_t decided_position_ = 1;  // the next position after the commits in flight
  Status in_flight_failure_;       // set from a failed commit until the in flight are finished
  std::unordered_map<std::string, InFlightHead> in_flight_heads_;
  std::unordered_map<std::string, InFlightKey> in_flight_keys_;

  std::atomic<bool> writable_{true};
  std::atomic<uint64_t> epoch_{1};
  std::atomic<uint64_t> commits_{0};
  std::atomic<uint64_t> failed_writes_{0};
  Histogram commit_seconds_{Histogram::LatencySeconds()};
  Histogram commit_requests_{{1, 2, 4, 8, 16, 32, 64, 128, 256, 512}};
  std::atomic<uint64_t> queued_{0};

  std::atomic<uint64_t> written_{0};  // see Written()
  std::atomic<uint64_t> head_{0};     // see Head(); written_ >= head_
  mutable std::mutex head_mu_;
  mutable std::condition_variable head_cv_;

  std::mutex listeners_mu_;
  std::vector<CommitListener*> listeners_;
};

}  // namespace

std::unique_ptr<RocksDbEventLog> RocksDbEventLog::Create(Database& database, std::function<Status()> reopen,
                                                         RocksDbOutbox& outbox, PersonalDataCipher& personal_data,
                                                         const StorageOptions& options) {
  return std::make_unique<RocksDbEventStore>(database, std::move(reopen), outbox, personal_data, options);
}

}  // namespace iam::events::rocksdb_backend
