// HttpServer on Boost.Beast, shaped like Beast's advanced_server_flex example:
// a listener hands each socket to a DetectSession, which peeks at the first
// bytes and starts either a PlainSession or a TlsSession; both share the HTTP
// logic through the CRTP base HttpSession<Derived>.
//
// Concurrency model: one io_context run by N threads; every connection lives
// on its own strand, so a session's members are only touched by one thread at
// a time and need no locks. Work from outside (a handler's Responder, a
// Shutdown) reaches a session only by posting onto its strand.
//
// Lifetimes: a session is owned by the Registry while it is open (so it
// survives while a handler holds its request without any I/O pending) and by
// the completion handlers of its pending operations. Responders hold only a
// weak reference plus the ResponseGate, which the server closes once its
// threads are joined: after that a late Responder neither resurrects a session
// nor touches the io_context.
#include "api/http/http_server.h"
#include "api/http/lazy_deadline.h"

#include "api/problem.h"

#include <signal.h>

#include <functional>

#include <algorithm>
#include <array>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <iterator>
#include <stdexcept>
#include <limits>
#include <mutex>
#include <optional>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include <openssl/ssl.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/detect_ssl.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <spdlog/spdlog.h>

namespace iam::api {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;
using Clock = std::chrono::steady_clock;
using BeastRequest = http::request<http::string_body>;
using BeastResponse = http::response<http::string_body>;

// Responses a connection may owe at once. Beyond this the session stops
// reading, so a pipelining client cannot queue unbounded work.
constexpr size_t kMaxPipelined = 16;
// Bytes asked for when waiting for the first byte of the next request.
constexpr size_t kFirstReadSize = 4096;
// Upper bound on lingering before a close when the client may still be
// sending (after an error, or with unread pipelined input): we read and drop
// its bytes so that our FIN is not turned into a RST, which could destroy the
// final response before the client has read it.
constexpr std::chrono::milliseconds kMaxCloseLinger{2000};
// Otherwise a TLS close only waits this long for the client's close_notify:
// ours is sent at once, and idle clients rarely answer promptly.
constexpr std::chrono::milliseconds kTlsCloseWait{200};
// Pause before accepting again after accept() failed (e.g. EMFILE), so an
// exhausted process does not spin.
constexpr std::chrono::milliseconds kAcceptRetryDelay{100};

// CR, LF or NUL in a header would let a value start a new header line.
bool IsSafeHeaderText(std::string_view text) {
  return text.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

// Header fields whose meaning is connection framing: the session owns them.
bool IsFramingHeader(std::string_view name) {
  return EqualsIgnoreCase(name, "content-length") || EqualsIgnoreCase(name, "transfer-encoding") ||
         EqualsIgnoreCase(name, "connection") || EqualsIgnoreCase(name, "keep-alive");
}

// Builds the wire response for `res`. Framing follows RFC 9112: no body and
// no Content-Length for 1xx/204/304; for HEAD, Content-Length describes the
// body a GET would have produced but no body is sent. Throws on values Beast
// cannot represent; the caller turns that into a 500.
BeastResponse ToBeastResponse(HttpResponse res, unsigned version, bool head) {
  if (res.status < 100 || res.status > 599) {
    throw std::invalid_argument("handler returned HTTP status " + std::to_string(res.status));
  }
  BeastResponse out;
  out.version(version);
  out.result(static_cast<unsigned>(res.status));
  std::string_view head_length;
  for (auto& [name, value] : res.headers) {
    if (head && EqualsIgnoreCase(name, "content-length")) head_length = value;
    if (IsFramingHeader(name)) continue;
    if (name.empty() || !IsSafeHeaderText(name) || !IsSafeHeaderText(value)) {
      throw std::invalid_argument("handler returned a malformed header");
    }
    out.insert(name, value);
  }
  const bool bodiless = res.status < 200 || res.status == 204 || res.status == 304;
  if (bodiless) return out;
  if (head) {
    out.set(http::field::content_length,
            head_length.empty() ? std::to_string(res.body.size()) : std::string(head_length));
    return out;
  }
  out.body() = std::move(res.body);
  out.content_length(out.body().size());
  return out;
}

// Protocol-level refusals (malformed request, too large, internal) in the
// same problem+json shape as every other iamd error.
// Whether `target` is a route of HttpServerOptions::large_body_prefixes.
bool IsLargeBodyRoute(const HttpServerOptions& options, std::string_view target) {
  for (const std::string& prefix : options.large_body_prefixes) {
    if (target.starts_with(prefix)) return true;
  }
  return false;
}

// The body limit of a request for `target`.
size_t BodyLimitFor(const HttpServerOptions& options, std::string_view target) {
  return IsLargeBodyRoute(options, target) ? std::max(options.body_limit, options.large_body_limit)
                                           : options.body_limit;
}

BeastResponse ProblemResponse(unsigned version, int status, std::string_view title,
                              std::string_view detail, std::string_view instance) {
  std::string_view kind = "internal";
  if (status == 400) kind = "bad-request";
  if (status == 413) kind = "payload-too-large";
  if (status == 431) kind = "header-fields-too-large";
  if (status == 505) kind = "http-version-not-supported";
  HttpResponse problem = IamProblem({status, std::string(kProtocolErrors) + std::string(kind), std::string(title),
                                     std::string(detail), std::string(instance)});
  return ToBeastResponse(std::move(problem), version, /*head=*/false);
}

HttpRequest ToHttpRequest(BeastRequest&& msg, const char* scheme, const std::string& remote) {
  HttpRequest req;
  req.method = std::string(msg.method_string());
  req.target = std::string(msg.target());
  const size_t question = req.target.find('?');
  if (question == std::string::npos) {
    req.path = req.target;
  } else {
    req.path = req.target.substr(0, question);
    req.query = req.target.substr(question + 1);
  }
  req.headers.reserve(std::distance(msg.begin(), msg.end()));
  for (const auto& field : msg) {
    req.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  req.keep_alive = msg.keep_alive();
  req.body = std::move(msg.body());
  req.scheme = scheme;
  req.remote_address = remote;
  return req;
}

std::string RemoteIp(const tcp::socket& socket) {
  error_code ec;
  const tcp::endpoint peer = socket.remote_endpoint(ec);
  if (ec) return {};
  asio::ip::address address = peer.address();
  // A dual-stack listener sees IPv4 clients as ::ffff:a.b.c.d; handlers and
  // allowlists expect the plain IPv4 form.
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    address = asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6());
  }
  return address.to_string();
}

bool IsHttpParseError(const error_code& ec) {
  return ec.category() == http::make_error_code(http::error::bad_target).category();
}

// The peer stopped sending (cleanly or by dropping the connection mid-TLS);
// what it already asked for may still be answered.
bool IsPeerDone(const error_code& ec) {
  return ec == http::error::end_of_stream || ec == http::error::partial_message ||
         ec == asio::error::eof || ec == ssl::error::stream_truncated;
}

// A connection the server may have to wind down. Implemented by every
// session type; the Registry holds them.
class Connection {
 public:
  virtual ~Connection() = default;
  // Thread-safe: asks the connection (on its strand) to finish what it has
  // received and close; idle connections close at once.
  virtual void Drain() = 0;
  // Closes the socket immediately. Only valid when no I/O thread is running.
  virtual void CloseNow() = 0;
};

// The set of open connections. Thread-safe.
class Registry {
 public:
  enum class Admission { kAdmitted, kDraining, kFull };

  // For a newly accepted connection: takes a reference to `connection`
  // unless draining has begun or `max_open` connections are open already.
  // Only new connections are counted against the cap: a hand-over from the
  // detector to its session (Add) briefly holds two entries for one socket
  // and must never be refused for it.
  Admission AddNew(std::shared_ptr<Connection> connection, size_t max_open) {
    std::lock_guard<std::mutex> lock(mu_);
    if (draining_) return Admission::kDraining;
    if (live_.size() >= max_open) return Admission::kFull;
    const Connection* key = connection.get();
    live_.emplace(key, std::move(connection));
    return Admission::kAdmitted;
  }

  // Takes a reference to `connection`; false (and no reference) once
  // draining has begun, so connections accepted late are simply dropped.
  bool Add(std::shared_ptr<Connection> connection) {
    std::lock_guard<std::mutex> lock(mu_);
    if (draining_) return false;
    const Connection* key = connection.get();
    live_.emplace(key, std::move(connection));
    return true;
  }

  // Drops the registry's reference; the connection may be destroyed by this
  // call (outside the lock), so callers keep their own reference.
  void Remove(const Connection* connection) {
    std::shared_ptr<Connection> released;
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = live_.find(connection);
      if (it == live_.end()) return;
      released = std::move(it->second);
      live_.erase(it);
      if (live_.empty()) empty_cv_.notify_all();
    }
  }

  // Refuses further Adds and returns the connections open right now.
  std::vector<std::shared_ptr<Connection>> BeginDrain() {
    std::lock_guard<std::mutex> lock(mu_);
    draining_ = true;
    std::vector<std::shared_ptr<Connection>> out;
    out.reserve(live_.size());
    for (auto& [key, connection] : live_) out.push_back(connection);
    return out;
  }

  // True when every connection closed before `deadline`.
  bool WaitEmptyUntil(Clock::time_point deadline) {
    std::unique_lock<std::mutex> lock(mu_);
    return empty_cv_.wait_until(lock, deadline, [this] { return live_.empty(); });
  }

  std::vector<std::shared_ptr<Connection>> TakeAll() {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<std::shared_ptr<Connection>> out;
    for (auto& [key, connection] : live_) out.push_back(std::move(connection));
    live_.clear();
    return out;
  }

 private:
  std::mutex mu_;
  std::condition_variable empty_cv_;
  bool draining_ = false;
  std::unordered_map<const Connection*, std::shared_ptr<Connection>> live_;
};

// Guards every post from a Responder into the io_context: once closed (after
// the I/O threads are joined) responders do nothing. Thread-safe.
class ResponseGate {
 public:
  template <class F>
  void RunIfOpen(F&& f) {
    std::lock_guard<std::mutex> lock(mu_);
    if (open_) f();
  }
  void Close() {
    std::lock_guard<std::mutex> lock(mu_);
    open_ = false;
  }

 private:
  std::mutex mu_;
  bool open_ = true;
};

// The session whose OnRead is handing a request to the handler on this
// thread, if any: a Responder called meanwhile runs on that session's strand.
class HandlingScope {
 public:
  explicit HandlingScope(const void* session) : previous_(current_) { current_ = session; }
  ~HandlingScope() { current_ = previous_; }
  HandlingScope(const HandlingScope&) = delete;
  HandlingScope& operator=(const HandlingScope&) = delete;

  static const void* Current() { return current_; }

 private:
  static inline thread_local const void* current_ = nullptr;
  const void* previous_;
};

// What every session needs from the server. Outlives all sessions (the
// io_context, which may still hold sessions, is destroyed before it).
struct ServerCore {
  HttpServerOptions options;
  RequestHandler* handler = nullptr;

  // The TLS context new connections handshake with; null when TLS is not
  // configured. Replaced whole by a reload (SIGHUP); a session keeps the
  // context it started with for its whole life.
  std::shared_ptr<ssl::context> Tls() const {
    std::lock_guard<std::mutex> lock(tls_mu);
    return tls;
  }
  void SetTls(std::shared_ptr<ssl::context> context) {
    std::lock_guard<std::mutex> lock(tls_mu);
    tls = std::move(context);
  }
  Registry registry;
  std::shared_ptr<ResponseGate> gate = std::make_shared<ResponseGate>();

  std::chrono::milliseconds CloseLinger(bool linger) const {
    return std::min<std::chrono::milliseconds>(options.read_timeout,
                                               linger ? kMaxCloseLinger : kTlsCloseWait);
  }

 private:
  mutable std::mutex tls_mu;
  std::shared_ptr<ssl::context> tls;  // guarded by tls_mu
};

// HTTP/1.1 over some stream: reads requests, hands them to the handler, and
// writes responses back in request order. Derived supplies:
//   Stream& stream();            the stream HTTP is read from / written to
//   tcp::socket& socket();       the TCP socket underneath
//   static const char* Scheme(); "http" or "https"
//   void CloseTransport();       orderly close (lingering when linger_); must
//                                end in Finish()
// All members run on the connection's strand.
template <class Derived>
class HttpSession : public Connection, public std::enable_shared_from_this<HttpSession<Derived>> {
 public:
  void Drain() final {
    asio::post(read_deadline_.get_executor(), [self = Self()] { self->OnDrain(); });
  }

  void CloseNow() final {
    closed_ = true;
    closing_ = true;
    DisarmTimers();
    error_code ec;
    derived().socket().close(ec);
  }

 protected:
  HttpSession(ServerCore& core, const asio::any_io_executor& strand, beast::flat_buffer buffer,
              std::string remote)
      : core_(core),
        buffer_(std::move(buffer)),
        remote_(std::move(remote)),
        read_deadline_(strand),
        write_deadline_(strand),
        stream_timer_(strand) {}

  Derived& derived() { return static_cast<Derived&>(*this); }
  std::shared_ptr<Derived> Self() {
    return std::static_pointer_cast<Derived>(this->shared_from_this());
  }

  // The transport is ready: serve requests, or, when `reject_plain`, answer
  // the one refusal and close.
  void StartHttp(bool reject_plain) {
    http_started_ = true;
    if (draining_) {
      GracefulClose();
      return;
    }
    if (reject_plain) {
      Reject(400, "Bad Request", "This server accepts HTTPS connections only.", "");
      return;
    }
    ReadNext();
  }

  // Closes the socket and leaves the registry. Safe to call repeatedly.
  void Finish() {
    if (closed_) return;
    closed_ = true;
    closing_ = true;
    auto keep_alive = Self();  // Remove may drop the last other reference
    DisarmTimers();
    error_code ec;
    derived().socket().close(ec);
    core_.registry.Remove(this);
  }

  // Sets the read deadline `after` from now; when it passes the connection
  // is closed.
  void SetReadDeadline(std::chrono::milliseconds after) { SetDeadline(&HttpSession::read_deadline_, after); }
  // Bounds writing one response (or one piece of a streamed one).
  void SetWriteDeadline() { SetDeadline(&HttpSession::write_deadline_, core_.options.idle_timeout); }
  void SetDeadline(LazyDeadline HttpSession::*deadline, std::chrono::milliseconds after) {
    (this->*deadline).Set(Clock::now() + after, [&] { return DeadlineWait{Self(), deadline}; });
  }
  // The handler of a deadline's wait: the connection ends once the deadline
  // has passed.
  struct DeadlineWait {
    std::shared_ptr<Derived> self;
    LazyDeadline HttpSession::*deadline;
    void operator()(error_code ec) const {
      if (self->closed_) return;
      if ((self.get()->*deadline).Expired(ec, [this] { return *this; })) self->OnTimeout();
    }
  };

  ServerCore& core_;
  beast::flat_buffer buffer_;  // bytes read but not yet parsed
  const std::string remote_;
  LazyDeadline read_deadline_;   // idle, request, handshake and close deadlines
  LazyDeadline write_deadline_;  // bounds writing one response
  asio::steady_timer stream_timer_;  // a parked live body's BodyStream::MaxWait
  bool closed_ = false;             // socket closed; every completion just returns
  bool linger_ = false;             // the client may still send: drain before closing

 private:
  // One request's place in the response order.
  struct Slot {
    bool ready = false;        // `response` holds the answer
    bool close_after = false;  // the connection ends after this response
    bool head = false;
    unsigned version = 11;
    BeastResponse response;
    // A body made while it is sent (BodyStream): `response` is then only
    // the header, written by `serializer`, and `piece` the chunk in flight.
    std::shared_ptr<BodyStream> stream;
    std::optional<http::response_serializer<http::string_body>> serializer;
    std::string piece;
    bool live = false;  // stream->Live(): see BodyStream
  };

  // Starts reading the next request unless reading is over or paused.
  void ReadNext() {
    if (closing_ || read_stopped_ || reading_) return;
    if (queue_.size() >= kMaxPipelined) return;  // OnWrite resumes
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(std::min<size_t>(
        core_.options.header_limit, std::numeric_limits<std::uint32_t>::max())));
    // The largest any route takes; OnHeader narrows it once the target is known.
    parser_->body_limit(
        static_cast<std::uint64_t>(std::max(core_.options.body_limit, core_.options.large_body_limit)));
    body_limit_ = core_.options.body_limit;
    reading_ = true;
    if (buffer_.size() > 0) {
      ReadRequest();
      return;
    }
    // Wait for the first byte separately: until it arrives the connection is
    // idle (idle_timeout, and only when nothing is owed); afterwards the whole
    // request must arrive within read_timeout.
    SetIdleDeadlineIfQuiet();
    derived().stream().async_read_some(
        buffer_.prepare(kFirstReadSize),
        [self = Self()](error_code ec, size_t n) { self->OnFirstBytes(ec, n); });
  }

  // The part every completed read shares: stop if the connection is closing
  // or the read failed. True when the caller should go on.
  bool ReadCompleted(error_code ec) {
    reading_ = false;
    if (closed_) return false;
    if (closing_) {
      derived().CloseTransport();
      return false;
    }
    read_deadline_.Clear();
    if (ec) {
      OnReadFailed(ec);
      return false;
    }
    return true;
  }

  void OnFirstBytes(error_code ec, size_t n) {
    if (!ReadCompleted(ec)) return;
    buffer_.commit(n);
    if (read_stopped_) {
      // Draining began while this connection was idle: a request that had
      // not started when shutdown began is not served.
      CloseWhenDone();
      return;
    }
    reading_ = true;
    ReadRequest();
  }

  // A request's bytes have begun to arrive. Usually all of it is in buffer_
  // already, and it is parsed here: no read operation, no deadline.
  // Otherwise the rest is read, all of it within read_timeout.
  void ReadRequest() {
    request_started_ = true;
    any_request_ = true;
    parser_->eager(false);
    error_code ec;
    if (ParseBuffered(ec, [](const auto& parser) { return parser.is_header_done(); })) {
      OnHeader(ec, /*deadline_set=*/false);
      return;
    }
    SetReadDeadline(core_.options.read_timeout);
    http::async_read_header(derived().stream(), buffer_, *parser_,
                            [self = Self()](error_code ec, size_t) { self->OnHeader(ec, /*deadline_set=*/true); });
  }

  // The header has arrived: the body limit of its target applies, to an
  // announced Content-Length at once and to a chunked body as it comes.
  void OnHeader(error_code ec, bool deadline_set) {
    if (!ec && !closed_ && !closing_) {
      body_limit_ = BodyLimitFor(core_.options, parser_->get().target());
      const auto length = parser_->content_length();
      if (length && *length > body_limit_) {
        ec = http::error::body_limit;
      } else {
        parser_->body_limit(static_cast<std::uint64_t>(body_limit_));
        parser_->eager(true);
        if (ParseBuffered(ec, [](const auto& parser) { return parser.is_done(); })) {
          OnRead(ec);
          return;
        }
        if (!deadline_set) SetReadDeadline(core_.options.read_timeout);
        http::async_read(derived().stream(), buffer_, *parser_,
                         [self = Self()](error_code ec, size_t) { self->OnRead(ec); });
        return;
      }
    }
    OnRead(ec);
  }

  // Feeds parser_ the bytes buffer_ holds until `done(*parser_)`, as Beast's
  // own reads do before they read more. True when done, or when the bytes
  // held are malformed (`ec`); false when more bytes are needed (`ec` clear).
  template <class Done>
  bool ParseBuffered(error_code& ec, Done done) {
    ec = {};
    while (!done(*parser_)) {
      if (buffer_.size() == 0) return false;
      const size_t used = parser_->put(buffer_.data(), ec);
      buffer_.consume(used);
      if (ec == http::error::need_more) {
        ec = {};
        return false;
      }
      if (ec) return true;
      if (used == 0) return false;
    }
    return true;
  }

  void OnRead(error_code ec) {
    request_started_ = false;
    if (!ReadCompleted(ec)) return;
    BeastRequest msg = parser_->release();
    parser_.reset();

    Slot& slot = queue_.emplace_back();
    const uint64_t seq = front_seq_ + queue_.size() - 1;
    slot.version = msg.version();
    slot.head = msg.method() == http::verb::head;
    slot.close_after = !msg.keep_alive();
    if (slot.close_after || draining_) read_stopped_ = true;

    HttpRequest request = ToHttpRequest(std::move(msg), Derived::Scheme(), remote_);
    try {
      HandlingScope handling(this);
      core_.handler->Handle(std::move(request), MakeResponder(seq));
    } catch (const std::exception& e) {
      spdlog::error("http: request handler threw: {}", e.what());
      Answer(seq, ProblemResponse(slot.version, 500, "Internal Server Error",
                                  "The request handler failed.", ""));
    } catch (...) {
      spdlog::error("http: request handler threw a non-exception");
      Answer(seq, ProblemResponse(slot.version, 500, "Internal Server Error",
                                  "The request handler failed.", ""));
    }
    ReadNext();
  }

  void OnReadFailed(const error_code& ec) {
    if (IsPeerDone(ec)) {
      read_stopped_ = true;
      peer_done_ = true;
      // A live body never ends by itself: a client that stopped sending
      // while waiting for one has gone, and must not hold its stream.
      if (stream_parked_) {
        Finish();
        return;
      }
      CloseWhenDone();
      return;
    }
    if (ec == http::error::header_limit) {
      Reject(431, "Request Header Fields Too Large",
             "The request header exceeds " + std::to_string(core_.options.header_limit) +
                 " bytes.",
             "");
      return;
    }
    if (ec == http::error::body_limit) {
      const std::string target(parser_->get().target());
      if (core_.options.large_body_refusal && IsLargeBodyRoute(core_.options, target)) {
        RejectWith(ToBeastResponse(core_.options.large_body_refusal(target, body_limit_), 11, /*head=*/false));
        return;
      }
      Reject(413, "Payload Too Large", "The request body exceeds " + std::to_string(body_limit_) + " bytes.", target);
      return;
    }
    if (IsHttpParseError(ec)) {
      Reject(400, "Bad Request", "Malformed HTTP request: " + ec.message() + ".",
             std::string(parser_->get().target()));
      return;
    }
    spdlog::debug("http: connection from {} failed while reading: {}", remote_, ec.message());
    Finish();
  }

  // Queues an error answer after whatever is already owed, then closes.
  void Reject(int status, std::string_view title, const std::string& detail,
              const std::string& instance) {
    RejectWith(ProblemResponse(11, status, title, detail, instance));
  }
  void RejectWith(BeastResponse response) {
    read_stopped_ = true;
    must_linger_ = true;  // e.g. the rest of a refused body may be on its way
    Slot& slot = queue_.emplace_back();
    slot.close_after = true;
    slot.ready = true;
    slot.response = std::move(response);
    MaybeWrite();
  }

  // Responders reach the session only through the gate and a weak pointer;
  // see the file comment for why. A handler that answers before Handle
  // returns is on the session's strand already, in OnRead: its answer is
  // taken at once, with no round trip through the io_context.
  Responder MakeResponder(uint64_t seq) {
    std::weak_ptr<HttpSession> weak = this->shared_from_this();
    return [weak = std::move(weak), gate = core_.gate, seq, handled_by = this](HttpResponse response) mutable {
      if (HandlingScope::Current() == handled_by) {
        handled_by->OnResponse(seq, std::move(response));
        return;
      }
      gate->RunIfOpen([&] {
        std::shared_ptr<HttpSession> session = weak.lock();
        if (!session) return;
        auto strand = session->read_deadline_.get_executor();
        asio::post(strand, [session, seq, response = std::move(response)]() mutable {
          session->OnResponse(seq, std::move(response));
        });
      });
    };
  }

  void OnResponse(uint64_t seq, HttpResponse response) {
    if (closing_ || seq < front_seq_ || seq - front_seq_ >= queue_.size()) return;
    Slot& slot = queue_[seq - front_seq_];
    std::shared_ptr<BodyStream> stream = std::move(response.body_stream);
    if (stream && stream->Live() && slot.version < 11 && !slot.head) {
      // Collecting a body that never ends would never answer.
      Answer(seq, ProblemResponse(slot.version, 505, "HTTP Version Not Supported",
                                  "This response is a live stream, which needs HTTP/1.1.", ""));
      return;
    }
    if (stream && slot.version < 11 && !slot.head) {
      // HTTP/1.0 has no chunked coding: the pieces are collected.
      for (;;) {
        auto piece = stream->Next();
        if (!piece.ok()) {
          spdlog::error("http: a streamed body failed: {}", piece.status().ToString());
          Answer(seq, ProblemResponse(slot.version, 500, "Internal Server Error",
                                      "The response body could not be produced.", ""));
          return;
        }
        if (piece->empty()) break;
        response.body += *piece;
      }
      stream.reset();
    }
    try {
      BeastResponse out = ToBeastResponse(std::move(response), slot.version, slot.head);
      if (stream && !slot.ready) {
        out.chunked(true);
        slot.live = stream->Live();
        slot.stream = std::move(stream);
      }
      Answer(seq, std::move(out));
    } catch (const std::exception& e) {
      spdlog::error("http: handler response cannot be sent: {}", e.what());
      Answer(seq, ProblemResponse(slot.version, 500, "Internal Server Error",
                                  "The request handler produced an invalid response.", ""));
    }
  }

  // Records the answer for `seq` (first answer wins) and writes if it is next.
  void Answer(uint64_t seq, BeastResponse response) {
    if (closing_ || seq < front_seq_ || seq - front_seq_ >= queue_.size()) return;
    Slot& slot = queue_[seq - front_seq_];
    if (slot.ready) return;
    slot.response = std::move(response);
    slot.ready = true;
    MaybeWrite();
  }

  void MaybeWrite() {
    if (writing_ || closing_ || queue_.empty() || !queue_.front().ready) return;
    Slot& slot = queue_.front();
    // `Connection: close` goes on the last response this connection will
    // carry: one that asked for it, an error, or the last one owed once no
    // more requests will be read (draining, or the peer stopped sending).
    const bool last_owed = queue_.size() == 1 && !request_started_;
    const bool close = slot.close_after || ((read_stopped_ || draining_) && last_owed);
    slot.response.keep_alive(!close);
    writing_ = true;
    // A client waiting for an answer is not idle; a request being read keeps
    // its own deadline.
    if (!request_started_) read_deadline_.Clear();
    SetWriteDeadline();
    // The deque never moves existing elements on push_back, so `slot`
    // stays valid until OnWrite pops it.
    if (slot.stream) {
      if (slot.live && !slot.head) slot.stream->Watch(MakeStreamWaker());
      slot.serializer.emplace(slot.response);
      http::async_write_header(derived().stream(), *slot.serializer, [self = Self(), close](error_code ec, size_t) {
        if (ec || self->queue_.front().head) return self->OnWrite(ec, close);
        self->WriteNextPiece(close);
      });
      return;
    }
    http::async_write(derived().stream(), slot.response,
                      [self = Self(), close](error_code ec, size_t) { self->OnWrite(ec, close); });
  }

  // Writes the streamed body of queue_.front() one chunk at a time, asking
  // for the next piece only once the previous one is written. A live body
  // that is not Ready() parks instead (no write, no thread held) until its
  // wake-up or MaxWait(); `waited` says MaxWait() has passed.
  void WriteNextPiece(bool close, bool waited = false) {
    if (closed_) return;
    Slot& slot = queue_.front();
    if (slot.live && peer_done_) {
      Finish();
      return;
    }
    if (slot.live && draining_) {
      // Shutdown ends live bodies properly, so clients see a complete
      // response and reconnect elsewhere or later.
      slot.stream.reset();
      SetWriteDeadline();
      asio::async_write(derived().stream(), http::make_chunk_last(),
                        [self = Self(), close](error_code ec, size_t) { self->OnWrite(ec, close); });
      return;
    }
    if (!waited && !slot.stream->Ready()) {
      ParkStream(close, slot.stream->MaxWait());
      return;
    }
    auto piece = slot.stream->Next();
    if (!piece.ok()) {
      // Status and header are sent: ending without the last chunk tells the
      // client the body is incomplete.
      spdlog::error("http: a streamed body failed: {}", piece.status().ToString());
      writing_ = false;
      Finish();
      return;
    }
    SetWriteDeadline();
    if (piece->empty()) {
      slot.stream.reset();
      asio::async_write(derived().stream(), http::make_chunk_last(),
                        [self = Self(), close](error_code ec, size_t) { self->OnWrite(ec, close); });
      return;
    }
    slot.piece = std::move(*piece);
    asio::async_write(derived().stream(), http::make_chunk(asio::buffer(slot.piece)),
                      [self = Self(), close](error_code ec, size_t) {
                        if (ec) return self->OnWrite(ec, close);
                        self->WriteNextPiece(close);
                      });
  }

  // Waits for the live body's wake-up (OnStreamWake) or `max_wait`. The
  // response is still being written (writing_ stays set), but no write
  // deadline runs: the client is not slow, the stream is quiet.
  void ParkStream(bool close, std::chrono::milliseconds max_wait) {
    stream_parked_ = true;
    parked_close_ = close;
    write_deadline_.Clear();
    if (max_wait <= std::chrono::milliseconds::zero()) return;
    stream_timer_.expires_after(max_wait);
    stream_timer_.async_wait([self = Self()](error_code ec) {
      if (ec == asio::error::operation_aborted || self->closed_ || !self->stream_parked_) return;
      if (self->stream_timer_.expiry() > Clock::now()) return;
      self->stream_parked_ = false;
      self->WriteNextPiece(self->parked_close_, /*waited=*/true);
    });
  }

  // Resumes a parked live body; also on a drain, which ends it.
  void OnStreamWake() {
    if (closed_ || !stream_parked_) return;
    stream_parked_ = false;
    DisarmTimer(stream_timer_);
    WriteNextPiece(parked_close_);
  }

  // What a live body's BodyStream::Watch gets: like a Responder it reaches
  // the session only through the gate and a weak pointer, so a stream that
  // outlives its connection wakes nothing.
  std::function<void()> MakeStreamWaker() {
    std::weak_ptr<HttpSession> weak = this->shared_from_this();
    return [weak = std::move(weak), gate = core_.gate] {
      gate->RunIfOpen([&] {
        std::shared_ptr<HttpSession> session = weak.lock();
        if (!session) return;
        auto strand = session->read_deadline_.get_executor();
        asio::post(strand, [session] { session->OnStreamWake(); });
      });
    };
  }

  void OnWrite(error_code ec, bool close) {
    writing_ = false;
    if (closed_) return;
    write_deadline_.Clear();
    if (ec) {
      spdlog::debug("http: connection from {} failed while writing: {}", remote_, ec.message());
      Finish();
      return;
    }
    queue_.pop_front();
    ++front_seq_;
    if (close) {
      GracefulClose();
      return;
    }
    if (queue_.empty() && (read_stopped_ || draining_) && !request_started_) {
      GracefulClose();
      return;
    }
    SetIdleDeadlineIfQuiet();
    ReadNext();
    MaybeWrite();
  }

  // After reading stopped: close once nothing more is owed.
  void CloseWhenDone() {
    if (queue_.empty() && !writing_) {
      GracefulClose();
    } else {
      MaybeWrite();  // the last response now carries Connection: close
    }
  }

  void OnDrain() {
    draining_ = true;
    if (closed_ || closing_) return;
    OnStreamWake();  // a parked live body ends now
    if (!http_started_) {  // e.g. mid-TLS-handshake: nothing was asked yet
      Finish();
      return;
    }
    // A request whose first byte has arrived is in flight and is served; an
    // idle connection takes no new request.
    if (!request_started_) read_stopped_ = true;
    if (queue_.empty() && !request_started_) GracefulClose();
  }

  void GracefulClose() {
    if (closing_ || closed_) return;
    closing_ = true;
    read_stopped_ = true;
    error_code ec;
    linger_ = must_linger_ || buffer_.size() > 0 || derived().socket().available(ec) > 0;
    write_deadline_.Clear();
    SetReadDeadline(core_.CloseLinger(linger_));
    if (reading_) {
      // Only the wait for a next request's first byte can be pending here;
      // cancel it and continue in its completion (OnFirstBytes), since a TLS
      // shutdown must not run concurrently with a read.
      error_code ignored;
      derived().socket().cancel(ignored);
      return;
    }
    derived().CloseTransport();
  }

  // Before the first request (e.g. right after a TLS handshake) the wait is
  // bounded by first_request_timeout: only a client that has used the
  // connection earns the longer keep-alive idle_timeout.
  void SetIdleDeadlineIfQuiet() {
    if (reading_ && !request_started_ && queue_.empty() && !closing_) {
      SetReadDeadline(any_request_ ? core_.options.idle_timeout : core_.options.first_request_timeout);
    }
  }

  void OnTimeout() {
    if (!closing_) {
      spdlog::debug("http: connection from {} timed out", remote_);
    }
    Finish();
  }

  static void DisarmTimer(asio::steady_timer& timer) { timer.expires_at(Clock::time_point::max()); }
  void DisarmTimers() {
    read_deadline_.Cancel();
    write_deadline_.Cancel();
    DisarmTimer(stream_timer_);
  }

  std::optional<http::request_parser<http::string_body>> parser_;
  std::deque<Slot> queue_;  // responses owed, in request order
  uint64_t front_seq_ = 0;  // sequence number of queue_.front()
  bool http_started_ = false;
  bool reading_ = false;          // a read is pending
  bool request_started_ = false;  // bytes of the request being read have arrived
  size_t body_limit_ = 0;         // of the request being read (HttpServerOptions::large_body_prefixes)
  bool any_request_ = false;      // some request's first byte has arrived
  bool read_stopped_ = false;     // no further request will be read
  bool writing_ = false;
  bool draining_ = false;  // server shutdown began
  bool closing_ = false;   // orderly close under way (or done)
  bool must_linger_ = false;  // an error answer ends the connection
  bool peer_done_ = false;    // the client stopped sending (or went away)
  bool stream_parked_ = false;  // a live body waits for data (ParkStream)
  bool parked_close_ = false;   // the parked response's `close`
};

class PlainSession : public HttpSession<PlainSession> {
 public:
  PlainSession(ServerCore& core, tcp::socket socket, beast::flat_buffer buffer, std::string remote)
      : HttpSession(core, socket.get_executor(), std::move(buffer), std::move(remote)),
        socket_(std::move(socket)) {}

  void Run(bool reject) { StartHttp(reject); }

  tcp::socket& stream() { return socket_; }
  tcp::socket& socket() { return socket_; }
  static const char* Scheme() { return "http"; }

  // Sends FIN; when lingering, reads and discards until the client closes
  // too (or the deadline passes): closing with unread input would make the
  // kernel send RST, which can discard our last response before the client
  // reads it.
  void CloseTransport() {
    error_code ec;
    socket_.shutdown(tcp::socket::shutdown_send, ec);
    if (ec || !linger_) {
      Finish();
      return;
    }
    buffer_.clear();
    Discard();
  }

 private:
  void Discard() {
    socket_.async_read_some(asio::buffer(discard_),
                            [self = Self()](error_code ec, size_t) {
                              if (self->closed_) return;
                              if (ec) {
                                self->Finish();
                              } else {
                                self->Discard();
                              }
                            });
  }

  tcp::socket socket_;
  std::array<char, 1024> discard_{};
};

class TlsSession : public HttpSession<TlsSession> {
 public:
  TlsSession(ServerCore& core, std::shared_ptr<ssl::context> context, tcp::socket socket,
             beast::flat_buffer buffer, std::string remote)
      : HttpSession(core, socket.get_executor(), std::move(buffer), std::move(remote)),
        context_(std::move(context)),
        stream_(std::move(socket), *context_) {}

  void Run() {
    SetReadDeadline(core_.options.read_timeout);
    // The detector already consumed the start of the ClientHello; hand those
    // bytes to the handshake.
    stream_.async_handshake(ssl::stream_base::server, buffer_.data(),
                            [self = Self()](error_code ec, size_t used) {
                              self->OnHandshake(ec, used);
                            });
  }

  ssl::stream<tcp::socket>& stream() { return stream_; }
  tcp::socket& socket() { return stream_.next_layer(); }
  static const char* Scheme() { return "https"; }

  // Sends close_notify and waits for the client's, bounded by the deadline
  // GracefulClose armed (longer when lingering).
  void CloseTransport() {
    stream_.async_shutdown([self = Self()](error_code) { self->Finish(); });
  }

 private:
  void OnHandshake(error_code ec, size_t used) {
    if (closed_) return;
    read_deadline_.Clear();
    if (ec) {
      spdlog::debug("http: TLS handshake with {} failed: {}", remote_, ec.message());
      Finish();
      return;
    }
    buffer_.consume(used);
    StartHttp(false);
  }

  std::shared_ptr<ssl::context> context_;  // declared first: outlives stream_
  ssl::stream<tcp::socket> stream_;
};

// Reads just enough of a new connection to tell a TLS ClientHello from
// plain HTTP, then hands the socket to the matching session.
class DetectSession : public Connection, public std::enable_shared_from_this<DetectSession> {
 public:
  DetectSession(ServerCore& core, tcp::socket socket, std::string remote)
      : core_(core), socket_(std::move(socket)), remote_(std::move(remote)),
        timer_(socket_.get_executor()) {}

  void Run() {
    // Nothing has arrived yet: the client has first_request_timeout to start.
    timer_.expires_after(core_.options.first_request_timeout);
    timer_.async_wait([self = shared_from_this()](error_code ec) {
      if (ec == asio::error::operation_aborted || self->done_) return;
      if (self->timer_.expiry() > Clock::now()) return;
      self->Close();
    });
    beast::async_detect_ssl(socket_, buffer_, [self = shared_from_this()](error_code ec, bool tls) {
      self->OnDetect(ec, tls);
    });
  }

  void Drain() override {
    asio::post(socket_.get_executor(), [self = shared_from_this()] { self->Close(); });
  }

  void CloseNow() override {
    done_ = true;
    error_code ec;
    timer_.cancel();
    socket_.close(ec);
  }

 private:
  void Close() {
    if (done_) return;
    done_ = true;
    error_code ec;
    timer_.cancel();
    socket_.close(ec);
    core_.registry.Remove(this);
  }

  void OnDetect(error_code ec, bool tls) {
    if (done_) return;
    if (ec) {
      if (ec != asio::error::eof) {
        spdlog::debug("http: connection from {} failed before a request: {}", remote_,
                      ec.message());
      }
      Close();
      return;
    }
    done_ = true;
    timer_.cancel();
    auto keep_alive = shared_from_this();
    std::shared_ptr<ssl::context> context = tls ? core_.Tls() : nullptr;
    // The session is added before this detector leaves, so the registry
    // never looks empty while the connection is open (refused once
    // draining: the socket closes). The detector leaves before the session
    // runs: a request already buffered may be answered within Run, and the
    // client's next connection must not find this one counted twice.
    if (tls && context) {
      auto session = std::make_shared<TlsSession>(core_, std::move(context), std::move(socket_),
                                                  std::move(buffer_), remote_);
      const bool added = core_.registry.Add(session);
      core_.registry.Remove(this);
      if (added) session->Run();
    } else if (!tls) {
      const bool reject = !core_.options.allow_plain_http;
      auto session = std::make_shared<PlainSession>(core_, std::move(socket_),
                                                    std::move(buffer_), remote_);
      const bool added = core_.registry.Add(session);
      core_.registry.Remove(this);
      if (added) session->Run(reject);
    } else {
      spdlog::debug("http: TLS client {} on a server without TLS", remote_);
      error_code ignored;
      socket_.close(ignored);
      core_.registry.Remove(this);
    }
  }

  ServerCore& core_;
  tcp::socket socket_;
  const std::string remote_;
  asio::steady_timer timer_;
  beast::flat_buffer buffer_;
  bool done_ = false;  // closed or handed over
};

// Mozilla's "intermediate" server configuration (ssl-config.mozilla.org,
// guideline 5.7): TLS 1.2 and 1.3 only; for TLS 1.2 only ephemeral key
// exchange with AEAD ciphers, so no CBC, RC4, 3DES, static RSA or SHA-1 MAC
// suite can be negotiated; the client's order of preference is honoured
// (every suite offered is strong).
constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
    "DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:DHE-RSA-CHACHA20-POLY1305";
constexpr const char* kTls13Ciphersuites =
    "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256";
constexpr const char* kTlsGroups = "X25519:P-256:P-384";

Result<std::shared_ptr<ssl::context>> LoadTls(const TlsFiles& files) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                   ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                   ssl::context::single_dh_use | SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
  SSL_CTX* native = ctx->native_handle();
  if (SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION) != 1 ||
      SSL_CTX_set_cipher_list(native, kTls12Ciphers) != 1 ||
      SSL_CTX_set_ciphersuites(native, kTls13Ciphersuites) != 1 ||
      SSL_CTX_set1_groups_list(native, kTlsGroups) != 1 || SSL_CTX_set_dh_auto(native, 1) != 1) {
    return Status::Internal("the TLS library refused the cipher configuration");
  }
  error_code ec;
  ctx->use_certificate_chain_file(files.cert_chain_pem_path, ec);
  if (ec) {
    return Status::InvalidArgument("cannot load TLS certificate chain '" +
                                   files.cert_chain_pem_path + "': " + ec.message());
  }
  ctx->use_private_key_file(files.private_key_pem_path, ssl::context::pem, ec);
  if (ec) {
    return Status::InvalidArgument("cannot load TLS private key '" + files.private_key_pem_path +
                                   "': " + ec.message());
  }
  if (SSL_CTX_check_private_key(native) != 1) {
    return Status::InvalidArgument("TLS private key '" + files.private_key_pem_path +
                                   "' does not match certificate '" +
                                   files.cert_chain_pem_path + "'");
  }
  return ctx;
}

}  // namespace

struct HttpServer::Impl {
  explicit Impl(int threads)
      : ioc(threads),
        work(asio::make_work_guard(ioc)),
        acceptor(asio::make_strand(ioc)),
        accept_retry(acceptor.get_executor()) {}

  void DoAccept() {
    acceptor.async_accept(asio::make_strand(ioc),
                          [this](error_code ec, tcp::socket socket) {
                            OnAccept(ec, std::move(socket));
                          });
  }

  void OnAccept(error_code ec, tcp::socket socket) {
    if (!acceptor.is_open() || ec == asio::error::operation_aborted) return;
    if (ec) {
      spdlog::warn("http: accept failed: {}", ec.message());
      accept_retry.expires_after(kAcceptRetryDelay);
      accept_retry.async_wait([this](error_code wait_ec) {
        if (!wait_ec && acceptor.is_open()) DoAccept();
      });
      return;
    }
    try {
      error_code ignored;
      socket.set_option(tcp::no_delay(true), ignored);
      std::string remote = RemoteIp(socket);
      auto session = std::make_shared<DetectSession>(core, std::move(socket), std::move(remote));
      switch (core.registry.AddNew(session, core.options.max_connections)) {
        case Registry::Admission::kAdmitted:
          at_capacity = false;
          session->Run();
          break;
        case Registry::Admission::kDraining:
          break;  // the session's destructor closes the socket
        case Registry::Admission::kFull:
          // Once per episode, not per refused connection: a flood must not
          // also flood the log.
          if (!at_capacity) {
            spdlog::warn("http: {} connections open (max_connections); closing new ones until some end",
                         core.options.max_connections);
          }
          at_capacity = true;
          session->CloseNow();
          break;
      }
    } catch (const std::exception& e) {
      // Losing one connection (e.g. to bad_alloc) must not stop the listener.
      spdlog::error("http: cannot set up an accepted connection: {}", e.what());
    }
    DoAccept();
  }

  void RunThread() {
    for (;;) {
      try {
        ioc.run();
        return;
      } catch (const std::exception& e) {
        // Handlers catch their own errors; this only keeps a bug in one
        // connection from taking the thread down.
        spdlog::error("http: unexpected exception on an I/O thread: {}", e.what());
      }
    }
  }

  // Wakes RunUntilSignal so that it completes the shutdown.
  void RequestStop() {
    std::lock_guard<std::mutex> lock(signal_mu);
    stop_requested = true;
    if (signal_ioc != nullptr) signal_ioc->stop();
  }

  // Idempotent and non-blocking: refuse new connections, drain open ones.
  void BeginDrain() {
    if (drain_started.exchange(true)) return;
    for (auto& connection : core.registry.BeginDrain()) connection->Drain();
    asio::post(acceptor.get_executor(), [this] {
      error_code ignored;
      acceptor.close(ignored);
      accept_retry.cancel();
    });
  }

  void Shutdown() {
    RequestStop();
    if (ioc.get_executor().running_in_this_thread()) {
      BeginDrain();
      return;
    }
    std::lock_guard<std::mutex> lock(shutdown_mu);
    if (stopped) return;
    const auto deadline = Clock::now() + core.options.shutdown_grace;
    BeginDrain();
    if (!core.registry.WaitEmptyUntil(deadline)) {
      spdlog::warn("http: shutdown grace expired; closing remaining connections");
    }
    work.reset();
    ioc.stop();
    for (auto& thread : threads) {
      if (thread.joinable()) thread.join();
    }
    // No I/O thread runs from here on: touching sockets directly is safe.
    core.gate->Close();
    error_code ignored;
    acceptor.close(ignored);
    for (auto& connection : core.registry.TakeAll()) connection->CloseNow();
    stopped = true;
  }

  ServerCore core;  // declared first: outlives the io_context and its sessions
  asio::io_context ioc;
  asio::executor_work_guard<asio::io_context::executor_type> work;
  tcp::acceptor acceptor;
  asio::steady_timer accept_retry;
  std::vector<std::thread> threads;
  uint16_t port = 0;
  bool at_capacity = false;  // the last accepted connection hit max_connections; acceptor strand only

  std::mutex shutdown_mu;
  bool stopped = false;  // guarded by shutdown_mu
  std::atomic<bool> drain_started{false};

  std::mutex signal_mu;
  bool stop_requested = false;             // guarded by signal_mu
  asio::io_context* signal_ioc = nullptr;  // guarded by signal_mu
};

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpServer::~HttpServer() {
  if (impl_) impl_->Shutdown();
}

uint16_t HttpServer::port() const { return impl_->port; }

Result<std::unique_ptr<HttpServer>> HttpServer::Start(HttpServerOptions options,
                                                      RequestHandler& handler) {
  try {
    if (options.threads < 1) return Status::InvalidArgument("threads must be at least 1");
    if (!options.allow_plain_http && !options.tls) {
      return Status::InvalidArgument("allow_plain_http=false requires TLS files");
    }
    if (options.header_limit == 0 || options.body_limit == 0) {
      return Status::InvalidArgument("header_limit and body_limit must be positive");
    }
    if (options.max_connections == 0) return Status::InvalidArgument("max_connections must be positive");
    if (options.first_request_timeout <= std::chrono::milliseconds::zero()) {
      return Status::InvalidArgument("first_request_timeout must be positive");
    }
    auto impl = std::make_unique<Impl>(options.threads);
    if (options.tls) {
      auto context = LoadTls(*options.tls);
      if (!context.ok()) return context.status();
      impl->core.SetTls(std::move(*context));
    }

    error_code ec;
    tcp::resolver resolver(impl->ioc);
    auto endpoints = resolver.resolve(options.host, std::to_string(options.port),
                                      tcp::resolver::passive | tcp::resolver::numeric_service, ec);
    if (ec || endpoints.empty()) {
      return Status::InvalidArgument("cannot resolve listen host '" + options.host +
                                     "': " + (ec ? ec.message() : "no addresses"));
    }
    const tcp::endpoint endpoint = endpoints.begin()->endpoint();
    const std::string where = options.host + ":" + std::to_string(options.port);
    auto& acceptor = impl->acceptor;
    if (acceptor.open(endpoint.protocol(), ec); ec) {
      return Status::Unavailable("cannot open socket for " + where + ": " + ec.message());
    }
    // Lets a restarted iamd bind while old connections sit in TIME_WAIT; on
    // Linux it does not allow two listeners on one port.
    acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    if (acceptor.bind(endpoint, ec); ec) {
      return Status::Unavailable("cannot bind " + where + ": " + ec.message());
    }
    if (acceptor.listen(asio::socket_base::max_listen_connections, ec); ec) {
      return Status::Unavailable("cannot listen on " + where + ": " + ec.message());
    }
    impl->port = acceptor.local_endpoint(ec).port();
    if (ec) return Status::Unavailable("cannot read bound port: " + ec.message());

    impl->core.options = std::move(options);
    impl->core.handler = &handler;
    impl->DoAccept();

    std::unique_ptr<HttpServer> server(new HttpServer(std::move(impl)));
    Impl& started = *server->impl_;
    try {
      for (int i = 0; i < started.core.options.threads; ++i) {
        started.threads.emplace_back([&started] { started.RunThread(); });
      }
    } catch (const std::system_error& e) {
      server->Shutdown();
      return Status::Internal(std::string("cannot start I/O threads: ") + e.what());
    }
    return server;
  } catch (const std::exception& e) {
    return Status::Internal(std::string("cannot start HTTP server: ") + e.what());
  }
}

Status HttpServer::ReloadTls() {
  try {
    const std::optional<TlsFiles>& files = impl_->core.options.tls;
    if (!files) return Status::FailedPrecondition("the server was started without TLS");
    auto context = LoadTls(*files);
    if (!context.ok()) return context.status();
    impl_->core.SetTls(std::move(*context));
    return Status::Ok();
  } catch (const std::exception& e) {
    return Status::Internal(std::string("cannot reload TLS: ") + e.what());
  }
}

void HttpServer::RunUntilSignal() {
  try {
    asio::io_context signal_ioc(1);
    asio::signal_set stop_signals(signal_ioc, SIGINT, SIGTERM);
    stop_signals.async_wait([&signal_ioc](const error_code& ec, int signal_number) {
      if (!ec) spdlog::info("http: received signal {}, shutting down", signal_number);
      signal_ioc.stop();
    });
    // SIGHUP re-reads the certificate and key (a renewed certificate takes
    // effect without a restart); a failed reload keeps the previous ones.
    asio::signal_set reload_signals(signal_ioc, SIGHUP);
    std::function<void()> await_reload = [&] {
      reload_signals.async_wait([&](const error_code& ec, int) {
        if (ec) return;
        if (!impl_->core.options.tls) {
          spdlog::info("http: received SIGHUP; no TLS files to reload");
        } else if (Status status = ReloadTls(); status.ok()) {
          spdlog::info("http: received SIGHUP; TLS certificate and key reloaded");
        } else {
          spdlog::error("http: received SIGHUP; TLS reload failed, keeping the previous certificate: {}",
                        status.message());
        }
        await_reload();
      });
    };
    await_reload();
    bool wait = false;
    {
      std::lock_guard<std::mutex> lock(impl_->signal_mu);
      if (!impl_->stop_requested) {
        impl_->signal_ioc = &signal_ioc;
        wait = true;
      }
    }
    if (wait) signal_ioc.run();
    {
      std::lock_guard<std::mutex> lock(impl_->signal_mu);
      impl_->signal_ioc = nullptr;
    }
    // The signal sets stay registered until the drain is over, so a repeated
    // SIGTERM (common with process supervisors) cannot cut it short.
    Shutdown();
  } catch (const std::exception& e) {
    spdlog::error("http: signal handling failed: {}; shutting down", e.what());
    Shutdown();
  }
}

void HttpServer::Shutdown() {
  try {
    impl_->Shutdown();
  } catch (const std::exception& e) {
    spdlog::error("http: shutdown failed: {}", e.what());
  }
}

}  // namespace iam::api
