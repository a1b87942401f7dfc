#include <mlv/remote/webdav_multistatus.hpp>

#include <array>
#include <charconv>
#include <cstdio>
#include <ctime>

namespace mlv::remote {

namespace {

constexpr std::array<const char*, 12> k_month_names = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

std::string_view trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) {
    return {};
  }
  const auto last = text.find_last_not_of(" \t\r\n");
  return text.substr(first, last - first + 1);
}

// The name without its namespace prefix: "D:href" -> "href".
std::string_view local_name(std::string_view name) {
  const auto colon = name.rfind(':');
  return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

void append_utf8(std::string& out, unsigned long code) {
  if (code < 0x80) {
    out += static_cast<char>(code);
  } else if (code < 0x800) {
    out += static_cast<char>(0xC0 | (code >> 6));
    out += static_cast<char>(0x80 | (code & 0x3F));
  } else if (code < 0x10000) {
    out += static_cast<char>(0xE0 | (code >> 12));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (code >> 18));
    out += static_cast<char>(0x80 | ((code >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code & 0x3F));
  }
}

// Replaces the five predefined entities and character references; false on a malformed one.
bool decode_entities(std::string_view text, std::string& out) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '&') {
      out += text[i];
      continue;
    }
    const auto end = text.find(';', i);
    if (end == std::string_view::npos) {
      return false;
    }
    const auto entity = text.substr(i + 1, end - i - 1);
    if (entity == "amp") {
      out += '&';
    } else if (entity == "lt") {
      out += '<';
    } else if (entity == "gt") {
      out += '>';
    } else if (entity == "quot") {
      out += '"';
    } else if (entity == "apos") {
      out += '\'';
    } else if (entity.size() > 1 && entity[0] == '#') {
      const bool hex = entity[1] == 'x' || entity[1] == 'X';
      const auto digits = entity.substr(hex ? 2 : 1);
      unsigned long code = 0;
      const auto [ptr, error] =
          std::from_chars(digits.data(), digits.data() + digits.size(), code, hex ? 16 : 10);
      if (error != std::errc() || ptr != digits.data() + digits.size() || code > 0x10FFFF) {
        return false;
      }
      append_utf8(out, code);
    } else {
      return false;
    }
    i = end;
  }
  return true;
}

// The path of an href: "http://host:80/a%20b/" -> "/a b/".
std::string href_path(std::string_view href) {
  const auto scheme_end = href.find("://");
  if (scheme_end != std::string_view::npos && href.find('/') > scheme_end) {
    const auto path_start = href.find('/', scheme_end + 3);
    href = path_start == std::string_view::npos ? std::string_view("/") : href.substr(path_start);
  }
  return percent_decode(href);
}

bool is_success_status(std::string_view status_line) {
  // "HTTP/1.1 200 OK"
  const auto space = status_line.find(' ');
  return space != std::string_view::npos && status_line.size() > space + 1 &&
         status_line[space + 1] == '2';
}

// Collects the members while the parser walks the document's elements.
class MultistatusReader {
public:
  void open(std::string_view name) {
    if (name == "response") {
      entry_ = DavEntry{};
      href_.clear();
      response_ok_ = true;
    } else if (name == "propstat") {
      props_ = DavEntry{};
      propstat_ok_ = true;
    } else if (name == "collection" && parent_is("resourcetype")) {
      props_.collection = true;
    }
    stack_.emplace_back(name);
    text_.clear();
  }

  void text(std::string_view decoded) { text_ += decoded; }

  bool close(std::string_view name) {
    if (stack_.empty() || stack_.back() != name) {
      return false;
    }
    stack_.pop_back();
    const auto value = trim(text_);
    if (name == "href" && parent_is("response")) {
      href_ = std::string(value);
    } else if (name == "getcontentlength") {
      std::from_chars(value.data(), value.data() + value.size(), props_.size);
    } else if (name == "getlastmodified") {
      props_.mtime = parse_http_date(value);
    } else if (name == "status" && parent_is("propstat")) {
      propstat_ok_ = is_success_status(value);
    } else if (name == "status" && parent_is("response")) {
      response_ok_ = is_success_status(value);
    } else if (name == "propstat" && propstat_ok_) {
      entry_.collection = entry_.collection || props_.collection;
      entry_.size = props_.size != 0 ? props_.size : entry_.size;
      entry_.mtime = props_.mtime != 0 ? props_.mtime : entry_.mtime;
    } else if (name == "response" && response_ok_ && !href_.empty()) {
      entry_.path = href_path(href_);
      entries_.push_back(entry_);
    } else if (name == "multistatus") {
      seen_multistatus_ = true;
    }
    text_.clear();
    return true;
  }

  bool complete() const { return stack_.empty() && seen_multistatus_; }
  std::vector<DavEntry> take() { return std::move(entries_); }

private:
  bool parent_is(std::string_view name) const { return !stack_.empty() && stack_.back() == name; }

  std::vector<std::string> stack_;
  std::string text_;
  std::string href_;
  DavEntry entry_;
  DavEntry props_;
  bool response_ok_ = true;
  bool propstat_ok_ = true;
  bool seen_multistatus_ = false;
  std::vector<DavEntry> entries_;
};

} // namespace

std::optional<std::vector<DavEntry>> parse_multistatus(std::string_view xml) {
  MultistatusReader reader;
  std::size_t i = 0;
  while (i < xml.size()) {
    if (xml[i] != '<') {
      const auto next = xml.find('<', i);
      const auto end = next == std::string_view::npos ? xml.size() : next;
      std::string decoded;
      if (!decode_entities(xml.substr(i, end - i), decoded)) {
        return std::nullopt;
      }
      reader.text(decoded);
      i = end;
      continue;
    }
    const auto rest = xml.substr(i);
    // Declarations, processing instructions, comments and CDATA sections.
    if (rest.starts_with("<![CDATA[")) {
      const auto end = xml.find("]]>", i);
      if (end == std::string_view::npos) {
        return std::nullopt;
      }
      reader.text(xml.substr(i + 9, end - i - 9));
      i = end + 3;
      continue;
    }
    if (rest.starts_with("<!--") || rest.starts_with("<?") || rest.starts_with("<!")) {
      const auto terminator = rest.starts_with("<!--") ? "-->" : rest[1] == '?' ? "?>" : ">";
      const auto end = xml.find(terminator, i);
      if (end == std::string_view::npos) {
        return std::nullopt;
      }
      i = end + std::string_view(terminator).size();
      continue;
    }
    // A tag: skip attributes, honouring quotes (a '>' may appear inside one).
    std::size_t end = i + 1;
    char quote = 0;
    for (; end < xml.size(); ++end) {
      const char c = xml[end];
      if (quote != 0) {
        quote = c == quote ? 0 : quote;
      } else if (c == '"' || c == '\'') {
        quote = c;
      } else if (c == '>') {
        break;
      }
    }
    if (end >= xml.size()) {
      return std::nullopt;
    }
    const auto tag = xml.substr(i + 1, end - i - 1);
    const bool closing = !tag.empty() && tag.front() == '/';
    const bool self_closing = !tag.empty() && tag.back() == '/';
    const auto name_start = closing ? 1 : 0;
    const auto name_end = tag.find_first_of(" \t\r\n/", name_start);
    const auto name = local_name(tag.substr(name_start, name_end == std::string_view::npos
                                                            ? std::string_view::npos
                                                            : name_end - name_start));
    if (name.empty()) {
      return std::nullopt;
    }
    if (closing) {
      if (!reader.close(name)) {
        return std::nullopt;
      }
    } else {
      reader.open(name);
      if (self_closing) {
        reader.close(name);
      }
    }
    i = end + 1;
  }
  if (!reader.complete()) {
    return std::nullopt;
  }
  return reader.take();
}

std::int64_t parse_http_date(std::string_view text) {
  // "Sun, 06 Nov 1994 08:49:37 GMT": the weekday is redundant and skipped.
  text = trim(text);
  if (const auto comma = text.find(','); comma != std::string_view::npos) {
    text = trim(text.substr(comma + 1));
  }
  int day = 0;
  int year = 0;
  int hour = 0;
  int minute = 0;
  int second = 0;
  char month[4] = {};
  char zone[4] = {};
  const std::string copy(text);
  if (std::sscanf(copy.c_str(), "%2d %3s %4d %2d:%2d:%2d %3s", &day, month, &year, &hour, &minute,
                  &second, zone) != 7 ||
      std::string_view(zone) != "GMT") {
    return 0;
  }
  int month_index = -1;
  for (std::size_t m = 0; m < k_month_names.size(); ++m) {
    if (std::string_view(month) == k_month_names[m]) {
      month_index = static_cast<int>(m);
    }
  }
  if (month_index < 0 || day < 1 || day > 31 || year < 1970 || hour > 23 || minute > 59 ||
      second > 60) {
    return 0;
  }
  std::tm time{};
  time.tm_year = year - 1900;
  time.tm_mon = month_index;
  time.tm_mday = day;
  time.tm_hour = hour;
  time.tm_min = minute;
  time.tm_sec = second;
  return static_cast<std::int64_t>(::timegm(&time));
}

std::string percent_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    unsigned value = 0;
    if (text[i] == '%' && i + 2 < text.size()) {
      const auto digits = text.substr(i + 1, 2);
      const auto [ptr, error] = std::from_chars(digits.data(), digits.data() + 2, value, 16);
      if (error == std::errc() && ptr == digits.data() + 2) {
        out += static_cast<char>(value);
        i += 2;
        continue;
      }
    }
    out += text[i];
  }
  return out;
}

} // namespace mlv::remote
