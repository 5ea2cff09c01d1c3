#include "events/payload_json.h"

#include <memory>
#include <vector>

#include <boost/json.hpp>
#include <simdjson.h>

namespace iam::events {

struct PayloadWriter::Impl {
  boost::json::object object;
};

PayloadWriter::PayloadWriter() : impl_(std::make_unique<Impl>()) {}
PayloadWriter::~PayloadWriter() = default;

PayloadWriter& PayloadWriter::Set(std::string_view name, std::string_view value) {
  impl_->object[name] = value;
  return *this;
}

PayloadWriter& PayloadWriter::Set(std::string_view name, int64_t value) {
  impl_->object[name] = value;
  return *this;
}

PayloadWriter& PayloadWriter::SetBool(std::string_view name, bool value) {
  impl_->object[name] = value;
  return *this;
}

PayloadWriter& PayloadWriter::SetStrings(std::string_view name, const std::vector<std::string>& values) {
  boost::json::array array;
  array.reserve(values.size());
  for (const std::string& value : values) array.emplace_back(value);
  impl_->object[name] = std::move(array);
  return *this;
}

PayloadWriter& PayloadWriter::SetInts(std::string_view name, const std::vector<int64_t>& values) {
  boost::json::array array;
  array.reserve(values.size());
  for (int64_t value : values) array.emplace_back(value);
  impl_->object[name] = std::move(array);
  return *this;
}

PayloadWriter& PayloadWriter::SetObjects(std::string_view name, const std::vector<PayloadWriter>& items) {
  boost::json::array array;
  array.reserve(items.size());
  for (const PayloadWriter& item : items) array.emplace_back(item.impl_->object);
  impl_->object[name] = std::move(array);
  return *this;
}

std::string PayloadWriter::Finish() const { return boost::json::serialize(impl_->object); }

namespace {

// Parsers keep their buffers between documents, so they are reused. A DOM
// element points into the document of the parser that produced it, so a
// parser belongs to one reader for that reader's whole life; a reader
// borrows one from its thread's pool and gives it back when it goes away.
// Readers alive together on one thread (e.g. nested while folding a row)
// thus each hold their own parser and never invalidate one another.
class ParserPool {
 public:
  std::unique_ptr<simdjson::dom::parser> Take() {
    if (free_.empty()) return std::make_unique<simdjson::dom::parser>();
    auto parser = std::move(free_.back());
    free_.pop_back();
    return parser;
  }
  void Give(std::unique_ptr<simdjson::dom::parser> parser) {
    // More readers alive at once than this is unusual; keeping their
    // parsers would only hold memory.
    if (parser && free_.size() < kMaxIdle) free_.push_back(std::move(parser));
  }

 private:
  static constexpr size_t kMaxIdle = 4;
  std::vector<std::unique_ptr<simdjson::dom::parser>> free_;
};

ParserPool& ThreadPool() {
  thread_local ParserPool pool;
  return pool;
}

}  // namespace

struct PayloadReader::Impl {
  // Owns the document `object` points into; null for an item reader, which
  // borrows its parent's document.
  std::unique_ptr<simdjson::dom::parser> parser;
  simdjson::dom::object object;
  simdjson::dom::object::iterator next;  // where the member after the last one found starts

  explicit Impl(simdjson::dom::object o) : object(o), next(o.begin()) {}
  ~Impl() { ThreadPool().Give(std::move(parser)); }

  // The member `name`, or NO_SUCH_FIELD. Readers ask for members mostly in
  // the order their writer set them, so the search starts after the member
  // found last and wraps around: one comparison per member instead of a scan
  // of the whole object each time (which made key comparisons the largest
  // cost of restoring read models). Objects here come from PayloadWriter,
  // whose members are unique, so where the search starts changes nothing
  // found.
  simdjson::simdjson_result<simdjson::dom::element> Member(std::string_view name) {
    const auto end = object.end();
    for (auto it = next; it != end; ++it) {
      if (it.key_equals(name)) return Found(it);
    }
    for (auto it = object.begin(); it != next; ++it) {
      if (it.key_equals(name)) return Found(it);
    }
    return simdjson::NO_SUCH_FIELD;
  }

 private:
  simdjson::dom::element Found(simdjson::dom::object::iterator it) {
    next = it;
    ++next;
    return it.value();
  }
};

PayloadReader::PayloadReader(const Event& event)
    : PayloadReader(event.payload,
                    "event at position " + std::to_string(event.position) + " (" + event.event_type + ")") {}

PayloadReader::PayloadReader(std::string_view json, std::string context) : context_(std::move(context)) {
  auto parser = ThreadPool().Take();
  simdjson::dom::object object;
  if (parser->parse(json.data(), json.size()).get(object)) {
    ThreadPool().Give(std::move(parser));
    status_ = Status::Corruption(context_ + ": not a JSON object");
    return;
  }
  impl_ = std::make_unique<Impl>(object);
  impl_->parser = std::move(parser);
}

PayloadReader::PayloadReader(std::unique_ptr<Impl> impl, std::string context)
    : impl_(std::move(impl)), context_(std::move(context)) {}

PayloadReader::~PayloadReader() = default;

void PayloadReader::Fail(std::string_view name, std::string_view why) {
  if (!status_.ok()) return;
  status_ = Status::Corruption(context_ + ": member '" + std::string(name) + "' " + std::string(why));
}

std::string PayloadReader::String(std::string_view name) {
  if (!status_.ok()) return {};
  std::string_view value;
  auto error = impl_->Member(name).get(value);
  if (error) {
    Fail(name, "is missing or not a string");
    return {};
  }
  return std::string(value);
}

int64_t PayloadReader::Int(std::string_view name) {
  if (!status_.ok()) return 0;
  int64_t value = 0;
  auto error = impl_->Member(name).get(value);
  if (error) {
    Fail(name, "is missing or not an integer");
    return 0;
  }
  return value;
}

bool PayloadReader::Bool(std::string_view name) {
  if (!status_.ok()) return false;
  bool value = false;
  auto error = impl_->Member(name).get(value);
  if (error) {
    Fail(name, "is missing or not a boolean");
    return false;
  }
  return value;
}

std::string PayloadReader::OptionalString(std::string_view name, std::string_view fallback) {
  if (!status_.ok()) return {};
  auto member = impl_->Member(name);
  if (member.error() == simdjson::NO_SUCH_FIELD) return std::string(fallback);
  std::string_view value;
  if (member.get(value)) {
    Fail(name, "is not a string");
    return {};
  }
  return std::string(value);
}

int64_t PayloadReader::OptionalInt(std::string_view name, int64_t fallback) {
  if (!status_.ok()) return 0;
  auto member = impl_->Member(name);
  if (member.error() == simdjson::NO_SUCH_FIELD) return fallback;
  int64_t value = 0;
  if (member.get(value)) {
    Fail(name, "is not an integer");
    return 0;
  }
  return value;
}

bool PayloadReader::OptionalBool(std::string_view name, bool fallback) {
  if (!status_.ok()) return false;
  auto member = impl_->Member(name);
  if (member.error() == simdjson::NO_SUCH_FIELD) return fallback;
  bool value = false;
  if (member.get(value)) {
    Fail(name, "is not a boolean");
    return false;
  }
  return value;
}

template <typename T>
std::vector<T> PayloadReader::Array(std::string_view name, bool optional, const char* item_kind) {
  std::vector<T> out;
  if (!status_.ok()) return out;
  auto member = impl_->Member(name);
  if (optional && member.error() == simdjson::NO_SUCH_FIELD) return out;
  simdjson::dom::array array;
  if (member.get(array)) {
    Fail(name, "is missing or not an array");
    return out;
  }
  for (auto item : array) {
    T value{};
    if (item.get(value)) {
      Fail(name, std::string("holds an item that is not ") + item_kind);
      return {};
    }
    out.emplace_back(value);
  }
  return out;
}

std::vector<std::string> PayloadReader::Strings(std::string_view name, bool optional) {
  auto views = Array<std::string_view>(name, optional, "a string");
  return {views.begin(), views.end()};
}

std::vector<int64_t> PayloadReader::Ints(std::string_view name, bool optional) {
  return Array<int64_t>(name, optional, "an integer");
}

void PayloadReader::Objects(std::string_view name, const std::function<void(PayloadReader&)>& each, bool optional) {
  if (!status_.ok()) return;
  auto member = impl_->Member(name);
  if (optional && member.error() == simdjson::NO_SUCH_FIELD) return;
  simdjson::dom::array array;
  if (member.get(array)) return Fail(name, "is missing or not an array");
  size_t index = 0;
  for (auto item : array) {
    simdjson::dom::object object;
    if (item.get(object)) return Fail(name, "holds an item that is not an object");
    PayloadReader reader(std::make_unique<Impl>(object), context_ + ", " + std::string(name) + "[" + std::to_string(index++) + "]");
    each(reader);
    if (!reader.status().ok()) {
      status_ = reader.status();
      return;
    }
  }
}

}  // namespace iam::events
