#include <mlv/remote/azure_xml.hpp>
#include <mlv/remote/xml_reader.hpp>
#include <mlv/util/error.hpp>

#include <charconv>

namespace mlv::remote::azure {

namespace {

// Collects the Blob entries of an EnumerationResults document and its NextMarker.
class BlobListCollector : public XmlHandler {
public:
  void open(const XmlElement& element, const XmlAttributes& attributes) override {
    if (element.depth == 0) {
      is_listing_ = element.name == "EnumerationResults";
    } else if (element.name == "Blob" && element.parent == "Blobs") {
      page_.blobs.emplace_back();
      in_blob_ = true;
    } else if (in_blob_ && element.name == "Name" && element.parent == "Blob") {
      has_name_ = true;
      name_encoded_ = attributes.find("Encoded") == "true";
    }
  }

  void close(const XmlElement& element, std::string_view text) override {
    if (!is_listing_) {
      return;
    }
    if (element.depth == 1 && element.name == "NextMarker") {
      page_.next_marker = text;
    } else if (element.name == "Blob" && element.parent == "Blobs") {
      in_blob_ = false;
      blob_without_name_ = blob_without_name_ || !has_name_;
      has_name_ = false;
    } else if (in_blob_ && element.name == "Name" && element.parent == "Blob") {
      page_.blobs.back().key = name_encoded_ ? percent_decode(text) : std::string(text);
    } else if (in_blob_ && element.parent == "Properties") {
      auto& blob = page_.blobs.back();
      if (element.name == "Content-Length") {
        std::from_chars(text.data(), text.data() + text.size(), blob.size);
      } else if (element.name == "Last-Modified") {
        blob.mtime = parse_http_date(text);
      }
    }
  }

  bool is_listing() const { return is_listing_; }
  bool blob_without_name() const { return blob_without_name_; }
  BlobListPage take() { return std::move(page_); }

private:
  BlobListPage page_;
  bool is_listing_ = false;
  bool in_blob_ = false;
  bool has_name_ = false;
  bool name_encoded_ = false;
  bool blob_without_name_ = false;
};

// The Code of an <Error> document.
class ErrorCodeCollector : public XmlHandler {
public:
  void close(const XmlElement& element, std::string_view text) override {
    if (element.depth == 1 && element.parent == "Error" && element.name == "Code" &&
        code_.empty()) {
      code_ = text;
    }
  }
  std::string take() { return std::move(code_); }

private:
  std::string code_;
};

} // namespace

BlobListPage parse_blob_list(std::string_view xml) {
  BlobListCollector collector;
  if (const auto fault = read_xml(xml, collector)) {
    throw Error(Failure::remote,
                "the server's answer to List Blobs is not well-formed XML (" + *fault + ")");
  }
  if (!collector.is_listing()) {
    throw Error(Failure::remote, "the server's answer to List Blobs is not an EnumerationResults "
                                 "document");
  }
  if (collector.blob_without_name()) {
    throw Error(Failure::remote, "a Blob in the server's List Blobs answer has no Name");
  }
  return collector.take();
}

std::string error_code(std::string_view xml) {
  // A body cut short still names its Code when that element was complete.
  ErrorCodeCollector collector;
  read_xml(xml, collector);
  return collector.take();
}

std::string block_list_xml(const std::vector<std::string>& block_ids) {
  std::string xml = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<BlockList>\n";
  for (const auto& id : block_ids) {
    xml += "  <Latest>" + id + "</Latest>\n"; // base64 has no character XML must escape
  }
  xml += "</BlockList>\n";
  return xml;
}

} // namespace mlv::remote::azure
