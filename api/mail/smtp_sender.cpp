// SmtpSender on Boost.Asio. Blocking steps are asynchronous operations run on
// a private io_context, because only those honour the tcp_stream deadline
// that bounds the whole delivery.
#include "api/mail/smtp_sender.h"

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <cctype>
#include <string>
#include <vector>

#include "api/mail/mail_message.h"
#include "events/clock.h"

namespace iam::api {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

// A reply line longer than this, or a reply of more lines, is a broken server.
constexpr size_t kMaxReplyLine = 4096;
constexpr int kMaxReplyLines = 64;
// How much of a server's reply text goes into an error message.
constexpr size_t kMaxQuotedReply = 200;

struct Reply {
  int code = 0;
  std::vector<std::string> lines;  // the text after each "NNN-" / "NNN "

  // "451 try again later", printable and short, for error messages.
  std::string Quote() const {
    std::string text = std::to_string(code);
    if (!lines.empty() && !lines.front().empty()) text += " " + lines.front();
    if (text.size() > kMaxQuotedReply) text.resize(kMaxQuotedReply);
    for (char& c : text) {
      if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) c = '?';
    }
    return text;
  }

  // Whether an EHLO reply names `keyword` as one of its extensions.
  bool Announces(std::string_view keyword) const {
    for (const std::string& line : lines) {
      const std::string_view first = std::string_view(line).substr(0, line.find(' '));
      if (first.size() == keyword.size() && std::equal(first.begin(), first.end(), keyword.begin(), [](char a, char b) {
            return std::toupper(static_cast<unsigned char>(a)) == b;
          })) {
        return true;
      }
    }
    return false;
  }
};

// One SMTP connection whose every step ends by `deadline`.
class SmtpConnection {
 public:
  explicit SmtpConnection(std::chrono::steady_clock::time_point deadline) : stream_(ioc_), deadline_(deadline) {}

  ~SmtpConnection() {
    error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.socket().close(ignored);
  }

  Status Connect(const std::string& host, uint16_t port) {
    const std::string where = host + ":" + std::to_string(port);
    error_code ec;
    tcp::resolver resolver(ioc_);
    auto endpoints = resolver.resolve(host, std::to_string(port), tcp::resolver::numeric_service, ec);
    if (ec) return Status::Unavailable("cannot resolve SMTP server " + host + ": " + ec.message());
    stream_.expires_at(deadline_);
    stream_.async_connect(endpoints, [&ec](error_code e, const tcp::endpoint&) { ec = e; });
    Run();
    if (ec) return Status::Unavailable("cannot connect to SMTP server " + where + ": " + ec.message());
    return Status::Ok();
  }

  Result<Reply> ReadReply() {
    Reply reply;
    for (int count = 0; count < kMaxReplyLines; ++count) {
      error_code ec;
      size_t length = 0;
      stream_.expires_at(deadline_);
      asio::async_read_until(stream_, asio::dynamic_buffer(buffer_, kMaxReplyLine), "\r\n",
                             [&](error_code e, size_t n) {
                               ec = e;
                               length = n;
                             });
      Run();
      if (ec) return Status::Unavailable("reading the SMTP server's reply failed: " + ec.message());
      const std::string line = buffer_.substr(0, length - 2);
      buffer_.erase(0, length);
      if (line.size() < 3 || !std::isdigit(static_cast<unsigned char>(line[0])) ||
          !std::isdigit(static_cast<unsigned char>(line[1])) || !std::isdigit(static_cast<unsigned char>(line[2])) ||
          (line.size() > 3 && line[3] != ' ' && line[3] != '-')) {
        return Status::Unavailable("the SMTP server's reply is malformed");
      }
      const int code = std::stoi(line.substr(0, 3));
      if (count > 0 && code != reply.code) return Status::Unavailable("the SMTP server's reply is malformed");
      reply.code = code;
      reply.lines.push_back(line.size() > 4 ? line.substr(4) : std::string());
      if (line.size() <= 3 || line[3] == ' ') return reply;
    }
    return Status::Unavailable("the SMTP server's reply is too long");
  }

  Result<Reply> Send(std::string_view bytes) {
    error_code ec;
    stream_.expires_at(deadline_);
    asio::async_write(stream_, asio::buffer(bytes.data(), bytes.size()), [&ec](error_code e, size_t) { ec = e; });
    Run();
    if (ec) return Status::Unavailable("writing to the SMTP server failed: " + ec.message());
    return ReadReply();
  }

  Result<Reply> Command(const std::string& line) { return Send(line + "\r\n"); }

 private:
  // Runs the queued operation to completion; the stream's deadline bounds it.
  void Run() {
    ioc_.restart();
    ioc_.run();
  }

  asio::io_context ioc_{1};
  beast::tcp_stream stream_;
  std::string buffer_;
  const std::chrono::steady_clock::time_point deadline_;
};

// Ok when `reply` is of `expected_class` (2 = done, 3 = go on). A 5xx reply
// to a step that concerns this mail alone (`mail_specific`) refuses the mail
// for good; anything else may pass on a later attempt.
Status Expect(const Result<Reply>& reply, int expected_class, const std::string& step, bool mail_specific) {
  if (!reply.ok()) return reply.status();
  if (reply->code / 100 == expected_class) return Status::Ok();
  const std::string text = "the SMTP server answered " + step + " with " + reply->Quote();
  if (mail_specific && reply->code >= 500) return Status::InvalidArgument(text);
  return Status::Unavailable(text);
}

}  // namespace

std::string SmtpData(std::string_view message) {
  std::string data;
  data.reserve(message.size() + 8);
  bool line_start = true;
  for (char c : message) {
    if (line_start && c == '.') data.push_back('.');
    data.push_back(c);
    line_start = c == '\n';
  }
  if (!data.empty() && !data.ends_with("\r\n")) data += "\r\n";
  data += ".\r\n";
  return data;
}

std::string SmtpSender::Destination() const {
  return "SMTP server " + options_.host + ":" + std::to_string(options_.port);
}

Status SmtpSender::Deliver(const events::PendingMail& mail) {
  SmtpConnection connection(std::chrono::steady_clock::now() + options_.timeout);
  if (Status s = connection.Connect(options_.host, options_.port); !s.ok()) return s;
  if (Status s = Expect(connection.ReadReply(), 2, "the connection", false); !s.ok()) return s;
  const size_t at = options_.from.rfind('@');
  const std::string client = at == std::string::npos ? "localhost" : options_.from.substr(at + 1);
  auto ehlo = connection.Command("EHLO " + client);
  if (!ehlo.ok()) return ehlo.status();
  bool eight_bit = false;
  if (ehlo->code / 100 == 2) {
    eight_bit = ehlo->Announces("8BITMIME");
  } else if (Status s = Expect(connection.Command("HELO " + client), 2, "HELO", false); !s.ok()) {
    return s;
  }
  const std::string sender = "MAIL FROM:<" + options_.from + ">" + (eight_bit ? " BODY=8BITMIME" : "");
  if (Status s = Expect(connection.Command(sender), 2, "MAIL FROM", false); !s.ok()) return s;
  if (Status s = Expect(connection.Command("RCPT TO:<" + mail.mail.to + ">"), 2, "RCPT TO", true); !s.ok()) return s;
  if (Status s = Expect(connection.Command("DATA"), 3, "DATA", false); !s.ok()) return s;
  const std::string data = SmtpData(FormatMailMessage(mail, options_.from, NowMillis()));
  if (Status s = Expect(connection.Send(data), 2, "the message", true); !s.ok()) return s;
  connection.Command("QUIT");  // the mail is accepted; how the server says goodbye does not matter
  return Status::Ok();
}

}  // namespace iam::api
