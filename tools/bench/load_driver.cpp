#include "tools/bench/load_driver.h"

#include <algorithm>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <thread>

namespace iam::bench {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

// What every connection shares: the phase boundaries and the request bound.
struct Run {
  const RequestSource& source;
  tcp::endpoint endpoint;
  Clock::time_point measure_from;
  Clock::time_point measure_until;
  uint64_t max_requests;
  std::atomic<uint64_t> recorded{0};
  std::atomic<int> active{0};            // connections still alive
  std::function<void()> on_all_ended;   // called by the last one to end

  bool Open(Clock::time_point now) const {
    return now < measure_until && recorded.load(std::memory_order_relaxed) < max_requests;
  }
};

// What one connection measured; merged after the run.
struct Tally {
  uint64_t requests = 0;
  uint64_t unexpected = 0;
  uint64_t errors = 0;
  Clock::time_point last_recorded{};
  std::vector<uint32_t> latencies_us;
  std::string first_unexpected;
  std::string first_body;
};

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(asio::io_context& io, Run& run, int index, Tally& tally)
      : socket_(io), retry_(io), run_(run), index_(index), tally_(tally) {
    run_.active.fetch_add(1);
  }
  ~Connection() {
    if (run_.active.fetch_sub(1) == 1) run_.on_all_ended();
  }

  void Start() { Connect(); }
  void Stop() {
    beast::error_code ignored;
    socket_.close(ignored);
    retry_.cancel();
  }

 private:
  void Connect() {
    if (!run_.Open(Clock::now())) return;
    socket_.async_connect(run_.endpoint, [self = shared_from_this()](beast::error_code ec) {
      if (ec) return self->Fail();
      self->socket_.set_option(tcp::no_delay(true));
      self->Send();
    });
  }

  void Send() {
    const auto now = Clock::now();
    if (!run_.Open(now)) return Close();
    request_ = run_.source(index_, sequence_++);
    sent_at_ = now;
    asio::async_write(socket_, asio::buffer(request_.bytes),
                      [self = shared_from_this()](beast::error_code ec, size_t) {
                        if (ec) return self->Fail();
                        self->Receive();
                      });
  }

  void Receive() {
    parser_.emplace();
    parser_->body_limit(64 << 20);
    http::async_read(socket_, buffer_, *parser_, [self = shared_from_this()](beast::error_code ec, size_t) {
      if (ec) return self->Fail();
      self->Received();
    });
  }

  void Received() {
    const auto now = Clock::now();
    const auto& response = parser_->get();
    if (sent_at_ >= run_.measure_from && now <= run_.measure_until &&
        run_.recorded.fetch_add(1, std::memory_order_relaxed) < run_.max_requests) {
      ++tally_.requests;
      tally_.last_recorded = now;
      tally_.latencies_us.push_back(static_cast<uint32_t>(
          std::min<int64_t>(std::chrono::duration_cast<std::chrono::microseconds>(now - sent_at_).count(), UINT32_MAX)));
      if (response.result_int() == static_cast<unsigned>(request_.expected_status)) {
        if (tally_.first_body.empty()) tally_.first_body = response.body();
      } else {
        ++tally_.unexpected;
        if (tally_.first_unexpected.empty()) {
          tally_.first_unexpected = std::to_string(response.result_int()) + " " + response.body().substr(0, 300);
        }
      }
    }
    if (!response.keep_alive()) {
      Close();
      return Connect();
    }
    Send();
  }

  void Fail() {
    if (!run_.Open(Clock::now())) return Close();
    ++tally_.errors;
    Close();
    // A refused or reset connection is retried after a pause, so a server
    // that is down costs a bounded number of attempts, not a busy loop.
    retry_.expires_after(std::chrono::milliseconds(10));
    retry_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->Connect();
    });
  }

  void Close() {
    beast::error_code ignored;
    socket_.close(ignored);
    buffer_.clear();
  }

  tcp::socket socket_;
  asio::steady_timer retry_;
  Run& run_;
  const int index_;
  Tally& tally_;
  uint64_t sequence_ = 0;
  WireRequest request_;
  Clock::time_point sent_at_;
  beast::flat_buffer buffer_;
  std::optional<http::response_parser<http::string_body>> parser_;
};

}  // namespace

double LoadResult::PercentileMs(double p) const {
  if (latencies_us.empty()) return 0;
  std::vector<uint32_t> sorted = latencies_us;
  const size_t rank = std::min(sorted.size() - 1, static_cast<size_t>(p * static_cast<double>(sorted.size() - 1)));
  std::nth_element(sorted.begin(), sorted.begin() + static_cast<std::ptrdiff_t>(rank), sorted.end());
  return sorted[rank] / 1000.0;
}

LoadResult RunLoad(const LoadOptions& options, const RequestSource& source) {
  asio::io_context io;
  const auto start = Clock::now();
  Run run{source,
          tcp::endpoint(asio::ip::make_address(options.host), options.port),
          start + options.warmup,
          start + options.warmup + options.duration,
          options.max_requests};
  const int connections = std::max(1, options.connections);
  std::vector<Tally> tallies(static_cast<size_t>(connections));
  // Only the pending operations own a connection, so it ends (and says so)
  // once it stops issuing requests.
  std::vector<std::weak_ptr<Connection>> live;
  asio::steady_timer hard_stop(io);
  run.on_all_ended = [&io, &hard_stop] { asio::post(io, [&hard_stop] { hard_stop.cancel(); }); };
  for (int c = 0; c < connections; ++c) {
    auto connection = std::make_shared<Connection>(io, run, c, tallies[static_cast<size_t>(c)]);
    live.push_back(connection);
    connection->Start();
  }
  // A server that stops answering must not hold the run past its end.
  hard_stop.expires_at(run.measure_until + std::chrono::seconds(5));
  hard_stop.async_wait([&live](beast::error_code ec) {
    if (ec) return;
    for (auto& weak : live) {
      if (auto connection = weak.lock()) connection->Stop();
    }
  });
  std::vector<std::thread> workers;
  for (int t = 1; t < std::max(1, options.threads); ++t) {
    workers.emplace_back([&io] { io.run(); });
  }
  io.run();
  for (auto& worker : workers) worker.join();

  LoadResult result;
  Clock::time_point last = run.measure_from;
  for (Tally& tally : tallies) {
    result.requests += tally.requests;
    result.unexpected += tally.unexpected;
    result.errors += tally.errors;
    last = std::max(last, tally.last_recorded);
    result.latencies_us.insert(result.latencies_us.end(), tally.latencies_us.begin(), tally.latencies_us.end());
    if (result.first_unexpected.empty()) result.first_unexpected = std::move(tally.first_unexpected);
    if (result.first_body.empty()) result.first_body = std::move(tally.first_body);
  }
  // The run ends at its deadline, or earlier when the request bound was hit.
  const auto end = run.recorded.load() >= run.max_requests ? last : run.measure_until;
  result.seconds = std::chrono::duration<double>(end - run.measure_from).count();
  return result;
}

std::string SerializeRequest(const std::string& method, const std::string& target, const std::string& host,
                             const std::vector<std::pair<std::string, std::string>>& headers,
                             const std::string& body) {
  std::string out;
  out.reserve(256 + body.size());
  out.append(method).append(" ").append(target).append(" HTTP/1.1\r\nHost: ").append(host).append("\r\n");
  for (const auto& [name, value] : headers) out.append(name).append(": ").append(value).append("\r\n");
  if (!body.empty() || method == "POST" || method == "PUT") {
    out.append("Content-Length: ").append(std::to_string(body.size())).append("\r\n");
  }
  out.append("\r\n").append(body);
  return out;
}

}  // namespace iam::bench
