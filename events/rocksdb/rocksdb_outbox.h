// RocksDbOutbox: the RocksDB backend's Outbox (internal to the backend).
//
// Mails are written by the event log, in the WriteBatch of the group commit
// that holds their events (Stage, then Committed once it is durable); the
// delivery side reads and removes them through the Outbox interface. Records
// live in the default family under "outbox/" + sequence, sealed with the
// master key (storage_layout.h).
//
// Thread safety: as Outbox; Initialize is for the owning Storage before the
// event log starts, Stage and Committed for the event log's writer thread.
#pragma once

#include <rocksdb/write_batch.h>

#include <memory>
#include <string>
#include <vector>

#include "events/outbox.h"
#include "events/rocksdb/rocksdb_common.h"

namespace iam::events::rocksdb_backend {

class RocksDbOutbox : public Outbox {
 public:
  // `database` must outlive the outbox. `master_key`: 32 raw bytes, else
  // every mail is refused (kFailedPrecondition).
  static std::unique_ptr<RocksDbOutbox> Create(const Database& database, std::string master_key, bool read_only);

  // Reads the last sequence handed out. kIOError / kCorruption from storage.
  virtual Status Initialize() = 0;

  // Numbers `mails` after the last sequence, seals them and adds them, with
  // the new last sequence, to `write`; adds their removal to `undo` (what a
  // failed write leaves is undone with it). Adds nothing when it fails:
  // kInvalidArgument (a mail fails ValidateOutboxMail), kFailedPrecondition
  // (no master key), kInternal (encryption). A sequence handed out to a write
  // that fails is not handed out again: numbers may skip, never repeat.
  // Whether Stage would take `mails`: kInvalidArgument (a mail fails
  // ValidateOutboxMail), kFailedPrecondition (no master key).
  virtual Status Check(const std::vector<OutboxMail>& mails) const = 0;

  virtual Status Stage(const Families& cf, const std::vector<OutboxMail>& mails, rocksdb::WriteBatch& write,
                       rocksdb::WriteBatch& undo) = 0;

  // The write holding staged mails is durable: calls the wakeup.
  virtual void Committed() = 0;
};

}  // namespace iam::events::rocksdb_backend
