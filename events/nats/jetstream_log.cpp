#include "events/nats/jetstream_log.h"

#include <nats/nats.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <utility>

namespace iam::events::nats {
namespace {

// Header names of JetStream's publish guards. Set by hand rather than through
// jsPubOptions, which cannot express "expect an empty subject" (0 there means
// "no expectation").
constexpr const char* kMessageIdHeader = "Nats-Msg-Id";
constexpr const char* kExpectedLastSequenceHeader = "Nats-Expected-Last-Sequence";
constexpr const char* kExpectedLastSubjectSequenceHeader = "Nats-Expected-Last-Subject-Sequence";
constexpr const char* kExpectedLastMessageIdHeader = "Nats-Expected-Last-Msg-Id";
// Asynchronous appends one connection may have waiting for their acknowledgement.
constexpr int64_t kMaxPendingAsyncAppends = 4096;

struct ServerAddress {
  std::string host;
  uint16_t port = 4222;
};

// "nats://host:port", "host:port", "[::1]:4222"; the port defaults to 4222.
Result<ServerAddress> ParseServer(const std::string& url) {
  std::string rest = url;
  if (const size_t scheme = rest.find("://"); scheme != std::string::npos) {
    if (rest.substr(0, scheme) != "nats") return Status::InvalidArgument("not a nats:// address: " + url);
    rest = rest.substr(scheme + 3);
  }
  ServerAddress address;
  std::string port_text;
  if (rest.starts_with("[")) {
    const size_t close = rest.find(']');
    if (close == std::string::npos) return Status::InvalidArgument("unclosed IPv6 address: " + url);
    address.host = rest.substr(1, close - 1);
    if (close + 1 < rest.size()) {
      if (rest[close + 1] != ':') return Status::InvalidArgument("malformed server address: " + url);
      port_text = rest.substr(close + 2);
    }
  } else {
    const size_t colon = rest.rfind(':');
    address.host = rest.substr(0, colon);
    if (colon != std::string::npos) port_text = rest.substr(colon + 1);
  }
  if (address.host.empty()) return Status::InvalidArgument("no host in server address: " + url);
  if (!port_text.empty()) {
    unsigned port = 0;
    auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc() || end != port_text.data() + port_text.size() || port == 0 || port > 65535) {
      return Status::InvalidArgument("malformed port in server address: " + url);
    }
    address.port = static_cast<uint16_t>(port);
  }
  return address;
}

std::string NatsError(natsStatus status, jsErrCode code) {
  std::string text = natsStatus_GetText(status);
  if (const char* last = nats_GetLastError(nullptr); last && *last) text += std::string(": ") + last;
  if (code != 0) text += " (JetStream error " + std::to_string(static_cast<int>(code)) + ")";
  return text;
}

// A status for a failed JetStream call: a refused guard is kConflict, a
// missing message kNotFound, anything else kUnavailable (the outcome of a
// write may be unknown: the caller retries with the same message id).
Status FromNats(natsStatus status, jsErrCode code, const std::string& what) {
  if (code == JSStreamWrongLastSequenceErr || code == JSStreamWrongLastMsgIDErr) {
    return Status::Conflict(what + ": " + NatsError(status, code));
  }
  if (code == JSNoMessageFoundErr || status == NATS_NOT_FOUND) return Status::NotFound(what + ": no such message");
  return Status::Unavailable(what + ": " + NatsError(status, code));
}

class NatsJetStreamReader final : public JetStreamReader {
 public:
  explicit NatsJetStreamReader(natsSubscription* subscription) : subscription_(subscription) {}
  ~NatsJetStreamReader() override {
    natsSubscription_Unsubscribe(subscription_);
    natsSubscription_Destroy(subscription_);
  }

  Result<JetStreamMessage> Next(std::chrono::milliseconds timeout) override {
    natsMsg* message = nullptr;
    natsStatus status = natsSubscription_NextMsg(&message, subscription_, timeout.count());
    if (status == NATS_TIMEOUT) return Status::NotFound("no message yet");
    if (status != NATS_OK) return Status::Unavailable("reading the stream: " + NatsError(status, {}));
    jsMsgMetaData* meta = nullptr;
    status = natsMsg_GetMetaData(&meta, message);
    if (status != NATS_OK) {
      natsMsg_Destroy(message);
      return Status::Corruption("a stream message without its sequence: " + NatsError(status, {}));
    }
    JetStreamMessage result;
    result.sequence = meta->Sequence.Stream;
    result.subject = natsMsg_GetSubject(message);
    result.payload.assign(natsMsg_GetData(message), static_cast<size_t>(natsMsg_GetDataLength(message)));
    jsMsgMetaData_Destroy(meta);
    natsMsg_Destroy(message);
    return result;
  }

 private:
  natsSubscription* const subscription_;
};

// A bucket key for any bytes: those outside [-_/A-Za-z0-9] become "=XX" (hex).
std::string BucketKey(const std::string& key) {
  std::string out;
  for (unsigned char c : key) {
    if (std::isalnum(c) || c == '_' || c == '-' || c == '/') {
      out += static_cast<char>(c);
    } else {
      char escaped[4];
      std::snprintf(escaped, sizeof escaped, "=%02X", c);
      out += escaped;
    }
  }
  return out.empty() ? "=" : out;
}

class NatsJetStreamBucket final : public JetStreamBucket {
 public:
  NatsJetStreamBucket(std::string name, kvStore* store) : name_(std::move(name)), store_(store) {}
  ~NatsJetStreamBucket() override { kvStore_Destroy(store_); }

  Result<BucketEntry> Get(const std::string& key) const override {
    kvEntry* entry = nullptr;
    natsStatus status = kvStore_Get(&entry, store_, BucketKey(key).c_str());
    if (status == NATS_NOT_FOUND) return Status::NotFound(key + " is not in " + name_);
    if (status != NATS_OK) return FromNats(status, {}, "reading " + key + " from " + name_);
    BucketEntry out{std::string(static_cast<const char*>(kvEntry_Value(entry)), static_cast<size_t>(kvEntry_ValueLen(entry))),
                    kvEntry_Revision(entry)};
    kvEntry_Destroy(entry);
    return out;
  }

  Result<uint64_t> Put(const std::string& key, std::string_view value) override {
    uint64_t revision = 0;
    natsStatus status = kvStore_Put(&revision, store_, BucketKey(key).c_str(), value.data(), static_cast<int>(value.size()));
    if (status != NATS_OK) return FromNats(status, {}, "writing " + key + " to " + name_);
    return revision;
  }

  Result<uint64_t> Create(const std::string& key, std::string_view value) override {
    uint64_t revision = 0;
    natsStatus status =
        kvStore_Create(&revision, store_, BucketKey(key).c_str(), value.data(), static_cast<int>(value.size()));
    if (status != NATS_OK) return Refused(status, "creating " + key + " in " + name_);
    return revision;
  }

  Result<uint64_t> Update(const std::string& key, std::string_view value, uint64_t revision) override {
    uint64_t next = 0;
    natsStatus status = kvStore_Update(&next, store_, BucketKey(key).c_str(), value.data(),
                                       static_cast<int>(value.size()), revision);
    if (status != NATS_OK) return Refused(status, "updating " + key + " in " + name_);
    return next;
  }

  Status Purge(const std::string& key) override {
    natsStatus status = kvStore_Purge(store_, BucketKey(key).c_str(), nullptr);
    if (status != NATS_OK) return FromNats(status, {}, "purging " + key + " from " + name_);
    return Status::Ok();
  }

 private:
  // A refused Create or Update is a wrong-last-sequence answer of the
  // server; the client reports it as NATS_ERR with that JetStream error in
  // its text.
  static Status Refused(natsStatus status, const std::string& what) {
    const std::string text = NatsError(status, {});
    if (text.find(std::to_string(static_cast<int>(JSStreamWrongLastSequenceErr))) != std::string::npos ||
        text.find("wrong last sequence") != std::string::npos) {
      return Status::Conflict(what + ": " + text);
    }
    return FromNats(status, {}, what);
  }

  const std::string name_;
  kvStore* const store_;
};

class NatsJetStreamLog final : public JetStreamLog {
 public:
  NatsJetStreamLog(JetStreamOptions options, natsConnection* connection, jsCtx* context)
      : options_(std::move(options)), connection_(connection), context_(context) {}

  ~NatsJetStreamLog() override {
    if (async_context_ != nullptr) {
      // Let acknowledgements on their way arrive; answer the rest.
      jsPubOptions wait;
      jsPubOptions_Init(&wait);
      wait.MaxWait = options_.timeout.count();
      js_PublishAsyncComplete(async_context_, &wait);
      std::unordered_map<natsMsg*, PendingAppend> unanswered;
      {
        std::lock_guard lock(async_mu_);
        unanswered.swap(async_pending_);
      }
      for (auto& [message, pending] : unanswered) {
        pending.done(Status::Unavailable("appending to " + pending.subject + ": the connection is closing"));
      }
    }
    jsCtx_Destroy(async_context_);
    jsCtx_Destroy(context_);
    natsConnection_Close(connection_);
    natsConnection_Destroy(connection_);
  }

  Status EnsureStream() {
    const std::string subjects = options_.subject_prefix + ".>";
    const char* subject_list[] = {subjects.c_str()};
    jsStreamConfig config;
    jsStreamConfig_Init(&config);
    config.Name = options_.stream.c_str();
    config.Subjects = subject_list;
    config.SubjectsLen = 1;
    config.Storage = js_FileStorage;
    config.Replicas = options_.replicas;
    // A retry carrying the same message id within this window is stored once.
    config.Duplicates = int64_t{120} * 1000 * 1000 * 1000;
    jsStreamInfo* info = nullptr;
    jsErrCode code = static_cast<jsErrCode>(0);
    natsStatus status = js_AddStream(&info, context_, &config, nullptr, &code);
    jsStreamInfo_Destroy(info);
    if (status == NATS_OK || code == JSStreamNameExistErr) return Status::Ok();
    if (code == JSNotEnabledErr || code == JSNotEnabledForAccountErr) {
      return Status::FailedPrecondition("JetStream is not enabled on the NATS servers");
    }
    return FromNats(status, code, "creating stream " + options_.stream);
  }

  Result<JetStreamAck> Append(const JetStreamAppend& append) override {
    auto built = BuildMessage(append);
    if (!built.ok()) return built.status();
    natsMsg* message = *built;
    jsPubOptions publish_options;
    jsPubOptions_Init(&publish_options);
    publish_options.MaxWait = options_.timeout.count();
    jsPubAck* ack = nullptr;
    jsErrCode code = static_cast<jsErrCode>(0);
    const natsStatus status = js_PublishMsg(&ack, context_, message, &publish_options, &code);
    natsMsg_Destroy(message);
    if (status != NATS_OK) {
      jsPubAck_Destroy(ack);
      return FromNats(status, code, "appending to " + append.subject);
    }
    JetStreamAck result{ack->Sequence, ack->Duplicate};
    jsPubAck_Destroy(ack);
    return result;
  }

  void AppendAsync(const JetStreamAppend& append, AppendDone done) override {
    auto built = BuildMessage(append);
    if (!built.ok()) {
      done(built.status());
      return;
    }
    natsMsg* message = *built;
    {
      std::lock_guard lock(async_mu_);
      async_pending_.emplace(message, PendingAppend{std::move(done), append.subject});
    }
    jsPubOptions publish_options;
    jsPubOptions_Init(&publish_options);
    // The client answers the append with a timeout once this has passed.
    publish_options.MaxWait = options_.timeout.count();
    natsMsg* handed_over = message;
    const natsStatus status = js_PublishMsgAsync(async_context_, &handed_over, &publish_options);
    if (status == NATS_OK) return;
    // Not sent: the message is still ours, and no acknowledgement will come.
    natsMsg_Destroy(handed_over);
    PendingAppend pending;
    {
      std::lock_guard lock(async_mu_);
      auto it = async_pending_.find(message);
      if (it == async_pending_.end()) return;  // answered already
      pending = std::move(it->second);
      async_pending_.erase(it);
    }
    pending.done(FromNats(status, {}, "appending to " + append.subject));
  }

  // The context asynchronous appends go through: its acknowledgement
  // handler finds each append's callback by its message.
  Status StartAsyncAppends() {
    jsOptions js_options;
    jsOptions_Init(&js_options);
    js_options.Wait = options_.timeout.count();
    js_options.PublishAsync.MaxPending = kMaxPendingAsyncAppends;
    js_options.PublishAsync.StallWait = options_.timeout.count();
    js_options.PublishAsync.AckHandler = &NatsJetStreamLog::OnAsyncAck;
    js_options.PublishAsync.AckHandlerClosure = this;
    natsStatus status = natsConnection_JetStream(&async_context_, connection_, &js_options);
    if (status != NATS_OK) return Status::Unavailable("cannot use JetStream: " + NatsError(status, {}));
    return Status::Ok();
  }

  Result<JetStreamMessage> Read(uint64_t sequence) const override {
    jsOptions options = RequestOptions();
    natsMsg* message = nullptr;
    jsErrCode code = static_cast<jsErrCode>(0);
    natsStatus status = js_GetMsg(&message, context_, options_.stream.c_str(), sequence, &options, &code);
    if (status != NATS_OK) return FromNats(status, code, "reading sequence " + std::to_string(sequence));
    JetStreamMessage result;
    result.sequence = sequence;
    result.subject = natsMsg_GetSubject(message);
    result.payload.assign(natsMsg_GetData(message), static_cast<size_t>(natsMsg_GetDataLength(message)));
    natsMsg_Destroy(message);
    return result;
  }

  Result<std::unique_ptr<JetStreamReader>> ReadFrom(uint64_t sequence) override {
    jsOptions options = RequestOptions();
    jsSubOptions subscribe_options;
    jsSubOptions_Init(&subscribe_options);
    subscribe_options.Stream = options_.stream.c_str();
    subscribe_options.Ordered = true;
    if (sequence > 1) {
      subscribe_options.Config.DeliverPolicy = js_DeliverByStartSequence;
      subscribe_options.Config.OptStartSeq = sequence;
    } else {
      subscribe_options.Config.DeliverPolicy = js_DeliverAll;
    }
    const std::string subjects = options_.subject_prefix + ".>";
    natsSubscription* subscription = nullptr;
    jsErrCode code = static_cast<jsErrCode>(0);
    natsStatus status =
        js_SubscribeSync(&subscription, context_, subjects.c_str(), &options, &subscribe_options, &code);
    if (status != NATS_OK) return FromNats(status, code, "reading stream " + options_.stream);
    return std::unique_ptr<JetStreamReader>(std::make_unique<NatsJetStreamReader>(subscription));
  }

  Result<std::unique_ptr<JetStreamBucket>> OpenBucket(const std::string& name,
                                                      std::chrono::milliseconds ttl) override {
    kvConfig config;
    kvConfig_Init(&config);
    config.Bucket = name.c_str();
    config.History = 1;
    config.TTL = std::chrono::duration_cast<std::chrono::nanoseconds>(ttl).count();  // JetStream counts in ns
    config.Replicas = options_.replicas;
    config.StorageType = js_FileStorage;
    kvStore* store = nullptr;
    natsStatus status = js_CreateKeyValue(&store, context_, &config);
    if (status != NATS_OK) {
      const std::string create_error = NatsError(status, {});
      // It exists already (perhaps with other settings): bind to it.
      status = js_KeyValue(&store, context_, name.c_str());
      if (status != NATS_OK) return Status::Unavailable("creating bucket " + name + ": " + create_error);
    }
    return std::unique_ptr<JetStreamBucket>(std::make_unique<NatsJetStreamBucket>(name, store));
  }

  Result<uint64_t> LastSequence() const override {
    jsOptions options = RequestOptions();
    jsStreamInfo* info = nullptr;
    jsErrCode code = static_cast<jsErrCode>(0);
    natsStatus status = js_GetStreamInfo(&info, context_, options_.stream.c_str(), &options, &code);
    if (status != NATS_OK) return FromNats(status, code, "reading stream " + options_.stream);
    const uint64_t last = info->State.LastSeq;
    jsStreamInfo_Destroy(info);
    return last;
  }

  std::string SubjectOf(const std::string& type, const std::string& id) const override {
    std::string subject = options_.subject_prefix + "." + type + ".";
    for (unsigned char c : id) {
      if (std::isalnum(c) || c == '_' || c == '-') {
        subject += static_cast<char>(c);
      } else {
        char escaped[4];
        std::snprintf(escaped, sizeof escaped, "~%02X", c);
        subject += escaped;
      }
    }
    return subject;
  }

 private:
  struct PendingAppend {
    AppendDone done;
    std::string subject;
  };

  // The message `append` describes, with its guards as headers; the caller
  // owns it.
  Result<natsMsg*> BuildMessage(const JetStreamAppend& append) const {
    if (!append.subject.starts_with(options_.subject_prefix + ".")) {
      return Status::InvalidArgument("subject " + append.subject + " is outside stream " + options_.stream);
    }
    natsMsg* message = nullptr;
    natsStatus status = natsMsg_Create(&message, append.subject.c_str(), nullptr, append.payload.data(),
                                       static_cast<int>(append.payload.size()));
    if (status != NATS_OK) return Status::Internal("cannot build a NATS message: " + NatsError(status, {}));
    auto set = [&](const char* name, const std::string& value) {
      if (status == NATS_OK) status = natsMsgHeader_Set(message, name, value.c_str());
    };
    if (!append.message_id.empty()) set(kMessageIdHeader, append.message_id);
    if (append.expected_last_sequence) set(kExpectedLastSequenceHeader, std::to_string(*append.expected_last_sequence));
    if (append.expected_last_subject_sequence) {
      set(kExpectedLastSubjectSequenceHeader, std::to_string(*append.expected_last_subject_sequence));
    }
    if (!append.expected_last_message_id.empty()) set(kExpectedLastMessageIdHeader, append.expected_last_message_id);
    if (status != NATS_OK) {
      natsMsg_Destroy(message);
      return Status::Internal("cannot set a NATS header: " + NatsError(status, {}));
    }
    return message;
  }

  static void OnAsyncAck(jsCtx*, natsMsg* message, jsPubAck* ack, jsPubAckErr* error, void* closure) {
    auto* self = static_cast<NatsJetStreamLog*>(closure);
    PendingAppend pending;
    {
      std::lock_guard lock(self->async_mu_);
      auto it = self->async_pending_.find(message);
      if (it != self->async_pending_.end()) {
        pending = std::move(it->second);
        self->async_pending_.erase(it);
      }
    }
    natsMsg_Destroy(message);
    if (!pending.done) return;  // answered already (the log is closing)
    if (ack != nullptr) {
      pending.done(JetStreamAck{ack->Sequence, ack->Duplicate});
    } else if (error != nullptr) {
      pending.done(FromNats(error->Err, error->ErrCode, "appending to " + pending.subject));
    } else {
      pending.done(Status::Unavailable("appending to " + pending.subject + ": no acknowledgement"));
    }
  }

  jsOptions RequestOptions() const {
    jsOptions options;
    jsOptions_Init(&options);
    options.Wait = options_.timeout.count();
    return options;
  }

  const JetStreamOptions options_;
  natsConnection* const connection_;
  jsCtx* const context_;
  jsCtx* async_context_ = nullptr;  // set once by StartAsyncAppends
  std::mutex async_mu_;
  std::unordered_map<natsMsg*, PendingAppend> async_pending_;  // guarded by async_mu_
};

}  // namespace

Result<std::string> ReadServerVersion(const std::string& host, uint16_t port, std::chrono::milliseconds timeout) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (int rc = getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found); rc != 0) {
    return Status::Unavailable("cannot resolve " + host + ": " + gai_strerror(rc));
  }
  std::string where = host + ":" + std::to_string(port);
  int fd = -1;
  for (addrinfo* candidate = found; candidate && fd < 0; candidate = candidate->ai_next) {
    fd = socket(candidate->ai_family, candidate->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, candidate->ai_protocol);
    if (fd < 0) continue;
    if (connect(fd, candidate->ai_addr, candidate->ai_addrlen) != 0 && errno != EINPROGRESS) {
      close(fd);
      fd = -1;
    }
  }
  freeaddrinfo(found);
  if (fd < 0) return Status::Unavailable("cannot connect to " + where);
  // The server speaks first: one "INFO {json}\r\n" line.
  std::string line;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (line.find("\r\n") == std::string::npos && line.size() < 64 * 1024) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    pollfd wait{fd, POLLIN, 0};
    if (left.count() <= 0 || poll(&wait, 1, static_cast<int>(left.count())) <= 0) break;
    char buffer[4096];
    const ssize_t n = recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) break;
    line.append(buffer, static_cast<size_t>(n));
  }
  close(fd);
  const size_t end = line.find("\r\n");
  if (end == std::string::npos) {
    return line.empty() ? Status::Unavailable("no answer from " + where)
                        : Status::Corruption(where + " does not speak NATS");
  }
  if (!line.starts_with("INFO ")) return Status::Corruption(where + " does not speak NATS");
  boost::system::error_code ec;
  const boost::json::value info = boost::json::parse(std::string_view(line).substr(5, end - 5), ec);
  if (ec || !info.is_object()) return Status::Corruption(where + " sent an INFO line that is not JSON");
  const boost::json::value* version = info.as_object().if_contains("version");
  if (!version || !version->is_string()) return Status::Corruption(where + " announces no version");
  return std::string(version->as_string());
}

bool VersionAtLeast(const std::string& version, int major, int minor) {
  int parts[2] = {0, 0};
  const char* at = version.data();
  const char* end = version.data() + version.size();
  for (int i = 0; i < 2; ++i) {
    auto [next, ec] = std::from_chars(at, end, parts[i]);
    if (ec != std::errc()) return false;
    at = next;
    if (i == 0) {
      if (at == end || *at != '.') return false;
      ++at;
    }
  }
  return parts[0] > major || (parts[0] == major && parts[1] >= minor);
}

Result<std::unique_ptr<JetStreamLog>> JetStreamLog::Open(const JetStreamOptions& options) {
  if (options.servers.empty()) return Status::InvalidArgument("no NATS server given");
  std::vector<ServerAddress> addresses;
  for (const std::string& url : options.servers) {
    auto address = ParseServer(url);
    if (!address.ok()) return address.status();
    addresses.push_back(*address);
  }
  // Every server that answers must be new enough; those that do not may be
  // down or still starting, so Open waits (up to open_timeout) for one.
  const auto deadline = std::chrono::steady_clock::now() + options.open_timeout;
  for (bool any_answered = false; !any_answered;) {
    for (size_t i = 0; i < addresses.size(); ++i) {
      auto version = ReadServerVersion(addresses[i].host, addresses[i].port, options.timeout);
      if (version.status().code() == StatusCode::kUnavailable) continue;
      if (!version.ok()) return version.status();
      if (!VersionAtLeast(*version, 2, 10)) {
        return Status::FailedPrecondition("nats-server " + *version + " at " + options.servers[i] +
                                          " is too old: 2.10 or newer is required (older servers let two writers "
                                          "pass the same expected subject sequence on a cluster)");
      }
      any_answered = true;
    }
    if (any_answered) break;
    if (std::chrono::steady_clock::now() >= deadline) return Status::Unavailable("no NATS server answers");
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }

  natsOptions* nats_options = nullptr;
  natsStatus status = natsOptions_Create(&nats_options);
  std::vector<const char*> urls;
  for (const std::string& url : options.servers) urls.push_back(url.c_str());
  if (status == NATS_OK) status = natsOptions_SetServers(nats_options, urls.data(), static_cast<int>(urls.size()));
  if (status == NATS_OK) status = natsOptions_SetTimeout(nats_options, options.timeout.count());
  // Reconnect for ever: a node going away must not end the process's link to the cluster.
  if (status == NATS_OK) status = natsOptions_SetMaxReconnect(nats_options, -1);
  if (status == NATS_OK) status = natsOptions_SetReconnectWait(nats_options, 100);
  // Each message leaves at once: the client's flusher would otherwise hold
  // an asynchronous append back about a millisecond to gather more, and the
  // writer sends one message per group commit, a few at a time.
  if (status == NATS_OK) status = natsOptions_SetSendAsap(nats_options, true);
  natsConnection* connection = nullptr;
  if (status == NATS_OK) status = natsConnection_Connect(&connection, nats_options);
  natsOptions_Destroy(nats_options);
  if (status != NATS_OK) return Status::Unavailable("cannot connect to NATS: " + NatsError(status, {}));

  jsOptions js_options;
  jsOptions_Init(&js_options);
  js_options.Wait = options.timeout.count();
  jsCtx* context = nullptr;
  status = natsConnection_JetStream(&context, connection, &js_options);
  if (status != NATS_OK) {
    natsConnection_Destroy(connection);
    return Status::Unavailable("cannot use JetStream: " + NatsError(status, {}));
  }
  auto log = std::make_unique<NatsJetStreamLog>(options, connection, context);
  if (Status started = log->StartAsyncAppends(); !started.ok()) return started;
  // A cluster that has just started elects its meta leader first: retry
  // what cannot be done yet, up to open_timeout.
  Status created = log->EnsureStream();
  while (created.code() == StatusCode::kUnavailable && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    created = log->EnsureStream();
  }
  if (!created.ok()) return created;
  Result<uint64_t> last = log->LastSequence();
  while (!last.ok() && last.status().code() == StatusCode::kUnavailable && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    last = log->LastSequence();
  }
  if (!last.ok()) return last.status();
  return std::unique_ptr<JetStreamLog>(std::move(log));
}

}  // namespace iam::events::nats
