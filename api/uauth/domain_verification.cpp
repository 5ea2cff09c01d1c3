#include "api/uauth/domain_verification.h"

#include <arpa/inet.h>
#include <ares.h>
#include <netinet/in.h>
#include <poll.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cctype>
#include <cstring>
#include <fstream>
#include <optional>

#include "api/http/host_port.h"
#include "events/managed_domain_events.h"

namespace iam::api {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

constexpr size_t kMaxFileBytes = 64 * 1024;  // MD-5
constexpr int kMaxRedirects = 2;             // MD-5
constexpr const char* kWellKnownPath = "/.well-known/iamd-domain-verification.html";

commands::DomainCheckResult Passed() { return {true, "", ""}; }
commands::DomainCheckResult Failed(const char* reason, std::string detail) { return {false, reason, std::move(detail)}; }

int RemainingMs(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return left < 0 ? 0 : static_cast<int>(left);
}

// ---------------------------------------------------------------- c-ares, synchronously

void InitAresOnce() {
  static const int rc = ares_library_init(ARES_LIB_INIT_ALL);
  (void)rc;
}

// One c-ares channel for one check: its queries go to `servers_csv` (or
// the system's resolvers), DNS only (no hosts file: TO-5 names resolve
// through the test's resolver).
class AresChannel {
 public:
  explicit AresChannel(const std::string& servers_csv) {
    InitAresOnce();
    ares_options options{};
    options.timeout = 2000;  // per try; the caller's deadline bounds the whole
    options.tries = 2;
    char lookups[] = "b";
    options.lookups = lookups;
    status_ = ares_init_options(&channel_, &options, ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_LOOKUPS);
    if (status_ == ARES_SUCCESS && !servers_csv.empty()) status_ = ares_set_servers_ports_csv(channel_, servers_csv.c_str());
  }
  ~AresChannel() {
    if (channel_) ares_destroy(channel_);
  }
  AresChannel(const AresChannel&) = delete;
  AresChannel& operator=(const AresChannel&) = delete;

  bool ok() const { return status_ == ARES_SUCCESS; }
  ares_channel get() const { return channel_; }

  // Processes the channel until its queries are done or `deadline`, when
  // they are cancelled (their callbacks see ARES_ECANCELLED).
  void Wait(Clock::time_point deadline) {
    for (;;) {
      ares_socket_t sockets[ARES_GETSOCK_MAXNUM];
      const int bits = ares_getsock(channel_, sockets, ARES_GETSOCK_MAXNUM);
      std::vector<pollfd> fds;
      for (int i = 0; i < ARES_GETSOCK_MAXNUM; ++i) {
        short events = 0;
        if (ARES_GETSOCK_READABLE(bits, i)) events |= POLLIN;
        if (ARES_GETSOCK_WRITABLE(bits, i)) events |= POLLOUT;
        if (events) fds.push_back({sockets[i], events, 0});
      }
      if (fds.empty()) return;  // nothing in flight
      const int left = RemainingMs(deadline);
      if (left == 0) {
        ares_cancel(channel_);
        return;
      }
      timeval max{left / 1000, (left % 1000) * 1000};
      timeval tv{};
      ares_timeout(channel_, &max, &tv);
      const int wait_ms = static_cast<int>(tv.tv_sec * 1000 + tv.tv_usec / 1000);
      const int ready = poll(fds.data(), fds.size(), wait_ms);
      if (ready <= 0) {
        ares_process_fd(channel_, ARES_SOCKET_BAD, ARES_SOCKET_BAD);  // timeouts and retries
        continue;
      }
      for (const pollfd& fd : fds) {
        const bool readable = fd.revents & (POLLIN | POLLERR | POLLHUP);
        const bool writable = fd.revents & POLLOUT;
        ares_process_fd(channel_, readable ? fd.fd : ARES_SOCKET_BAD, writable ? fd.fd : ARES_SOCKET_BAD);
      }
    }
  }

 private:
  ares_channel channel_ = nullptr;
  int status_ = ARES_ENOTINITIALIZED;
};

// A DNS answer that says the name has no such records (as opposed to a
// failed lookup, which a later attempt may pass: MD-4's transient case).
bool IsNoRecords(int status) { return status == ARES_ENODATA || status == ARES_ENOTFOUND; }

struct TxtLookup {
  bool done = false;
  int status = ARES_ECANCELLED;
  std::vector<std::string> records;  // each record's strings joined (RFC 7208 §3.3 style)
};

void OnTxt(void* arg, int status, int, unsigned char* answer, int length) {
  auto* lookup = static_cast<TxtLookup*>(arg);
  lookup->done = true;
  lookup->status = status;
  if (status != ARES_SUCCESS) return;
  ares_txt_ext* txt = nullptr;
  lookup->status = ares_parse_txt_reply_ext(answer, length, &txt);
  for (ares_txt_ext* part = txt; part; part = part->next) {
    if (part->record_start || lookup->records.empty()) lookup->records.emplace_back();
    lookup->records.back().append(reinterpret_cast<const char*>(part->txt), part->length);
  }
  if (txt) ares_free_data(txt);
}

struct AddressLookup {
  bool done = false;
  int status = ARES_ECANCELLED;
  std::vector<std::string> addresses;  // numeric
};

void OnAddresses(void* arg, int status, int, ares_addrinfo* result) {
  auto* lookup = static_cast<AddressLookup*>(arg);
  lookup->done = true;
  lookup->status = status;
  if (status == ARES_SUCCESS && result) {
    for (ares_addrinfo_node* node = result->nodes; node; node = node->ai_next) {
      char text[INET6_ADDRSTRLEN] = {};
      if (node->ai_family == AF_INET) {
        inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(node->ai_addr)->sin_addr, text, sizeof text);
      } else if (node->ai_family == AF_INET6) {
        inet_ntop(AF_INET6, &reinterpret_cast<sockaddr_in6*>(node->ai_addr)->sin6_addr, text, sizeof text);
      } else {
        continue;
      }
      lookup->addresses.emplace_back(text);
    }
  }
  if (result) ares_freeaddrinfo(result);
}

// ---------------------------------------------------------------- HTTPS

struct Fetched {
  std::optional<commands::DomainCheckResult> result;  // set when decided
  std::string redirect_target;                        // a same-host path to follow next
};

// The path of a redirect's `location` when it stays on `host`:`port`
// over https (an absolute https URL naming them, or an absolute path); ""
// otherwise.
std::string SameHostPath(std::string_view location, const std::string& host, uint16_t port) {
  if (location.starts_with("/") && !location.starts_with("//")) return std::string(location);
  constexpr std::string_view kScheme = "https://";
  if (location.size() <= kScheme.size()) return "";
  std::string lowered(location.substr(0, kScheme.size()));
  for (char& c : lowered) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lowered != kScheme) return "";
  std::string_view rest = location.substr(kScheme.size());
  const size_t slash = rest.find('/');
  std::string authority(rest.substr(0, slash));
  const std::string path = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  for (char& c : authority) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (authority.find('@') != std::string::npos) return "";
  std::string authority_host = authority;
  uint16_t authority_port = 443;
  if (const size_t colon = authority.rfind(':'); colon != std::string::npos) {
    authority_host = authority.substr(0, colon);
    const std::string digits = authority.substr(colon + 1);
    if (digits.empty() || digits.size() > 5 || digits.find_first_not_of("0123456789") != std::string::npos) return "";
    const int parsed = std::stoi(digits);
    if (parsed < 1 || parsed > 65535) return "";
    authority_port = static_cast<uint16_t>(parsed);
  }
  if (!authority_host.empty() && authority_host.back() == '.') authority_host.pop_back();
  return authority_host == host && authority_port == port ? path : "";
}

// One GET of `target` on `host` at `endpoints`, certificate checked for `host`.
asio::awaitable<Fetched> FetchOnce(ssl::context& tls, std::vector<tcp::endpoint> endpoints, std::string host,
                                   uint16_t port, std::string target, std::string code) {
  auto executor = co_await asio::this_coro::executor;
  beast::ssl_stream<beast::tcp_stream> stream(executor, tls);
  Fetched out;
  auto transient = [&](const std::string& what, const boost::system::error_code& ec) {
    out.result = Failed(events::kDomainReasonLookupFailed,
                        "https://" + host + target + ": " + what + " failed (" + ec.message() + ")");
    return out;
  };
  if (!SSL_set_tlsext_host_name(stream.native_handle(), host.c_str())) {
    co_return transient("TLS setup", asio::error::invalid_argument);
  }
  stream.set_verify_mode(ssl::verify_peer);
  stream.set_verify_callback(ssl::host_name_verification(host));
  auto [connect_ec, connected] =
      co_await beast::get_lowest_layer(stream).async_connect(endpoints, asio::as_tuple(asio::use_awaitable));
  if (connect_ec) co_return transient("connecting", connect_ec);
  auto [handshake_ec] = co_await stream.async_handshake(ssl::stream_base::client, asio::as_tuple(asio::use_awaitable));
  if (handshake_ec) co_return transient("the TLS handshake (certificate checked for " + host + ")", handshake_ec);
  http::request<http::empty_body> request{http::verb::get, target, 11};
  request.set(http::field::host, port == 443 ? host : host + ":" + std::to_string(port));
  request.set(http::field::user_agent, "iamd-domain-verification");
  request.set(http::field::connection, "close");
  auto [write_ec, written] = co_await http::async_write(stream, request, asio::as_tuple(asio::use_awaitable));
  if (write_ec) co_return transient("sending the request", write_ec);
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(kMaxFileBytes);
  auto [read_ec, read] = co_await http::async_read(stream, buffer, parser, asio::as_tuple(asio::use_awaitable));
  if (read_ec == http::error::body_limit) {
    out.result = Failed(events::kDomainReasonFileMissing, "https://" + host + target + " is larger than 64 KiB");
    co_return out;
  }
  if (read_ec) co_return transient("reading the answer", read_ec);
  const auto& response = parser.get();
  const unsigned status = response.result_int();
  if (status == 301 || status == 302 || status == 303 || status == 307 || status == 308) {
    out.redirect_target = SameHostPath(response[http::field::location], host, port);
    if (out.redirect_target.empty()) {
      out.result = Failed(events::kDomainReasonFileMissing,
                          "https://" + host + target + " redirects away from https://" + host);
    }
    co_return out;
  }
  if (status != 200) {
    out.result = Failed(events::kDomainReasonFileMissing,
                        "https://" + host + target + " answered " + std::to_string(status) + ", not the file");
  } else if (response.body().find(code) == std::string::npos) {
    out.result = Failed(events::kDomainReasonFileMissing, "https://" + host + target + " does not hold the code");
  } else {
    out.result = Passed();
  }
  co_return out;
}

// MD-5's GET with at most two same-host redirects.
// A coroutine: its parameters live in its frame, so they are taken by value
// (a reference could dangle after the first suspension).
// cppcheck-suppress passedByValue
asio::awaitable<commands::DomainCheckResult> FetchFile(ssl::context& tls, std::vector<tcp::endpoint> endpoints,
                                                       // cppcheck-suppress passedByValue
                                                       std::string host, uint16_t port, std::string code) {
  std::string target = kWellKnownPath;
  for (int hop = 0; hop <= kMaxRedirects; ++hop) {
    Fetched fetched = co_await FetchOnce(tls, endpoints, host, port, target, code);
    if (fetched.result) co_return *fetched.result;
    target = fetched.redirect_target;
  }
  co_return Failed(events::kDomainReasonFileMissing, "https://" + host + kWellKnownPath + " redirects more than twice");
}

// ---------------------------------------------------------------- addresses

bool InV4(uint32_t address, uint32_t network, int bits) {
  const uint32_t mask = bits == 0 ? 0 : ~uint32_t{0} << (32 - bits);
  return (address & mask) == (network & mask);
}

bool IsPublicV4(uint32_t a) {
  static const struct {
    uint32_t network;
    int bits;
  } kNotPublic[] = {
      {0x00000000, 8},  {0x0A000000, 8},  {0x64400000, 10}, {0x7F000000, 8},  {0xA9FE0000, 16},
      {0xAC100000, 12}, {0xC0000000, 24}, {0xC0000200, 24}, {0xC0586300, 24}, {0xC0A80000, 16},
      {0xC6120000, 15}, {0xC6336400, 24}, {0xCB007100, 24}, {0xE0000000, 4},  {0xF0000000, 4},
  };
  for (const auto& range : kNotPublic) {
    if (InV4(a, range.network, range.bits)) return false;
  }
  return true;
}

}  // namespace

bool IsPublicUnicastAddress(std::string_view address) {
  const std::string text(address);
  in_addr v4{};
  if (inet_pton(AF_INET, text.c_str(), &v4) == 1) return IsPublicV4(ntohl(v4.s_addr));
  in6_addr v6{};
  if (inet_pton(AF_INET6, text.c_str(), &v6) != 1) return false;
  const uint8_t* b = v6.s6_addr;
  static const uint8_t kMappedPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::memcmp(b, kMappedPrefix, 12) == 0) {
    return IsPublicV4((uint32_t{b[12]} << 24) | (uint32_t{b[13]} << 16) | (uint32_t{b[14]} << 8) | b[15]);
  }
  if ((b[0] & 0xE0) != 0x20) return false;  // global unicast is 2000::/3 (no ::1, fc00::/7, fe80::/10, ff00::/8)
  if (b[0] == 0x20 && b[1] == 0x01 && b[2] < 0x02) return false;                      // 2001::/23 IETF protocols
  if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8) return false;     // 2001:db8::/32 documentation
  if (b[0] == 0x20 && b[1] == 0x02) return false;                                     // 2002::/16 6to4 (embeds IPv4)
  if (b[0] == 0x3f && b[1] == 0xff && (b[2] & 0xf0) == 0) return false;               // 3fff::/20 documentation
  return true;
}

DomainVerifier::DomainVerifier(DomainVerificationOptions options) : options_(std::move(options)) {}

Result<std::unique_ptr<DomainVerifier>> DomainVerifier::Create(DomainVerificationOptions options) {
  std::string csv;
  if (!options.dns_resolver.empty()) {
    auto resolver = ParseHostPort(options.dns_resolver);
    in6_addr scratch{};
    if (!resolver.ok()) return Status::InvalidArgument("--dns-resolver: " + resolver.status().message());
    if (inet_pton(AF_INET, resolver->host.c_str(), &scratch) == 1) {
      csv = resolver->host + ":" + std::to_string(resolver->port);
    } else if (inet_pton(AF_INET6, resolver->host.c_str(), &scratch) == 1) {
      csv = "[" + resolver->host + "]:" + std::to_string(resolver->port);
    } else {
      return Status::InvalidArgument("--dns-resolver: the server is named by its IP address, not " + resolver->host);
    }
  }
  if (!options.ca_file.empty() && !std::ifstream(options.ca_file).good()) {
    return Status::InvalidArgument("--domain-verification-ca: cannot read " + options.ca_file);
  }
  if (options.https_port == 0) return Status::InvalidArgument("--domain-verification-port must be 1 to 65535");
  if (options.https_port != 443 && !options.allow_private) {
    return Status::InvalidArgument(
        "--domain-verification-port is for tests only and needs --allow-private-domain-verification");
  }
  if (options.threads == 0) options.threads = 1;
  std::unique_ptr<DomainVerifier> verifier(new DomainVerifier(std::move(options)));
  verifier->resolver_csv_ = std::move(csv);
  for (size_t i = 0; i < verifier->options_.threads; ++i) {
    verifier->threads_.emplace_back([v = verifier.get()] { v->Run(); });
  }
  return verifier;
}

DomainVerifier::~DomainVerifier() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (std::thread& thread : threads_) thread.join();
}

bool DomainVerifier::Post(std::function<void()> work) {
  {
    std::lock_guard lock(mu_);
    if (stopping_ || queue_.size() >= options_.max_queued) return false;
    queue_.push_back(std::move(work));
  }
  wake_.notify_one();
  return true;
}

void DomainVerifier::Run() {
  for (;;) {
    std::function<void()> work;
    {
      std::unique_lock lock(mu_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and nothing left: queued work still runs first
      work = std::move(queue_.front());
      queue_.pop_front();
    }
    work();
  }
}

commands::DomainCheckResult DomainVerifier::Check(std::string_view method, const std::string& domain,
                                                  const std::string& code) const {
  if (method == events::kDomainMethodHttpsFile) return CheckFile(domain, code);
  return CheckTxt(domain, code);
}

commands::DomainCheckResult DomainVerifier::CheckTxt(const std::string& domain, const std::string& code) const {
  const auto deadline = Clock::now() + options_.timeout;
  AresChannel channel(resolver_csv_);
  if (!channel.ok()) return Failed(events::kDomainReasonLookupFailed, "the DNS resolver cannot be used");
  TxtLookup lookup;
  ares_query(channel.get(), domain.c_str(), 1 /* C_IN */, 16 /* T_TXT */, &OnTxt, &lookup);
  channel.Wait(deadline);
  if (IsNoRecords(lookup.status)) {
    return Failed(events::kDomainReasonTxtMissing, domain + " has no TXT records; publish the code as one");
  }
  if (lookup.status != ARES_SUCCESS) {
    const bool timed_out = lookup.status == ARES_ECANCELLED || lookup.status == ARES_ETIMEOUT;
    return Failed(events::kDomainReasonLookupFailed,
                  "the TXT lookup of " + domain + (timed_out ? " timed out" : std::string(" failed (") +
                                                                              ares_strerror(lookup.status) + ")") +
                      "; try again later");
  }
  for (const std::string& record : lookup.records) {
    if (record == code) return Passed();
  }
  return Failed(events::kDomainReasonTxtMissing, "no TXT record of " + domain + " is the verification code");
}

commands::DomainCheckResult DomainVerifier::CheckFile(const std::string& domain, const std::string& code) const {
  const auto deadline = Clock::now() + options_.timeout;
  const std::string url = "https://" + domain + kWellKnownPath;
  AresChannel channel(resolver_csv_);
  if (!channel.ok()) return Failed(events::kDomainReasonLookupFailed, "the DNS resolver cannot be used");
  AddressLookup lookup;
  ares_addrinfo_hints hints{};
  hints.ai_family = AF_UNSPEC;
  ares_getaddrinfo(channel.get(), domain.c_str(), nullptr, &hints, &OnAddresses, &lookup);
  channel.Wait(deadline);
  if (lookup.status != ARES_SUCCESS || lookup.addresses.empty()) {
    return Failed(events::kDomainReasonLookupFailed, "the addresses of " + domain + " cannot be looked up (" +
                                                         ares_strerror(lookup.status) + "); try again later");
  }
  // SSRF guard: every address the name has, not only the one connected to,
  // and the connection goes to exactly these (no second lookup to rebind).
  std::vector<tcp::endpoint> endpoints;
  for (const std::string& address : lookup.addresses) {
    if (!options_.allow_private && !IsPublicUnicastAddress(address)) {
      return Failed(events::kDomainReasonLookupFailed,
                    domain + " resolves to " + address + ", which is no public address; it is not fetched");
    }
    boost::system::error_code ec;
    auto parsed = asio::ip::make_address(address, ec);
    if (!ec) endpoints.emplace_back(parsed, options_.https_port);
  }

  ssl::context tls(ssl::context::tls_client);
  boost::system::error_code ec;
  tls.set_default_verify_paths(ec);
  if (!options_.ca_file.empty()) tls.load_verify_file(options_.ca_file, ec);
  if (ec) return Failed(events::kDomainReasonLookupFailed, "the trust anchors cannot be loaded");

  // Declared before the I/O context: a fetch the deadline abandons is
  // destroyed with the context, and never writes `result` after it.
  std::optional<commands::DomainCheckResult> result;
  asio::io_context io;
  asio::co_spawn(io, FetchFile(tls, std::move(endpoints), domain, options_.https_port, code),
                 [&result](std::exception_ptr failure, commands::DomainCheckResult r) {
                   if (failure) {
                     result = Failed(events::kDomainReasonLookupFailed, "the file could not be fetched");
                   } else {
                     result = std::move(r);
                   }
                 });
  const int left = RemainingMs(deadline);
  if (left > 0) io.run_for(std::chrono::milliseconds(left));
  if (!result) {
    io.stop();
    return Failed(events::kDomainReasonLookupFailed, "fetching " + url + " timed out; try again later");
  }
  return *result;
}

}  // namespace iam::api
