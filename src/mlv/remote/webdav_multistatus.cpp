#include <mlv/remote/text_codec.hpp>
#include <mlv/remote/webdav_multistatus.hpp>

#include <array>
#include <charconv>
#include <cstdio>
#include <ctime>

namespace mlv::remote {

namespace {

// The name without its namespace prefix: "D:href" -> "href".
std::string_view local_name(std::string_view name) {
  const auto colon = name.rfind(':');
  return colon == std::string_view::npos ? name : name.substr(colon + 1);
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
      const auto decoded = decode_entities_strict(xml.substr(i, end - i));
      if (!decoded) {
        return std::nullopt;
      }
      reader.text(*decoded);
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

} // namespace mlv::remote
