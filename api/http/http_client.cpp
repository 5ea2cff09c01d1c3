// HttpClient on Boost.Beast. Blocking calls are built from asynchronous
// operations run on a private io_context, because only Beast's asynchronous
// operations honour tcp_stream deadlines.
#include "api/http/http_client.h"

#include <exception>
#include <optional>
#include <string>
#include <utility>

#include <openssl/ssl.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

namespace iam::api {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;
using Clock = std::chrono::steady_clock;

// Responses larger than this are treated as a failure rather than buffered.
constexpr std::uint64_t kMaxResponseBody = 64ull * 1024 * 1024;
constexpr std::uint32_t kMaxResponseHeader = 64 * 1024;

bool IsIpLiteral(const std::string& host) {
  error_code ec;
  asio::ip::make_address(host, ec);
  return !ec;
}

// Errors meaning a kept-alive connection was already closed by the server
// when we reused it: the request was not processed and can be resent.
bool IsStaleConnection(const error_code& ec) {
  return ec == http::error::end_of_stream || ec == asio::error::eof ||
         ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
         ec == ssl::error::stream_truncated;
}

bool IsFramingHeader(std::string_view name) {
  return EqualsIgnoreCase(name, "content-length") || EqualsIgnoreCase(name, "transfer-encoding");
}

}  // namespace

struct HttpClient::Impl {
  explicit Impl(ClientOptions o) : options(std::move(o)) {}

  ClientOptions options;
  asio::io_context ioc{1};
  std::unique_ptr<ssl::context> tls_context;  // made on first TLS connect
  std::optional<beast::tcp_stream> plain;
  std::optional<beast::ssl_stream<beast::tcp_stream>> tls;
  beast::flat_buffer buffer;

  bool connected() const { return plain.has_value() || tls.has_value(); }

  beast::tcp_stream& lowest() { return tls ? beast::get_lowest_layer(*tls) : *plain; }

  void Disconnect() {
    error_code ignored;
    if (tls) {
      beast::get_lowest_layer(*tls).socket().close(ignored);
      tls.reset();
    }
    if (plain) {
      plain->socket().close(ignored);
      plain.reset();
    }
    buffer.clear();
  }

  // Runs queued asynchronous work to completion. The tcp_stream deadline set
  // before each operation guarantees that this returns.
  void RunAll() {
    ioc.restart();
    ioc.run();
  }

  std::string HostHeader() const {
    std::string host = options.host;
    if (host.find(':') != std::string::npos) host = "[" + host + "]";  // IPv6 literal
    const uint16_t default_port = options.tls ? 443 : 80;
    if (options.port != default_port) host += ":" + std::to_string(options.port);
    return host;
  }

  Status EnsureTlsContext() {
    if (tls_context) return Status::Ok();
    auto ctx = std::make_unique<ssl::context>(ssl::context::tls_client);
    SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION);
    ctx->set_verify_mode(ssl::verify_peer);
    error_code ec;
    if (options.ca_file.empty()) {
      ctx->set_default_verify_paths(ec);
    } else {
      ctx->load_verify_file(options.ca_file, ec);
    }
    if (ec) {
      return Status::InvalidArgument("cannot load CA file '" + options.ca_file +
                                     "': " + ec.message());
    }
    tls_context = std::move(ctx);
    return Status::Ok();
  }

  Status Connect(Clock::time_point deadline) {
    Disconnect();
    if (options.tls) {
      if (Status s = EnsureTlsContext(); !s.ok()) return s;
    }
    error_code ec;
    tcp::resolver resolver(ioc);
    auto endpoints = resolver.resolve(options.host, std::to_string(options.port),
                                      tcp::resolver::numeric_service, ec);
    if (ec) return Status::Unavailable("cannot resolve " + options.host + ": " + ec.message());

    beast::tcp_stream* stream = nullptr;
    if (options.tls) {
      tls.emplace(ioc, *tls_context);
      stream = &beast::get_lowest_layer(*tls);
    } else {
      plain.emplace(ioc);
      stream = &*plain;
    }
    stream->expires_at(deadline);
    ec = {};
    stream->async_connect(endpoints, [&ec](error_code e, const tcp::endpoint&) { ec = e; });
    RunAll();
    if (ec) {
      Disconnect();
      return Status::Unavailable("cannot connect to " + HostHeader() + ": " + ec.message());
    }
    error_code ignored;
    stream->socket().set_option(tcp::no_delay(true), ignored);
    if (!options.tls) return Status::Ok();

    // SNI is only for names; certificates for IP literals are matched by
    // iPAddress SAN entries, which host_name_verification handles.
    if (!IsIpLiteral(options.host) &&
        SSL_set_tlsext_host_name(tls->native_handle(), options.host.c_str()) != 1) {
      Disconnect();
      return Status::InvalidArgument("cannot use '" + options.host + "' as TLS server name");
    }
    tls->set_verify_callback(ssl::host_name_verification(options.host));
    stream->expires_at(deadline);
    tls->async_handshake(ssl::stream_base::client, [&ec](error_code e) { ec = e; });
    RunAll();
    if (ec) {
      Disconnect();
      return Status::Unavailable("TLS handshake with " + HostHeader() + " failed: " +
                                 ec.message());
    }
    return Status::Ok();
  }

  template <class Stream>
  error_code Write(Stream& stream, http::request<http::string_body>& req) {
    error_code ec;
    http::async_write(stream, req, [&ec](error_code e, size_t) { ec = e; });
    RunAll();
    return ec;
  }

  template <class Stream>
  error_code Read(Stream& stream, http::response_parser<http::string_body>& parser) {
    error_code ec;
    http::async_read(stream, buffer, parser, [&ec](error_code e, size_t) { ec = e; });
    RunAll();
    return ec;
  }

  // One attempt on the current (or a new) connection. `stale` is set when
  // the failure shows the reused connection had been closed by the server.
  Result<HttpResponse> Attempt(http::request<http::string_body>& req, bool head,
                               Clock::time_point deadline, bool& stale) {
    stale = false;
    const bool reused = connected();
    if (!reused) {
      if (Status s = Connect(deadline); !s.ok()) return s;
    }
    lowest().expires_at(deadline);
    error_code ec = tls ? Write(*tls, req) : Write(*plain, req);
    if (ec) {
      stale = reused && IsStaleConnection(ec);
      Disconnect();
      return Status::Unavailable("sending request to " + HostHeader() + " failed: " +
                                 ec.message());
    }
    http::response_parser<http::string_body> parser;
    parser.header_limit(kMaxResponseHeader);
    parser.body_limit(kMaxResponseBody);
    if (head) parser.skip(true);  // a HEAD response has no body despite Content-Length
    lowest().expires_at(deadline);
    ec = tls ? Read(*tls, parser) : Read(*plain, parser);
    if (ec) {
      stale = reused && IsStaleConnection(ec) && !parser.got_some();
      Disconnect();
      return Status::Unavailable("reading response from " + HostHeader() + " failed: " +
                                 ec.message());
    }
    lowest().expires_never();
    http::response<http::string_body> msg = parser.release();
    HttpResponse out;
    out.status = static_cast<int>(msg.result_int());
    for (const auto& field : msg) {
      out.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    if (!msg.keep_alive()) Disconnect();
    out.body = std::move(msg.body());
    return out;
  }
};

HttpClient::HttpClient(ClientOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}

HttpClient::~HttpClient() {
  try {
    impl_->Disconnect();
  } catch (...) {
    // Closing sockets does not throw; nothing to report from a destructor.
  }
}

Result<HttpResponse> HttpClient::Send(const HttpRequest& request) {
  try {
    if (request.method.empty()) return Status::InvalidArgument("request has no method");
    if (request.target.empty()) return Status::InvalidArgument("request has no target");
    const auto deadline = Clock::now() + impl_->options.timeout;

    http::request<http::string_body> req;
    req.version(11);
    req.method_string(request.method);
    req.target(request.target);
    bool has_host = false;
    for (const auto& [name, value] : request.headers) {
      if (IsFramingHeader(name)) continue;
      if (EqualsIgnoreCase(name, "host")) has_host = true;
      req.insert(name, value);
    }
    if (!has_host) req.set(http::field::host, impl_->HostHeader());
    req.body() = request.body;
    req.prepare_payload();
    const bool head = req.method() == http::verb::head;

    bool stale = false;
    auto result = impl_->Attempt(req, head, deadline, stale);
    if (!result.ok() && stale) result = impl_->Attempt(req, head, deadline, stale);
    return result;
  } catch (const std::exception& e) {
    impl_->Disconnect();
    return Status::Internal(std::string("HTTP request failed: ") + e.what());
  }
}

}  // namespace iam::api
