// LoadDriver: a closed-loop HTTP/1.1 load generator for loopback benchmarks.
//
// Each of `connections` keep-alive connections sends one request, waits for
// its answer, records the latency and sends the next: the shape wrk uses, so
// the two can be compared on the same server. Requests come from a
// RequestSource, called for every request, so a signed request is signed
// afresh each time (D-3: 30 s window, single-use nonces). All connections
// run on `threads` Asio threads; Beast parses the answers.
//
// Thread safety: Run is not reentrant; a RequestSource is called from the
// driver's threads concurrently and must be safe for that.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace iam::bench {

// One request as it goes on the wire, and the status that counts as success.
struct WireRequest {
  std::string bytes;  // the whole HTTP/1.1 request: request line, headers, body
  int expected_status = 200;
};

// Builds the next request of connection `connection` (0-based), its
// `sequence`-th (0-based).
using RequestSource = std::function<WireRequest(int connection, uint64_t sequence)>;

struct LoadOptions {
  std::string host = "127.0.0.1";  // a loopback address
  uint16_t port = 0;
  int connections = 64;
  int threads = 1;
  std::chrono::milliseconds duration{10000};  // measured time, after the warm-up
  std::chrono::milliseconds warmup{1000};     // requests sent but not recorded
  uint64_t max_requests = 50'000'000;         // bound on recorded requests in all
};

struct LoadResult {
  uint64_t requests = 0;     // answered and recorded, whatever their status
  uint64_t unexpected = 0;   // answered with another status than expected
  uint64_t errors = 0;       // connection errors (each reconnects)
  double seconds = 0;        // measured wall time
  std::vector<uint32_t> latencies_us;  // one per recorded request
  std::string first_unexpected;        // status line and body of the first one, for the report
  std::string first_body;              // the body of the first answer with the expected status

  double RequestsPerSecond() const { return seconds > 0 ? static_cast<double>(requests) / seconds : 0; }
  // The p-quantile (0..1) of the latencies in milliseconds; 0 when none.
  double PercentileMs(double p) const;
};

// Drives the load until the duration or the request bound is reached.
// Connection failures are counted and retried (after 10 ms), never fatal;
// the run still ends on time.
LoadResult RunLoad(const LoadOptions& options, const RequestSource& source);

// An HTTP/1.1 request's bytes: `headers` as given, then Host, Content-Length
// (when there is a body) and the body.
std::string SerializeRequest(const std::string& method, const std::string& target, const std::string& host,
                             const std::vector<std::pair<std::string, std::string>>& headers,
                             const std::string& body);

}  // namespace iam::bench
