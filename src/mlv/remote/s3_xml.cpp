#include <mlv/remote/s3_xml.hpp>
#include <mlv/remote/xml_reader.hpp>
#include <mlv/util/error.hpp>

#include <charconv>

namespace mlv::remote::s3 {

namespace {

// Collects a ListBucketResult: each <Contents> entry, and the page's own elements (children of
// the root only, so an element inside an entry cannot pass for them). Entries are checked as they
// close; the first fault is kept and thrown once the document is read.
class ListCollector : public XmlHandler {
public:
  explicit ListCollector(const std::string& display_url) : display_url_(display_url) {}

  void open(const XmlElement& element, const XmlAttributes& /*attributes*/) override {
    if (element.depth == 0) {
      is_listing_ = element.name == "ListBucketResult";
    } else if (element.depth == 1 && element.name == "Contents" && is_listing_) {
      page_.objects.emplace_back();
      size_seen_ = false;
    }
  }

  void close(const XmlElement& element, std::string_view text) override {
    if (!is_listing_ || fault_) {
      return;
    }
    if (element.depth == 1) {
      if (element.name == "IsTruncated") {
        page_.truncated = text == "true";
      } else if (element.name == "NextContinuationToken") {
        page_.next_continuation_token = text;
      } else if (element.name == "Contents") {
        check_entry();
      }
    } else if (element.depth == 2 && element.parent == "Contents") {
      auto& object = page_.objects.back();
      if (element.name == "Key") {
        object.key = text;
      } else if (element.name == "Size") {
        read_size(text, object.size);
      } else if (element.name == "LastModified") {
        object.mtime = parse_iso8601(text);
      }
    }
  }

  bool is_listing() const { return is_listing_; }

  // The page; throws the first fault found in an entry.
  ListPage take() {
    if (fault_) {
      throw *fault_;
    }
    return std::move(page_);
  }

private:
  void read_size(std::string_view text, std::uint64_t& size) {
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), size);
    size_seen_ = true;
    if (text.empty() || error != std::errc() || end != text.data() + text.size()) {
      fault_ = Error(Failure::remote,
                     display_url_ + ": the server's object listing has an unreadable Size '" +
                         std::string(text) + "'",
                     "check that the endpoint is an S3-compatible server");
    }
  }

  void check_entry() {
    if (page_.objects.back().key.empty()) {
      fault_ = Error(Failure::remote, display_url_ + ": the server listed an object without a Key",
                     "check that the endpoint is an S3-compatible server");
    } else if (!size_seen_) {
      read_size({}, page_.objects.back().size);
    }
  }

  const std::string& display_url_;
  ListPage page_;
  bool is_listing_ = false;
  bool size_seen_ = false;
  std::optional<Error> fault_;
};

// The text of the children `names` of a root element called `root`.
class RootFieldsCollector : public XmlHandler {
public:
  RootFieldsCollector(std::string_view root, std::vector<std::string_view> names)
      : root_(root), names_(std::move(names)), values_(names_.size()) {}

  void open(const XmlElement& element, const XmlAttributes& /*attributes*/) override {
    if (element.depth == 0) {
      matches_ = element.name == root_;
    }
  }

  void close(const XmlElement& element, std::string_view text) override {
    if (!matches_ || element.depth != 1) {
      return;
    }
    for (std::size_t i = 0; i < names_.size(); ++i) {
      if (element.name == names_[i] && !values_[i]) {
        values_[i] = std::string(text);
      }
    }
  }

  std::optional<std::string>& value(std::size_t index) { return values_[index]; }

private:
  std::string_view root_;
  std::vector<std::string_view> names_;
  std::vector<std::optional<std::string>> values_;
  bool matches_ = false;
};

} // namespace

std::string escape_text(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
    case '&':
      out += "&amp;";
      break;
    case '<':
      out += "&lt;";
      break;
    case '>':
      out += "&gt;";
      break;
    case '"':
      out += "&quot;";
      break;
    case '\'':
      out += "&apos;";
      break;
    default:
      out.push_back(c);
    }
  }
  return out;
}

ListPage parse_list_objects(std::string_view xml, const std::string& display_url) {
  ListCollector collector(display_url);
  if (const auto fault = read_xml(xml, collector)) {
    throw Error(Failure::remote,
                display_url + ": the server's answer to a listing is not well-formed XML (" +
                    *fault + ")",
                "check that the endpoint is an S3-compatible server, and retry: a reply cut "
                "short by the network reads the same way");
  }
  if (!collector.is_listing()) {
    throw Error(Failure::remote,
                display_url + ": the server's answer to a listing is not a ListBucketResult",
                "check that the endpoint is an S3-compatible server that supports ListObjectsV2");
  }
  auto page = collector.take();
  if (page.truncated && page.next_continuation_token.empty()) {
    throw Error(Failure::remote,
                display_url + ": the server's listing is truncated but names no continuation token",
                "check that the endpoint supports ListObjectsV2 (list-type=2)");
  }
  return page;
}

ErrorBody parse_error(std::string_view xml) {
  // A body cut short still names its Code when that element was complete.
  RootFieldsCollector collector("Error", {"Code", "Message"});
  read_xml(xml, collector);
  return {collector.value(0).value_or(""), collector.value(1).value_or("")};
}

std::optional<std::string> parse_upload_id(std::string_view xml) {
  RootFieldsCollector collector("InitiateMultipartUploadResult", {"UploadId"});
  if (read_xml(xml, collector) || !collector.value(0) || collector.value(0)->empty()) {
    return std::nullopt;
  }
  return std::move(collector.value(0));
}

std::string complete_multipart_body(const std::vector<std::string>& etags) {
  std::string body = "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">";
  for (std::size_t i = 0; i < etags.size(); ++i) {
    body += "<Part><PartNumber>" + std::to_string(i + 1) + "</PartNumber><ETag>" +
            escape_text(etags[i]) + "</ETag></Part>";
  }
  body += "</CompleteMultipartUpload>";
  return body;
}

} // namespace mlv::remote::s3
