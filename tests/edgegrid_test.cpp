// Tests for EdgeGrid signing and verification (api/auth/edgegrid.h), the replay
// cache (api/nonce_cache.h) and .edgerc files (api/edgerc.h).
//
// The vectors of the spec's §7 are hard-coded here so they run without the
// spec directory; edgegrid-test-vectors.json is checked in addition when
// IAM_SPEC_DIR points at it.
#include <sys/stat.h>

#include <atomic>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <simdjson.h>

#include "api/auth/credential_lookup.h"
#include "api/auth/edgegrid.h"
#include "api/auth/edgerc.h"
#include "api/http/http_message.h"
#include "api/auth/nonce_cache.h"
#include "events/access_events.h"
#include "events/storage.h"
#include "projections/core_projections.h"
#include "projections/identity_read_models.h"
#include "projections/projection_runner.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_signer.h"

namespace {

using iam::StatusCode;
using iam::api::HttpRequest;
using iam::api::edgegrid::AuthFailure;
using iam::api::edgegrid::AuthResult;
using iam::api::edgegrid::CanonicalHeaders;
using iam::api::edgegrid::ClientCredential;
using iam::api::edgegrid::ConstantTimeEquals;
using iam::api::edgegrid::ContentHash;
using iam::api::edgegrid::CredentialLookup;
using iam::api::edgegrid::DataToSign;
using iam::api::edgegrid::FormatTimestamp;
using iam::api::edgegrid::NewNonce;
using iam::api::edgegrid::NonceCache;
using iam::api::edgegrid::ParseAuthorization;
using iam::api::edgegrid::ParseTimestamp;
using iam::api::edgegrid::Sign;
using iam::api::edgegrid::SigningKey;
using iam::api::edgegrid::SignRequestHeader;
using iam::api::edgegrid::VerifiedCredential;
using iam::api::edgegrid::Verifier;
using iam::api::edgegrid::VerifierOptions;
using Headers = std::vector<std::pair<std::string, std::string>>;

// ---- §7 common inputs ------------------------------------------------------

const std::string kClientToken = "akab-client-token-xxx-xxxxxxxxxxxxxxxx";
const std::string kAccessToken = "akab-access-token-xxx-xxxxxxxxxxxxxxxx";
const std::string kSecret = "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx=";
const std::string kTimestamp = "20140321T19:34:21+0000";
constexpr int64_t kTimestampUnix = 1395430461;
const std::string kNonce = "nonce-xx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";
const std::string kHost = "akaa-baseurl-xxxxxxxxxxx-xxxxxxxxxxxxx.luna.akamaiapis.net";
const std::string kUnsigned =
    "EG1-HMAC-SHA256 client_token=akab-client-token-xxx-xxxxxxxxxxxxxxxx;"
    "access_token=akab-access-token-xxx-xxxxxxxxxxxxxxxx;timestamp=20140321T19:34:21+0000;"
    "nonce=nonce-xx-xxxx-xxxx-xxxx-xxxxxxxxxxxx;";
const std::vector<std::string> kTestHeaders = {"X-Test1", "X-Test2", "X-Test3"};

const std::string kDataHash = "fDimoYqXOLntG3If/Z0K2aS9I19Pkv9P5OMCoL8lY0w=";
const std::string kDddHash = "iysZKJ78BqF0NvDrpv9Hc3pJBWC5f5apR4qUK/Qfo5k=";

// The signature of a §7 request computed with the production functions.
std::string VectorSignature(const std::string& method, const std::string& path, const std::string& body,
                            const Headers& headers, size_t max_body,
                            const std::vector<std::string>& headers_to_sign) {
  const std::string data = DataToSign(method, "https", kHost, path, CanonicalHeaders(headers, headers_to_sign),
                                      ContentHash(method, body, max_body), kUnsigned);
  return Sign(SigningKey(kSecret, kTimestamp), data);
}

// ---- §7.1 intermediate values ---------------------------------------------

TEST(EdgeGridVectors, IntermediateValues) {
  EXPECT_EQ(SigningKey(kSecret, kTimestamp), "znsRMDBRqTXGJ7Ojip3/h2FGPu3LuoMYWgv9PKEnE/o=");
  EXPECT_EQ(ContentHash("POST", "test_body", 2048), "REPGqEEubBHzJMhwqDZtbt515/ntEvAMNriNR53zcdY=");
  EXPECT_EQ(ContentHash("POST", "datadatadatadatadatadatadatadata", 2048), kDataHash);
  EXPECT_EQ(ContentHash("POST", std::string(2048, 'd'), 2048), kDddHash);
  EXPECT_EQ(ContentHash("POST", std::string(2049, 'd'), 2048), kDddHash);
}

TEST(EdgeGridVectors, ContentHashOnlyForNonEmptyPost) {
  EXPECT_EQ(ContentHash("GET", "test_body", 2048), "");
  EXPECT_EQ(ContentHash("PUT", std::string(31, 'P'), 2048), "");
  EXPECT_EQ(ContentHash("PATCH", "test_body", 2048), "");
  EXPECT_EQ(ContentHash("DELETE", "test_body", 2048), "");
  EXPECT_EQ(ContentHash("POST", "", 2048), "");
  // Methods are case-sensitive on the wire; only the exact token is hashed.
  EXPECT_EQ(ContentHash("post", "test_body", 2048), "");
}

// ---- §7.2 / §7.2a worked examples -----------------------------------------

TEST(EdgeGridVectors, WorkedExampleSimpleGet) {
  const std::string data = DataToSign("GET", "https", kHost, "/", "", "", kUnsigned);
  EXPECT_EQ(data, "GET\thttps\t" + kHost + "\t/\t\t\t" + kUnsigned);
  EXPECT_EQ(Sign(SigningKey(kSecret, kTimestamp), data), "tL+y4hxyHxgWVD30X3pWnGKHcPzmrIF+LThiAOhMxYU=");
}

TEST(EdgeGridVectors, WorkedExamplePostWithContentHash) {
  const std::string body = "datadatadatadatadatadatadatadata";
  ASSERT_EQ(body.size(), 32u);
  const std::string hash = ContentHash("POST", body, 131072);
  EXPECT_EQ(hash, kDataHash);
  const std::string data = DataToSign("POST", "https", kHost, "/testapi/v1/t3", "", hash, kUnsigned);
  EXPECT_EQ(data, "POST\thttps\t" + kHost + "\t/testapi/v1/t3\t\t" + kDataHash + "\t" + kUnsigned);
  EXPECT_EQ(Sign(SigningKey(kSecret, kTimestamp), data), "hXm4iCxtpN22m4cbZb4lVLW5rhX8Ca82vCFqXzSTPe4=");
}

// ---- §7.2b IAM-shaped requests --------------------------------------------

struct IamRow {
  std::string method, target, body, hash, signature;
};

const std::vector<IamRow>& IamRows() {
  static const std::vector<IamRow> rows = {
      {"GET", "/identity-management/v3/user-admin/ip-acl/allowlist/validate?cidrblock=1.2.3.4%2F32", "", "",
       "xsB7GBVcX6GauK48HjObJlGQBCLSp9xuCm03/jvP/i4="},
      {"GET", "/identity-management/v3/user-admin/ip-acl/allowlist/validate?cidrblock=1.2.3.4/32", "", "",
       "1rPj+J/WitYHYK/1+e4ntd2w0E3bJbBBVdmuLR1oh0Q="},
      {"POST", "/identity-management/v3/user-admin/groups/12345", R"({"groupName":"Example group"})",
       "H+QN6qhlVoluZ+fa01x1SaBgxOObouVitqfCww16UTk=", "iuB8OZ1UfI2RJ0gseZrq0K/7Uq/wfo/0xq5RHCwUMzQ="},
      {"PUT", "/identity-management/v3/user-admin/groups/12345", R"({"groupName":"Example group"})", "",
       "JoAgMWUgtCprz1xHFaZyfGJzl1PP/McxMecrL/PmNro="},
  };
  return rows;
}

TEST(EdgeGridVectors, IamShapedRequests) {
  for (const IamRow& row : IamRows()) {
    SCOPED_TRACE(row.method + " " + row.target);
    EXPECT_EQ(ContentHash(row.method, row.body, 131072), row.hash);
    EXPECT_EQ(VectorSignature(row.method, row.target, row.body, {}, 131072, {}), row.signature);
  }
  EXPECT_EQ(IamRows()[2].body.size(), 29u);
}

// ---- §7.3 further cases -----------------------------------------------------

struct TableRow {
  std::string name, method, path, body;
  Headers headers;
  size_t max_body;
  std::string canonical, hash, signature;
};

const std::vector<TableRow>& Table73() {
  static const std::vector<TableRow> rows = {
      {"GET with querystring", "GET", "/testapi/v1/t1?p1=1&p2=2", "", {}, 2048, "", "",
       "hKDH1UlnQySSHjvIcZpDMbQHihTQ0XyVAKZaApabdeA="},
      {"GET with query params", "GET", "/testapi/v1/configs/111?from=12345&limit=200000", "", {}, 2048, "", "",
       "XM+hsuSs6nuy/5eDRty1IjtVCAdr8xPFRAZ/b8RXDm8="},
      {"separator in path", "GET", "/testapi/v1/configs/111;222;333?from=12345&limit=200000", "", {}, 2048, "", "",
       "pmQF7Is2+O4r/mMojPR4yeF58BrempNNoBX5/DT0Fxs="},
      {"POST inside limit", "POST", "/testapi/v1/t3", "datadatadatadatadatadatadatadata", {}, 2048, "", kDataHash,
       "hXm4iCxtpN22m4cbZb4lVLW5rhX8Ca82vCFqXzSTPe4="},
      {"POST too large", "POST", "/testapi/v1/t3", std::string(2049, 'd'), {}, 2048, "", kDddHash,
       "6Q6PiTipLae6n4GsSIDTCJ54bEbHUBp+4MUXrbQCBoY="},
      {"POST length = max_body", "POST", "/testapi/v1/t3", std::string(2048, 'd'), {}, 2048, "", kDddHash,
       "6Q6PiTipLae6n4GsSIDTCJ54bEbHUBp+4MUXrbQCBoY="},
      {"POST empty body", "POST", "/testapi/v1/t6", "", {}, 2048, "", "",
       "1gEDxeQGD5GovIkJJGcBaKnZ+VaPtrc4qBUHixjsPCQ="},
      {"PUT (body not hashed)", "PUT", "/testapi/v1/t6", std::string(31, 'P'), {}, 2048, "", "",
       "GNBWEYSEWOLtu+7dD52da2C39aX/Jchpon3K/AmBqBU="},
      {"simple header", "GET", "/testapi/v1/t4", "", {{"Host", kHost}, {"X-Test1", "test-simple-header"}}, 2048,
       "x-test1:test-simple-header", "", "8F9AybcRw+PLxnvT+H0JRkjROrrUgsxJTnRXMzqvcwY="},
      {"header with spaces", "GET", "/testapi/v1/t4", "",
       {{"Host", kHost}, {"X-Test1", "\"     test-header-with-spaces     \""}}, 2048,
       "x-test1:\" test-header-with-spaces \"", "", "ucq2AbjCNtobHfCTuS38fdkl5UDdWHZhQX46fYR8CqI="},
      {"leading+interior spaces", "GET", "/testapi/v1/t4", "",
       {{"Host", kHost}, {"X-Test1", "     first-thing      second-thing"}}, 2048, "x-test1:first-thing second-thing",
       "", "WtnneL539UadAAOJwnsXvPqT4Kt6z7HMgBEwAFpt3+c="},
      {"headers out of order", "GET", "/testapi/v1/t4", "",
       {{"Host", kHost}, {"X-Test2", "t2"}, {"X-Test1", "t1"}, {"X-Test3", "t3"}}, 2048,
       "x-test1:t1\tx-test2:t2\tx-test3:t3", "", "Wus73Nx8jOYM+kkBFF2q8D1EATRIMr0WLWwpLBgkBqY="},
      {"extra header ignored", "GET", "/testapi/v1/t5", "",
       {{"Host", kHost}, {"X-Test2", "t2"}, {"X-Test1", "t1"}, {"X-Test3", "t3"}, {"X-Extra", "this won't be included"}},
       2048, "x-test1:t1\tx-test2:t2\tx-test3:t3", "", "Knd/jc0A5Ghhizjayr0AUUvl2MZjBpS3FDSzvtq4Ixc="},
      {"JSON POST", "POST", "/testapi/v1/t3?extended=true", R"({"key": "value"})", {}, 131072, "",
       "lyTB4g5uPk1/V+0l+dTvsAblCFkNUoyQ2ll/andcE+U=", "nONuDe50qGrPius4Rg4D2jfi/2zDZWAYRUG6RudJLNM="},
  };
  return rows;
}

TEST(EdgeGridVectors, FurtherCasesTable) {
  for (const TableRow& row : Table73()) {
    SCOPED_TRACE(row.name);
    EXPECT_EQ(CanonicalHeaders(row.headers, kTestHeaders), row.canonical);
    EXPECT_EQ(ContentHash(row.method, row.body, row.max_body), row.hash);
    EXPECT_EQ(VectorSignature(row.method, row.path, row.body, row.headers, row.max_body, kTestHeaders),
              row.signature);
  }
}

TEST(EdgeGridVectors, CanonicalHeadersRules) {
  EXPECT_EQ(CanonicalHeaders({{"X-Test1", "v"}}, {}), "");
  EXPECT_EQ(CanonicalHeaders({}, kTestHeaders), "");
  // Lookup is case-insensitive; the name is lower-cased from the signed list.
  EXPECT_EQ(CanonicalHeaders({{"x-TEST2", " a \t\r\n b "}}, kTestHeaders), "x-test2:a b");
  // Only present headers appear, in the signed list's order.
  EXPECT_EQ(CanonicalHeaders({{"X-Test3", "c"}, {"X-Test1", "a"}}, kTestHeaders), "x-test1:a\tx-test3:c");
  EXPECT_EQ(CanonicalHeaders({{"X-Test1", "   "}}, kTestHeaders), "x-test1:");
}

// ---- edgegrid-test-vectors.json ---------------------------------------------

std::string HostFromBaseUrl(std::string url) {
  if (url.rfind("https://", 0) == 0) url = url.substr(8);
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

TEST(EdgeGridVectors, NodeTestVectorFile) {
  const std::string path = std::string(IAM_SPEC_DIR) + "/edgegrid-test-vectors.json";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << "vector file not present";

  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.load(path).get(doc), simdjson::SUCCESS);
  std::string_view sv;
  ASSERT_EQ(doc["client_token"].get(sv), simdjson::SUCCESS);
  const std::string client_token(sv);
  ASSERT_EQ(doc["access_token"].get(sv), simdjson::SUCCESS);
  const std::string access_token(sv);
  ASSERT_EQ(doc["client_secret"].get(sv), simdjson::SUCCESS);
  const std::string secret(sv);
  ASSERT_EQ(doc["timestamp"].get(sv), simdjson::SUCCESS);
  const std::string timestamp(sv);
  ASSERT_EQ(doc["nonce"].get(sv), simdjson::SUCCESS);
  const std::string nonce(sv);
  ASSERT_EQ(doc["base_url"].get(sv), simdjson::SUCCESS);
  const std::string base_host = HostFromBaseUrl(std::string(sv));
  uint64_t max_body = 0;
  ASSERT_EQ(doc["max_body"].get(max_body), simdjson::SUCCESS);
  std::vector<std::string> headers_to_sign;
  simdjson::dom::array names;
  ASSERT_EQ(doc["headers_to_sign"].get(names), simdjson::SUCCESS);
  for (simdjson::dom::element n : names) {
    ASSERT_EQ(n.get(sv), simdjson::SUCCESS);
    headers_to_sign.emplace_back(sv);
  }
  ASSERT_EQ(client_token, kClientToken);
  ASSERT_EQ(secret, kSecret);

  const std::string unsigned_header = "EG1-HMAC-SHA256 client_token=" + client_token + ";access_token=" +
                                      access_token + ";timestamp=" + timestamp + ";nonce=" + nonce + ";";
  const std::optional<int64_t> now = ParseTimestamp(timestamp);
  ASSERT_TRUE(now.has_value());

  simdjson::dom::array tests;
  ASSERT_EQ(doc["tests"].get(tests), simdjson::SUCCESS);
  int checked = 0;
  bool saw_known_bad = false;
  for (simdjson::dom::element test : tests) {
    ASSERT_EQ(test["testName"].get(sv), simdjson::SUCCESS);
    const std::string name(sv);
    SCOPED_TRACE(name);
    simdjson::dom::element req = test["request"];
    ASSERT_EQ(req["method"].get(sv), simdjson::SUCCESS);
    const std::string method(sv);
    ASSERT_EQ(req["path"].get(sv), simdjson::SUCCESS);
    const std::string target(sv);
    std::string body;
    if (req["data"].get(sv) == simdjson::SUCCESS) body = std::string(sv);
    Headers headers;
    simdjson::dom::array header_list;
    if (req["headers"].get(header_list) == simdjson::SUCCESS) {
      for (simdjson::dom::object h : header_list) {
        for (auto field : h) {
          ASSERT_EQ(field.value.get(sv), simdjson::SUCCESS);
          headers.emplace_back(std::string(field.key), std::string(sv));
        }
      }
    }
    std::string host = base_host;
    for (const auto& [k, v] : headers) {
      if (iam::api::EqualsIgnoreCase(k, "Host")) host = v;
    }
    ASSERT_EQ(test["expectedAuthorization"].get(sv), simdjson::SUCCESS);
    const std::string expected(sv);

    const std::string data =
        DataToSign(method, "https", host, target, CanonicalHeaders(headers, headers_to_sign),
                   ContentHash(method, body, max_body), unsigned_header);
    const std::string actual = unsigned_header + "signature=" + Sign(SigningKey(secret, timestamp), data);

    if (name == "POST inside limit") {
      // Known-bad entry (spec §7.3 notes): the file disagrees with every
      // other source for these inputs.
      saw_known_bad = true;
      EXPECT_EQ(expected, unsigned_header + "signature=mGFme24S4h+eAIBD2RoyqYgwPPP2JWPwrho7Iiafqt8=");
      EXPECT_EQ(actual, unsigned_header + "signature=hXm4iCxtpN22m4cbZb4lVLW5rhX8Ca82vCFqXzSTPe4=");
      continue;
    }
    EXPECT_EQ(actual, expected);

    // The same request, received by a server, must verify.
    struct OneCredential : CredentialLookup {
      VerifiedCredential c;
      std::optional<VerifiedCredential> FindByClientToken(std::string_view t) const override {
        if (t == c.client_token) return c;
        return std::nullopt;
      }
    } lookup;
    lookup.c.client_token = client_token;
    lookup.c.access_token = access_token;
    lookup.c.client_secret = secret;
    Verifier verifier(lookup, VerifierOptions{30, static_cast<size_t>(max_body), headers_to_sign});
    HttpRequest request;
    request.method = method;
    request.target = target;
    request.headers = headers;
    if (!request.HasHeader("Host")) request.headers.emplace_back("Host", host);
    request.headers.emplace_back("Authorization", expected);
    request.body = body;
    request.scheme = "https";
    const AuthResult r = verifier.Verify(request, *now);
    EXPECT_TRUE(r.ok()) << r.detail;
    ++checked;
  }
  EXPECT_TRUE(saw_known_bad);
  EXPECT_EQ(checked, 12);
}

// ---- Parsing ----------------------------------------------------------------

const std::string kValidHeader = kUnsigned + "signature=tL+y4hxyHxgWVD30X3pWnGKHcPzmrIF+LThiAOhMxYU=";

TEST(EdgeGridParse, ValidHeader) {
  auto h = ParseAuthorization(kValidHeader);
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  EXPECT_EQ(h->client_token, kClientToken);
  EXPECT_EQ(h->access_token, kAccessToken);
  EXPECT_EQ(h->timestamp, kTimestamp);
  EXPECT_EQ(h->nonce, kNonce);
  EXPECT_EQ(h->signature, "tL+y4hxyHxgWVD30X3pWnGKHcPzmrIF+LThiAOhMxYU=");
  EXPECT_EQ(h->unsigned_part, kUnsigned);
}

TEST(EdgeGridParse, SplitsAtFirstEquals) {
  auto h = ParseAuthorization("EG1-HMAC-SHA256 client_token=a=b;access_token=c==;timestamp=t;nonce=n=;signature=s==");
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  EXPECT_EQ(h->client_token, "a=b");
  EXPECT_EQ(h->access_token, "c==");
  EXPECT_EQ(h->nonce, "n=");
  EXPECT_EQ(h->signature, "s==");
  EXPECT_EQ(h->unsigned_part, "EG1-HMAC-SHA256 client_token=a=b;access_token=c==;timestamp=t;nonce=n=;");
}

TEST(EdgeGridParse, TimestampNotValidatedByGrammar) {
  auto h = ParseAuthorization("EG1-HMAC-SHA256 client_token=a;access_token=b;timestamp=yesterday;nonce=n;signature=s");
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->timestamp, "yesterday");
}

TEST(EdgeGridParse, RejectsMalformed) {
  const std::string sig = "signature=abc=";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"empty", ""},
      {"scheme only", "EG1-HMAC-SHA256"},
      {"scheme and space only", "EG1-HMAC-SHA256 "},
      {"wrong scheme", "EG1-HMAC-SHA1 client_token=a;access_token=b;timestamp=t;nonce=n;" + sig},
      {"lower-case scheme", "eg1-hmac-sha256 client_token=a;access_token=b;timestamp=t;nonce=n;" + sig},
      {"bearer", "Bearer abc"},
      {"no space", "EG1-HMAC-SHA256client_token=a;access_token=b;timestamp=t;nonce=n;" + sig},
      {"two spaces", "EG1-HMAC-SHA256  client_token=a;access_token=b;timestamp=t;nonce=n;" + sig},
      {"tab", "EG1-HMAC-SHA256\tclient_token=a;access_token=b;timestamp=t;nonce=n;" + sig},
      {"missing signature", "EG1-HMAC-SHA256 client_token=a;access_token=b;timestamp=t;nonce=n;"},
      {"missing signature no ;", "EG1-HMAC-SHA256 client_token=a;access_token=b;timestamp=t;nonce=n"},
      {"missing nonce", "EG1-HMAC-SHA256 client_token=a;access_token=b;timestamp=t;" + sig},
      {"missing access_token", "EG1-HMAC-SHA256 client_token=a;timestamp=t;nonce=n;" + sig},
      {"wrong order", "EG1-HMAC-SHA256 access_token=b;client_token=a;timestamp=t;nonce=n;" + sig},
      {"duplicate", "EG1-HMAC-SHA256 client_token=a;access_token=b;client_token=a;nonce=n;" + sig},
      {"trailing ;", "EG1-HMAC-SHA256 client_token=a;access_token=b;timestamp=t;nonce=n;" + sig + ";"},
      {"data after signature", "EG1-HMAC-SHA256 client_token=a;access_token=b;timestamp=t;nonce=n;" + sig + ";x=y"},
      {"empty client_token", "EG1-HMAC-SHA256 client_token=;access_token=b;timestamp=t;nonce=n;" + sig},
      {"empty nonce", "EG1-HMAC-SHA256 client_token=a;access_token=b;timestamp=t;nonce=;" + sig},
      {"empty signature", "EG1-HMAC-SHA256 client_token=a;access_token=b;timestamp=t;nonce=n;signature="},
      {"field without =", "EG1-HMAC-SHA256 client_token;access_token=b;timestamp=t;nonce=n;" + sig},
      {"unknown field", "EG1-HMAC-SHA256 client_token=a;access_token=b;timestamp=t;nonce=n;extra=1;" + sig},
      {"space before field", "EG1-HMAC-SHA256 client_token=a; access_token=b;timestamp=t;nonce=n;" + sig},
      {"upper-case name", "EG1-HMAC-SHA256 CLIENT_TOKEN=a;access_token=b;timestamp=t;nonce=n;" + sig},
  };
  for (const auto& [name, value] : cases) {
    SCOPED_TRACE(name);
    auto h = ParseAuthorization(value);
    ASSERT_FALSE(h.ok());
    EXPECT_EQ(h.status().code(), StatusCode::kInvalidArgument);
    EXPECT_FALSE(h.status().message().empty());
  }
}

TEST(EdgeGridParse, ErrorNamesTheCheck) {
  auto order = ParseAuthorization("EG1-HMAC-SHA256 access_token=b;client_token=a;timestamp=t;nonce=n;signature=s");
  ASSERT_FALSE(order.ok());
  EXPECT_NE(order.status().message().find("order"), std::string::npos) << order.status().message();
  auto trailing = ParseAuthorization("EG1-HMAC-SHA256 client_token=a;access_token=b;timestamp=t;nonce=n;signature=s;");
  ASSERT_FALSE(trailing.ok());
  EXPECT_NE(trailing.status().message().find("after the signature"), std::string::npos);
  auto missing = ParseAuthorization("EG1-HMAC-SHA256 client_token=a;access_token=b;timestamp=t;nonce=n");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("signature"), std::string::npos);
  auto spaces = ParseAuthorization("EG1-HMAC-SHA256  client_token=a;access_token=b;timestamp=t;nonce=n;signature=s");
  ASSERT_FALSE(spaces.ok());
  EXPECT_NE(spaces.status().message().find("one space"), std::string::npos);
  // Errors never echo the header's values.
  auto secretish = ParseAuthorization("EG1-HMAC-SHA256 client_token=SECRETVALUE;access_token=;timestamp=t");
  ASSERT_FALSE(secretish.ok());
  EXPECT_EQ(secretish.status().message().find("SECRETVALUE"), std::string::npos);
}

TEST(EdgeGridTimestamp, ParsesStrictUtc) {
  EXPECT_EQ(ParseTimestamp(kTimestamp), std::optional<int64_t>(kTimestampUnix));
  EXPECT_EQ(ParseTimestamp("19700101T00:00:00+0000"), std::optional<int64_t>(0));
  EXPECT_EQ(ParseTimestamp("20000101T00:00:00+0000"), std::optional<int64_t>(946684800));
  EXPECT_EQ(ParseTimestamp("20240229T23:59:59+0000"), std::optional<int64_t>(1709251199));
  EXPECT_EQ(ParseTimestamp("20000229T12:00:00+0000"), std::optional<int64_t>(951825600));
}

TEST(EdgeGridTimestamp, RejectsInvalid) {
  for (const char* bad : {
           "", "20140321T19:34:21", "20140321T19:34:21+0100", "20140321T19:34:21-0000", "20140321T19:34:21Z",
           "2014-03-21T19:34:21Z", "20140321 19:34:21+0000", "20140321T19-34-21+0000", "20140321t19:34:21+0000",
           "2014032T19:34:21+00000", "20140321T19:34:21+00000", " 20140321T19:34:21+0000", "20140321T19:34:2a+0000",
           "20230229T00:00:00+0000",  // not a leap year
           "21000229T00:00:00+0000",  // century, not a leap year
           "20230431T00:00:00+0000",  // April has 30 days
           "20231301T00:00:00+0000", "20230001T00:00:00+0000", "20230100T00:00:00+0000",
           "20230101T24:00:00+0000", "20230101T23:60:00+0000", "20230101T23:59:60+0000",
           "+0140321T19:34:21+0000"}) {
    EXPECT_FALSE(ParseTimestamp(bad).has_value()) << bad;
  }
}

TEST(EdgeGridTimestamp, FormatRoundTrips) {
  EXPECT_EQ(FormatTimestamp(kTimestampUnix), kTimestamp);
  EXPECT_EQ(FormatTimestamp(0), "19700101T00:00:00+0000");
  EXPECT_EQ(FormatTimestamp(1709251199), "20240229T23:59:59+0000");
  for (int64_t t = 946684800 - 86400 * 3; t < 4102444800; t += 86400 * 37 + 3601 * 7 + 13) {
    ASSERT_EQ(ParseTimestamp(FormatTimestamp(t)), std::optional<int64_t>(t)) << t;
  }
}

TEST(EdgeGridCrypto, ConstantTimeEquals) {
  EXPECT_TRUE(ConstantTimeEquals("", ""));
  EXPECT_TRUE(ConstantTimeEquals("abc=", "abc="));
  EXPECT_FALSE(ConstantTimeEquals("abc=", "abd="));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abc="));
  EXPECT_FALSE(ConstantTimeEquals("", "a"));
}

TEST(EdgeGridCrypto, SignIsStableAcrossThreads) {
  // The shared HMAC template must be safe to duplicate concurrently.
  const std::string expected = "tL+y4hxyHxgWVD30X3pWnGKHcPzmrIF+LThiAOhMxYU=";
  std::atomic<int> mismatches{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 500; ++i) {
        if (VectorSignature("GET", "/", "", {}, 2048, {}) != expected) ++mismatches;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(mismatches.load(), 0);
}

// ---- Client side ------------------------------------------------------------

ClientCredential VectorCredential() {
  ClientCredential c;
  c.host = kHost;
  c.client_token = kClientToken;
  c.client_secret = kSecret;
  c.access_token = kAccessToken;
  return c;
}

TEST(EdgeGridClient, SignRequestHeaderReproducesVectors) {
  EXPECT_EQ(SignRequestHeader(VectorCredential(), "GET", "https", "/", "", kTimestampUnix, kNonce), kValidHeader);
  EXPECT_EQ(SignRequestHeader(VectorCredential(), "POST", "https", "/testapi/v1/t3",
                              "datadatadatadatadatadatadatadata", kTimestampUnix, kNonce),
            kUnsigned + "signature=hXm4iCxtpN22m4cbZb4lVLW5rhX8Ca82vCFqXzSTPe4=");
  ClientCredential small = VectorCredential();
  small.max_body = 2048;
  EXPECT_EQ(SignRequestHeader(small, "POST", "https", "/testapi/v1/t3", std::string(2049, 'd'), kTimestampUnix, kNonce),
            kUnsigned + "signature=6Q6PiTipLae6n4GsSIDTCJ54bEbHUBp+4MUXrbQCBoY=");
  for (const IamRow& row : IamRows()) {
    EXPECT_EQ(SignRequestHeader(VectorCredential(), row.method, "https", row.target, row.body, kTimestampUnix, kNonce),
              kUnsigned + "signature=" + row.signature)
        << row.target;
  }
}

TEST(EdgeGridClient, NewNonceIsUuidV4) {
  const std::string a = NewNonce(), b = NewNonce();
  EXPECT_NE(a, b);
  for (const std::string& n : {a, b}) {
    ASSERT_EQ(n.size(), 36u) << n;
    EXPECT_EQ(n[8], '-');
    EXPECT_EQ(n[13], '-');
    EXPECT_EQ(n[18], '-');
    EXPECT_EQ(n[23], '-');
    EXPECT_EQ(n[14], '4');
    EXPECT_NE(std::string("89ab").find(n[19]), std::string::npos) << n;
    EXPECT_EQ(n.find(';'), std::string::npos);
  }
}

TEST(EdgeGridClient, TestSignerAgreesWithVectors) {
  // The independent signer must reproduce the spec, or the cross-checks
  // below would prove nothing.
  EXPECT_EQ(iam::testing::SignedAuthorization(kClientToken, kAccessToken, kSecret, "GET", "https", kHost, "/", "",
                                              kTimestamp, kNonce),
            kValidHeader);
  for (const IamRow& row : IamRows()) {
    EXPECT_EQ(iam::testing::SignedAuthorization(kClientToken, kAccessToken, kSecret, row.method, "https", kHost,
                                                row.target, row.body, kTimestamp, kNonce),
              kUnsigned + "signature=" + row.signature)
        << row.target;
  }
  EXPECT_EQ(iam::testing::SignedAuthorization(kClientToken, kAccessToken, kSecret, "POST", "https", kHost,
                                              "/testapi/v1/t3?extended=true", R"({"key": "value"})", kTimestamp,
                                              kNonce),
            kUnsigned + "signature=nONuDe50qGrPius4Rg4D2jfi/2zDZWAYRUG6RudJLNM=");
  const std::string ts = iam::testing::NowTimestamp(-5);
  EXPECT_TRUE(ParseTimestamp(ts).has_value()) << ts;
  EXPECT_NE(iam::testing::RandomNonce(), iam::testing::RandomNonce());
}

// ---- Verifier ---------------------------------------------------------------

class FakeLookup : public CredentialLookup {
 public:
  void Put(const VerifiedCredential& c) { by_token_[c.client_token] = c; }
  std::optional<VerifiedCredential> FindByClientToken(std::string_view token) const override {
    auto it = by_token_.find(std::string(token));
    if (it == by_token_.end()) return std::nullopt;
    return it->second;
  }

 private:
  std::map<std::string, VerifiedCredential> by_token_;  // written only before verifying
};

class VerifierTest : public ::testing::Test {
 protected:
  static constexpr int64_t kNow = 1700000000;  // 20231114T22:13:20+0000
  const std::string kLocalHost = "127.0.0.1:8443";

  void SetUp() override {
    cred_.client_token = "akab-ct-aaaaaaaaaaaaaaaa-bbbbbbbbbbbbbbbb";
    cred_.access_token = "akab-at-cccccccccccccccc-dddddddddddddddd";
    cred_.client_secret = "S3cr3tS3cr3tS3cr3tS3cr3tS3cr3tS3cr3tS3cr3t=";
    cred_.credential_id = "101";
    cred_.client_id = "clientA";
    cred_.account_id = "1-ACCT";
    cred_.owner_username = "owner";
    lookup_.Put(cred_);
    verifier_ = std::make_unique<Verifier>(lookup_, VerifierOptions{});
  }

  std::string Authorization(const std::string& method, const std::string& target, const std::string& body,
                            int64_t offset = 0, const std::string& nonce = iam::testing::RandomNonce(),
                            const std::string& scheme = "https", const VerifiedCredential* c = nullptr) const {
    const VerifiedCredential& k = c != nullptr ? *c : cred_;
    return iam::testing::SignedAuthorization(k.client_token, k.access_token, k.client_secret, method, scheme,
                                             kLocalHost, target, body, FormatTimestamp(kNow + offset), nonce);
  }

  HttpRequest Request(const std::string& method, const std::string& target, const std::string& body,
                      const std::string& authorization, const std::string& arrived_scheme = "http") const {
    HttpRequest r;
    r.method = method;
    r.target = target;
    const size_t q = target.find('?');
    r.path = target.substr(0, q);
    if (q != std::string::npos) r.query = target.substr(q + 1);
    r.headers = {{"Host", kLocalHost}, {"Content-Type", "application/json"}};
    if (!authorization.empty()) r.headers.emplace_back("Authorization", authorization);
    r.body = body;
    r.scheme = arrived_scheme;
    r.remote_address = "127.0.0.1";
    return r;
  }

  AuthResult SignedGet(int64_t offset, int64_t now = kNow) {
    return verifier_->Verify(Request("GET", "/identity-management/v3/user-admin/groups", "",
                                     Authorization("GET", "/identity-management/v3/user-admin/groups", "", offset)),
                             now);
  }

  static void ExpectDeny(const AuthResult& r, AuthFailure failure) {
    EXPECT_EQ(r.failure, failure) << r.detail;
    EXPECT_FALSE(r.ok());
    EXPECT_EQ(r.http_status, 401);
    EXPECT_EQ(r.title, "Not authorized");
    EXPECT_EQ(r.type_suffix, "/-/pep-authn/deny");
    EXPECT_FALSE(r.detail.empty());
  }

  static void ExpectInvalidTimestamp(const AuthResult& r) {
    EXPECT_EQ(r.failure, AuthFailure::kInvalidTimestamp) << r.detail;
    EXPECT_EQ(r.http_status, 400);
    EXPECT_EQ(r.title, "Bad request");
    EXPECT_EQ(r.type_suffix, "/-/pep-authn/request-error");
    EXPECT_EQ(r.detail, "Invalid timestamp");
  }

  VerifiedCredential cred_;
  FakeLookup lookup_;
  std::unique_ptr<Verifier> verifier_;
};

TEST_F(VerifierTest, ValidRequestSignedHttpsArrivedHttp) {
  const AuthResult r = SignedGet(0);
  ASSERT_TRUE(r.ok()) << r.detail;
  EXPECT_EQ(r.failure, AuthFailure::kNone);
  EXPECT_EQ(r.http_status, 200);
  EXPECT_EQ(r.credential.client_token, cred_.client_token);
  EXPECT_EQ(r.credential.credential_id, "101");
  EXPECT_EQ(r.credential.client_id, "clientA");
  EXPECT_EQ(r.credential.account_id, "1-ACCT");
  EXPECT_EQ(r.credential.owner_username, "owner");
  EXPECT_TRUE(r.credential.client_secret.empty()) << "the secret must not leave the verifier";
}

TEST_F(VerifierTest, ValidRequestSignedHttpsArrivedHttps) {
  const std::string t = "/identity-management/v3/user-admin/users";
  const AuthResult r = verifier_->Verify(Request("GET", t, "", Authorization("GET", t, ""), "https"), kNow);
  EXPECT_TRUE(r.ok()) << r.detail;
}

TEST_F(VerifierTest, ValidRequestSignedOverArrivedScheme) {
  const std::string t = "/identity-management/v3/user-admin/users";
  const AuthResult r =
      verifier_->Verify(Request("GET", t, "", Authorization("GET", t, "", 0, iam::testing::RandomNonce(), "http")),
                        kNow);
  EXPECT_TRUE(r.ok()) << r.detail;
}

TEST_F(VerifierTest, HttpSignatureRefusedOnHttpsArrival) {
  const std::string t = "/identity-management/v3/user-admin/users";
  const AuthResult r = verifier_->Verify(
      Request("GET", t, "", Authorization("GET", t, "", 0, iam::testing::RandomNonce(), "http"), "https"), kNow);
  ExpectDeny(r, AuthFailure::kSignatureMismatch);
}

TEST_F(VerifierTest, MissingHeader) {
  const AuthResult r = verifier_->Verify(Request("GET", "/x", "", ""), kNow);
  ExpectDeny(r, AuthFailure::kMissingHeader);
}

TEST_F(VerifierTest, DuplicateAuthorizationHeader) {
  const std::string auth = Authorization("GET", "/x", "");
  HttpRequest req = Request("GET", "/x", "", auth);
  req.headers.emplace_back("authorization", auth);
  ExpectDeny(verifier_->Verify(req, kNow), AuthFailure::kMalformedHeader);
}

TEST_F(VerifierTest, MalformedGrammarVariants) {
  const std::string good = Authorization("GET", "/x", "");
  auto h = ParseAuthorization(good);
  ASSERT_TRUE(h.ok());
  auto replace = [&](const std::string& from, const std::string& to) {
    std::string s = good;
    return s.replace(s.find(from), from.size(), to);
  };
  const size_t sig = good.find("signature=");
  const size_t ts = good.find("timestamp=");
  const size_t nonce = good.find("nonce=");
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"missing field", good.substr(0, ts) + good.substr(nonce)},
      {"wrong order", "EG1-HMAC-SHA256 access_token=" + h->access_token + ";client_token=" + h->client_token +
                          ";timestamp=" + h->timestamp + ";nonce=" + h->nonce + ";signature=" + h->signature},
      {"trailing ;", good + ";"},
      {"wrong scheme token", replace("EG1-HMAC-SHA256", "EG1-HMAC-SHA512")},
      {"two spaces", replace("EG1-HMAC-SHA256 ", "EG1-HMAC-SHA256  ")},
      {"empty nonce", good.substr(0, nonce) + "nonce=;" + good.substr(sig)},
      {"no signature", good.substr(0, sig)},
  };
  for (const auto& [name, header] : cases) {
    SCOPED_TRACE(name);
    const AuthResult r = verifier_->Verify(Request("GET", "/x", "", header), kNow);
    ExpectDeny(r, AuthFailure::kMalformedHeader);
    // Detail names the check but never echoes the header.
    EXPECT_EQ(r.detail.find(cred_.client_token), std::string::npos) << r.detail;
    EXPECT_EQ(r.detail.find("signature="), std::string::npos) << r.detail;
  }
  // The untouched header passes, so the failures above are the edits' doing.
  EXPECT_TRUE(verifier_->Verify(Request("GET", "/x", "", good), kNow).ok());
}

TEST_F(VerifierTest, HttpOwsAroundValueIsNotPartOfIt) {
  const AuthResult r = verifier_->Verify(Request("GET", "/x", "", " " + Authorization("GET", "/x", "") + " \t"), kNow);
  EXPECT_TRUE(r.ok()) << r.detail;
}

TEST_F(VerifierTest, UnparsableTimestampIs400) {
  for (const std::string ts : {"2023-11-14T22:13:20Z", "20231114T22:13:20+0100", "20230230T22:13:20+0000", "now"}) {
    SCOPED_TRACE(ts);
    const std::string header = "EG1-HMAC-SHA256 client_token=" + cred_.client_token +
                               ";access_token=" + cred_.access_token + ";timestamp=" + ts +
                               ";nonce=" + iam::testing::RandomNonce() + ";signature=AAAA";
    ExpectInvalidTimestamp(verifier_->Verify(Request("GET", "/x", "", header), kNow));
  }
}

TEST_F(VerifierTest, SkewWindowBothDirections) {
  ExpectInvalidTimestamp(SignedGet(+31));
  ExpectInvalidTimestamp(SignedGet(-31));
  ExpectInvalidTimestamp(SignedGet(+3600));
  ExpectInvalidTimestamp(SignedGet(-3600));
  EXPECT_TRUE(SignedGet(+29).ok());
  EXPECT_TRUE(SignedGet(-29).ok());
  EXPECT_TRUE(SignedGet(+30).ok());
  EXPECT_TRUE(SignedGet(-30).ok());
}

TEST_F(VerifierTest, ConfigurableSkew) {
  VerifierOptions options;
  options.max_skew_seconds = 300;
  Verifier wide(lookup_, options);
  const std::string t = "/x";
  EXPECT_TRUE(wide.Verify(Request("GET", t, "", Authorization("GET", t, "", -299)), kNow).ok());
  ExpectInvalidTimestamp(wide.Verify(Request("GET", t, "", Authorization("GET", t, "", 301)), kNow));
}

TEST_F(VerifierTest, UnknownClientToken) {
  VerifiedCredential stranger = cred_;
  stranger.client_token = "akab-unknown";
  const AuthResult r = verifier_->Verify(
      Request("GET", "/x", "", Authorization("GET", "/x", "", 0, iam::testing::RandomNonce(), "https", &stranger)),
      kNow);
  ExpectDeny(r, AuthFailure::kUnknownClientToken);
}

TEST_F(VerifierTest, AccessTokenMismatch) {
  VerifiedCredential other = cred_;
  other.access_token = "akab-some-other-access-token";
  const AuthResult r = verifier_->Verify(
      Request("GET", "/x", "", Authorization("GET", "/x", "", 0, iam::testing::RandomNonce(), "https", &other)), kNow);
  ExpectDeny(r, AuthFailure::kAccessTokenMismatch);
}

TEST_F(VerifierTest, InactiveCredential) {
  VerifiedCredential c = cred_;
  c.credential_active = false;
  lookup_.Put(c);
  const AuthResult r = SignedGet(0);
  ExpectDeny(r, AuthFailure::kInactiveCredential);
  EXPECT_EQ(r.detail, "Inactive client token");
}

TEST_F(VerifierTest, ExpiredCredential) {
  VerifiedCredential c = cred_;
  c.expires_at_unix = kNow - 1;
  lookup_.Put(c);
  ExpectDeny(SignedGet(0), AuthFailure::kExpiredCredential);
  c.expires_at_unix = kNow + 3600;
  lookup_.Put(c);
  EXPECT_TRUE(SignedGet(0).ok());
}

TEST_F(VerifierTest, LockedClient) {
  VerifiedCredential c = cred_;
  c.client_locked = true;
  lookup_.Put(c);
  ExpectDeny(SignedGet(0), AuthFailure::kClientLocked);
}

TEST_F(VerifierTest, WrongSignature) {
  VerifiedCredential wrong = cred_;
  wrong.client_secret = "WrongWrongWrongWrongWrongWrongWrongWrongWro=";
  const AuthResult r = verifier_->Verify(
      Request("GET", "/x", "", Authorization("GET", "/x", "", 0, iam::testing::RandomNonce(), "https", &wrong)), kNow);
  ExpectDeny(r, AuthFailure::kSignatureMismatch);
  EXPECT_EQ(r.detail, "The signature does not match");
  EXPECT_EQ(r.detail.find(cred_.client_secret), std::string::npos);
}

TEST_F(VerifierTest, TamperedRequestParts) {
  const std::string target = "/identity-management/v3/user-admin/ip-acl/allowlist/validate?cidrblock=1.2.3.4%2F32";
  const std::string auth = Authorization("GET", target, "");
  // The target is used verbatim: decoding %2F breaks the signature.
  ExpectDeny(verifier_->Verify(Request("GET", "/identity-management/v3/user-admin/ip-acl/allowlist/validate?cidrblock=1.2.3.4/32", "", auth), kNow),
             AuthFailure::kSignatureMismatch);
  ExpectDeny(verifier_->Verify(Request("DELETE", target, "", auth), kNow), AuthFailure::kSignatureMismatch);
  HttpRequest other_host = Request("GET", target, "", auth);
  other_host.headers[0].second = "127.0.0.1:9443";
  ExpectDeny(verifier_->Verify(other_host, kNow), AuthFailure::kSignatureMismatch);
  EXPECT_TRUE(verifier_->Verify(Request("GET", target, "", auth), kNow).ok());
}

TEST_F(VerifierTest, PostBodyTampered) {
  const std::string t = "/identity-management/v3/user-admin/groups/12345";
  const std::string body = R"({"groupName":"Example group"})";
  const std::string auth = Authorization("POST", t, body);
  ExpectDeny(verifier_->Verify(Request("POST", t, R"({"groupName":"Evil group"})", auth), kNow),
             AuthFailure::kSignatureMismatch);
  ExpectDeny(verifier_->Verify(Request("POST", t, "", auth), kNow), AuthFailure::kSignatureMismatch);
  EXPECT_TRUE(verifier_->Verify(Request("POST", t, body, auth), kNow).ok());
}

TEST_F(VerifierTest, PutBodyIsNotCovered) {
  // Documented EdgeGrid behaviour (§4.6): only POST bodies are hashed.
  const std::string t = "/identity-management/v3/user-admin/groups/12345";
  const std::string auth = Authorization("PUT", t, R"({"groupName":"A"})");
  EXPECT_TRUE(verifier_->Verify(Request("PUT", t, R"({"groupName":"B"})", auth), kNow).ok());
}

TEST_F(VerifierTest, BodyBeyondMaxBodyNotCovered) {
  const std::string t = "/identity-management/v3/user-admin/groups/12345";
  std::string body(131072 + 100, 'a');
  const std::string auth = Authorization("POST", t, body);
  std::string tail_changed = body;
  tail_changed.back() = 'z';
  EXPECT_TRUE(verifier_->Verify(Request("POST", t, tail_changed, auth), kNow).ok());
  std::string head_changed = body;
  head_changed[131071] = 'z';
  ExpectDeny(verifier_->Verify(Request("POST", t, head_changed, auth), kNow), AuthFailure::kSignatureMismatch);
}

TEST_F(VerifierTest, ConfiguredMaxBody) {
  VerifierOptions options;
  options.max_body = 16;
  Verifier small(lookup_, options);
  ClientCredential client{kLocalHost, cred_.client_token, cred_.client_secret, cred_.access_token, 16};
  const std::string body = "0123456789abcdef-tail";
  const std::string auth = SignRequestHeader(client, "POST", "https", "/x", body, kNow, NewNonce());
  EXPECT_TRUE(small.Verify(Request("POST", "/x", "0123456789abcdef-TAIL", auth), kNow).ok());
  ExpectDeny(small.Verify(Request("POST", "/x", "X123456789abcdef-tail", auth), kNow), AuthFailure::kSignatureMismatch);
}

TEST_F(VerifierTest, ReplayedNonceRefused) {
  const std::string auth = Authorization("GET", "/x", "");
  const HttpRequest req = Request("GET", "/x", "", auth);
  EXPECT_TRUE(verifier_->Verify(req, kNow).ok());
  const AuthResult again = verifier_->Verify(req, kNow + 5);
  ExpectDeny(again, AuthFailure::kReplayedNonce);
  // Still refused at the very edge of the window; by then the timestamp fails first.
  ExpectDeny(verifier_->Verify(req, kNow + 30), AuthFailure::kReplayedNonce);
  ExpectInvalidTimestamp(verifier_->Verify(req, kNow + 31));
}

TEST_F(VerifierTest, NonceIsPerClientToken) {
  VerifiedCredential second = cred_;
  second.client_token = "akab-ct-second";
  second.client_secret = "AnotherSecretAnotherSecretAnotherSecret0000=";
  lookup_.Put(second);
  const std::string nonce = iam::testing::RandomNonce();
  EXPECT_TRUE(verifier_->Verify(Request("GET", "/x", "", Authorization("GET", "/x", "", 0, nonce)), kNow).ok());
  EXPECT_TRUE(
      verifier_->Verify(Request("GET", "/x", "", Authorization("GET", "/x", "", 0, nonce, "https", &second)), kNow)
          .ok());
}

TEST_F(VerifierTest, BadSignatureDoesNotBurnNonce) {
  const std::string nonce = iam::testing::RandomNonce();
  VerifiedCredential forger = cred_;
  forger.client_secret = "ForgedForgedForgedForgedForgedForgedForged0=";
  ExpectDeny(verifier_->Verify(
                 Request("GET", "/x", "", Authorization("GET", "/x", "", 0, nonce, "https", &forger)), kNow),
             AuthFailure::kSignatureMismatch);
  // An out-of-window timestamp must not burn it either.
  ExpectInvalidTimestamp(
      verifier_->Verify(Request("GET", "/x", "", Authorization("GET", "/x", "", 100, nonce)), kNow));
  EXPECT_TRUE(verifier_->Verify(Request("GET", "/x", "", Authorization("GET", "/x", "", 0, nonce)), kNow).ok());
}

TEST_F(VerifierTest, ConcurrentReplayExactlyOnePasses) {
  for (int round = 0; round < 20; ++round) {
    const HttpRequest req = Request("POST", "/identity-management/v3/user-admin/groups/1", "{}",
                                    Authorization("POST", "/identity-management/v3/user-admin/groups/1", "{}"));
    std::atomic<bool> go{false};
    std::atomic<int> passed{0}, replayed{0}, other{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < 8; ++i) {
      threads.emplace_back([&] {
        while (!go.load()) std::this_thread::yield();
        const AuthResult r = verifier_->Verify(req, kNow);
        if (r.ok()) {
          ++passed;
        } else if (r.failure == AuthFailure::kReplayedNonce) {
          ++replayed;
        } else {
          ++other;
        }
      });
    }
    go = true;
    for (auto& t : threads) t.join();
    ASSERT_EQ(passed.load(), 1) << "round " << round;
    ASSERT_EQ(replayed.load(), 7) << "round " << round;
    ASSERT_EQ(other.load(), 0) << "round " << round;
  }
}

TEST_F(VerifierTest, CheckOrder) {
  // Grammar before timestamp.
  const std::string bad_ts_and_grammar = "EG1-HMAC-SHA256 client_token=a;access_token=b;timestamp=x;nonce=n;signature=s;";
  ExpectDeny(verifier_->Verify(Request("GET", "/x", "", bad_ts_and_grammar), kNow), AuthFailure::kMalformedHeader);
  // Timestamp before credential lookup.
  VerifiedCredential stranger = cred_;
  stranger.client_token = "akab-unknown";
  ExpectInvalidTimestamp(verifier_->Verify(
      Request("GET", "/x", "", Authorization("GET", "/x", "", 60, iam::testing::RandomNonce(), "https", &stranger)),
      kNow));
  // Credential state before signature.
  VerifiedCredential c = cred_;
  c.credential_active = false;
  lookup_.Put(c);
  VerifiedCredential forger = cred_;
  forger.client_secret = "ForgedForgedForgedForgedForgedForgedForged0=";
  ExpectDeny(verifier_->Verify(Request("GET", "/x", "",
                                       Authorization("GET", "/x", "", 0, iam::testing::RandomNonce(), "https", &forger)),
                               kNow),
             AuthFailure::kInactiveCredential);
}

TEST_F(VerifierTest, CrossCheckWithTestSignerAtRealTime) {
  // What the HTTP end-to-end tests do: sign now with the independent signer.
  const int64_t now = static_cast<int64_t>(std::time(nullptr));
  for (const IamRow& row : IamRows()) {
    const std::string auth = iam::testing::SignedAuthorization(
        cred_.client_token, cred_.access_token, cred_.client_secret, row.method, "https", kLocalHost, row.target,
        row.body, iam::testing::NowTimestamp(), iam::testing::RandomNonce());
    const AuthResult r = verifier_->Verify(Request(row.method, row.target, row.body, auth), now);
    EXPECT_TRUE(r.ok()) << row.target << ": " << r.detail;
  }
  // And the production client signer is accepted too.
  ClientCredential client{kLocalHost, cred_.client_token, cred_.client_secret, cred_.access_token, 131072};
  const std::string auth = SignRequestHeader(client, "GET", "https", "/x?a=1", "", now, NewNonce());
  EXPECT_TRUE(verifier_->Verify(Request("GET", "/x?a=1", "", auth), now).ok());
}

// ---- NonceCache -------------------------------------------------------------

TEST(NonceCacheTest, RecordsAndRefusesReplay) {
  NonceCache cache(60);
  EXPECT_TRUE(cache.CheckAndRecord("ct", "n1", 1000, 1000));
  EXPECT_FALSE(cache.CheckAndRecord("ct", "n1", 1000, 1001));
  EXPECT_TRUE(cache.CheckAndRecord("ct", "n2", 1000, 1001));
  EXPECT_TRUE(cache.CheckAndRecord("ct2", "n1", 1000, 1001));
  // Length-prefixing keeps concatenations apart.
  EXPECT_TRUE(cache.CheckAndRecord("ab", "c", 1000, 1001));
  EXPECT_TRUE(cache.CheckAndRecord("a", "bc", 1000, 1001));
  EXPECT_EQ(cache.Size(), 5u);
}

TEST(NonceCacheTest, DropsEntriesOlderThanWindow) {
  NonceCache cache(60);
  EXPECT_TRUE(cache.CheckAndRecord("ct", "n", 1000, 1000));
  EXPECT_FALSE(cache.CheckAndRecord("ct", "n", 1000, 1060));
  EXPECT_TRUE(cache.CheckAndRecord("ct", "n", 1000, 1061));
  // A future-dated request is kept relative to the record time.
  EXPECT_TRUE(cache.CheckAndRecord("ct", "future", 5000, 2000));
  EXPECT_FALSE(cache.CheckAndRecord("ct", "future", 5000, 2060));
  EXPECT_TRUE(cache.CheckAndRecord("ct", "future", 5000, 2061));
}

TEST(NonceCacheTest, MemoryIsBounded) {
  NonceCache cache(60);
  // 100 requests per second for 10 minutes; only about one window's worth stays.
  for (int64_t now = 0; now < 600; ++now) {
    for (int i = 0; i < 100; ++i) {
      ASSERT_TRUE(cache.CheckAndRecord("ct", std::to_string(now) + "-" + std::to_string(i), now, now));
    }
  }
  // Each shard drops on its own next touch, so allow one extra second per shard.
  EXPECT_LE(cache.Size(), 100u * 62);
  EXPECT_GE(cache.Size(), 100u * 60);
}

TEST(NonceCacheTest, ConcurrentDistinctAndDuplicate) {
  NonceCache cache(60);
  std::atomic<int> accepted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 2000; ++i) {
        if (cache.CheckAndRecord("ct", "own-" + std::to_string(t) + "-" + std::to_string(i), 100, 100)) ++accepted;
        if (cache.CheckAndRecord("ct", "shared-" + std::to_string(i), 100, 100)) ++accepted;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(accepted.load(), 8 * 2000 + 2000);
  EXPECT_EQ(cache.Size(), static_cast<size_t>(8 * 2000 + 2000));
}


// ---- D-25: requests signed before the server started ---------------------

class NotBeforeTest : public VerifierTest {
 protected:
  static constexpr int64_t kStart = kNow - 10;  // the server's start second

  void SetUp() override {
    VerifierTest::SetUp();
    VerifierOptions options;
    options.not_before_seconds = kStart;
    verifier_ = std::make_unique<Verifier>(lookup_, options);
  }
};

TEST_F(NotBeforeTest, RequestSignedAtOrBeforeTheStartIsRefused) {
  // Within the ±30 s window, but signed at the start second or earlier: a
  // previous run may have accepted it, and its nonce is not remembered.
  for (int64_t offset : {-10, -11, -30}) {
    const AuthResult r = SignedGet(offset);
    ExpectDeny(r, AuthFailure::kSignedBeforeStart);
    EXPECT_NE(r.detail.find("signed before the server started; sign the request again"), std::string::npos)
        << r.detail;
    EXPECT_TRUE(r.credential.client_token.empty());
  }
  // Signed after the start: accepted.
  EXPECT_TRUE(SignedGet(-9).ok());
  EXPECT_TRUE(SignedGet(0).ok());
}

TEST_F(NotBeforeTest, CheckedAfterTheSignatureAndBeforeTheNonceIsRecorded) {
  // A bad signature is reported as such (D-3 order: signature first).
  std::string auth = Authorization("GET", "/x", "", -20);
  const HttpRequest tampered = Request("GET", "/x?tampered", "", auth);
  ExpectDeny(verifier_->Verify(tampered, kNow), AuthFailure::kSignatureMismatch);
  // Outside the timestamp window it is still 400, not this refusal.
  ExpectInvalidTimestamp(SignedGet(-31));

  // A refused request burns no nonce: the same nonce signed afresh after
  // the start is accepted, and only then recorded.
  const std::string nonce = iam::testing::RandomNonce();
  const HttpRequest before = Request("GET", "/x", "", Authorization("GET", "/x", "", -10, nonce));
  ExpectDeny(verifier_->Verify(before, kNow), AuthFailure::kSignedBeforeStart);
  ExpectDeny(verifier_->Verify(before, kNow), AuthFailure::kSignedBeforeStart);
  const HttpRequest after = Request("GET", "/x", "", Authorization("GET", "/x", "", -5, nonce));
  EXPECT_TRUE(verifier_->Verify(after, kNow).ok());
  ExpectDeny(verifier_->Verify(after, kNow), AuthFailure::kReplayedNonce);
}

TEST_F(VerifierTest, NotBeforeZeroRefusesNothing) {
  EXPECT_EQ(VerifierOptions{}.not_before_seconds, 0);
  EXPECT_TRUE(SignedGet(-30).ok());
}

// ---- .edgerc ----------------------------------------------------------------

class EdgercTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = ::testing::TempDir() + "edgerc-test-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Path(const std::string& name) const { return dir_ + "/" + name; }
  void WriteText(const std::string& name, const std::string& text) const {
    std::ofstream(Path(name)) << text;
  }
  std::vector<std::string> Entries() const {
    std::vector<std::string> out;
    for (const auto& e : std::filesystem::directory_iterator(dir_)) out.push_back(e.path().filename().string());
    return out;
  }

  std::string dir_;
};

ClientCredential SampleCredential() {
  ClientCredential c;
  c.host = "127.0.0.1:8443";
  c.client_token = "akab-c113ntt0k3n4qtari252bfxxbsl-yvsdj";
  c.client_secret = "C113nt53KR3TN6N90yVuAgICxIRwsObLi0E67/N8eRN=";
  c.access_token = "akab-acc35t0k3nodujqunph3w7hzp7-gtm6ij";
  c.max_body = 65536;
  return c;
}

TEST_F(EdgercTest, WriteThenReadRoundTrip) {
  const std::string path = Path("edgerc");
  ASSERT_TRUE(iam::api::WriteEdgerc(path, "iam", SampleCredential()).ok());
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  EXPECT_TRUE(S_ISREG(st.st_mode));
  EXPECT_EQ(Entries(), std::vector<std::string>{"edgerc"}) << "temporary file left behind";

  auto read = iam::api::ReadEdgerc(path, "iam");
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  const ClientCredential want = SampleCredential();
  EXPECT_EQ(read->host, want.host);
  EXPECT_EQ(read->client_token, want.client_token);
  EXPECT_EQ(read->client_secret, want.client_secret);
  EXPECT_EQ(read->access_token, want.access_token);
  EXPECT_EQ(read->max_body, want.max_body);
  EXPECT_EQ(iam::api::ReadEdgerc(path).status().code(), StatusCode::kNotFound);  // no [default]
}

TEST_F(EdgercTest, PermissionsIgnoreUmask) {
  const mode_t old = ::umask(0);
  const iam::Status s = iam::api::WriteEdgerc(Path("edgerc"), "default", SampleCredential());
  ::umask(old);
  ASSERT_TRUE(s.ok()) << s.ToString();
  struct stat st {};
  ASSERT_EQ(::stat(Path("edgerc").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
}

TEST_F(EdgercTest, RefusesToOverwrite) {
  WriteText("edgerc", "[default]\nhost = keep\n");
  const iam::Status s = iam::api::WriteEdgerc(Path("edgerc"), "default", SampleCredential());
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition) << s.ToString();
  EXPECT_EQ(s.message().find(SampleCredential().client_secret), std::string::npos);
  std::ifstream in(Path("edgerc"));
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text, "[default]\nhost = keep\n");
  EXPECT_EQ(Entries().size(), 1u);
}

TEST_F(EdgercTest, RejectsUnrepresentableValues) {
  ClientCredential c = SampleCredential();
  c.client_secret = "abc\n[evil]";
  EXPECT_EQ(iam::api::WriteEdgerc(Path("a"), "default", c).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(iam::api::WriteEdgerc(Path("b"), "bad]name", SampleCredential()).code(), StatusCode::kInvalidArgument);
  c = SampleCredential();
  c.access_token.clear();
  EXPECT_EQ(iam::api::WriteEdgerc(Path("c"), "default", c).code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Entries().empty());
}

TEST_F(EdgercTest, ReadsDocumentationStyleFile) {
  WriteText("edgerc",
            "# Akamai credentials\n"
            "; another comment style\n"
            "[other]\n"
            "host = other.example\n"
            "\n"
            "[default]\n"
            "  client_secret=C113nt53KR3TN6N90yVuAgICxIRwsObLi0E67/N8eRN=  \r\n"
            "host   =   akab-h05tnam3wl42son7nktnlnnx-kbob3i3v.luna.akamaiapis.net\n"
            "\taccess_token = akab-acc35t0k3nodujqunph3w7hzp7-gtm6ij\n"
            "client_token = akab-c113ntt0k3n4qtari252bfxxbsl-yvsdj\n"
            "max-body = 4096\n"
            "headers_to_sign = X-Ignored\n"
            "[third]\n"
            "host = third.example\n");
  auto c = iam::api::ReadEdgerc(Path("edgerc"));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->host, "akab-h05tnam3wl42son7nktnlnnx-kbob3i3v.luna.akamaiapis.net");
  EXPECT_EQ(c->client_secret, "C113nt53KR3TN6N90yVuAgICxIRwsObLi0E67/N8eRN=");
  EXPECT_EQ(c->access_token, "akab-acc35t0k3nodujqunph3w7hzp7-gtm6ij");
  EXPECT_EQ(c->client_token, "akab-c113ntt0k3n4qtari252bfxxbsl-yvsdj");
  EXPECT_EQ(c->max_body, 4096u);
}

TEST_F(EdgercTest, DefaultMaxBody) {
  WriteText("edgerc", "[default]\nhost=h\nclient_token=ct\nclient_secret=cs\naccess_token=at\n");
  auto c = iam::api::ReadEdgerc(Path("edgerc"));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->max_body, 131072u);
}

TEST_F(EdgercTest, Errors) {
  WriteText("missing", "[default]\nhost=h\nclient_token=ct\naccess_token=at\n");
  auto missing = iam::api::ReadEdgerc(Path("missing"));
  EXPECT_EQ(missing.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(missing.status().message().find("client_secret"), std::string::npos);

  WriteText("empty", "[default]\nhost=h\nclient_token=\nclient_secret=cs\naccess_token=at\n");
  EXPECT_EQ(iam::api::ReadEdgerc(Path("empty")).status().code(), StatusCode::kInvalidArgument);

  WriteText("badmax", "[default]\nhost=h\nclient_token=ct\nclient_secret=cs\naccess_token=at\nmax_body=lots\n");
  EXPECT_EQ(iam::api::ReadEdgerc(Path("badmax")).status().code(), StatusCode::kInvalidArgument);

  WriteText("slash", "[default]\nhost=h.example/\nclient_token=ct\nclient_secret=cs\naccess_token=at\n");
  EXPECT_EQ(iam::api::ReadEdgerc(Path("slash")).status().code(), StatusCode::kInvalidArgument);

  WriteText("noeq", "[default]\nhost h\n");
  EXPECT_EQ(iam::api::ReadEdgerc(Path("noeq")).status().code(), StatusCode::kInvalidArgument);

  EXPECT_EQ(iam::api::ReadEdgerc(Path("missing"), "nosuch").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(iam::api::ReadEdgerc(Path("does-not-exist")).status().code(), StatusCode::kNotFound);
}

TEST_F(EdgercTest, WrittenCredentialSignsVerifiableRequests) {
  ASSERT_TRUE(iam::api::WriteEdgerc(Path("edgerc"), "default", SampleCredential()).ok());
  auto c = iam::api::ReadEdgerc(Path("edgerc"));
  ASSERT_TRUE(c.ok());
  FakeLookup lookup;
  VerifiedCredential v;
  v.client_token = c->client_token;
  v.access_token = c->access_token;
  v.client_secret = c->client_secret;
  lookup.Put(v);
  Verifier verifier(lookup, VerifierOptions{});
  HttpRequest r;
  r.method = "GET";
  r.target = "/identity-management/v3/user-profile";
  r.headers = {{"Host", c->host},
               {"Authorization", SignRequestHeader(*c, "GET", "https", r.target, "", 1700000000, NewNonce())}};
  r.scheme = "https";
  EXPECT_TRUE(verifier.Verify(r, 1700000000).ok());
}


// ---- AccessCredentialLookup's secret cache ---------------------------------

// A secret store in memory that counts reads and can be told to fail.
class CountingSecretStore : public iam::events::SecretStore {
 public:
  iam::Status Put(const std::string& id, const std::string& plaintext) override {
    std::lock_guard<std::mutex> lock(mu_);
    values_[id] = plaintext;
    return iam::Status::Ok();
  }
  iam::Result<std::string> Get(const std::string& id) const override {
    std::lock_guard<std::mutex> lock(mu_);
    ++gets_;
    if (failing_) return iam::Status::IOError("disk on fire");
    auto it = values_.find(id);
    if (it == values_.end()) return iam::Status::NotFound("no secret " + id);
    return it->second;
  }
  void Erase(const std::string& id) {
    std::lock_guard<std::mutex> lock(mu_);
    values_.erase(id);
  }
  void SetFailing(bool failing) {
    std::lock_guard<std::mutex> lock(mu_);
    failing_ = failing;
  }
  int gets() const {
    std::lock_guard<std::mutex> lock(mu_);
    return gets_;
  }

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::string> values_;
  mutable int gets_ = 0;
  bool failing_ = false;
};

// An "api-clients" read model holding credentials "cred-1".."cred-N" with client
// tokens "ct-1".."ct-N" and secrets "secret-1".."secret-N".
class SecretCacheTest : public ::testing::Test {
 protected:
  static constexpr int kCredentials = 5;

  void SetUp() override {
    iam::events::StorageOptions options;
    options.data_dir = dir_.string();
    auto storage = iam::events::Storage::OpenRocksDb(options);
    ASSERT_TRUE(storage.ok()) << storage.status().ToString();
    storage_ = std::move(*storage);
    for (int i = 1; i <= kCredentials; ++i) {
      const std::string n = std::to_string(i);
      iam::events::StreamAppend stream;
      stream.aggregate_type = iam::events::kApiClientAggregate;
      stream.aggregate_id = "client-" + n;
      stream.resource_owner = "1-ACCT";
      iam::events::ApiClientDefinition definition;
      definition.client_name = "client " + n;
      definition.owner_ui_identity_id = "owner-id";
      definition.owner_username = "owner";
      stream.events.push_back(
          iam::events::ToNewEvent(iam::events::ApiClientCreated{"client-" + n, "at-" + n, definition}));
      stream.events.push_back(
          iam::events::ToNewEvent(iam::events::CredentialCreated{"client-" + n, "cred-" + n, "ct-" + n, 0}));
      iam::events::AppendRequest request;
      request.streams.push_back(std::move(stream));
      auto appended = storage_->events().Append(std::move(request));
      ASSERT_TRUE(appended.ok()) << appended.status().ToString();
      ASSERT_TRUE(secrets_.Put(iam::events::CredentialSecretId("cred-" + n), "secret-" + n).ok());
    }
    runner_ = std::make_unique<iam::projections::ProjectionRunner>(storage_->events(), storage_->state());
    iam::projections::RegisterCoreProjections(*runner_);
    ASSERT_TRUE(runner_->Start().ok());
    ASSERT_TRUE(runner_->WaitUntilLive(iam::projections::kApiClientsProjection, std::chrono::seconds(10)));
  }

  void TearDown() override {
    if (runner_) runner_->Stop();
  }

  std::unique_ptr<iam::api::AccessCredentialLookup> Lookup(size_t max_entries) {
    iam::api::SecretCacheOptions options;
    options.max_entries = max_entries;
    options.time_to_live = std::chrono::seconds(60);
    options.now = [this] { return now_; };
    return std::make_unique<iam::api::AccessCredentialLookup>(*runner_, secrets_, options);
  }

  static std::string SecretOf(const iam::api::AccessCredentialLookup& lookup, const std::string& token) {
    auto found = lookup.FindByClientToken(token);
    return found ? found->client_secret : "<none>";
  }

  iam::testing::TempDir dir_;
  std::unique_ptr<iam::events::Storage> storage_;
  std::unique_ptr<iam::projections::ProjectionRunner> runner_;
  CountingSecretStore secrets_;
  std::chrono::steady_clock::time_point now_{std::chrono::hours(1)};
};

TEST_F(SecretCacheTest, HitsDoNotReadTheStore) {
  auto lookup = Lookup(10);
  EXPECT_EQ(SecretOf(*lookup, "ct-1"), "secret-1");
  EXPECT_EQ(SecretOf(*lookup, "ct-1"), "secret-1");
  EXPECT_EQ(secrets_.gets(), 1);
  EXPECT_EQ(SecretOf(*lookup, "ct-unknown"), "<none>");
  EXPECT_EQ(secrets_.gets(), 1);
}

TEST_F(SecretCacheTest, CacheNeverHoldsMoreThanMaxEntries) {
  auto lookup = Lookup(2);
  for (int round = 0; round < 3; ++round) {
    for (int i = 1; i <= kCredentials; ++i) {
      const std::string n = std::to_string(i);
      EXPECT_EQ(SecretOf(*lookup, "ct-" + n), "secret-" + n);
      EXPECT_LE(lookup->cached_secrets(), 2u);
    }
  }
  EXPECT_EQ(lookup->cached_secrets(), 2u);
  // The most recent ones are the ones kept.
  const int before = secrets_.gets();
  EXPECT_EQ(SecretOf(*lookup, "ct-" + std::to_string(kCredentials)), "secret-" + std::to_string(kCredentials));
  EXPECT_EQ(secrets_.gets(), before);
}

TEST_F(SecretCacheTest, ChangedSecretIsPickedUpAfterTheTimeToLiveOrAtOnceWhenForgotten) {
  auto lookup = Lookup(10);
  ASSERT_EQ(SecretOf(*lookup, "ct-1"), "secret-1");
  ASSERT_EQ(SecretOf(*lookup, "ct-2"), "secret-2");
  ASSERT_TRUE(secrets_.Put(iam::events::CredentialSecretId("cred-1"), "rotated-1").ok());
  ASSERT_TRUE(secrets_.Put(iam::events::CredentialSecretId("cred-2"), "rotated-2").ok());

  // Forget takes effect at once.
  lookup->Forget("cred-1");
  EXPECT_EQ(SecretOf(*lookup, "ct-1"), "rotated-1");

  // Without it the old secret serves until the time to live has passed, not forever.
  now_ += std::chrono::seconds(59);
  EXPECT_EQ(SecretOf(*lookup, "ct-2"), "secret-2");
  now_ += std::chrono::seconds(1);
  EXPECT_EQ(SecretOf(*lookup, "ct-2"), "rotated-2");
}

TEST_F(SecretCacheTest, DeletedSecretStopsAuthenticatingAfterTheTimeToLive) {
  auto lookup = Lookup(10);
  ASSERT_EQ(SecretOf(*lookup, "ct-3"), "secret-3");
  secrets_.Erase(iam::events::CredentialSecretId("cred-3"));
  now_ += std::chrono::seconds(61);
  EXPECT_EQ(SecretOf(*lookup, "ct-3"), "<none>");
  EXPECT_EQ(lookup->cached_secrets(), 0u);
}

TEST_F(SecretCacheTest, StoreOutageKeepsServingTheCachedSecret) {
  auto lookup = Lookup(10);
  ASSERT_EQ(SecretOf(*lookup, "ct-4"), "secret-4");
  secrets_.SetFailing(true);
  now_ += std::chrono::seconds(61);
  // An I/O error revokes nothing; it is retried on the next lookup.
  EXPECT_EQ(SecretOf(*lookup, "ct-4"), "secret-4");
  const int gets = secrets_.gets();
  EXPECT_EQ(SecretOf(*lookup, "ct-4"), "secret-4");
  EXPECT_EQ(secrets_.gets(), gets + 1);
  // A secret never cached cannot be served during the outage.
  EXPECT_EQ(SecretOf(*lookup, "ct-5"), "<none>");
  secrets_.SetFailing(false);
  EXPECT_EQ(SecretOf(*lookup, "ct-5"), "secret-5");
}

}  // namespace
