#include <mlv/remote/azure_xml.hpp>
#include <mlv/remote/text_codec.hpp>
#include <mlv/util/error.hpp>

#include <time.h>

#include <array>
#include <charconv>
#include <cstring>

namespace mlv::remote::azure {

namespace {

// An element found by find_element: its attributes text and its content, raw.
struct Element {
  std::string_view attributes;
  std::string_view content;
  std::size_t end = std::string_view::npos; // just past the closing tag
};

// The first <name ...>content</name> (or <name/>) at or after `from`; end == npos when absent.
// Azure's responses carry no comments, CDATA or nested elements of the same name, so a scan for
// the exact tag is enough.
Element find_element(std::string_view xml, std::string_view name, std::size_t from) {
  Element element;
  const std::string open = "<" + std::string(name);
  std::size_t at = from;
  while ((at = xml.find(open, at)) != std::string_view::npos) {
    const auto after = at + open.size();
    if (after < xml.size() && (xml[after] == '>' || xml[after] == ' ' || xml[after] == '/' ||
                               xml[after] == '\t' || xml[after] == '\r' || xml[after] == '\n')) {
      break;
    }
    at = after;
  }
  if (at == std::string_view::npos) {
    return element;
  }
  const auto tag_end = xml.find('>', at);
  if (tag_end == std::string_view::npos) {
    return element;
  }
  const auto attributes_start = at + open.size();
  if (xml[tag_end - 1] == '/') { // <name/>
    element.attributes = xml.substr(attributes_start, tag_end - 1 - attributes_start);
    element.end = tag_end + 1;
    return element;
  }
  element.attributes = xml.substr(attributes_start, tag_end - attributes_start);
  const std::string close = "</" + std::string(name) + ">";
  const auto close_at = xml.find(close, tag_end + 1);
  if (close_at == std::string_view::npos) {
    return element;
  }
  element.content = xml.substr(tag_end + 1, close_at - tag_end - 1);
  element.end = close_at + close.size();
  return element;
}

std::string text_of(std::string_view xml, std::string_view name) {
  const auto element = find_element(xml, name, 0);
  return element.end == std::string_view::npos ? std::string() : decode_entities(element.content);
}

} // namespace

BlobListPage parse_blob_list(std::string_view xml) {
  if (find_element(xml, "EnumerationResults", 0).end == std::string_view::npos) {
    throw Error(ExitCode::remote, "the server's answer to List Blobs is not an EnumerationResults "
                                  "document");
  }
  BlobListPage page;
  const auto blobs = find_element(xml, "Blobs", 0);
  std::size_t at = 0;
  while (true) {
    const auto blob = find_element(blobs.content, "Blob", at);
    if (blob.end == std::string_view::npos) {
      break;
    }
    at = blob.end;
    const auto name = find_element(blob.content, "Name", 0);
    if (name.end == std::string_view::npos) {
      throw Error(ExitCode::remote, "a Blob in the server's List Blobs answer has no Name");
    }
    ObjectInfo info;
    info.key = decode_entities(name.content);
    if (name.attributes.find("Encoded=\"true\"") != std::string_view::npos) {
      info.key = percent_decode(info.key);
    }
    const auto length = text_of(blob.content, "Content-Length");
    std::from_chars(length.data(), length.data() + length.size(), info.size);
    info.mtime = parse_http_date(text_of(blob.content, "Last-Modified"));
    page.blobs.push_back(std::move(info));
  }
  page.next_marker = text_of(xml, "NextMarker");
  return page;
}

std::string error_code(std::string_view xml) {
  return text_of(xml, "Code");
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
