#include "tests/support/fault_injection_fs.h"

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>

namespace iam::testing {
namespace {

// Forwards to the real file, refusing while the disk is "full" and journaling
// the size reached at each sync.
class FaultyWritableFile : public rocksdb::FSWritableFileOwnerWrapper {
 public:
  FaultyWritableFile(std::unique_ptr<rocksdb::FSWritableFile> file, std::string name, FaultInjectionFs& fs)
      : FSWritableFileOwnerWrapper(std::move(file)), name_(std::move(name)), fs_(fs) {}

  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                           rocksdb::IODebugContext* dbg) override {
    if (fs_.refusing()) return fs_.Refusal();
    auto s = target()->Append(data, options, dbg);
    if (s.ok()) size_.fetch_add(data.size());
    return s;
  }
  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                           const rocksdb::DataVerificationInfo& info, rocksdb::IODebugContext* dbg) override {
    if (fs_.refusing()) return fs_.Refusal();
    auto s = target()->Append(data, options, info, dbg);
    if (s.ok()) size_.fetch_add(data.size());
    return s;
  }
  rocksdb::IOStatus PositionedAppend(const rocksdb::Slice& data, uint64_t offset, const rocksdb::IOOptions& options,
                                     rocksdb::IODebugContext* dbg) override {
    if (fs_.refusing()) return fs_.Refusal();
    auto s = target()->PositionedAppend(data, offset, options, dbg);
    if (s.ok()) {
      uint64_t size = size_.load();
      while (size < offset + data.size() && !size_.compare_exchange_weak(size, offset + data.size())) {
      }
    }
    return s;
  }
  rocksdb::IOStatus Flush(const rocksdb::IOOptions& options, rocksdb::IODebugContext* dbg) override {
    if (fs_.refusing()) return fs_.Refusal();
    return target()->Flush(options, dbg);
  }
  rocksdb::IOStatus Sync(const rocksdb::IOOptions& options, rocksdb::IODebugContext* dbg) override {
    // What was appended before the sync began is what it makes durable.
    const uint64_t durable = size_.load();
    fs_.WaitWhileSyncsHeld();
    if (fs_.refusing() || fs_.syncs_failing()) return fs_.Refusal();
    auto s = target()->Sync(options, dbg);
    if (s.ok()) Synced(durable);
    return s;
  }
  rocksdb::IOStatus Fsync(const rocksdb::IOOptions& options, rocksdb::IODebugContext* dbg) override {
    const uint64_t durable = size_.load();
    fs_.WaitWhileSyncsHeld();
    if (fs_.refusing() || fs_.syncs_failing()) return fs_.Refusal();
    auto s = target()->Fsync(options, dbg);
    if (s.ok()) Synced(durable);
    return s;
  }
  rocksdb::IOStatus RangeSync(uint64_t offset, uint64_t nbytes, const rocksdb::IOOptions& options,
                              rocksdb::IODebugContext* dbg) override {
    // A range sync is a hint to start writeback, not a durability point.
    if (fs_.refusing()) return fs_.Refusal();
    return target()->RangeSync(offset, nbytes, options, dbg);
  }
  // The real files allow a sync while another thread appends (RocksDB's
  // SyncWAL needs it); the sizes here are atomic for the same reason.
  bool IsSyncThreadSafe() const override { return fs_.sync_thread_safe() && target()->IsSyncThreadSafe(); }

 private:
  void Synced(uint64_t durable) { fs_.Journal("sync " + std::to_string(durable) + " " + name_); }

  std::string name_;
  FaultInjectionFs& fs_;
  std::atomic<uint64_t> size_{0};
};

}  // namespace

FaultInjectionFs::FaultInjectionFs(std::string sync_journal)
    : FileSystemWrapper(rocksdb::FileSystem::Default()), journal_path_(std::move(sync_journal)) {}

rocksdb::Env* FaultInjectionFs::env() {
  if (!env_) {
    // The composite env shares ownership of the file system without owning
    // this object (it lives as long as the test).
    env_ = rocksdb::NewCompositeEnv(std::shared_ptr<rocksdb::FileSystem>(this, [](rocksdb::FileSystem*) {}));
  }
  return env_.get();
}

void FaultInjectionFs::HoldSyncs(bool hold) {
  {
    std::lock_guard lock(hold_mu_);
    holding_ = hold;
  }
  hold_cv_.notify_all();
}

int FaultInjectionFs::syncs_held() const {
  std::lock_guard lock(hold_mu_);
  return held_;
}

void FaultInjectionFs::WaitWhileSyncsHeld() {
  std::unique_lock lock(hold_mu_);
  if (!holding_) return;
  ++held_;
  hold_cv_.wait_for(lock, kLongestHold, [&] { return !holding_; });
  --held_;
}

rocksdb::IOStatus FaultInjectionFs::Refusal() {
  refused_.fetch_add(1);
  if (disk_full()) return rocksdb::IOStatus::NoSpace("injected: no space left on device");
  return rocksdb::IOStatus::IOError("injected: input/output error");
}

rocksdb::IOStatus FaultInjectionFs::GetFreeSpace(const std::string& path, const rocksdb::IOOptions& options,
                                                 uint64_t* free, rocksdb::IODebugContext* dbg) {
  if (disk_full()) {
    *free = 0;
    return rocksdb::IOStatus::OK();
  }
  return FileSystemWrapper::GetFreeSpace(path, options, free, dbg);
}

void FaultInjectionFs::Journal(const std::string& line) {
  if (journal_path_.empty()) return;
  std::lock_guard lock(journal_mu_);
  // O_APPEND writes of one line each: they survive the process being killed
  // (the kernel keeps them), which is what the parent reads afterwards.
  int fd = ::open(journal_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
  if (fd < 0) return;
  const std::string text = line + "\n";
  [[maybe_unused]] auto written = ::write(fd, text.data(), text.size());
  ::close(fd);
}

rocksdb::IOStatus FaultInjectionFs::NewWritableFile(const std::string& fname, const rocksdb::FileOptions& options,
                                                    std::unique_ptr<rocksdb::FSWritableFile>* result,
                                                    rocksdb::IODebugContext* dbg) {
  if (refusing()) return Refusal();
  std::unique_ptr<rocksdb::FSWritableFile> file;
  auto s = target()->NewWritableFile(fname, options, &file, dbg);
  if (!s.ok()) return s;
  Journal("create " + fname);
  *result = std::make_unique<FaultyWritableFile>(std::move(file), fname, *this);
  return s;
}

rocksdb::IOStatus FaultInjectionFs::ReopenWritableFile(const std::string& fname, const rocksdb::FileOptions& options,
                                                       std::unique_ptr<rocksdb::FSWritableFile>* result,
                                                       rocksdb::IODebugContext* dbg) {
  if (refusing()) return Refusal();
  std::unique_ptr<rocksdb::FSWritableFile> file;
  auto s = target()->ReopenWritableFile(fname, options, &file, dbg);
  if (!s.ok()) return s;
  *result = std::make_unique<FaultyWritableFile>(std::move(file), fname, *this);
  return s;
}

rocksdb::IOStatus FaultInjectionFs::RenameFile(const std::string& src, const std::string& target,
                                               const rocksdb::IOOptions& options, rocksdb::IODebugContext* dbg) {
  auto s = FileSystemWrapper::RenameFile(src, target, options, dbg);
  if (s.ok()) Journal("rename " + src + "\t" + target);
  return s;
}

rocksdb::IOStatus FaultInjectionFs::DeleteFile(const std::string& fname, const rocksdb::IOOptions& options,
                                               rocksdb::IODebugContext* dbg) {
  auto s = FileSystemWrapper::DeleteFile(fname, options, dbg);
  if (s.ok()) Journal("delete " + fname);
  return s;
}

void FaultInjectionFs::DropUnsyncedData(const std::string& sync_journal) {
  // path -> synced size; absent = created but never synced.
  std::map<std::string, std::optional<uint64_t>> files;
  std::ifstream in(sync_journal);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream words(line);
    std::string verb;
    words >> verb;
    std::string rest;
    std::getline(words, rest);
    if (!rest.empty() && rest.front() == ' ') rest.erase(0, 1);
    if (verb == "create") {
      files[rest] = std::nullopt;
    } else if (verb == "sync") {
      const size_t space = rest.find(' ');
      files[rest.substr(space + 1)] = std::stoull(rest.substr(0, space));
    } else if (verb == "delete") {
      files.erase(rest);
    } else if (verb == "rename") {
      const size_t tab = rest.find('\t');
      const std::string from = rest.substr(0, tab), to = rest.substr(tab + 1);
      auto it = files.find(from);
      if (it != files.end()) {
        files[to] = it->second;
        files.erase(from);
      }
    }
  }
  for (const auto& [path, synced] : files) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) continue;
    if (!synced) {
      std::filesystem::remove(path, ec);
    } else if (std::filesystem::file_size(path, ec) > *synced) {
      std::filesystem::resize_file(path, *synced, ec);
    }
  }
}

}  // namespace iam::testing
