// Internal to the RocksDB backend: the opened column families and the
// status conversion shared by its stores. Not part of any interface.
#pragma once

#include <rocksdb/db.h>

#include <functional>
#include <memory>
#include <shared_mutex>
#include <string>
#include <vector>

#include "events/status.h"

namespace iam::events::rocksdb_backend {

// The column families of one opened database (see storage_layout.h); the
// handles are owned by the Storage that opened them.
struct Families {
  rocksdb::ColumnFamilyHandle* meta = nullptr;
  rocksdb::ColumnFamilyHandle* events = nullptr;
  rocksdb::ColumnFamilyHandle* streams = nullptr;
  rocksdb::ColumnFamilyHandle* stream_index = nullptr;
  rocksdb::ColumnFamilyHandle* idempotency = nullptr;
  rocksdb::ColumnFamilyHandle* state = nullptr;
  rocksdb::ColumnFamilyHandle* secrets = nullptr;

  std::vector<rocksdb::ColumnFamilyHandle*> All() const {
    return {meta, events, streams, stream_index, idempotency, state, secrets};
  }
};

// The opened database as the backend's stores share it. After a write error
// RocksDB will not resume from, the storage closes and opens the database
// again in place (Reopen): every use holds a Use (a shared lock) while it
// touches the database, a reopen holds the exclusive lock.
//
// Thread safety: safe for concurrent use without external synchronization.
class Database {
 public:
  // One use of the database; it stays open while this object lives. False
  // (no database) while a failed reopen left none: callers answer kUnavailable.
  class Use {
   public:
    explicit operator bool() const { return db_ != nullptr; }
    rocksdb::DB* operator->() const { return db_; }
    rocksdb::DB* get() const { return db_; }
    const Families& cf() const { return *cf_; }

   private:
    friend class Database;
    std::shared_lock<std::shared_mutex> lock_;
    rocksdb::DB* db_ = nullptr;
    const Families* cf_ = nullptr;
  };

  // Opens one instance of the database: fills `db` and `handles` (in the
  // order of the descriptors it was given). Called by Open and Reopen.
  using Opener = std::function<rocksdb::Status(rocksdb::DB** db, std::vector<rocksdb::ColumnFamilyHandle*>* handles)>;

  // Opens the database with `opener`. kIOError / kCorruption from RocksDB.
  Status Open(Opener opener);
  // Closes and opens it again with the same opener. While it runs no use is
  // possible; if the open fails there is no database until the next Reopen.
  Status Reopen();
  // Closes it (no flush); later uses are empty.
  void Close();
  ~Database() { Close(); }

  Use Acquire() const;

 private:
  void CloseLocked();
  Status OpenLocked();

  mutable std::shared_mutex mu_;
  Opener opener_;
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  Families cf_;
};

// "storage unavailable" while a failed reopen left no database.
Status NoDatabase();

// kCorruption for RocksDB corruption, kIOError for anything else; `what`
// says what was being done.
Status FromRocks(const rocksdb::Status& status, const std::string& what);

}  // namespace iam::events::rocksdb_backend
