// /metrics (D-15, the operations part of the reliability issue): requests and
// latency per route and status, the event log's commit latency and group
// sizes, projection lag, storage figures; no tenant data in any label.
#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/api_server_test.h"

namespace iam {
namespace {

class MetricsApiTest : public testing::ApiServerTest {
 protected:
  // sample name with labels → value, every line checked against the format.
  std::map<std::string, double> Samples() {
    auto response = client_->SendUnsigned("GET", "/metrics");
    EXPECT_EQ(response.status, 200);
    EXPECT_EQ(response.Header("Content-Type"), "text/plain; version=0.0.4");
    body_ = response.body;
    std::map<std::string, double> out;
    static const std::regex kSample(R"(^([a-zA-Z_:][a-zA-Z0-9_:]*(\{.*\})?) (-?[0-9.e+-]+|\+Inf)$)");
    static const std::regex kType(R"(^# TYPE [a-zA-Z_:][a-zA-Z0-9_:]* (counter|gauge|histogram)$)");
    std::istringstream lines(response.body);
    std::string line;
    while (std::getline(lines, line)) {
      std::smatch m;
      if (std::regex_match(line, m, kSample)) {
        out[m[1].str()] = std::stod(m[3].str());
      } else {
        EXPECT_TRUE(std::regex_match(line, kType)) << "not Prometheus text: " << line;
      }
    }
    return out;
  }

  std::string body_;
};

TEST_F(MetricsApiTest, RequestsAreCountedPerRouteAndStatusWithLatencyBuckets) {
  const int64_t top = TopGroupId();
  const int64_t created = CreateGroup(top, "Metrics-Private-Name");
  ASSERT_GT(created, 0);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(client_->Send("GET", std::string(testing::kGroups) + "/" + std::to_string(created)).status, 200);
  }
  EXPECT_EQ(client_->Send("GET", std::string(testing::kGroups) + "/987654321").status, 404);

  const auto samples = Samples();
  const std::string route = "/identity-management/v3/user-admin/groups/{groupId}";
  const std::string get_ok = "{method=\"GET\",route=\"" + route + "\",status=\"200\"}";
  const std::string get_missing = "{method=\"GET\",route=\"" + route + "\",status=\"404\"}";
  const std::string post_created = "{method=\"POST\",route=\"" + route + "\",status=\"201\"}";
  ASSERT_TRUE(samples.count("iamd_http_request_duration_seconds_count" + get_ok)) << body_;
  EXPECT_EQ(samples.at("iamd_http_request_duration_seconds_count" + get_ok), 3);
  EXPECT_EQ(samples.at("iamd_http_request_duration_seconds_count" + get_missing), 1);
  EXPECT_EQ(samples.at("iamd_http_request_duration_seconds_count" + post_created), 1);
  EXPECT_GT(samples.at("iamd_http_request_duration_seconds_sum" + get_ok), 0);

  // Buckets are cumulative and end at the count.
  const std::string prefix = "iamd_http_request_duration_seconds_bucket{method=\"GET\",route=\"" + route +
                             "\",status=\"200\",le=\"";
  double previous = 0;
  int buckets = 0;
  for (const auto& [name, value] : samples) {
    if (!name.starts_with(prefix) || name.ends_with("+Inf\"}")) continue;
    ++buckets;
    EXPECT_GE(value, 0);
    EXPECT_LE(value, 3);
  }
  for (const char* le : {"0.0001", "0.001", "0.01", "0.1", "1", "10"}) {
    const double value = samples.at(prefix + le + "\"}");
    EXPECT_GE(value, previous) << le;
    previous = value;
  }
  EXPECT_GE(buckets, 10);
  EXPECT_EQ(samples.at(prefix + "+Inf\"}"), 3);

  // No tenant data: no group id, group name, account id or credential in any label.
  EXPECT_EQ(body_.find("Metrics-Private-Name"), std::string::npos);
  EXPECT_EQ(body_.find(std::to_string(created) + "\""), std::string::npos);
  EXPECT_EQ(body_.find("987654321"), std::string::npos);
  EXPECT_EQ(body_.find(credential_.client_token), std::string::npos);
  EXPECT_EQ(body_.find(credential_.access_token), std::string::npos);
}

TEST_F(MetricsApiTest, TheLogTheProjectionsAndTheEngineAreMeasured) {
  const int64_t top = TopGroupId();
  for (int i = 0; i < 3; ++i) ASSERT_GT(CreateGroup(top, "Measured " + std::to_string(i)), 0);
  const auto samples = Samples();
  EXPECT_GE(samples.at("iamd_event_log_commit_duration_seconds_count"), 3);
  EXPECT_GT(samples.at("iamd_event_log_commit_duration_seconds_sum"), 0);
  EXPECT_EQ(samples.at("iamd_event_log_commit_duration_seconds_bucket{le=\"+Inf\"}"),
            samples.at("iamd_event_log_commit_duration_seconds_count"));
  EXPECT_GE(samples.at("iamd_event_log_commit_appends_count"), 3);
  EXPECT_GE(samples.at("iamd_event_log_commit_appends_sum"), samples.at("iamd_event_log_commit_appends_count"));
  EXPECT_EQ(samples.at("iamd_event_log_failed_writes_total"), 0);
  EXPECT_EQ(samples.at("iamd_event_log_writable"), 1);
  EXPECT_EQ(samples.at("iamd_ready"), 1);
  EXPECT_GT(samples.at("iamd_event_log_head"), 0);
  // Each read model's lag against the head; every core one is caught up.
  ASSERT_TRUE(samples.count("iamd_projection_lag_events{projection=\"groups\"}")) << body_;
  EXPECT_EQ(samples.at("iamd_projection_lag_events{projection=\"groups\"}"), 0);
  EXPECT_EQ(samples.at("iamd_projection_failed{projection=\"groups\"}"), 0);
  // The engine's own figures.
  for (const char* figure : {"iamd_storage_live_data_bytes", "iamd_storage_memtable_bytes",
                             "iamd_storage_pending_compaction_bytes", "iamd_storage_background_errors",
                             "iamd_storage_writes_stopped"}) {
    EXPECT_TRUE(samples.count(figure)) << figure << " missing in " << body_;
  }
  EXPECT_EQ(samples.at("iamd_storage_background_errors"), 0);
  EXPECT_EQ(samples.at("iamd_storage_writes_stopped"), 0);
}

}  // namespace
}  // namespace iam
