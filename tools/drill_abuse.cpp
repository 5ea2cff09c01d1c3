// drill_abuse: hostile HTTP traffic against a running iamd while one
// well-behaved client keeps working, and what each gets.
//
// For --seconds, alongside a client sending signed GETs of the top group one
// after another, attackers on the same loopback address:
//   idle       thousands of connections that never send a byte
//   slowloris  connections that send a header one byte every 200 ms
//   headers    requests with a 64 KiB header (431 and closed)
//   bodies     requests announcing a 100 MB body (413 before any body byte)
//   garbage    pipelined bytes that are not HTTP (400 and closed)
//   utf-8      signed creates whose JSON holds invalid UTF-8 (400)
//   nesting    signed creates whose JSON nests 10,000 deep (400)
// Each attack's answers are counted against what it must get (a clear 4xx
// or a closed connection, never a 2xx, a 5xx or a hang), the slow and idle
// connections must be closed by the server within its timeouts, and the
// well-behaved client's latency is reported before and during the attack.
// Exits non-zero when an attack got a wrong answer, iamd stopped serving,
// or (with --max-p99-ms above 0) the client's p99 under attack exceeded it.
// Every loop is bounded in count and time.
#include <CLI/CLI.hpp>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "api/http/http_client.h"
#include "events/clock.h"
#include "tools/drill_server.h"
#include "tools/signed_requests.h"

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr const char* kGroups = "/identity-management/v3/user-admin/groups";

// A blocking loopback socket with send and receive timeouts; -1 on failure.
int Connect(uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    ::close(fd);
    return -1;
  }
  timeval timeout{15, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
  return fd;
}

bool SendAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

// The status of the first response on `fd` (0 when the connection closed
// without one, -1 on a timeout), and whether the server then closed it.
struct Answer {
  int status = 0;
  bool closed = false;
};

Answer ReadAnswer(int fd) {
  Answer answer;
  std::string received;
  char buffer[4096];
  for (int reads = 0; reads < 10000; ++reads) {
    const ssize_t n = ::recv(fd, buffer, sizeof(buffer), 0);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) {
      answer.closed = true;
      break;
    }
    if (n < 0) {  // the receive timeout passed
      if (answer.status == 0) answer.status = -1;
      break;
    }
    received.append(buffer, static_cast<size_t>(n));
    if (answer.status == 0 && received.size() >= 12 && received.starts_with("HTTP/1.1 ")) {
      answer.status = std::atoi(received.c_str() + 9);
    }
  }
  return answer;
}

// One attack's tally: answers it must get, and the others by status.
struct Tally {
  std::mutex mu;
  uint64_t attempts = 0, expected = 0;
  std::map<int, uint64_t> unexpected;  // status (0 closed early, -1 hung) → count

  void Add(bool as_expected, int status) {
    std::lock_guard lock(mu);
    ++attempts;
    if (as_expected) {
      ++expected;
    } else {
      ++unexpected[status];
    }
  }
};

double Percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  return values[std::min(values.size() - 1, static_cast<size_t>(p * static_cast<double>(values.size())))];
}

// Signed GETs one after another until `until`; their latencies in ms (-1 for a failure).
std::vector<double> WellBehaved(const iam::tools::DrillServer& server, Clock::time_point until) {
  std::vector<double> latencies;
  iam::api::HttpClient client({"127.0.0.1", server.target.port, false, "", std::chrono::milliseconds(5000)});
  const std::string path = std::string(kGroups) + "/" + server.top;
  for (int i = 0; i < 1'000'000 && Clock::now() < until; ++i) {
    const auto started = Clock::now();
    auto response = client.Send(iam::tools::SignedRequest(server.target, "GET", path, ""));
    const double ms = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
    latencies.push_back(response.ok() && response->status == 200 ? ms : -1);
    std::this_thread::sleep_for(2ms);  // a client, not a load generator
  }
  return latencies;
}

std::string SignedRaw(const iam::tools::DrillServer& server, const std::string& path, const std::string& body) {
  iam::api::HttpRequest request = iam::tools::SignedRequest(server.target, "POST", path, body);
  std::string raw = "POST " + path + " HTTP/1.1\r\n";
  for (const auto& [name, value] : request.headers) raw += name + ": " + value + "\r\n";
  raw += "Connection: close\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  return raw;
}

}  // namespace

int main(int argc, char** argv) {
  std::string dir;
  std::string iamd = (fs::path(argv[0]).parent_path() / "iamd").string();
  int seconds = 15, idle = 2000, slow = 100;
  double max_p99_ms = 10;
  CLI::App app{"Hostile HTTP traffic against iamd while a well-behaved client keeps working"};
  app.add_option("--dir", dir, "scratch directory (its data/ is created); default: a temporary one");
  app.add_option("--iamd", iamd, "the iamd binary")->capture_default_str();
  app.add_option("--seconds", seconds, "length of the attack; at least 12, so slow connections meet the "
                                       "server's 10 s timeouts")
      ->check(CLI::Range(12, 3600))
      ->capture_default_str();
  app.add_option("--idle", idle, "idle connections held open")->check(CLI::Range(0, 20000))->capture_default_str();
  app.add_option("--slow", slow, "slowloris connections")->check(CLI::Range(0, 2000))->capture_default_str();
  app.add_option("--max-p99-ms", max_p99_ms, "fail when the client's p99 under attack exceeds this (0: report only)")
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  spdlog::set_level(spdlog::level::off);

  // Both ends of every connection live on this machine: make room for them.
  rlimit files{};
  if (::getrlimit(RLIMIT_NOFILE, &files) == 0) {
    files.rlim_cur = files.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &files);
    idle = static_cast<int>(std::min<rlim_t>(static_cast<rlim_t>(idle), files.rlim_cur / 4));
  }
  const bool own_dir = dir.empty();
  if (own_dir) dir = (fs::temp_directory_path() / ("iamd-abuse-" + iam::NewUuid())).string();
  const fs::path data = fs::path(dir) / "data";
  fs::create_directories(data);
  iam::tools::DrillServer server;
  // All clients share 127.0.0.1, so per-address rate limits would refuse the
  // well-behaved client for the attackers' sake: they are off here.
  if (!iam::tools::StartServer(iam::tools::IamdArguments(iamd, data, {"--rate-limits", "off"}), data, server)) {
    std::fprintf(stderr, "iamd did not come up\n");
    iam::tools::StopServer(server, SIGKILL);
    return 1;
  }
  const uint16_t port = server.target.port;
  const std::vector<double> baseline = WellBehaved(server, Clock::now() + 2s);

  const auto attack_end = Clock::now() + std::chrono::seconds(seconds);
  std::map<std::string, Tally> tallies;
  for (const char* name : {"idle", "slowloris", "headers", "bodies", "garbage", "utf-8", "nesting"}) tallies[name];
  std::vector<std::thread> attackers;

  // Idle: connect and say nothing; the server must close each within its
  // first-request timeout (10 s) and meanwhile keep serving others.
  attackers.emplace_back([&] {
    std::vector<int> fds;
    for (int i = 0; i < idle; ++i) {
      const int fd = Connect(port);
      if (fd >= 0) fds.push_back(fd);
    }
    const auto opened = Clock::now();
    for (int fd : fds) {
      pollfd p{fd, POLLIN, 0};
      const int left = static_cast<int>(std::max<int64_t>(
          0, std::chrono::duration_cast<std::chrono::milliseconds>(opened + std::chrono::seconds(13) - Clock::now()).count()));
      const bool closed = ::poll(&p, 1, left) == 1 && ReadAnswer(fd).closed;
      tallies.at("idle").Add(closed, closed ? 0 : -1);
      ::close(fd);
    }
  });
  // Slowloris: one header byte every 200 ms; closed within the read timeout.
  attackers.emplace_back([&] {
    std::vector<int> fds;
    for (int i = 0; i < slow; ++i) {
      const int fd = Connect(port);
      if (fd >= 0 && SendAll(fd, "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")) fds.push_back(fd);
    }
    const auto opened = Clock::now();
    std::vector<bool> closed(fds.size(), false);
    for (int tick = 0; tick < 100 && Clock::now() < opened + std::chrono::seconds(13); ++tick) {
      for (size_t i = 0; i < fds.size(); ++i) {
        if (!closed[i] && !SendAll(fds[i], "a")) closed[i] = true;
        pollfd p{fds[i], POLLIN, 0};
        if (!closed[i] && ::poll(&p, 1, 0) == 1) {
          ReadAnswer(fds[i]);  // whatever the server said, it ends the connection
          closed[i] = true;
        }
      }
      std::this_thread::sleep_for(200ms);
    }
    for (size_t i = 0; i < fds.size(); ++i) {
      tallies.at("slowloris").Add(closed[i], closed[i] ? 0 : -1);
      ::close(fds[i]);
    }
  });
  // Oversized headers, oversized bodies, garbage, invalid UTF-8 and deep
  // nesting: one after another until the end.
  auto repeat = [&](const char* name, auto&& once) {
    attackers.emplace_back([&, name, once] {
      for (int i = 0; i < 100000 && Clock::now() < attack_end; ++i) {
        const int fd = Connect(port);
        if (fd < 0) {
          tallies.at(name).Add(false, -2);
          continue;
        }
        once(fd, tallies.at(name));
        ::close(fd);
        std::this_thread::sleep_for(5ms);
      }
    });
  };
  repeat("headers", [&](int fd, Tally& tally) {
    SendAll(fd, "GET " + std::string(kGroups) + " HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(64 * 1024, 'a') +
                    "\r\n\r\n");
    const Answer a = ReadAnswer(fd);
    tally.Add(a.status == 431 || (a.status == 0 && a.closed), a.status);
  });
  repeat("bodies", [&](int fd, Tally& tally) {
    SendAll(fd, "POST " + std::string(kGroups) + "/1 HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                "Content-Length: 100000000\r\n\r\n{");
    const Answer a = ReadAnswer(fd);
    tally.Add(a.status == 413, a.status);
  });
  repeat("garbage", [&](int fd, Tally& tally) {
    std::string pipelined;
    for (int k = 0; k < 100; ++k) pipelined += "NOT HTTP AT ALL \x01\x02\r\n\r\n";
    SendAll(fd, pipelined);
    const Answer a = ReadAnswer(fd);
    tally.Add(a.status == 400 && a.closed, a.status);
  });
  const std::string create = std::string(kGroups) + "/" + server.top;
  repeat("utf-8", [&](int fd, Tally& tally) {
    SendAll(fd, SignedRaw(server, create, "{\"groupName\":\"bad \xc3\x28 \xff\"}"));
    const Answer a = ReadAnswer(fd);
    tally.Add(a.status == 400, a.status);
  });
  repeat("nesting", [&](int fd, Tally& tally) {
    SendAll(fd, SignedRaw(server, create, "{\"groupName\":" + std::string(10000, '[') + std::string(10000, ']') + "}"));
    const Answer a = ReadAnswer(fd);
    tally.Add(a.status == 400, a.status);
  });

  const std::vector<double> under_attack = WellBehaved(server, attack_end);
  for (auto& t : attackers) t.join();
  const std::vector<double> after = WellBehaved(server, Clock::now() + 1s);
  iam::tools::StopServer(server, SIGTERM);

  auto failures = [](const std::vector<double>& v) { return std::count(v.begin(), v.end(), -1.0); };
  auto ok_latencies = [](std::vector<double> v) {
    std::erase(v, -1.0);
    return v;
  };
  const auto base_ok = ok_latencies(baseline), attack_ok = ok_latencies(under_attack);
  std::printf("# iamd HTTP abuse drill\n\n%d s of attack: %d idle connections, %d slowloris connections, and "
              "oversized headers, oversized bodies, pipelined garbage, invalid UTF-8 and 10,000-deep JSON one "
              "after another\n\n",
              seconds, idle, slow);
  std::printf("| attack | attempts | as required | otherwise (status: count; 0 closed, -1 no answer) |\n"
              "|---|---:|---:|---|\n");
  bool attacks_ok = true;
  for (auto& [name, tally] : tallies) {
    std::string other;
    for (const auto& [status, count] : tally.unexpected) {
      other += (other.empty() ? "" : ", ") + std::to_string(status) + ": " + std::to_string(count);
    }
    std::printf("| %s | %llu | %llu | %s |\n", name.c_str(), static_cast<unsigned long long>(tally.attempts),
                static_cast<unsigned long long>(tally.expected), other.empty() ? "none" : other.c_str());
    attacks_ok = attacks_ok && tally.unexpected.empty() && tally.attempts > 0;
  }
  std::printf("\n| well-behaved client | requests | failed | p50 ms | p99 ms | max ms |\n|---|---:|---:|---:|---:|---:|\n");
  std::printf("| before the attack | %zu | %lld | %.2f | %.2f | %.2f |\n", baseline.size(),
              static_cast<long long>(failures(baseline)), Percentile(base_ok, 0.5), Percentile(base_ok, 0.99),
              Percentile(base_ok, 1.0));
  std::printf("| under attack | %zu | %lld | %.2f | %.2f | %.2f |\n", under_attack.size(),
              static_cast<long long>(failures(under_attack)), Percentile(attack_ok, 0.5), Percentile(attack_ok, 0.99),
              Percentile(attack_ok, 1.0));
  const bool served = !after.empty() && failures(after) == 0 && failures(under_attack) == 0;
  const double p99 = Percentile(attack_ok, 0.99);
  const bool fast = max_p99_ms <= 0 || p99 <= max_p99_ms;
  std::printf("\nthe server kept serving: %s; p99 under attack %.2f ms%s\n", served ? "yes" : "NO", p99,
              max_p99_ms > 0 ? (fast ? " (within the limit)" : " (ABOVE THE LIMIT)") : " (report only)");
  const bool ok = attacks_ok && served && fast;
  std::printf("\n%s\n", ok ? "every check held" : "A CHECK FAILED");
  if (own_dir && ok) fs::remove_all(dir);
  return ok ? 0 : 1;
}
