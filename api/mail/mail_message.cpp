#include "api/mail/mail_message.h"

#include <cstdio>
#include <ctime>

#include "commands/random_tokens.h"

namespace iam::api {
namespace {

// RFC 2047: "=?utf-8?Q?" + text + "?=" is at most 75 characters.
constexpr std::string_view kWordStart = "=?utf-8?Q?";
constexpr std::string_view kWordEnd = "?=";
constexpr size_t kMaxWordText = 75 - 10 - 2;

bool IsPrintableAscii(std::string_view text) {
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte >= 0x7f) return false;
  }
  return true;
}

bool IsAscii(std::string_view text) {
  for (char c : text) {
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  }
  return true;
}

// RFC 2047 section 5 (3): the characters an encoded word may carry as themselves anywhere.
bool IsQLiteral(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '!' || c == '*' ||
         c == '+' || c == '-' || c == '/';
}

std::string QEncode(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : bytes) {
    const auto byte = static_cast<unsigned char>(c);
    if (IsQLiteral(c)) {
      out.push_back(c);
    } else if (c == ' ') {
      out.push_back('_');
    } else {
      out += {'=', kHex[byte >> 4], kHex[byte & 0xf]};
    }
  }
  return out;
}

// The bytes of one character: a UTF-8 lead byte and its continuation bytes,
// so an encoded word never splits a character.
size_t CharacterLength(std::string_view text, size_t at) {
  size_t end = at + 1;
  while (end < text.size() && (static_cast<unsigned char>(text[end]) & 0xc0) == 0x80) ++end;
  return end - at;
}

std::string DateHeader(int64_t date_ms) {
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const std::time_t seconds = static_cast<std::time_t>(date_ms / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[64];
  std::snprintf(text, sizeof text, "%s, %02d %s %04d %02d:%02d:%02d +0000", kDays[utc.tm_wday], utc.tm_mday,
                kMonths[utc.tm_mon], utc.tm_year + 1900, utc.tm_hour, utc.tm_min, utc.tm_sec);
  return text;
}

// The body with every line ending in CRLF, the last one included.
std::string CrlfBody(std::string_view body) {
  std::string out;
  out.reserve(body.size() + body.size() / 32 + 2);
  for (size_t i = 0; i < body.size(); ++i) {
    if (body[i] == '\r') continue;  // only ever before '\n' (ValidateOutboxMail)
    if (body[i] == '\n') {
      out += "\r\n";
    } else {
      out.push_back(body[i]);
    }
  }
  if (!out.empty() && !out.ends_with("\r\n")) out += "\r\n";
  return out;
}

}  // namespace

std::string EncodeHeaderText(std::string_view subject) {
  if (IsPrintableAscii(subject)) return std::string(subject);
  std::string out;
  std::string word;
  auto flush = [&] {
    if (!out.empty()) out += "\r\n ";
    out += kWordStart;
    out += word;
    out += kWordEnd;
    word.clear();
  };
  for (size_t at = 0; at < subject.size();) {
    const size_t length = CharacterLength(subject, at);
    const std::string encoded = QEncode(subject.substr(at, length));
    if (word.size() + encoded.size() > kMaxWordText) flush();
    word += encoded;
    at += length;
  }
  if (!word.empty()) flush();
  return out;
}

std::string FormatMailMessage(const events::PendingMail& pending, std::string_view from, int64_t date_ms) {
  const events::OutboxMail& mail = pending.mail;
  const size_t at = from.rfind('@');
  const std::string_view domain = at == std::string_view::npos ? std::string_view("localhost") : from.substr(at + 1);
  std::string message;
  message += "From: " + std::string(from) + "\r\n";
  message += "To: " + mail.to + "\r\n";
  message += "Subject: " + EncodeHeaderText(mail.subject) + "\r\n";
  message += "Date: " + DateHeader(date_ms) + "\r\n";
  message += "Message-ID: <" + std::to_string(pending.sequence) + "." +
             commands::RandomString(commands::kLowerAlphanumeric, 16) + "@" + std::string(domain) + ">\r\n";
  message += "MIME-Version: 1.0\r\n";
  message += "Content-Type: text/plain; charset=utf-8\r\n";
  message += std::string("Content-Transfer-Encoding: ") + (IsAscii(mail.text_body) ? "7bit" : "8bit") + "\r\n";
  message += "\r\n";
  message += CrlfBody(mail.text_body);
  return message;
}

std::string MailMessageRecipient(std::string_view message) {
  constexpr std::string_view kTo = "To: ";
  // Header lines up to the empty line that ends them.
  for (size_t at = 0; at < message.size();) {
    const size_t end = message.find("\r\n", at);
    const std::string_view line = message.substr(at, end == std::string_view::npos ? std::string_view::npos : end - at);
    if (line.empty()) break;
    if (line.starts_with(kTo)) return std::string(line.substr(kTo.size()));
    if (end == std::string_view::npos) break;
    at = end + 2;
  }
  return {};
}

}  // namespace iam::api
