// Tests for HttpServer, HttpClient and EnsureSelfSignedTls over loopback.
//
// Raw POSIX sockets are used where the behaviour under test is below what
// HttpClient exposes (pipelining, slow senders, connection closes). Every
// wait is bounded.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "api/auth/edgegrid.h"
#include "api/http/http_client.h"
#include "api/http/http_server.h"
#include "api/http/tls_material.h"

namespace iam::api {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// ---------------------------------------------------------------- handler

// Echoes each request as JSON. `?delay=N` answers from another thread after
// N ms; path /never parks the responder without answering.
class TestHandler : public RequestHandler {
 public:
  ~TestHandler() override { JoinWorkers(); }

  void Handle(HttpRequest request, Responder respond) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      received_.push_back(request.path);
    }
    cv_.notify_all();
    if (request.path == "/never") {
      std::lock_guard<std::mutex> lock(mu_);
      parked_.push_back(std::move(respond));
      return;
    }
    const int delay_ms = DelayOf(request.query);
    std::string path = request.path;
    HttpResponse response = Echo(request);
    if (delay_ms <= 0) {
      RecordAnswer(path);
      respond(std::move(response));
      return;
    }
    std::lock_guard<std::mutex> lock(mu_);
    workers_.emplace_back([this, delay_ms, path, response = std::move(response),
                           respond = std::move(respond)]() mutable {
      std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
      RecordAnswer(path);
      respond(std::move(response));
    });
  }

  bool WaitReceived(size_t count, std::chrono::milliseconds timeout) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return received_.size() >= count; });
  }

  std::vector<std::string> answered() {
    std::lock_guard<std::mutex> lock(mu_);
    return answered_;
  }

  std::vector<Responder> TakeParked() {
    std::lock_guard<std::mutex> lock(mu_);
    return std::move(parked_);
  }

  void JoinWorkers() {
    std::vector<std::thread> workers;
    {
      std::lock_guard<std::mutex> lock(mu_);
      workers.swap(workers_);
    }
    for (auto& worker : workers) worker.join();
  }

 private:
  static int DelayOf(const std::string& query) {
    const std::string key = "delay=";
    const size_t at = query.find(key);
    if (at == std::string::npos) return 0;
    return std::atoi(query.c_str() + at + key.size());
  }

  static HttpResponse Echo(const HttpRequest& request) {
    boost::json::object body;
    body["method"] = request.method;
    body["target"] = request.target;
    body["path"] = request.path;
    body["query"] = request.query;
    body["scheme"] = request.scheme;
    body["remote"] = request.remote_address;
    body["body"] = request.body;
    body["keep_alive"] = request.keep_alive;
    boost::json::array headers;
    for (const auto& [name, value] : request.headers) headers.push_back({name, value});
    body["headers"] = std::move(headers);
    HttpResponse response;
    response.status = 200;
    response.SetHeader("Content-Type", "application/json");
    response.SetHeader("X-Echo-Path", request.path);
    response.body = boost::json::serialize(body);
    return response;
  }

  void RecordAnswer(const std::string& path) {
    std::lock_guard<std::mutex> lock(mu_);
    answered_.push_back(path);
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::string> received_;
  std::vector<std::string> answered_;
  std::vector<Responder> parked_;
  std::vector<std::thread> workers_;
};

// ---------------------------------------------------------------- helpers

HttpServerOptions TestOptions() {
  HttpServerOptions options;
  options.host = "127.0.0.1";
  options.port = 0;
  options.threads = 2;
  options.read_timeout = 2000ms;
  options.idle_timeout = 5000ms;
  options.shutdown_grace = 5000ms;
  return options;
}

std::unique_ptr<HttpServer> StartOrDie(HttpServerOptions options, RequestHandler& handler) {
  auto server = HttpServer::Start(std::move(options), handler);
  EXPECT_TRUE(server.ok()) << server.status().ToString();
  if (!server.ok()) return nullptr;
  return std::move(server).value();
}

ClientOptions PlainClient(uint16_t port) {
  ClientOptions options;
  options.host = "127.0.0.1";
  options.port = port;
  options.timeout = 5000ms;
  return options;
}

HttpRequest Get(std::string target) {
  HttpRequest request;
  request.method = "GET";
  request.target = std::move(target);
  return request;
}

boost::json::object ParseObject(const std::string& text) {
  boost::system::error_code ec;
  boost::json::value value = boost::json::parse(text, ec);
  if (ec || !value.is_object()) {
    ADD_FAILURE() << "not a JSON object: " << text;
    return {};
  }
  return value.as_object();
}

std::string JsonString(const boost::json::object& object, const char* key) {
  const auto* value = object.if_contains(key);
  if (value == nullptr || !value->is_string()) return "<missing>";
  return std::string(value->as_string());
}

void ExpectProblem(const HttpResponse& response, int status) {
  EXPECT_EQ(response.status, status);
  EXPECT_EQ(response.Header("Content-Type"), "application/problem+json");
  EXPECT_TRUE(EqualsIgnoreCase(response.Header("Connection"), "close"));
  auto problem = ParseObject(response.body);
  EXPECT_TRUE(JsonString(problem, "type").starts_with("/iamd/error-types/")) << JsonString(problem, "type");
  EXPECT_NE(JsonString(problem, "title"), "<missing>");
  EXPECT_NE(JsonString(problem, "detail"), "<missing>");
  EXPECT_NE(JsonString(problem, "instance"), "<missing>");
  ASSERT_TRUE(problem.contains("status"));
  EXPECT_EQ(problem.at("status").to_number<int>(), status);
}

// An owned file descriptor.
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() { Reset(); }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  void Reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
};

// A blocking TCP connection to 127.0.0.1:port; -1 when refused.
int ConnectRaw(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd);
    return -1;
  }
  timeval tv{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
  return fd;
}

bool SendAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

// Reads what arrives until `done(buffer)` or the peer closes or `timeout`.
// Returns false on timeout.
template <class Done>
bool ReadUntil(int fd, std::string& buffer, std::chrono::milliseconds timeout, Done done,
               bool* closed = nullptr) {
  const auto deadline = Clock::now() + timeout;
  if (closed) *closed = false;
  while (!done(buffer)) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left <= 0ms) return false;
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
    char chunk[4096];
    ssize_t n = ::recv(fd, chunk, sizeof(chunk), 0);
    if (n <= 0) {
      if (closed) *closed = true;
      return done(buffer);
    }
    buffer.append(chunk, static_cast<size_t>(n));
  }
  return true;
}

struct RawResponse {
  int status = 0;
  std::string head;  // status line and headers
  std::string body;
};

// Parses complete Content-Length-framed responses off the front of `buffer`.
std::vector<RawResponse> ParseResponses(std::string& buffer) {
  std::vector<RawResponse> out;
  for (;;) {
    const size_t end = buffer.find("\r\n\r\n");
    if (end == std::string::npos) return out;
    RawResponse response;
    response.head = buffer.substr(0, end + 2);
    size_t length = 0;
    std::istringstream lines(response.head);
    std::string line;
    std::getline(lines, line);
    response.status = std::atoi(line.c_str() + line.find(' ') + 1);
    while (std::getline(lines, line)) {
      if (line.size() > 15 && EqualsIgnoreCase(line.substr(0, 15), "content-length:")) {
        length = static_cast<size_t>(std::atoll(line.c_str() + 15));
      }
    }
    if (buffer.size() < end + 4 + length) return out;
    response.body = buffer.substr(end + 4, length);
    buffer.erase(0, end + 4 + length);
    out.push_back(std::move(response));
  }
}

std::vector<RawResponse> ReadResponses(int fd, size_t count, std::chrono::milliseconds timeout) {
  std::string buffer;
  std::vector<RawResponse> responses;
  ReadUntil(fd, buffer, timeout, [&](std::string& b) {
    for (auto& r : ParseResponses(b)) responses.push_back(std::move(r));
    return responses.size() >= count;
  });
  return responses;
}

// True when the peer closes the connection (EOF or reset) within `timeout`.
bool WaitClosed(int fd, std::chrono::milliseconds timeout) {
  std::string ignored;
  bool closed = false;
  ReadUntil(fd, ignored, timeout, [](std::string& b) { b.clear(); return false; }, &closed);
  return closed;
}

std::string MakeTempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "iamd-http-test-XXXXXX").string();
  char* made = ::mkdtemp(pattern.data());
  EXPECT_NE(made, nullptr);
  return pattern;
}

class TempDir {
 public:
  TempDir() : path_(MakeTempDir()) {}
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

mode_t ModeOf(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return 0;
  return st.st_mode & 0777;
}

X509* LoadCert(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "r");
  if (f == nullptr) return nullptr;
  X509* cert = PEM_read_X509(f, nullptr, nullptr, nullptr);
  std::fclose(f);
  return cert;
}

// ---------------------------------------------------------------- tests

// A server with the default test options and the echo handler, started per test.
class HttpServerTest : public ::testing::Test {
 protected:
  void SetUp() override { server = StartOrDie(TestOptions(), handler); }

  TestHandler handler;
  std::unique_ptr<HttpServer> server;
};

TEST_F(HttpServerTest, PlainRequestIsConvertedAndEchoed) {
  ASSERT_TRUE(server);
  ASSERT_NE(server->port(), 0);

  HttpClient client(PlainClient(server->port()));
  HttpRequest request;
  request.method = "POST";
  request.target = "/echo/path?x=1";
  request.headers = {{"X-Test", "yes"}, {"Content-Type", "text/plain"}};
  request.body = "hello";
  auto response = client.Send(request);
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->Header("Content-Type"), "application/json");
  EXPECT_EQ(response->Header("Content-Length"), std::to_string(response->body.size()));
  EXPECT_EQ(response->Header("X-Echo-Path"), "/echo/path");

  auto echo = ParseObject(response->body);
  EXPECT_EQ(JsonString(echo, "method"), "POST");
  EXPECT_EQ(JsonString(echo, "target"), "/echo/path?x=1");
  EXPECT_EQ(JsonString(echo, "path"), "/echo/path");
  EXPECT_EQ(JsonString(echo, "query"), "x=1");
  EXPECT_EQ(JsonString(echo, "body"), "hello");
  EXPECT_EQ(JsonString(echo, "scheme"), "http");
  EXPECT_EQ(JsonString(echo, "remote"), "127.0.0.1");
  EXPECT_TRUE(echo.at("keep_alive").as_bool());
  // Headers arrive in order with their names as sent; Host was added.
  const auto& headers = echo.at("headers").as_array();
  std::vector<std::string> names;
  for (const auto& header : headers) names.emplace_back(header.as_array()[0].as_string());
  auto position = [&](const std::string& name) {
    return std::find(names.begin(), names.end(), name) - names.begin();
  };
  ASSERT_LT(position("X-Test"), static_cast<long>(names.size()));
  EXPECT_LT(position("X-Test"), position("Content-Type"));
  EXPECT_LT(position("Host"), static_cast<long>(names.size()));
}

TEST_F(HttpServerTest, KeepAliveServesTwoRequestsOnOneConnection) {
  ASSERT_TRUE(server);

  Fd fd(ConnectRaw(server->port()));
  ASSERT_GE(fd.get(), 0);
  ASSERT_TRUE(SendAll(fd.get(), "GET /one HTTP/1.1\r\nHost: t\r\n\r\n"));
  auto first = ReadResponses(fd.get(), 1, 5000ms);
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].status, 200);
  EXPECT_EQ(first[0].head.find("Connection: close"), std::string::npos);
  ASSERT_TRUE(SendAll(fd.get(), "GET /two HTTP/1.1\r\nHost: t\r\n\r\n"));
  auto second = ReadResponses(fd.get(), 1, 5000ms);
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(JsonString(ParseObject(second[0].body), "path"), "/two");

  // The client reuses its connection as well.
  HttpClient client(PlainClient(server->port()));
  for (int i = 0; i < 3; ++i) {
    auto response = client.Send(Get("/again"));
    ASSERT_TRUE(response.ok()) << response.status().ToString();
    EXPECT_EQ(response->status, 200);
  }
}

TEST_F(HttpServerTest, PipelinedResponsesKeepRequestOrder) {
  ASSERT_TRUE(server);

  Fd fd(ConnectRaw(server->port()));
  ASSERT_GE(fd.get(), 0);
  ASSERT_TRUE(SendAll(fd.get(),
                      "GET /first?delay=300 HTTP/1.1\r\nHost: t\r\n\r\n"
                      "GET /second HTTP/1.1\r\nHost: t\r\n\r\n"));
  auto responses = ReadResponses(fd.get(), 2, 5000ms);
  ASSERT_EQ(responses.size(), 2u);
  EXPECT_EQ(JsonString(ParseObject(responses[0].body), "path"), "/first");
  EXPECT_EQ(JsonString(ParseObject(responses[1].body), "path"), "/second");
  // The second request was answered first, yet its response came second.
  EXPECT_EQ(handler.answered(), (std::vector<std::string>{"/second", "/first"}));

  // More requests than the server keeps in flight: later ones answer sooner.
  std::string batch;
  constexpr int kCount = 20;
  for (int i = 0; i < kCount; ++i) {
    batch += "GET /p" + std::to_string(i) + "?delay=" + std::to_string((kCount - i) * 5) +
             " HTTP/1.1\r\nHost: t\r\n\r\n";
  }
  ASSERT_TRUE(SendAll(fd.get(), batch));
  auto many = ReadResponses(fd.get(), kCount, 10000ms);
  ASSERT_EQ(many.size(), static_cast<size_t>(kCount));
  for (int i = 0; i < kCount; ++i) {
    EXPECT_EQ(JsonString(ParseObject(many[i].body), "path"), "/p" + std::to_string(i));
  }
}

TEST_F(HttpServerTest, HeadResponseHasLengthButNoBody) {
  ASSERT_TRUE(server);

  HttpClient client(PlainClient(server->port()));
  HttpRequest head;
  head.method = "HEAD";
  head.target = "/h";
  auto response = client.Send(head);
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->status, 200);
  EXPECT_TRUE(response->body.empty());
  EXPECT_NE(std::atoi(std::string(response->Header("Content-Length")).c_str()), 0);
  // The connection stays usable: no stray body bytes were sent.
  auto after = client.Send(Get("/after-head"));
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  EXPECT_EQ(JsonString(ParseObject(after->body), "path"), "/after-head");
}

TEST_F(HttpServerTest, RawTargetIsPreserved) {
  ASSERT_TRUE(server);

  HttpClient client(PlainClient(server->port()));
  auto response = client.Send(Get("/a/b%2Fc?x=1%2F2&y"));
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  auto echo = ParseObject(response->body);
  EXPECT_EQ(JsonString(echo, "target"), "/a/b%2Fc?x=1%2F2&y");
  EXPECT_EQ(JsonString(echo, "path"), "/a/b%2Fc");
  EXPECT_EQ(JsonString(echo, "query"), "x=1%2F2&y");
}

TEST_F(HttpServerTest, OversizedHeaderGets431) {
  ASSERT_TRUE(server);

  HttpClient client(PlainClient(server->port()));
  HttpRequest request = Get("/big-header");
  request.headers.emplace_back("X-Big", std::string(20000, 'a'));
  auto response = client.Send(request);
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  ExpectProblem(*response, 431);
  EXPECT_TRUE(handler.answered().empty());
}

TEST(ConfiguredHttpServerTest, OversizedBodyGets413) {
  TestHandler handler;
  HttpServerOptions options = TestOptions();
  options.body_limit = 1024;
  auto server = StartOrDie(options, handler);
  ASSERT_TRUE(server);

  HttpClient client(PlainClient(server->port()));
  HttpRequest request;
  request.method = "POST";
  request.target = "/upload";
  request.body = std::string(100000, 'b');
  auto response = client.Send(request);
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  ExpectProblem(*response, 413);
  EXPECT_EQ(JsonString(ParseObject(response->body), "instance"), "/upload");

  // A body within the limit still works (on a new connection).
  request.body = std::string(1000, 'b');
  auto small = client.Send(request);
  ASSERT_TRUE(small.ok()) << small.status().ToString();
  EXPECT_EQ(small->status, 200);
}

TEST_F(HttpServerTest, MalformedRequestGets400AndClose) {
  ASSERT_TRUE(server);

  Fd fd(ConnectRaw(server->port()));
  ASSERT_GE(fd.get(), 0);
  ASSERT_TRUE(SendAll(fd.get(), "GET /bad HTTP/1.1\r\nNo colon here\r\n\r\n"));
  auto responses = ReadResponses(fd.get(), 1, 5000ms);
  ASSERT_EQ(responses.size(), 1u);
  EXPECT_EQ(responses[0].status, 400);
  EXPECT_NE(responses[0].head.find("application/problem+json"), std::string::npos);
  EXPECT_NE(responses[0].head.find("Connection: close"), std::string::npos);
  EXPECT_EQ(ParseObject(responses[0].body).at("status").to_number<int>(), 400);
  EXPECT_TRUE(WaitClosed(fd.get(), 5000ms));
}

TEST(ConfiguredHttpServerTest, SlowSenderIsCutOffAfterReadTimeout) {
  TestHandler handler;
  HttpServerOptions options = TestOptions();
  options.read_timeout = 300ms;
  options.idle_timeout = 10000ms;
  auto server = StartOrDie(options, handler);
  ASSERT_TRUE(server);

  Fd fd(ConnectRaw(server->port()));
  ASSERT_GE(fd.get(), 0);
  const auto start = Clock::now();
  ASSERT_TRUE(SendAll(fd.get(), "GET /slo"));
  EXPECT_TRUE(WaitClosed(fd.get(), 5000ms));
  const auto elapsed = Clock::now() - start;
  EXPECT_GE(elapsed, 250ms);
  EXPECT_LT(elapsed, 4000ms);
  EXPECT_TRUE(handler.answered().empty());
}

TEST(ConfiguredHttpServerTest, IdleKeepAliveConnectionIsClosedAfterIdleTimeout) {
  TestHandler handler;
  HttpServerOptions options = TestOptions();
  options.idle_timeout = 300ms;
  auto server = StartOrDie(options, handler);
  ASSERT_TRUE(server);

  Fd fd(ConnectRaw(server->port()));
  ASSERT_GE(fd.get(), 0);
  ASSERT_TRUE(SendAll(fd.get(), "GET /x HTTP/1.1\r\nHost: t\r\n\r\n"));
  ASSERT_EQ(ReadResponses(fd.get(), 1, 5000ms).size(), 1u);
  const auto start = Clock::now();
  EXPECT_TRUE(WaitClosed(fd.get(), 5000ms));
  EXPECT_GE(Clock::now() - start, 250ms);
}

TEST(ConfiguredHttpServerTest, SlowHandlerDoesNotCountAsIdle) {
  TestHandler handler;
  HttpServerOptions options = TestOptions();
  options.idle_timeout = 200ms;
  auto server = StartOrDie(options, handler);
  ASSERT_TRUE(server);

  HttpClient client(PlainClient(server->port()));
  auto response = client.Send(Get("/slow?delay=600"));
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->status, 200);
}

TEST_F(HttpServerTest, ClientTimesOutOnSlowServerAndRecovers) {
  ASSERT_TRUE(server);

  ClientOptions options = PlainClient(server->port());
  options.timeout = 150ms;
  HttpClient client(options);
  const auto start = Clock::now();
  auto slow = client.Send(Get("/slow?delay=600"));
  ASSERT_FALSE(slow.ok());
  EXPECT_EQ(slow.status().code(), StatusCode::kUnavailable);
  EXPECT_LT(Clock::now() - start, 550ms);
  auto fast = client.Send(Get("/fast"));  // on a new connection
  ASSERT_TRUE(fast.ok()) << fast.status().ToString();
  EXPECT_EQ(fast->status, 200);
}

TEST(ConfiguredHttpServerTest, SelfSignedTlsMaterialIsCreatedOnceAndValid) {
  TempDir temp;
  const std::string dir = temp.path() + "/data/tls";
  auto files = EnsureSelfSignedTls(dir);
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  EXPECT_EQ(files->cert_chain_pem_path, dir + "/server.pem");
  EXPECT_EQ(files->private_key_pem_path, dir + "/server-key.pem");
  EXPECT_EQ(ModeOf(dir), 0700u);
  EXPECT_EQ(ModeOf(dir + "/ca-key.pem"), 0600u);
  EXPECT_EQ(ModeOf(dir + "/server-key.pem"), 0600u);

  X509* ca = LoadCert(dir + "/ca.pem");
  X509* server = LoadCert(dir + "/server.pem");
  ASSERT_NE(ca, nullptr);
  ASSERT_NE(server, nullptr);
  EXPECT_EQ(X509_check_ca(ca), 1);
  EXPECT_EQ(X509_check_ca(server), 0);
  EXPECT_EQ(X509_check_host(server, "localhost", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_ip_asc(server, "127.0.0.1", 0), 1);
  EXPECT_EQ(X509_check_ip_asc(server, "::1", 0), 1);
  EXPECT_EQ(X509_check_purpose(server, X509_PURPOSE_SSL_SERVER, 0), 1);
  EXPECT_EQ(X509_verify(server, X509_get0_pubkey(ca)), 1);
  X509_free(ca);
  X509_free(server);

  // A second call reuses what is there.
  const std::string ca_pem = ReadFile(dir + "/ca.pem");
  const std::string server_pem = ReadFile(dir + "/server.pem");
  ASSERT_TRUE(EnsureSelfSignedTls(dir).ok());
  EXPECT_EQ(ReadFile(dir + "/ca.pem"), ca_pem);
  EXPECT_EQ(ReadFile(dir + "/server.pem"), server_pem);

  // A lost server pair is re-issued by the same CA.
  std::filesystem::remove(dir + "/server.pem");
  ASSERT_TRUE(EnsureSelfSignedTls(dir).ok());
  EXPECT_EQ(ReadFile(dir + "/ca.pem"), ca_pem);
  EXPECT_NE(ReadFile(dir + "/server.pem"), server_pem);
}

// A server presenting fresh self-signed TLS files made under `temp`/tls.
struct TlsServer {
  TlsFiles files;
  std::unique_ptr<HttpServer> server;  // null when it did not start
};

TlsServer StartTlsServer(const TempDir& temp, TestHandler& handler, HttpServerOptions options) {
  TlsServer out;
  auto files = EnsureSelfSignedTls(temp.path() + "/tls");
  EXPECT_TRUE(files.ok()) << files.status().ToString();
  if (!files.ok()) return out;
  out.files = *files;
  options.tls = *files;
  out.server = StartOrDie(options, handler);
  return out;
}

TEST(ConfiguredHttpServerTest, TlsAndPlainHttpShareOnePort) {
  TempDir temp;
  TestHandler handler;
  HttpServerOptions options = TestOptions();
  TlsServer tls = StartTlsServer(temp, handler, options);
  std::unique_ptr<HttpServer>& server = tls.server;
  ASSERT_TRUE(server);

  ClientOptions tls_options = PlainClient(server->port());
  tls_options.tls = true;
  tls_options.ca_file = temp.path() + "/tls/ca.pem";
  HttpClient tls_client(tls_options);
  for (int i = 0; i < 2; ++i) {  // the second request reuses the TLS connection
    auto response = tls_client.Send(Get("/secure?i=" + std::to_string(i)));
    ASSERT_TRUE(response.ok()) << response.status().ToString();
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(JsonString(ParseObject(response->body), "scheme"), "https");
  }

  HttpClient plain_client(PlainClient(server->port()));
  auto plain = plain_client.Send(Get("/plain"));
  ASSERT_TRUE(plain.ok()) << plain.status().ToString();
  EXPECT_EQ(plain->status, 200);
  EXPECT_EQ(JsonString(ParseObject(plain->body), "scheme"), "http");

  // A client trusting another CA refuses the server's certificate.
  auto other = EnsureSelfSignedTls(temp.path() + "/other");
  ASSERT_TRUE(other.ok());
  ClientOptions wrong_ca = tls_options;
  wrong_ca.ca_file = temp.path() + "/other/ca.pem";
  HttpClient untrusting(wrong_ca);
  auto refused = untrusting.Send(Get("/secure"));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kUnavailable);

  // Idle keep-alive connections (TLS and plain) do not hold up a shutdown.
  const auto start = Clock::now();
  server->Shutdown();
  EXPECT_LT(Clock::now() - start, 1500ms);
}

TEST(ConfiguredHttpServerTest, PlainHttpIsRefusedWhenNotAllowed) {
  TempDir temp;
  TestHandler handler;
  HttpServerOptions options = TestOptions();
  options.allow_plain_http = false;
  TlsServer tls = StartTlsServer(temp, handler, options);
  std::unique_ptr<HttpServer>& server = tls.server;
  ASSERT_TRUE(server);

  HttpClient plain_client(PlainClient(server->port()));
  auto plain = plain_client.Send(Get("/plain"));
  ASSERT_TRUE(plain.ok()) << plain.status().ToString();
  ExpectProblem(*plain, 400);
  EXPECT_TRUE(handler.answered().empty());

  ClientOptions tls_options = PlainClient(server->port());
  tls_options.tls = true;
  tls_options.ca_file = temp.path() + "/tls/ca.pem";
  HttpClient tls_client(tls_options);
  auto secure = tls_client.Send(Get("/secure"));
  ASSERT_TRUE(secure.ok()) << secure.status().ToString();
  EXPECT_EQ(secure->status, 200);
}

TEST_F(HttpServerTest, ShutdownFinishesInFlightRequestAndRefusesNewConnections) {
  ASSERT_TRUE(server);
  const uint16_t port = server->port();

  // An idle keep-alive connection, to be closed by the shutdown.
  Fd idle(ConnectRaw(port));
  ASSERT_GE(idle.get(), 0);
  ASSERT_TRUE(SendAll(idle.get(), "GET /idle HTTP/1.1\r\nHost: t\r\n\r\n"));
  ASSERT_EQ(ReadResponses(idle.get(), 1, 5000ms).size(), 1u);

  Result<HttpResponse> slow = Status::Internal("not sent");
  std::thread client_thread([&] {
    HttpClient client(PlainClient(port));
    slow = client.Send(Get("/slow?delay=300"));
  });
  ASSERT_TRUE(handler.WaitReceived(2, 5000ms));

  const auto start = Clock::now();
  std::thread shutdown_thread([&] { server->Shutdown(); });
  EXPECT_TRUE(WaitClosed(idle.get(), 5000ms));
  idle.Reset();
  client_thread.join();
  shutdown_thread.join();
  const auto elapsed = Clock::now() - start;

  ASSERT_TRUE(slow.ok()) << slow.status().ToString();
  EXPECT_EQ(slow->status, 200);
  EXPECT_TRUE(EqualsIgnoreCase(slow->Header("Connection"), "close"));
  EXPECT_GE(elapsed, 200ms);  // it waited for the handler
  EXPECT_LT(elapsed, 4000ms);

  Fd late(ConnectRaw(port));
  EXPECT_LT(late.get(), 0) << "connection accepted after shutdown";
  server->Shutdown();  // idempotent
}

TEST(ConfiguredHttpServerTest, ShutdownClosesConnectionWhoseHandlerNeverAnswers) {
  TestHandler handler;
  HttpServerOptions options = TestOptions();
  options.shutdown_grace = 300ms;
  auto server = StartOrDie(options, handler);
  ASSERT_TRUE(server);

  Fd fd(ConnectRaw(server->port()));
  ASSERT_GE(fd.get(), 0);
  ASSERT_TRUE(SendAll(fd.get(), "GET /never HTTP/1.1\r\nHost: t\r\n\r\n"));
  ASSERT_TRUE(handler.WaitReceived(1, 5000ms));

  const auto start = Clock::now();
  server->Shutdown();
  const auto elapsed = Clock::now() - start;
  EXPECT_GE(elapsed, 250ms);
  EXPECT_LT(elapsed, 4000ms);
  EXPECT_TRUE(WaitClosed(fd.get(), 2000ms));

  // Answering after the server is gone is harmless.
  server.reset();
  auto parked = handler.TakeParked();
  ASSERT_EQ(parked.size(), 1u);
  HttpResponse late;
  late.body = "too late";
  parked[0](std::move(late));
}

TEST_F(HttpServerTest, RunUntilSignalReturnsAfterSigterm) {
  ASSERT_TRUE(server);

  // Until the server installs its handler a SIGTERM must not kill the test.
  struct sigaction ignore {};
  ignore.sa_handler = SIG_IGN;
  struct sigaction previous {};
  ASSERT_EQ(::sigaction(SIGTERM, &ignore, &previous), 0);

  std::atomic<bool> raised{false};
  std::thread raiser([&] {
    const auto deadline = Clock::now() + 5000ms;
    while (Clock::now() < deadline) {
      struct sigaction current {};
      ::sigaction(SIGTERM, nullptr, &current);
      if (current.sa_handler != SIG_IGN) {
        ::kill(::getpid(), SIGTERM);
        raised = true;
        return;
      }
      std::this_thread::sleep_for(5ms);
    }
    server->Shutdown();  // never blocks the test forever
  });
  server->RunUntilSignal();
  raiser.join();
  EXPECT_TRUE(raised);
  EXPECT_LT(ConnectRaw(server->port()), 0);
  ::sigaction(SIGTERM, &previous, nullptr);
}

TEST_F(HttpServerTest, RunUntilSignalReturnsWhenShutdownIsCalledElsewhere) {
  ASSERT_TRUE(server);
  std::thread stopper([&] {
    std::this_thread::sleep_for(100ms);
    server->Shutdown();
  });
  const auto start = Clock::now();
  server->RunUntilSignal();
  stopper.join();
  EXPECT_LT(Clock::now() - start, 4000ms);
  EXPECT_LT(ConnectRaw(server->port()), 0);
}

TEST(ConfiguredHttpServerTest, StartReportsBusyPortAndBadTlsFiles) {
  TestHandler handler;
  auto first = StartOrDie(TestOptions(), handler);
  ASSERT_TRUE(first);
  HttpServerOptions same_port = TestOptions();
  same_port.port = first->port();
  auto second = HttpServer::Start(same_port, handler);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kUnavailable);

  HttpServerOptions bad_tls = TestOptions();
  bad_tls.tls = TlsFiles{"/nonexistent/server.pem", "/nonexistent/server-key.pem"};
  auto third = HttpServer::Start(bad_tls, handler);
  ASSERT_FALSE(third.ok());
  EXPECT_EQ(third.status().code(), StatusCode::kInvalidArgument);
}


// ---------------------------------------------------------------- resource bounds

TEST(ConfiguredHttpServerTest, DefaultBodyLimitIsTheSignedPartOfABody) {
  // D-24: the server reads no body byte an EdgeGrid signature cannot cover.
  EXPECT_EQ(HttpServerOptions{}.body_limit, kDefaultBodyLimit);
  EXPECT_EQ(kDefaultBodyLimit, edgegrid::kDefaultMaxBody);
  EXPECT_EQ(edgegrid::kDefaultMaxBody, 131072u);
}

TEST_F(HttpServerTest, BodyOfExactlyTheDefaultLimitIsServed) {
  ASSERT_TRUE(server);

  HttpClient client(PlainClient(server->port()));
  HttpRequest request;
  request.method = "POST";
  request.target = "/upload";
  request.body = std::string(kDefaultBodyLimit, 'b');
  auto response = client.Send(request);
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(JsonString(ParseObject(response->body), "body").size(), kDefaultBodyLimit);
}

TEST_F(HttpServerTest, ContentLengthAboveTheDefaultLimitGets413BeforeAnyBodyByte) {
  ASSERT_TRUE(server);

  Fd fd(ConnectRaw(server->port()));
  ASSERT_GE(fd.get(), 0);
  // The header announces more than the limit and no body byte follows: any
  // answer must come from the header alone (a server waiting for the body
  // would instead close silently after its 2 s read timeout).
  ASSERT_TRUE(SendAll(fd.get(),
                      "POST /upload HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
                      "Content-Length: 200000\r\n\r\n"));
  auto responses = ReadResponses(fd.get(), 1, 5000ms);
  ASSERT_EQ(responses.size(), 1u);
  EXPECT_EQ(responses[0].status, 413);
  EXPECT_NE(responses[0].head.find("application/problem+json"), std::string::npos);
  EXPECT_NE(responses[0].head.find("Connection: close"), std::string::npos);
  auto problem = ParseObject(responses[0].body);
  EXPECT_EQ(problem.at("status").to_number<int>(), 413);
  EXPECT_EQ(JsonString(problem, "instance"), "/upload");
  EXPECT_TRUE(WaitClosed(fd.get(), 5000ms));
  EXPECT_TRUE(handler.answered().empty());
}

TEST_F(HttpServerTest, ChunkedBodyAboveTheDefaultLimitGets413AtTheChunkThatCrossesIt) {
  ASSERT_TRUE(server);

  Fd fd(ConnectRaw(server->port()));
  ASSERT_GE(fd.get(), 0);
  // 100000 bytes fit; the next chunk header announces 0x8000 more, which
  // would cross 131072: refused without waiting for that chunk's data.
  std::string request =
      "POST /chunked HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n";
  request += "186a0\r\n" + std::string(100000, 'c') + "\r\n";
  request += "8000\r\n";
  ASSERT_TRUE(SendAll(fd.get(), request));
  auto responses = ReadResponses(fd.get(), 1, 5000ms);
  ASSERT_EQ(responses.size(), 1u);
  EXPECT_EQ(responses[0].status, 413);
  EXPECT_NE(responses[0].head.find("application/problem+json"), std::string::npos);
  EXPECT_EQ(ParseObject(responses[0].body).at("status").to_number<int>(), 413);
  EXPECT_TRUE(WaitClosed(fd.get(), 5000ms));
  EXPECT_TRUE(handler.answered().empty());
}

// Sends one keep-alive GET on `fd` and reads its response.
bool RoundTrip(int fd, const std::string& path) {
  if (!SendAll(fd, "GET " + path + " HTTP/1.1\r\nHost: t\r\n\r\n")) return false;
  auto responses = ReadResponses(fd, 1, 5000ms);
  return responses.size() == 1 && responses[0].status == 200;
}

// A request whose header arrives whole is parsed where it lies; a body that
// then stalls must still be bounded by read_timeout, not left waiting.
TEST(ConfiguredHttpServerTest, StalledBodyAfterAWholeHeaderIsCutOffAfterReadTimeout) {
  TestHandler handler;
  HttpServerOptions options = TestOptions();
  options.read_timeout = 300ms;
  options.idle_timeout = 10000ms;
  auto server = StartOrDie(options, handler);
  ASSERT_TRUE(server);

  Fd fd(ConnectRaw(server->port()));
  ASSERT_GE(fd.get(), 0);
  // One request served first, so the next one arrives on a session that is
  // already reading: its header is in the buffer before it is parsed.
  ASSERT_TRUE(RoundTrip(fd.get(), "/first"));
  const auto start = Clock::now();
  ASSERT_TRUE(SendAll(fd.get(), "POST /stalled HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nabc"));
  EXPECT_TRUE(WaitClosed(fd.get(), 5000ms));
  const auto elapsed = Clock::now() - start;
  EXPECT_GE(elapsed, 250ms);
  EXPECT_LT(elapsed, 4000ms);
  EXPECT_EQ(handler.answered(), std::vector<std::string>{"/first"});
}

TEST(ConfiguredHttpServerTest, ConnectionsBeyondMaxConnectionsAreClosedAtOnce) {
  TestHandler handler;
  HttpServerOptions options = TestOptions();
  options.max_connections = 4;
  // Long enough that only the cap can close a connection in this test.
  options.first_request_timeout = 30000ms;
  options.idle_timeout = 30000ms;
  auto server = StartOrDie(options, handler);
  ASSERT_TRUE(server);
  const uint16_t port = server->port();

  // Four connections, each proven open by a served request.
  std::vector<std::unique_ptr<Fd>> open;
  for (int i = 0; i < 4; ++i) {
    open.push_back(std::make_unique<Fd>(ConnectRaw(port)));
    ASSERT_GE(open.back()->get(), 0);
    ASSERT_TRUE(RoundTrip(open.back()->get(), "/held-" + std::to_string(i)));
  }

  // The fifth is accepted by the kernel, then closed without an answer.
  Fd extra(ConnectRaw(port));
  ASSERT_GE(extra.get(), 0);
  std::string received;
  bool closed = false;
  ReadUntil(extra.get(), received, 5000ms, [](std::string&) { return false; }, &closed);
  EXPECT_TRUE(closed);
  EXPECT_TRUE(received.empty()) << received;

  // The admitted ones are unaffected.
  EXPECT_TRUE(RoundTrip(open[0]->get(), "/still-served"));

  // Once one closes, a new connection is served again. The server notices
  // the close asynchronously, so a few attempts are allowed.
  open[3]->Reset();
  bool served = false;
  const auto deadline = Clock::now() + 5000ms;
  for (int attempt = 0; attempt < 50 && !served && Clock::now() < deadline; ++attempt) {
    Fd again(ConnectRaw(port));
    if (again.get() >= 0 && SendAll(again.get(), "GET /after HTTP/1.1\r\nHost: t\r\n\r\n")) {
      auto responses = ReadResponses(again.get(), 1, 1000ms);
      served = responses.size() == 1 && responses[0].status == 200;
    }
    if (!served) std::this_thread::sleep_for(20ms);
  }
  EXPECT_TRUE(served);
}

TEST(ConfiguredHttpServerTest, MaxConnectionsMustBePositive) {
  TestHandler handler;
  HttpServerOptions options = TestOptions();
  options.max_connections = 0;
  auto server = HttpServer::Start(options, handler);
  ASSERT_FALSE(server.ok());
  EXPECT_EQ(server.status().code(), StatusCode::kInvalidArgument);
}

TEST(ConfiguredHttpServerTest, SilentConnectionIsClosedAfterFirstRequestTimeout) {
  TestHandler handler;
  HttpServerOptions options = TestOptions();
  options.first_request_timeout = 200ms;
  options.idle_timeout = 30000ms;
  auto server = StartOrDie(options, handler);
  ASSERT_TRUE(server);

  Fd fd(ConnectRaw(server->port()));
  ASSERT_GE(fd.get(), 0);
  const auto start = Clock::now();
  EXPECT_TRUE(WaitClosed(fd.get(), 5000ms));
  const auto elapsed = Clock::now() - start;
  EXPECT_GE(elapsed, 150ms);
  EXPECT_LT(elapsed, 4000ms);
}

TEST(ConfiguredHttpServerTest, KeepAliveAfterAFirstRequestWaitsForIdleTimeout) {
  TestHandler handler;
  HttpServerOptions options = TestOptions();
  options.first_request_timeout = 200ms;
  options.idle_timeout = 30000ms;
  auto server = StartOrDie(options, handler);
  ASSERT_TRUE(server);

  Fd fd(ConnectRaw(server->port()));
  ASSERT_GE(fd.get(), 0);
  ASSERT_TRUE(RoundTrip(fd.get(), "/first"));
  // Well past first_request_timeout, far from idle_timeout: still open.
  EXPECT_FALSE(WaitClosed(fd.get(), 600ms));
  EXPECT_TRUE(RoundTrip(fd.get(), "/second"));
}

TEST(ConfiguredHttpServerTest, TlsConnectionSilentAfterHandshakeIsClosedAfterFirstRequestTimeout) {
  TempDir temp;
  TestHandler handler;
  HttpServerOptions options = TestOptions();
  options.first_request_timeout = 200ms;
  options.idle_timeout = 30000ms;
  TlsServer tls = StartTlsServer(temp, handler, options);
  std::unique_ptr<HttpServer>& server = tls.server;
  ASSERT_TRUE(server);

  Fd fd(ConnectRaw(server->port()));
  ASSERT_GE(fd.get(), 0);
  timeval tv{5, 0};  // bounds the blocking handshake and reads below
  ASSERT_EQ(::setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)), 0);
  std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> ctx(SSL_CTX_new(TLS_client_method()), SSL_CTX_free);
  ASSERT_TRUE(ctx);
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_NONE, nullptr);  // only the timing is under test
  std::unique_ptr<SSL, decltype(&SSL_free)> ssl(SSL_new(ctx.get()), SSL_free);
  ASSERT_TRUE(ssl);
  ASSERT_EQ(SSL_set_fd(ssl.get(), fd.get()), 1);
  ASSERT_EQ(SSL_connect(ssl.get()), 1) << "TLS handshake failed";

  // Nothing is sent after the handshake: the server must close within a
  // bound, not after idle_timeout. SSL_read returns <= 0 on close_notify,
  // EOF or reset, and also after SO_RCVTIMEO, which the elapsed check
  // tells apart.
  const auto start = Clock::now();
  char byte = 0;
  const int n = SSL_read(ssl.get(), &byte, 1);
  const auto elapsed = Clock::now() - start;
  EXPECT_LE(n, 0);
  EXPECT_GE(elapsed, 150ms);
  EXPECT_LT(elapsed, 4000ms);
}

// What one TLS handshake offered and got: ok is false when the server
// refused it; `certificate` is the DER of the certificate it presented.
struct Handshake {
  bool ok = false;
  std::string protocol;
  std::string cipher;
  std::string certificate;
};

// One handshake with exactly the given protocol versions and cipher lists.
// The client's own security level is lowered to 0, so that the outcome is
// the server's decision alone.
Handshake HandshakeWith(uint16_t port, int min_version, int max_version, const char* tls12_ciphers,
                        const char* tls13_ciphersuites = "TLS_AES_128_GCM_SHA256") {
  Handshake result;
  Fd fd(ConnectRaw(port));
  if (fd.get() < 0) return result;
  timeval tv{5, 0};
  ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> ctx(SSL_CTX_new(TLS_client_method()), SSL_CTX_free);
  if (!ctx) return result;
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_NONE, nullptr);
  SSL_CTX_set_security_level(ctx.get(), 0);
  if (SSL_CTX_set_min_proto_version(ctx.get(), min_version) != 1 ||
      SSL_CTX_set_max_proto_version(ctx.get(), max_version) != 1 ||
      SSL_CTX_set_cipher_list(ctx.get(), tls12_ciphers) != 1 ||
      SSL_CTX_set_ciphersuites(ctx.get(), tls13_ciphersuites) != 1) {
    ADD_FAILURE() << "the test client cannot offer " << tls12_ciphers;
    return result;
  }
  std::unique_ptr<SSL, decltype(&SSL_free)> ssl(SSL_new(ctx.get()), SSL_free);
  if (!ssl || SSL_set_fd(ssl.get(), fd.get()) != 1) return result;
  if (SSL_connect(ssl.get()) != 1) return result;
  result.ok = true;
  result.protocol = SSL_get_version(ssl.get());
  result.cipher = SSL_get_cipher_name(ssl.get());
  if (X509* peer = SSL_get1_peer_certificate(ssl.get())) {
    unsigned char* der = nullptr;
    const int length = i2d_X509(peer, &der);
    if (length > 0) result.certificate.assign(reinterpret_cast<char*>(der), static_cast<size_t>(length));
    OPENSSL_free(der);
    X509_free(peer);
  }
  SSL_shutdown(ssl.get());
  return result;
}

std::string CertificateDer(const std::string& pem_path) {
  const std::string pem = ReadFile(pem_path);
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), BIO_free);
  X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr);
  if (cert == nullptr) return {};
  unsigned char* der = nullptr;
  const int length = i2d_X509(cert, &der);
  std::string out(reinterpret_cast<char*>(der), static_cast<size_t>(std::max(length, 0)));
  OPENSSL_free(der);
  X509_free(cert);
  return out;
}

// A renewed certificate (another CA's pair) copied over `files`, as an
// operator renews one; the DER of the new certificate ("" on failure).
std::string InstallRenewedCertificate(const TempDir& temp, const TlsFiles& files) {
  auto renewed = EnsureSelfSignedTls(temp.path() + "/renewed");
  EXPECT_TRUE(renewed.ok());
  if (!renewed.ok()) return "";
  const auto overwrite = std::filesystem::copy_options::overwrite_existing;
  std::filesystem::copy_file(renewed->cert_chain_pem_path, files.cert_chain_pem_path, overwrite);
  std::filesystem::copy_file(renewed->private_key_pem_path, files.private_key_pem_path, overwrite);
  return CertificateDer(files.cert_chain_pem_path);
}

TEST(ConfiguredHttpServerTest, TlsSpeaksOnlyTls12And13WithStrongCiphers) {
  TempDir temp;
  TestHandler handler;
  HttpServerOptions options = TestOptions();
  TlsServer tls = StartTlsServer(temp, handler, options);
  std::unique_ptr<HttpServer>& server = tls.server;
  ASSERT_TRUE(server);
  const uint16_t port = server->port();

  // Old protocols are refused whatever they offer.
  EXPECT_FALSE(HandshakeWith(port, TLS1_VERSION, TLS1_VERSION, "ALL:@SECLEVEL=0").ok);
  EXPECT_FALSE(HandshakeWith(port, TLS1_1_VERSION, TLS1_1_VERSION, "ALL:@SECLEVEL=0").ok);
  // TLS 1.2 with only weak suites (CBC with SHA-1 or SHA-2 MACs, no forward
  // secrecy, RC4-era leftovers) finds nothing in common.
  for (const char* weak : {"ECDHE-ECDSA-AES128-SHA", "ECDHE-ECDSA-AES256-SHA384", "ECDHE-ECDSA-AES128-SHA256",
                           "AES128-GCM-SHA256:AES256-SHA:DES-CBC3-SHA"}) {
    EXPECT_FALSE(HandshakeWith(port, TLS1_2_VERSION, TLS1_2_VERSION, weak).ok) << weak;
  }
  // Mozilla's intermediate suites succeed, and TLS 1.3 is the default.
  for (const char* strong : {"ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-ECDSA-AES256-GCM-SHA384",
                             "ECDHE-ECDSA-CHACHA20-POLY1305"}) {
    const Handshake ok = HandshakeWith(port, TLS1_2_VERSION, TLS1_2_VERSION, strong);
    EXPECT_TRUE(ok.ok) << strong;
    EXPECT_EQ(ok.protocol, "TLSv1.2");
    EXPECT_EQ(ok.cipher, strong);
  }
  const Handshake modern = HandshakeWith(port, TLS1_2_VERSION, TLS1_3_VERSION, "ALL",
                                         "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256");
  EXPECT_TRUE(modern.ok);
  EXPECT_EQ(modern.protocol, "TLSv1.3");
}

TEST(ConfiguredHttpServerTest, ReloadTlsPresentsTheNewCertificateAndKeepsTheOldOnError) {
  TempDir temp;
  TestHandler handler;
  HttpServerOptions options = TestOptions();
  TlsServer tls = StartTlsServer(temp, handler, options);
  const TlsFiles& files = tls.files;
  std::unique_ptr<HttpServer>& server = tls.server;
  ASSERT_TRUE(server);
  const std::string first = CertificateDer(files.cert_chain_pem_path);
  ASSERT_FALSE(first.empty());
  EXPECT_EQ(HandshakeWith(server->port(), TLS1_2_VERSION, TLS1_3_VERSION, "ALL").certificate, first);

  const std::string second = InstallRenewedCertificate(temp, files);
  ASSERT_NE(second, first);
  EXPECT_EQ(HandshakeWith(server->port(), TLS1_2_VERSION, TLS1_3_VERSION, "ALL").certificate, first)
      << "nothing changes before the reload";
  ASSERT_TRUE(server->ReloadTls().ok());
  EXPECT_EQ(HandshakeWith(server->port(), TLS1_2_VERSION, TLS1_3_VERSION, "ALL").certificate, second);

  // A certificate that does not match its key is refused, and the server
  // keeps presenting the last good one.
  std::filesystem::copy_file(temp.path() + "/tls/ca.pem", files.cert_chain_pem_path,
                             std::filesystem::copy_options::overwrite_existing);
  const Status bad = server->ReloadTls();
  EXPECT_EQ(bad.code(), StatusCode::kInvalidArgument) << bad.ToString();
  EXPECT_EQ(HandshakeWith(server->port(), TLS1_2_VERSION, TLS1_3_VERSION, "ALL").certificate, second);

  TestHandler plain_handler;
  auto plain = StartOrDie(TestOptions(), plain_handler);
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->ReloadTls().code(), StatusCode::kFailedPrecondition);
}

TEST(ConfiguredHttpServerTest, SighupReloadsTheCertificate) {
  TempDir temp;
  TestHandler handler;
  HttpServerOptions options = TestOptions();
  TlsServer tls = StartTlsServer(temp, handler, options);
  const TlsFiles& files = tls.files;
  std::unique_ptr<HttpServer>& server = tls.server;
  ASSERT_TRUE(server);
  const std::string renewed_der = InstallRenewedCertificate(temp, files);
  ASSERT_FALSE(renewed_der.empty());

  // Until the server installs its handler a SIGHUP must not end the test.
  struct sigaction ignore {};
  ignore.sa_handler = SIG_IGN;
  struct sigaction previous {};
  ASSERT_EQ(::sigaction(SIGHUP, &ignore, &previous), 0);
  std::atomic<bool> reloaded{false};
  std::thread signaller([&] {
    const auto deadline = Clock::now() + 5000ms;
    bool raised = false;
    while (Clock::now() < deadline && !reloaded) {
      struct sigaction current {};
      ::sigaction(SIGHUP, nullptr, &current);
      if (!raised && current.sa_handler != SIG_IGN) {
        ::kill(::getpid(), SIGHUP);
        raised = true;
      }
      if (raised &&
          HandshakeWith(server->port(), TLS1_2_VERSION, TLS1_3_VERSION, "ALL").certificate == renewed_der) {
        reloaded = true;
      }
      std::this_thread::sleep_for(10ms);
    }
    server->Shutdown();  // ends RunUntilSignal either way
  });
  server->RunUntilSignal();
  signaller.join();
  EXPECT_TRUE(reloaded);
  ::sigaction(SIGHUP, &previous, nullptr);
}

}  // namespace
}  // namespace iam::api
