// Mail delivery (seed-003 TO-3): the outbox drainer with the embedded .eml
// sender and with SMTP against a small SMTP server of the test's own on
// loopback. Every wait has a deadline; nothing depends on how fast the
// machine is.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <mutex>
#include <set>
#include <thread>

#include "api/iamd_server.h"
#include "api/mail/eml_file_sender.h"
#include "api/mail/outbox_drainer.h"
#include "api/mail/smtp_sender.h"
#include "events/storage.h"
#include "tests/support/outbox_appends.h"
#include "tests/support/temp_dir.h"

namespace iam::api {
namespace {

using testing::TempDir;

constexpr auto kDeadline = std::chrono::seconds(20);

std::unique_ptr<events::Storage> OpenStorage(const std::string& dir) {
  events::StorageOptions options;
  options.data_dir = dir;
  options.master_key = std::string(32, 'k');
  auto storage = events::Storage::OpenRocksDb(options);
  EXPECT_TRUE(storage.ok()) << storage.status().ToString();
  return storage.ok() ? std::move(*storage) : nullptr;
}

// One event on a fresh stream with `mails`.
Status AppendMails(events::Storage& storage, std::vector<events::OutboxMail> mails) {
  static std::atomic<int> next_user{1};
  return storage.events().Append(testing::AppendWithMails(std::to_string(next_user++), 0, std::move(mails))).status();
}

size_t PendingCount(events::Storage& storage) {
  auto pending = storage.outbox().Pending(100);
  EXPECT_TRUE(pending.ok()) << pending.status().ToString();
  return pending.ok() ? pending->size() : 0;
}

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

unsigned Permissions(const std::filesystem::path& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

std::string BodyOf(const std::string& message) {
  const size_t split = message.find("\r\n\r\n");
  return split == std::string::npos ? std::string() : message.substr(split + 4);
}

// What one SMTP transaction handed to the test server.
struct ReceivedMail {
  std::string mail_from;  // the MAIL FROM argument, as sent
  std::string rcpt_to;
  std::string data;  // the message with dot-stuffing undone, without the final "." line
};

// A tiny SMTP server on 127.0.0.1 with a blocking socket per connection, one
// connection at a time. It answers as a mail server would, fails on request
// (transient 451 to DATA), refuses listed recipients for good (550), or
// stays silent. Every blocking call is bounded by a timeout.
class TestSmtpServer {
 public:
  enum class Mode { kAccept, kFailData, kSilent };

  TestSmtpServer() {
    listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;
    socklen_t length = sizeof address;
    if (listener_ < 0 || ::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::listen(listener_, 8) != 0 || ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
      ADD_FAILURE() << "cannot listen on loopback";
      return;
    }
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }

  ~TestSmtpServer() {
    stopping_ = true;
    if (thread_.joinable()) thread_.join();
    if (listener_ >= 0) ::close(listener_);
  }

  uint16_t port() const { return port_; }
  void set_mode(Mode mode) { mode_ = mode; }
  void RefuseRecipient(const std::string& address) {
    std::lock_guard lock(mu_);
    refused_.insert(address);
  }

  // The mails received so far, once there are at least `count` (or by the deadline).
  std::vector<ReceivedMail> WaitForMails(size_t count) {
    std::unique_lock lock(mu_);
    received_cv_.wait_for(lock, kDeadline, [&] { return received_.size() >= count; });
    return received_;
  }

 private:
  void Serve() {
    while (!stopping_) {
      pollfd ready{listener_, POLLIN, 0};
      if (::poll(&ready, 1, 50) <= 0) continue;
      const int connection = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
      if (connection < 0) continue;
      timeval timeout{5, 0};
      ::setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
      ::setsockopt(connection, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
      if (mode_ == Mode::kSilent) {
        // Holds the connection without a word until the client gives up.
        char ignored[256];
        while (!stopping_ && ::recv(connection, ignored, sizeof ignored, 0) > 0) {
        }
      } else {
        Converse(connection);
      }
      ::close(connection);
    }
  }

  // One line without its CRLF; false when the peer is gone or too slow.
  bool ReadLine(int connection, std::string& buffer, std::string& line) {
    for (int reads = 0; reads < 100000; ++reads) {
      if (const size_t end = buffer.find("\r\n"); end != std::string::npos) {
        line = buffer.substr(0, end);
        buffer.erase(0, end + 2);
        return true;
      }
      char chunk[4096];
      const ssize_t n = ::recv(connection, chunk, sizeof chunk, 0);
      if (n <= 0) return false;
      buffer.append(chunk, static_cast<size_t>(n));
    }
    return false;
  }

  static void Say(int connection, const std::string& reply) {
    ::send(connection, reply.data(), reply.size(), MSG_NOSIGNAL);
  }

  void Converse(int connection) {
    std::string buffer;
    std::string line;
    ReceivedMail mail;
    Say(connection, "220 test.localhost ESMTP\r\n");
    for (int commands = 0; commands < 100 && ReadLine(connection, buffer, line); ++commands) {
      if (line.starts_with("EHLO ")) {
        Say(connection, "250-test.localhost\r\n250-PIPELINING\r\n250 8BITMIME\r\n");
      } else if (line.starts_with("MAIL FROM:")) {
        mail.mail_from = line.substr(10);
        Say(connection, "250 sender ok\r\n");
      } else if (line.starts_with("RCPT TO:")) {
        mail.rcpt_to = line.substr(8);
        std::lock_guard lock(mu_);
        Say(connection, refused_.count(mail.rcpt_to) ? "550 5.1.1 no such mailbox\r\n" : "250 recipient ok\r\n");
      } else if (line == "DATA") {
        Say(connection, "354 go ahead\r\n");
        mail.data.clear();
        bool ended = false;
        while (!ended && ReadLine(connection, buffer, line)) {
          if (line == ".") {
            ended = true;
          } else {
            mail.data += (line.starts_with(".") ? line.substr(1) : line) + "\r\n";
          }
        }
        if (!ended) return;
        if (mode_ == Mode::kFailData) {
          Say(connection, "451 4.3.0 try again later\r\n");
          continue;
        }
        Say(connection, "250 queued\r\n");
        std::lock_guard lock(mu_);
        received_.push_back(mail);
        received_cv_.notify_all();
      } else if (line == "QUIT") {
        Say(connection, "221 bye\r\n");
        return;
      } else {
        Say(connection, "500 unknown command\r\n");
      }
    }
  }

  int listener_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<Mode> mode_{Mode::kAccept};
  std::mutex mu_;
  std::condition_variable received_cv_;
  std::vector<ReceivedMail> received_;
  std::set<std::string> refused_;
  std::thread thread_;
};

OutboxDrainerOptions QuickRetries() {
  OutboxDrainerOptions options;
  options.first_retry = std::chrono::milliseconds(20);
  options.max_retry = std::chrono::milliseconds(100);
  return options;
}

bool Delivered(OutboxDrainer& drainer, uint64_t count) {
  return drainer.WaitFor([&](const OutboxDrainerStats& s) { return s.delivered >= count; }, kDeadline);
}

TEST(MailDelivery, TheEmlSenderWritesAPrivateFileAndTheDrainerRemovesTheMail) {
  TempDir dir;
  auto storage = OpenStorage((dir.path() / "events").string());
  const auto outbox_dir = dir.path() / "outbox";
  auto files = EmlFileSender::Open(outbox_dir.string(), "iamd@localhost");
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  OutboxDrainer drainer(storage->outbox(), **files);
  drainer.Start();

  ASSERT_TRUE(AppendMails(*storage, {{"ada@example.com", "Reset your password",
                                      "Open https://iam.example/reset/abc123\nIt works for an hour.\n"}})
                  .ok());
  ASSERT_TRUE(Delivered(drainer, 1));
  EXPECT_EQ(PendingCount(*storage), 0u);

  const auto file = outbox_dir / "00000000000000000001.eml";
  ASSERT_TRUE(std::filesystem::exists(file));
  EXPECT_EQ(Permissions(file), 0600u);
  EXPECT_EQ(Permissions(outbox_dir), 0700u);
  const std::string message = ReadFile(file);
  EXPECT_TRUE(message.starts_with("From: iamd@localhost\r\nTo: ada@example.com\r\nSubject: Reset your password\r\n"))
      << message;
  EXPECT_NE(message.find("\r\nDate: "), std::string::npos);
  EXPECT_NE(message.find("\r\nMessage-ID: <1."), std::string::npos);
  EXPECT_NE(message.find("\r\nContent-Type: text/plain; charset=utf-8\r\n"), std::string::npos);
  EXPECT_EQ(BodyOf(message), "Open https://iam.example/reset/abc123\r\nIt works for an hour.\r\n");
  // Only the delivered file: no temporary file is left behind.
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(outbox_dir), std::filesystem::directory_iterator()), 1);
}

TEST(MailDelivery, MailsAcknowledgedBeforeACrashAreDeliveredAtTheNextStart) {
  TempDir dir;
  const std::string events_dir = (dir.path() / "events").string();
  {
    auto storage = OpenStorage(events_dir);
    ASSERT_TRUE(AppendMails(*storage, {{"a@example.com", "first", "one"}, {"b@example.com", "second", "two"}}).ok());
  }
  auto storage = OpenStorage(events_dir);
  // A directory another program made readable to others is made private.
  const auto outbox_dir = dir.path() / "outbox";
  std::filesystem::create_directories(outbox_dir);
  std::filesystem::permissions(outbox_dir, std::filesystem::perms(0755));
  auto files = EmlFileSender::Open(outbox_dir.string(), "iamd@localhost");
  ASSERT_TRUE(files.ok());
  EXPECT_EQ(Permissions(outbox_dir), 0700u);
  OutboxDrainer drainer(storage->outbox(), **files);
  drainer.Start();
  ASSERT_TRUE(Delivered(drainer, 2));
  EXPECT_EQ(BodyOf(ReadFile(outbox_dir / "00000000000000000001.eml")), "one\r\n");
  EXPECT_EQ(BodyOf(ReadFile(outbox_dir / "00000000000000000002.eml")), "two\r\n");
  EXPECT_EQ(PendingCount(*storage), 0u);
}

// A cluster: every node's outbox holds the same mails; the writer shares
// how far it delivered, a follower drops what lies below, and a follower
// that becomes the writer sends only what its predecessor had not.
TEST(MailDelivery, AFollowerDropsWhatTheWriterDeliveredAndSendsOnlyTheRestWhenItWrites) {
  TempDir dir;
  auto writer_storage = OpenStorage((dir.path() / "writer").string());
  auto follower_storage = OpenStorage((dir.path() / "follower").string());
  const std::vector<events::OutboxMail> first = {
      {"a@example.com", "one", "1"}, {"b@example.com", "two", "2"}, {"c@example.com", "three", "3"}};
  ASSERT_TRUE(AppendMails(*writer_storage, first).ok());
  ASSERT_TRUE(AppendMails(*follower_storage, first).ok());

  std::atomic<uint64_t> shared_below{0};
  auto shared = [&](OutboxDrainerOptions options) {
    options.poll_interval = std::chrono::milliseconds(20);
    options.delivered_below = [&]() -> Result<uint64_t> { return shared_below.load(); };
    options.record_delivered_below = [&](uint64_t below) {
      shared_below = below;
      return Status::Ok();
    };
    return options;
  };
  auto writer_files = EmlFileSender::Open((dir.path() / "writer-mail").string(), "iamd@localhost");
  auto follower_files = EmlFileSender::Open((dir.path() / "follower-mail").string(), "iamd@localhost");
  ASSERT_TRUE(writer_files.ok() && follower_files.ok());
  OutboxDrainer writer(writer_storage->outbox(), **writer_files, shared(QuickRetries()));
  std::atomic<bool> follower_writes{false};
  OutboxDrainerOptions follower_options = shared(QuickRetries());
  follower_options.active = [&] { return follower_writes.load(); };
  OutboxDrainer follower(follower_storage->outbox(), **follower_files, follower_options);
  writer.Start();
  follower.Start();
  ASSERT_TRUE(Delivered(writer, 3));
  EXPECT_EQ(shared_below.load(), 4u);
  const auto deadline = std::chrono::steady_clock::now() + kDeadline;
  while (PendingCount(*follower_storage) > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(PendingCount(*follower_storage), 0u) << "the follower kept mails the writer delivered";

  // The writer goes; a mail committed after it is the only one the new writer sends.
  writer.Stop();
  ASSERT_TRUE(AppendMails(*follower_storage, {{"d@example.com", "four", "4"}}).ok());
  follower_writes = true;
  ASSERT_TRUE(Delivered(follower, 1));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // time to (wrongly) send more
  EXPECT_EQ(follower.Stats().delivered, 1u);
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "follower-mail" / "00000000000000000004.eml"));
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path() / "follower-mail"),
                          std::filesystem::directory_iterator()),
            1);
  EXPECT_EQ(shared_below.load(), 5u);
}

// Erasure (events/personal_data.h): the mails to an erased person's
// addresses go, whether still waiting or delivered as files; others stay.
TEST(MailDelivery, ForgettingARecipientDropsTheirWaitingMailsAndTheirFiles) {
  TempDir dir;
  auto storage = OpenStorage((dir.path() / "events").string());
  const auto outbox_dir = dir.path() / "outbox";
  auto files = EmlFileSender::Open(outbox_dir.string(), "iamd@localhost");
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  OutboxDrainer drainer(storage->outbox(), **files);
  drainer.Start();
  ASSERT_TRUE(AppendMails(*storage, {{"Ada@Example.com", "delivered", "one"}, {"bob@example.com", "kept", "two"}}).ok());
  ASSERT_TRUE(Delivered(drainer, 2));
  drainer.Stop();
  // Waiting: two more for Ada among others, more than one page of the outbox would hold.
  std::vector<events::OutboxMail> waiting;
  for (int i = 0; i < 300; ++i) waiting.push_back({"carol@example.com", "waiting", "three"});
  waiting.push_back({"ada@example.com", "waiting", "four"});
  waiting.push_back({"ADA@example.com", "waiting", "five"});
  ASSERT_TRUE(AppendMails(*storage, std::move(waiting)).ok());
  ASSERT_EQ(PendingCount(*storage), 100u);  // a page

  ASSERT_TRUE(drainer.ForgetMailsTo({"ada@example.com"}).ok());
  EXPECT_FALSE(std::filesystem::exists(outbox_dir / "00000000000000000001.eml"));
  EXPECT_TRUE(std::filesystem::exists(outbox_dir / "00000000000000000002.eml"));
  auto pending = storage->outbox().PendingAfter(0, 1000);
  ASSERT_TRUE(pending.ok()) << pending.status().ToString();
  EXPECT_EQ(pending->size(), 300u);
  for (const events::PendingMail& mail : *pending) EXPECT_EQ(mail.mail.to, "carol@example.com");
  // Forgetting nobody, or somebody again, is harmless.
  EXPECT_TRUE(drainer.ForgetMailsTo({}).ok());
  EXPECT_TRUE(drainer.ForgetMailsTo({"ada@example.com"}).ok());
}

TEST(MailDelivery, SmtpCarriesTheExactBodyWithDotStuffedLinesRestored) {
  TestSmtpServer server;
  SmtpSender sender({"127.0.0.1", server.port(), "iamd@localhost", std::chrono::seconds(10)});
  const std::string body = ".starts with a dot\n..two dots\n.\nmiddle . dot\r\nGrüße, ünïcode\nno final line end";
  const events::PendingMail mail{7, {"ada@example.com", "Grüße: your code", body}};
  ASSERT_TRUE(sender.Deliver(mail).ok());

  auto received = server.WaitForMails(1);
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(received[0].mail_from, "<iamd@localhost> BODY=8BITMIME");
  EXPECT_EQ(received[0].rcpt_to, "<ada@example.com>");
  EXPECT_EQ(BodyOf(received[0].data),
            ".starts with a dot\r\n..two dots\r\n.\r\nmiddle . dot\r\nGrüße, ünïcode\r\nno final line end\r\n");
  EXPECT_NE(received[0].data.find("\r\nSubject: =?utf-8?Q?Gr=C3=BC=C3=9Fe=3A_your_code?=\r\n"), std::string::npos)
      << received[0].data;
  EXPECT_NE(received[0].data.find("\r\nContent-Transfer-Encoding: 8bit\r\n"), std::string::npos);
  EXPECT_NE(received[0].data.find("\r\nMessage-ID: <7."), std::string::npos);
}

TEST(MailDelivery, AFailingSmtpServerLeavesTheMailPendingUntilItWorks) {
  TempDir dir;
  auto storage = OpenStorage(dir.string());
  TestSmtpServer server;
  server.set_mode(TestSmtpServer::Mode::kFailData);
  SmtpSender sender({"127.0.0.1", server.port(), "iamd@localhost", std::chrono::seconds(10)});
  OutboxDrainer drainer(storage->outbox(), sender, QuickRetries());
  drainer.Start();

  ASSERT_TRUE(AppendMails(*storage, {{"ada@example.com", "Your code", "Your code is 314159.\n"}}).ok());
  ASSERT_TRUE(drainer.WaitFor([](const OutboxDrainerStats& s) { return s.failed_attempts >= 2; }, kDeadline));
  EXPECT_EQ(PendingCount(*storage), 1u);
  EXPECT_EQ(drainer.Stats().delivered, 0u);

  server.set_mode(TestSmtpServer::Mode::kAccept);
  ASSERT_TRUE(Delivered(drainer, 1));
  auto received = server.WaitForMails(1);
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(BodyOf(received[0].data), "Your code is 314159.\r\n");
  EXPECT_EQ(PendingCount(*storage), 0u);
}

TEST(MailDelivery, ARecipientRefusedForGoodIsDroppedAndDoesNotHoldUpTheNext) {
  TempDir dir;
  auto storage = OpenStorage(dir.string());
  TestSmtpServer server;
  server.RefuseRecipient("<gone@example.com>");
  SmtpSender sender({"127.0.0.1", server.port(), "iamd@localhost", std::chrono::seconds(10)});
  ASSERT_TRUE(
      AppendMails(*storage, {{"gone@example.com", "one", "never arrives"}, {"ada@example.com", "two", "arrives"}})
          .ok());
  OutboxDrainer drainer(storage->outbox(), sender, QuickRetries());
  drainer.Start();
  ASSERT_TRUE(Delivered(drainer, 1));
  EXPECT_EQ(drainer.Stats().refused, 1u);
  auto received = server.WaitForMails(1);
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(received[0].rcpt_to, "<ada@example.com>");
  EXPECT_EQ(PendingCount(*storage), 0u);
}

TEST(MailDelivery, ASilentSmtpServerCostsOneTimeoutAndATransientFailure) {
  TestSmtpServer server;
  server.set_mode(TestSmtpServer::Mode::kSilent);
  SmtpSender sender({"127.0.0.1", server.port(), "iamd@localhost", std::chrono::milliseconds(200)});
  const Status outcome = sender.Deliver({1, {"ada@example.com", "s", "b"}});
  EXPECT_EQ(outcome.code(), StatusCode::kUnavailable) << outcome.ToString();
}

TEST(MailDelivery, TheServerCreatesAPrivateOutboxAndRefusesABadSmtpAddress) {
  TempDir dir;
  ServerConfig config;
  config.data_dir = dir.string();
  config.listen = "127.0.0.1:0";
  config.smtp = "no port here";
  auto refused = IamdServer::Start(config);
  EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
  config.smtp.clear();
  config.mail_from = "not an address";
  EXPECT_EQ(IamdServer::Start(config).status().code(), StatusCode::kInvalidArgument);

  config.mail_from = "iam@example.com";
  auto server = IamdServer::Start(config);
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  EXPECT_EQ(Permissions(dir.path() / "outbox"), 0700u);
  (*server)->Shutdown();
}

}  // namespace
}  // namespace iam::api
