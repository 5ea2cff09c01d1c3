// FaultInjectionFs: a RocksDB file system for tests that fails writes on
// demand (a full disk, a failing device) and can record how much of each file
// was synced, so that a test can simulate losing the page cache after a
// kill -9 (which the real kernel would keep).
//
// Thread safety: safe for concurrent use (RocksDB calls it from its threads).
#pragma once

#include <rocksdb/env.h>
#include <rocksdb/file_system.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>

namespace iam::testing {

class FaultInjectionFs : public rocksdb::FileSystemWrapper {
 public:
  // `sync_journal`: when non-empty, a file to which every sync, create,
  // rename and delete is appended as one line, so another process can drop
  // what was never synced (DropUnsyncedData) after this one was killed.
  explicit FaultInjectionFs(std::string sync_journal = "");

  static const char* kClassName() { return "FaultInjectionFs"; }
  const char* Name() const override { return kClassName(); }

  // While on, the file system reports no free space and every write, sync
  // and file creation fails with "No space left on device", as on a full disk.
  void SetDiskFull(bool full) { disk_full_.store(full); }
  bool disk_full() const { return disk_full_.load(); }
  // While on, every write, sync and file creation fails with an I/O error
  // although space is left, as on a failing device.
  void SetWritesFail(bool fail) { writes_fail_.store(fail); }
  bool refusing() const { return disk_full_.load() || writes_fail_.load(); }
  // While on, only syncs fail (the data reached the file but not the disk),
  // so a failed write's records are in the write-ahead log all the same.
  void SetSyncsFail(bool fail) { syncs_fail_.store(fail); }
  bool syncs_failing() const { return syncs_fail_.load(); }
  // While on, every sync waits until it is turned off (at most kLongestHold),
  // holding what was written between the file and the disk.
  void HoldSyncs(bool hold);
  // How many syncs wait because of HoldSyncs now.
  int syncs_held() const;
  static constexpr std::chrono::seconds kLongestHold{10};
  // Off: files report that they do not allow a sync while another thread
  // appends, as some file systems do (RocksDB's SyncWAL then refuses).
  void SetSyncThreadSafe(bool safe) { sync_thread_safe_.store(safe); }
  bool sync_thread_safe() const { return sync_thread_safe_.load(); }
  // Writes refused since the start.
  uint64_t refused_writes() const { return refused_.load(); }

  // An Env over this file system, for rocksdb::Options::env. Owned by this object.
  rocksdb::Env* env();

  // Truncates every file named in `sync_journal` to the size it had at its
  // last sync (0 if never synced), and removes files created but never
  // synced, as a power loss would. Call after the writing process died.
  static void DropUnsyncedData(const std::string& sync_journal);

  rocksdb::IOStatus NewWritableFile(const std::string& fname, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* result,
                                    rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus ReopenWritableFile(const std::string& fname, const rocksdb::FileOptions& options,
                                       std::unique_ptr<rocksdb::FSWritableFile>* result,
                                       rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus RenameFile(const std::string& src, const std::string& target,
                               const rocksdb::IOOptions& options, rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus DeleteFile(const std::string& fname, const rocksdb::IOOptions& options,
                               rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus GetFreeSpace(const std::string& path, const rocksdb::IOOptions& options, uint64_t* free,
                                 rocksdb::IODebugContext* dbg) override;

  // For the file wrapper.
  rocksdb::IOStatus Refusal();
  void Journal(const std::string& line);
  void WaitWhileSyncsHeld();

 private:
  std::string journal_path_;
  std::mutex journal_mu_;
  std::atomic<bool> disk_full_{false};
  std::atomic<bool> writes_fail_{false};
  std::atomic<bool> syncs_fail_{false};
  std::atomic<uint64_t> refused_{0};
  std::atomic<bool> sync_thread_safe_{true};
  mutable std::mutex hold_mu_;
  std::condition_variable hold_cv_;
  bool holding_ = false;
  int held_ = 0;
  std::unique_ptr<rocksdb::Env> env_;
};

}  // namespace iam::testing
