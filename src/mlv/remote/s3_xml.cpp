#include <mlv/remote/s3_xml.hpp>
#include <mlv/remote/xml_reader.hpp>
#include <mlv/util/error.hpp>

#include <charconv>

namespace mlv::remote::s3 {

namespace {

std::uint64_t parse_size_text(std::string_view text, const std::string& display_url) {
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size()) {
    throw Error(ExitCode::remote,
                display_url + ": the server's object listing has an unreadable Size '" +
                    std::string(text) + "'",
                "check that the endpoint is an S3-compatible server");
  }
  return value;
}

// Collects a ListBucketResult: each <Contents> entry, and the page's own elements (children of
// the root only, so a key's <Owner> or the like cannot pass for them).
class ListCollector : public XmlHandler {
public:
  void open(const XmlElement& element, const XmlAttributes& /*attributes*/) override {
    if (element.depth == 0) {
      is_listing_ = element.name == "ListBucketResult";
    } else if (element.depth == 1 && element.name == "Contents") {
      entries_.emplace_back();
    }
  }

  void close(const XmlElement& element, std::string_view text) override {
    if (!is_listing_) {
      return;
    }
    if (element.depth == 1) {
      if (element.name == "IsTruncated") {
        truncated_ = text == "true";
      } else if (element.name == "NextContinuationToken") {
        next_continuation_token_ = text;
      }
    } else if (element.depth == 2 && element.parent == "Contents") {
      auto& entry = entries_.back();
      if (element.name == "Key") {
        entry.key = text;
      } else if (element.name == "Size") {
        entry.size = text;
      } else if (element.name == "LastModified") {
        entry.last_modified = text;
      }
    }
  }

  // The page; throws Error(remote) naming `display_url` for an entry without a Key or Size.
  ListPage page(const std::string& display_url) {
    ListPage page;
    page.objects.reserve(entries_.size());
    for (auto& entry : entries_) {
      if (entry.key.empty()) {
        throw Error(ExitCode::remote, display_url + ": the server listed an object without a Key",
                    "check that the endpoint is an S3-compatible server");
      }
      ObjectInfo info;
      info.key = std::move(entry.key);
      info.size = parse_size_text(entry.size, display_url);
      info.mtime = parse_iso8601(entry.last_modified);
      page.objects.push_back(std::move(info));
    }
    page.truncated = truncated_;
    page.next_continuation_token = std::move(next_continuation_token_);
    return page;
  }

  bool is_listing() const { return is_listing_; }

private:
  struct Entry {
    std::string key;
    std::string size;
    std::string last_modified;
  };
  bool is_listing_ = false;
  std::vector<Entry> entries_;
  bool truncated_ = false;
  std::string next_continuation_token_;
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
  ListCollector collector;
  if (const auto fault = read_xml(xml, collector)) {
    throw Error(ExitCode::remote,
                display_url + ": the server's answer to a listing is not well-formed XML (" +
                    *fault + ")",
                "check that the endpoint is an S3-compatible server, and retry: a reply cut "
                "short by the network reads the same way");
  }
  if (!collector.is_listing()) {
    throw Error(ExitCode::remote,
                display_url + ": the server's answer to a listing is not a ListBucketResult",
                "check that the endpoint is an S3-compatible server that supports ListObjectsV2");
  }
  auto page = collector.page(display_url);
  if (page.truncated && page.next_continuation_token.empty()) {
    throw Error(ExitCode::remote,
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
