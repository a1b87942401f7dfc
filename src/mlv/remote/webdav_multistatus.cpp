#include <mlv/remote/text_codec.hpp>
#include <mlv/remote/webdav_multistatus.hpp>
#include <mlv/remote/xml_reader.hpp>

#include <charconv>

namespace mlv::remote {

namespace {

// RFC 4918's elements live in the "DAV:" namespace; a server that declares none is read alike.
bool is_dav(const XmlElement& element) {
  return element.ns == "DAV:" || element.ns.empty();
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

// Collects the members while the reader walks the document's elements.
class MultistatusCollector : public XmlHandler {
public:
  void open(const XmlElement& element, const XmlAttributes& /*attributes*/) override {
    if (!is_dav(element)) {
      return;
    }
    if (element.depth == 0) {
      is_multistatus_ = element.name == "multistatus";
    } else if (element.name == "response") {
      entry_ = DavEntry{};
      href_.clear();
      response_ok_ = true;
    } else if (element.name == "propstat") {
      props_ = DavEntry{};
      propstat_ok_ = true;
    } else if (element.name == "collection" && element.parent == "resourcetype") {
      props_.collection = true;
    }
  }

  void close(const XmlElement& element, std::string_view raw_text) override {
    if (!is_dav(element) || !is_multistatus_) {
      return;
    }
    const auto& name = element.name;
    const auto text = trim(raw_text);
    if (name == "href" && element.parent == "response") {
      href_ = text;
    } else if (name == "getcontentlength") {
      std::from_chars(text.data(), text.data() + text.size(), props_.size);
    } else if (name == "getlastmodified") {
      props_.mtime = parse_http_date(text);
    } else if (name == "status" && element.parent == "propstat") {
      propstat_ok_ = is_success_status(text);
    } else if (name == "status" && element.parent == "response") {
      response_ok_ = is_success_status(text);
    } else if (name == "propstat" && propstat_ok_) {
      entry_.collection = entry_.collection || props_.collection;
      entry_.size = props_.size != 0 ? props_.size : entry_.size;
      entry_.mtime = props_.mtime != 0 ? props_.mtime : entry_.mtime;
    } else if (name == "response" && response_ok_ && !href_.empty()) {
      entry_.path = href_path(href_);
      entries_.push_back(entry_);
    }
  }

  bool is_multistatus() const { return is_multistatus_; }
  std::vector<DavEntry> take() { return std::move(entries_); }

private:
  std::string href_;
  DavEntry entry_;
  DavEntry props_;
  bool response_ok_ = true;
  bool propstat_ok_ = true;
  bool is_multistatus_ = false;
  std::vector<DavEntry> entries_;
};

} // namespace

std::optional<std::vector<DavEntry>> parse_multistatus(std::string_view xml) {
  MultistatusCollector collector;
  if (read_xml(xml, collector) || !collector.is_multistatus()) {
    return std::nullopt;
  }
  return collector.take();
}

} // namespace mlv::remote
