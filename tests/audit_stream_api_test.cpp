// GET /audit/v1/events/stream over a real loopback connection read
// incrementally: catch-up then live, resume with Last-Event-ID while four
// writers append (no gap, no duplicate against the log), a consumer that
// reads nothing dropped while writers keep their pace, account scope, bad
// positions, the stream limit; and the transport's live bodies (wake-up,
// heartbeat, client disconnect, shutdown, HTTP/1.0).
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/json.hpp>

#include <atomic>
#include <chrono>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "api/audit/audit_stream.h"
#include "api/http/http_server.h"
#include "events/storage.h"
#include "tests/support/api_server_test.h"
#include "tests/support/test_signer.h"

namespace iam {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr const char* kStream = "/audit/v1/events/stream";

struct SseMessage {
  bool comment = false;  // only comment lines
  std::string id, event, data;
};

// A blocking HTTP/1.1 client of one streamed response that reads it as it
// comes, always with a deadline: status and headers, then SSE messages out
// of the chunked body.
class StreamConnection {
 public:
  // Connects to 127.0.0.1:`port` and sends `request` (a whole request head).
  // `receive_buffer` > 0 shrinks the socket's receive buffer first, so that
  // a client that does not read pushes back soon.
  StreamConnection(uint16_t port, const std::string& request, int receive_buffer = 0) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd_ < 0) return;
    if (receive_buffer > 0) ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof(receive_buffer));
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
      Close();
      return;
    }
    size_t sent = 0;
    while (sent < request.size()) {
      const ssize_t n = ::send(fd_, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) {
        Close();
        return;
      }
      sent += static_cast<size_t>(n);
    }
  }
  ~StreamConnection() { Close(); }

  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

  // Reads the status line and headers (and a non-chunked body); false on
  // timeout, error or a malformed head.
  bool ReadHead(std::chrono::milliseconds timeout = 10s) {
    const auto deadline = Clock::now() + timeout;
    size_t end;
    while ((end = raw_.find("\r\n\r\n")) == std::string::npos) {
      if (!Fill(deadline)) return false;
    }
    std::string head = raw_.substr(0, end);
    raw_.erase(0, end + 4);
    size_t line_end = head.find("\r\n");
    const std::string status_line = head.substr(0, line_end);
    if (status_line.size() < 12) return false;
    status = std::stoi(status_line.substr(9, 3));
    while (line_end != std::string::npos) {
      const size_t start = line_end + 2;
      line_end = head.find("\r\n", start);
      const std::string line = head.substr(start, line_end == std::string::npos ? std::string::npos : line_end - start);
      const size_t colon = line.find(':');
      if (colon == std::string::npos) continue;
      std::string name = line.substr(0, colon);
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      std::string value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.erase(0, 1);
      headers[name] = value;
    }
    chunked_ = headers["transfer-encoding"] == "chunked";
    if (!chunked_ && headers.count("content-length")) {
      const size_t length = std::stoul(headers["content-length"]);
      while (raw_.size() < length) {
        if (!Fill(deadline)) return false;
      }
      body = raw_.substr(0, length);
      raw_.erase(0, length);
    }
    return true;
  }

  // The next message (or comment block) of the body; nullopt when the
  // deadline passes or the body ended (see ended()).
  std::optional<SseMessage> Next(std::chrono::milliseconds timeout = 10s) {
    const auto deadline = Clock::now() + timeout;
    for (;;) {
      Decode();
      const size_t end = text_.find("\n\n");
      if (end != std::string::npos) {
        SseMessage message = Parse(text_.substr(0, end));
        text_.erase(0, end + 2);
        return message;
      }
      if (ended_ || !Fill(deadline)) return std::nullopt;
    }
  }

  // The next message with an id, skipping comments.
  std::optional<SseMessage> NextEvent(std::chrono::milliseconds timeout = 10s) {
    const auto deadline = Clock::now() + timeout;
    while (Clock::now() < deadline) {
      auto message = Next(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()));
      if (!message) return std::nullopt;
      if (!message->comment) return message;
    }
    return std::nullopt;
  }

  // The terminating chunk arrived, or the server closed the connection.
  bool ended() const { return ended_; }
  bool open() const { return fd_ >= 0; }

  int status = 0;
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;                            // of a response with Content-Length

 private:
  // Reads more bytes; false on timeout, error or end of stream.
  bool Fill(Clock::time_point deadline) {
    if (fd_ < 0) return false;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left <= 0ms) return false;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
    char buffer[65536];
    const ssize_t n = ::recv(fd_, buffer, sizeof(buffer), 0);
    if (n <= 0) {
      ended_ = true;
      Close();
      return false;
    }
    raw_.append(buffer, static_cast<size_t>(n));
    return true;
  }

  // Moves the chunk data in raw_ to text_.
  void Decode() {
    if (!chunked_) {
      text_ += raw_;
      raw_.clear();
      return;
    }
    while (!ended_) {
      if (need_crlf_) {
        if (raw_.size() < 2) return;
        raw_.erase(0, 2);
        need_crlf_ = false;
      }
      if (chunk_left_ == 0) {
        const size_t line = raw_.find("\r\n");
        if (line == std::string::npos) return;
        const size_t size = std::stoul(raw_.substr(0, line), nullptr, 16);
        raw_.erase(0, line + 2);
        if (size == 0) {
          ended_ = true;
          return;
        }
        chunk_left_ = size;
      }
      const size_t n = std::min(chunk_left_, raw_.size());
      if (n == 0) return;
      text_.append(raw_, 0, n);
      raw_.erase(0, n);
      chunk_left_ -= n;
      if (chunk_left_ == 0) need_crlf_ = true;
    }
  }

  static SseMessage Parse(const std::string& block) {
    SseMessage message;
    message.comment = true;
    size_t start = 0;
    while (start <= block.size()) {
      size_t end = block.find('\n', start);
      if (end == std::string::npos) end = block.size();
      const std::string line = block.substr(start, end - start);
      start = end + 1;
      if (line.empty() || line[0] == ':') continue;
      message.comment = false;
      const size_t colon = line.find(": ");
      const std::string field = line.substr(0, colon);
      const std::string value = colon == std::string::npos ? "" : line.substr(colon + 2);
      if (field == "id") message.id = value;
      if (field == "event") message.event = value;
      if (field == "data") message.data += value;
    }
    return message;
  }

  int fd_ = -1;
  std::string raw_, text_;
  bool chunked_ = false;
  size_t chunk_left_ = 0;
  bool need_crlf_ = false;
  bool ended_ = false;
};

uint64_t AppendProbe(events::EventStore& log, const std::string& owner, const std::string& id,
                     const std::string& event_type, size_t padding = 0) {
  events::AppendRequest request;
  events::StreamAppend stream;
  stream.aggregate_type = "audit-stream-probe";  // no read model knows it
  stream.aggregate_id = id;
  stream.resource_owner = owner;
  stream.creator = "probe-writer";
  stream.request_id = "probe";
  stream.events.push_back(
      {event_type, 1, json::serialize(json::object{{"note", "probe " + id}, {"padding", std::string(padding, 'x')}})});
  request.streams.push_back(std::move(stream));
  auto appended = log.Append(std::move(request));
  EXPECT_TRUE(appended.ok()) << appended.status().ToString();
  return appended.ok() ? appended->last_position : 0;
}

class AuditStreamApiTest : public testing::ApiServerTest {
 protected:
  void SetUp() override {
    ApiServerTest::SetUp();
    auto page = client_->Send("GET", "/audit/v1/events?limit=1");
    ASSERT_EQ(page.status, 200) << page.body;
    account_ = std::string(Body(page).at("details").at("resourceOwner").as_string());
    port_ = static_cast<uint16_t>(std::stoi(server_->address().substr(server_->address().rfind(':') + 1)));
  }

  // A signed GET of `target` as `credential` signs it.
  std::string SignedRequest(const std::string& target, const std::vector<std::string>& extra_headers = {},
                            const testing::ClientCredentialText* credential = nullptr) const {
    const testing::ClientCredentialText& c = credential ? *credential : credential_;
    const std::string host = server_->address();
    std::string request = "GET " + target + " HTTP/1.1\r\nHost: " + host + "\r\nAuthorization: " +
                          testing::SignedAuthorization(c.client_token, c.access_token, c.client_secret, "GET", "http",
                                                       host, target, "", testing::NowTimestamp(),
                                                       testing::RandomNonce()) +
                          "\r\nAccept: text/event-stream\r\n";
    for (const std::string& header : extra_headers) request += header + "\r\n";
    return request + "\r\n";
  }

  std::unique_ptr<StreamConnection> Open(const std::string& query, const std::vector<std::string>& headers = {},
                                         int receive_buffer = 0) {
    auto connection = std::make_unique<StreamConnection>(
        port_, SignedRequest(std::string(kStream) + (query.empty() ? "" : "?" + query), headers), receive_buffer);
    EXPECT_TRUE(connection->ReadHead());
    return connection;
  }

  // Positions of `owner`'s events after `after`, up to `through`, by a scan of the log.
  std::vector<uint64_t> LogPositions(const std::string& owner, uint64_t after, uint64_t through) {
    std::vector<uint64_t> positions;
    for (uint64_t from = after + 1; from <= through;) {
      auto page = storage_->events().ReadAll(from, 1000);
      EXPECT_TRUE(page.ok());
      if (!page.ok() || page->empty()) break;
      for (const events::Event& e : *page) {
        if (e.position > through) break;
        if (e.resource_owner == owner) positions.push_back(e.position);
      }
      from = page->back().position + 1;
    }
    return positions;
  }

  std::string account_;
  uint16_t port_ = 0;
};

TEST_F(AuditStreamApiTest, CatchesUpThenGoesLiveWithTheItemsOfTheEventsRoute) {
  const uint64_t start = storage_->events().Head();
  for (int i = 0; i < 30; ++i) {
    AppendProbe(storage_->events(), i % 3 ? account_ : "9-OTHER", "c" + std::to_string(i),
                i % 2 ? "ProbeMade" : "ProbeChanged");
  }
  auto stream = Open("after=" + std::to_string(start));
  ASSERT_EQ(stream->status, 200) << stream->body;
  EXPECT_EQ(stream->headers["content-type"], "text/event-stream");
  EXPECT_EQ(stream->headers["cache-control"], "no-store");
  EXPECT_EQ(stream->headers["transfer-encoding"], "chunked");

  auto page = client_->Send("GET", "/audit/v1/events?limit=1000&afterPosition=" + std::to_string(start));
  ASSERT_EQ(page.status, 200);
  const json::value page_body = Body(page);
  const json::array& items = page_body.at("items").as_array();
  const std::vector<uint64_t> caught_up = LogPositions(account_, start, storage_->events().Head());
  ASSERT_EQ(items.size(), caught_up.size());
  for (size_t i = 0; i < caught_up.size(); ++i) {
    auto message = stream->NextEvent();
    ASSERT_TRUE(message) << "catch-up message " << i;
    EXPECT_EQ(message->id, std::to_string(caught_up[i]));
    EXPECT_EQ(message->event, std::string(items[i].at("eventType").as_string()));
    EXPECT_EQ(json::parse(message->data), items[i]);  // the same object, redacted the same way
  }
  // Live: what is appended now arrives without a new request.
  const uint64_t live_from = storage_->events().Head();
  for (int i = 0; i < 20; ++i) AppendProbe(storage_->events(), account_, "l" + std::to_string(i), "ProbeMade");
  AppendProbe(storage_->events(), "9-OTHER", "other", "ProbeMade");
  for (uint64_t expected : LogPositions(account_, live_from, storage_->events().Head())) {
    auto message = stream->NextEvent();
    ASSERT_TRUE(message);
    EXPECT_EQ(message->id, std::to_string(expected));
    EXPECT_EQ(message->event, "ProbeMade");
    EXPECT_EQ(json::parse(message->data).at("resourceOwner").as_string(), account_);
  }
  // Nothing else: the other account's event never comes.
  EXPECT_FALSE(stream->NextEvent(300ms));

  // Without `after` the stream starts at the head: only what follows.
  auto from_head = Open("");
  ASSERT_EQ(from_head->status, 200);
  const uint64_t next = AppendProbe(storage_->events(), account_, "h", "ProbeDropped");
  auto message = from_head->NextEvent();
  ASSERT_TRUE(message);
  EXPECT_EQ(message->id, std::to_string(next));
}

TEST_F(AuditStreamApiTest, ResumesWithLastEventIdWithoutGapOrDuplicateWhileFourWritersAppend) {
  const uint64_t start = storage_->events().Head();
  constexpr int kWriters = 4, kPerWriter = 50;
  std::atomic<int> written{0};
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      for (int i = 0; i < kPerWriter; ++i) {
        AppendProbe(storage_->events(), account_, "w" + std::to_string(w), i % 2 ? "ProbeMade" : "ProbeChanged");
        ++written;
        if (i % 10 == 0) std::this_thread::sleep_for(5ms);
      }
    });
  }
  std::vector<uint64_t> received;
  std::string last_id = std::to_string(start);
  int connections = 0;
  const auto deadline = Clock::now() + 60s;
  uint64_t last_probe = 0;
  while (Clock::now() < deadline) {
    // The URL keeps the original start: Last-Event-ID wins over it.
    auto stream = connections == 0 ? Open("after=" + std::to_string(start))
                                   : Open("after=" + std::to_string(start), {"Last-Event-ID: " + last_id});
    ++connections;
    ASSERT_EQ(stream->status, 200) << stream->body;
    // Each connection reads a few dozen events, then drops mid-stream.
    for (int i = 0; i < 37; ++i) {
      auto message = stream->NextEvent(2s);
      if (!message) break;
      received.push_back(std::stoull(message->id));
      last_id = message->id;
    }
    if (written.load() == kWriters * kPerWriter) {
      if (last_probe == 0) {
        for (auto& writer : writers) writer.join();
        writers.clear();
        last_probe = storage_->events().Head();
      }
      if (!received.empty() && received.back() >= last_probe) break;
    }
  }
  for (auto& writer : writers) writer.join();
  ASSERT_GT(last_probe, 0u) << "writers did not finish in time";
  ASSERT_FALSE(received.empty());
  EXPECT_GE(connections, 5);
  const std::vector<uint64_t> expected = LogPositions(account_, start, received.back());
  EXPECT_GE(expected.size(), static_cast<size_t>(kWriters * kPerWriter));
  EXPECT_EQ(received, expected);  // in order, each once
}

TEST_F(AuditStreamApiTest, AConsumerThatReadsNothingIsDroppedWhileWritersKeepTheirPace) {
  // The client's receive buffer is small and it reads nothing: the server's
  // writes stall, its queue fills and the fan-out drops it.
  auto slow = Open("", {}, /*receive_buffer=*/4096);
  ASSERT_EQ(slow->status, 200);
  const uint64_t start = storage_->events().Head();
  constexpr int kWriters = 4, kPerWriter = 200;
  constexpr size_t kPadding = 32 * 1024;  // 800 events, 25 MiB: beyond every buffer and the queue's bound
  const auto began = Clock::now();
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      for (int i = 0; i < kPerWriter; ++i) AppendProbe(storage_->events(), account_, "s" + std::to_string(w), "ProbeMade", kPadding);
    });
  }
  for (auto& writer : writers) writer.join();
  const auto took = Clock::now() - began;
  EXPECT_LT(took, 60s) << "writers were held up";
  const uint64_t end = storage_->events().Head();

  // Now it reads: what it was sent, in order without gaps, then the end.
  const std::vector<uint64_t> all = LogPositions(account_, start, end);
  std::vector<uint64_t> received;
  const auto deadline = Clock::now() + 30s;
  while (!slow->ended() && Clock::now() < deadline) {
    auto message = slow->NextEvent(5s);
    if (!message) break;
    received.push_back(std::stoull(message->id));
  }
  EXPECT_TRUE(slow->ended()) << "the stream of a dropped consumer must end";
  ASSERT_LT(received.size(), all.size()) << "the consumer was not dropped";
  EXPECT_EQ(received, std::vector<uint64_t>(all.begin(), all.begin() + received.size()));

  // It resumes from its last id and gets the rest.
  const std::string last = received.empty() ? std::to_string(start) : std::to_string(received.back());
  auto resumed = Open("", {"Last-Event-ID: " + last});
  ASSERT_EQ(resumed->status, 200);
  while (received.size() < all.size()) {
    auto message = resumed->NextEvent(10s);
    ASSERT_TRUE(message) << "after " << received.size() << " of " << all.size();
    received.push_back(std::stoull(message->id));
  }
  EXPECT_EQ(received, all);
}

TEST_F(AuditStreamApiTest, AnotherAccountsEventsNeverAppearAndUnreachableOwnersAre403) {
  json::value answer;
  auto other = CreateAccount(json::object{{"accountName", "Other Stream Corp"}}, &answer);
  ASSERT_NE(other, nullptr);
  auto page = other->Send("GET", "/audit/v1/events?limit=1");
  ASSERT_EQ(page.status, 200);
  const std::string other_account(Body(page).at("details").at("resourceOwner").as_string());
  ASSERT_NE(other_account, account_);

  auto mine = Open("");
  const testing::ClientCredentialText other_credential = other->credential();
  auto theirs = std::make_unique<StreamConnection>(port_, SignedRequest(kStream, {}, &other_credential));
  ASSERT_TRUE(theirs->ReadHead());
  ASSERT_EQ(mine->status, 200);
  ASSERT_EQ(theirs->status, 200) << theirs->body;
  for (int i = 0; i < 20; ++i) {
    AppendProbe(storage_->events(), i % 2 ? account_ : other_account, "x" + std::to_string(i), "ProbeMade");
  }
  const uint64_t my_last = AppendProbe(storage_->events(), account_, "end", "ProbeDropped");
  const uint64_t their_last = AppendProbe(storage_->events(), other_account, "end", "ProbeDropped");
  for (auto [stream, owner, last] : {std::tuple{mine.get(), account_, my_last},
                                     std::tuple{theirs.get(), other_account, their_last}}) {
    size_t seen = 0;
    for (;;) {
      auto message = stream->NextEvent();
      ASSERT_TRUE(message) << owner;
      EXPECT_EQ(json::parse(message->data).at("resourceOwner").as_string(), owner);
      ++seen;
      if (message->id == std::to_string(last)) break;
    }
    EXPECT_EQ(seen, 11u);
  }
  ExpectProblem(other->Send("GET", std::string(kStream) + "?resourceOwner=" + account_), 403, "forbidden");
  ExpectProblem(client_->Send("GET", std::string(kStream) + "?resourceOwner=" + other_account), 403, "forbidden");
  ExpectProblem(client_->Send("GET", std::string(kStream) + "?resourceOwner=9-OTHER"), 403, "forbidden");
}

TEST_F(AuditStreamApiTest, BadPositionsAndUnknownParametersAre400) {
  const std::string beyond = std::to_string(storage_->events().Head() + 1000);
  for (const std::string& query : {std::string("after=abc"), std::string("after=-1"), std::string("after=1e3"),
                                   std::string("after="), std::string("after=99999999999999999999"), "after=" + beyond,
                                   std::string("limit=5"), std::string("cursor=3"), std::string("order=desc"),
                                   std::string("eventType=")}) {
    SCOPED_TRACE(query);
    ExpectProblem(client_->Send("GET", std::string(kStream) + "?" + query), 400, "invalid-parameter");
  }
  // The header is judged even when the URL's `after` is fine: it wins.
  for (const std::string& bad : {std::string("x1"), std::string("-3"), beyond}) {
    SCOPED_TRACE(bad);
    auto response = client_->Send("GET", std::string(kStream) + "?after=0", "", {{"Last-Event-ID", bad}});
    ExpectProblem(response, 400, "invalid-parameter");
    EXPECT_NE(Body(response).at("detail").as_string().find("Last-Event-ID"), std::string::npos);
  }
}

// Every parameter is judged before the reach, as on /events: a bad position
// is 400 even for an account the client may not read.
TEST_F(AuditStreamApiTest, ParametersAreJudgedBeforeTheReach) {
  auto response = client_->Send("GET", std::string(kStream) + "?after=abc&resourceOwner=9-OTHER");
  ExpectProblem(response, 400, "invalid-parameter");
  EXPECT_NE(Body(response).at("detail").as_string().find("'after'"), std::string::npos) << response.body;
  ExpectProblem(client_->Send("GET", std::string(kStream) + "?after=0&resourceOwner=9-OTHER"), 403, "forbidden");
}

TEST_F(AuditStreamApiTest, StreamsBeyondTheLimitAre503WithRetryAfter) {
  std::vector<std::unique_ptr<StreamConnection>> open;
  for (int i = 0; i < 256; ++i) {
    open.push_back(Open(""));
    ASSERT_EQ(open.back()->status, 200) << "stream " << i << ": " << open.back()->body;
  }
  auto refused = client_->Send("GET", kStream);
  ExpectProblem(refused, 503, "too-many-streams");
  EXPECT_EQ(refused.Header("Retry-After"), std::to_string(api::kAuditStreamRetryAfterSeconds));
  // A client that leaves frees its place.
  open.front()->Close();
  int status = 0;
  for (const auto deadline = Clock::now() + 10s; Clock::now() < deadline && status != 200;) {
    auto again = Open("");
    status = again->status;
    if (status != 200) std::this_thread::sleep_for(50ms);
  }
  EXPECT_EQ(status, 200);
}

// --- The transport's live bodies, without the audit route ---

// A live body whose pieces the test pushes from its own thread.
class PushedStream final : public api::BodyStream {
 public:
  explicit PushedStream(std::atomic<int>& destroyed) : destroyed_(destroyed) {}
  ~PushedStream() override { ++destroyed_; }

  bool Live() const override { return true; }
  void Watch(std::function<void()> wake) override {
    std::lock_guard lock(mu_);
    wake_ = std::move(wake);
  }
  bool Ready() override {
    std::lock_guard lock(mu_);
    return !pieces_.empty();
  }
  std::chrono::milliseconds MaxWait() const override { return 200ms; }
  Result<std::string> Next() override {
    std::lock_guard lock(mu_);
    if (pieces_.empty()) return std::string(": heartbeat\n\n");
    std::string piece = std::move(pieces_.front());
    pieces_.pop_front();
    return piece;
  }

  void Push(std::string piece) {
    std::function<void()> wake;
    {
      std::lock_guard lock(mu_);
      pieces_.push_back(std::move(piece));
      wake = wake_;
    }
    if (wake) wake();
  }

 private:
  std::atomic<int>& destroyed_;
  std::mutex mu_;
  std::deque<std::string> pieces_;
  std::function<void()> wake_;
};

class PushedStreamHandler final : public api::RequestHandler {
 public:
  void Handle(api::HttpRequest, api::Responder respond) override {
    auto stream = std::make_shared<PushedStream>(destroyed);
    {
      std::lock_guard lock(mu);
      streams.push_back(stream);
    }
    api::HttpResponse response;
    response.SetHeader("Content-Type", "text/event-stream");
    response.body_stream = std::move(stream);
    respond(std::move(response));
  }

  std::shared_ptr<PushedStream> Last() {
    std::lock_guard lock(mu);
    auto stream = streams.empty() ? nullptr : streams.back().lock();
    return stream;
  }

  std::atomic<int> destroyed{0};
  std::mutex mu;
  std::vector<std::weak_ptr<PushedStream>> streams;
};

std::unique_ptr<api::HttpServer> StartPlainServer(api::RequestHandler& handler) {
  api::HttpServerOptions options;
  options.host = "127.0.0.1";
  options.port = 0;
  options.threads = 1;  // a parked stream must not hold the only I/O thread
  options.shutdown_grace = 10s;
  auto server = api::HttpServer::Start(options, handler);
  EXPECT_TRUE(server.ok()) << server.status().ToString();
  return server.ok() ? std::move(*server) : nullptr;
}

constexpr const char* kPlainGet = "GET /live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

TEST(LiveBodyTransport, WaitsWithoutAThreadWakesOnDataAndSendsHeartbeats) {
  PushedStreamHandler handler;
  auto server = StartPlainServer(handler);
  ASSERT_NE(server, nullptr);
  StreamConnection first(server->port(), kPlainGet);
  ASSERT_TRUE(first.ReadHead());
  EXPECT_EQ(first.status, 200);
  // Quiet: MaxWait gives a heartbeat.
  auto beat = first.Next(2s);
  ASSERT_TRUE(beat);
  EXPECT_TRUE(beat->comment);
  // With the only I/O thread free, a second connection is served meanwhile.
  StreamConnection second(server->port(), kPlainGet);
  ASSERT_TRUE(second.ReadHead());
  auto stream = handler.Last();
  ASSERT_NE(stream, nullptr);
  std::thread pusher([&] { stream->Push("id: 7\ndata: pushed\n\n"); });
  pusher.join();
  auto message = second.NextEvent(2s);
  ASSERT_TRUE(message);
  EXPECT_EQ(message->id, "7");
  EXPECT_EQ(message->data, "pushed");
}

TEST(LiveBodyTransport, AClientThatLeavesReleasesItsStreamAndShutdownEndsTheRestAtOnce) {
  PushedStreamHandler handler;
  auto server = StartPlainServer(handler);
  ASSERT_NE(server, nullptr);
  auto leaving = std::make_unique<StreamConnection>(server->port(), kPlainGet);
  ASSERT_TRUE(leaving->ReadHead());
  StreamConnection staying(server->port(), kPlainGet);
  ASSERT_TRUE(staying.ReadHead());
  leaving.reset();
  const auto released_by = Clock::now() + 5s;
  while (handler.destroyed.load() < 1 && Clock::now() < released_by) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(handler.destroyed.load(), 1) << "the stream of a client that left was kept";

  // Shutdown does not wait out its 10 s grace for a stream that never ends.
  const auto began = Clock::now();
  server->Shutdown();
  EXPECT_LT(Clock::now() - began, 5s);
  while (staying.Next(2s)) {
  }
  EXPECT_TRUE(staying.ended());
  EXPECT_EQ(handler.destroyed.load(), 2);
}

TEST(LiveBodyTransport, AnHttp10ClientGets505) {
  PushedStreamHandler handler;
  auto server = StartPlainServer(handler);
  ASSERT_NE(server, nullptr);
  StreamConnection old(server->port(), "GET /live HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n");
  ASSERT_TRUE(old.ReadHead());
  EXPECT_EQ(old.status, 505);
  EXPECT_EQ(old.headers["content-type"], "application/problem+json");
}

}  // namespace
}  // namespace iam
