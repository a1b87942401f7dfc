#include <mlv/remote/s3_xml.hpp>
#include <mlv/remote/text_codec.hpp>
#include <mlv/util/error.hpp>

#include <charconv>
#include <cstdio>
#include <ctime>

namespace mlv::remote::s3 {

namespace {

// Where one element's content lies in the document.
struct Element {
  std::size_t content_begin = 0;
  std::size_t content_end = 0;
  std::size_t end = 0; // just past the closing tag
};

bool is_name_end(char c) {
  return c == '>' || c == '/' || c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

// The next element called `name` at or after `from` (S3's documents never nest one element in
// another of the same name).
std::optional<Element> find_element(std::string_view xml, std::string_view name, std::size_t from) {
  std::size_t position = from;
  while (true) {
    position = xml.find('<', position);
    if (position == std::string_view::npos) {
      return std::nullopt;
    }
    const auto name_begin = position + 1;
    if (xml.substr(name_begin, name.size()) != name || name_begin + name.size() >= xml.size() ||
        !is_name_end(xml[name_begin + name.size()])) {
      ++position;
      continue;
    }
    const auto tag_end = xml.find('>', name_begin);
    if (tag_end == std::string_view::npos) {
      return std::nullopt;
    }
    if (xml[tag_end - 1] == '/') {
      return Element{tag_end + 1, tag_end + 1, tag_end + 1};
    }
    const std::string closing = "</" + std::string(name) + ">";
    const auto close = xml.find(closing, tag_end + 1);
    if (close == std::string_view::npos) {
      return std::nullopt;
    }
    return Element{tag_end + 1, close, close + closing.size()};
  }
}

std::string_view content(std::string_view xml, const Element& element) {
  return xml.substr(element.content_begin, element.content_end - element.content_begin);
}

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

std::optional<std::string> element_text(std::string_view xml, std::string_view name) {
  const auto element = find_element(xml, name, 0);
  if (!element) {
    return std::nullopt;
  }
  return decode_entities(content(xml, *element));
}

ListPage parse_list_objects(std::string_view xml, const std::string& display_url) {
  if (!find_element(xml, "ListBucketResult", 0)) {
    throw Error(ExitCode::remote,
                display_url + ": the server's answer to a listing is not a ListBucketResult",
                "check that the endpoint is an S3-compatible server that supports ListObjectsV2");
  }
  ListPage page;
  std::size_t position = 0;
  while (const auto contents = find_element(xml, "Contents", position)) {
    const auto entry = content(xml, *contents);
    ObjectInfo info;
    info.key = element_text(entry, "Key").value_or("");
    if (info.key.empty()) {
      throw Error(ExitCode::remote, display_url + ": the server listed an object without a Key",
                  "check that the endpoint is an S3-compatible server");
    }
    info.size = parse_size_text(element_text(entry, "Size").value_or(""), display_url);
    info.mtime = parse_iso8601(element_text(entry, "LastModified").value_or(""));
    page.objects.push_back(std::move(info));
    position = contents->end;
  }
  // The page-level elements follow or precede the entries; search outside <Contents> only.
  std::string outside;
  position = 0;
  while (const auto contents = find_element(xml, "Contents", position)) {
    outside.append(xml.substr(position, contents->content_begin - position));
    position = contents->content_end;
  }
  outside.append(xml.substr(position));
  page.truncated = element_text(outside, "IsTruncated").value_or("false") == "true";
  page.next_continuation_token = element_text(outside, "NextContinuationToken").value_or("");
  if (page.truncated && page.next_continuation_token.empty()) {
    throw Error(ExitCode::remote,
                display_url + ": the server's listing is truncated but names no continuation token",
                "check that the endpoint supports ListObjectsV2 (list-type=2)");
  }
  return page;
}

ErrorBody parse_error(std::string_view xml) {
  ErrorBody body;
  const auto error = find_element(xml, "Error", 0);
  if (!error) {
    return body;
  }
  const auto inside = content(xml, *error);
  body.code = element_text(inside, "Code").value_or("");
  body.message = element_text(inside, "Message").value_or("");
  return body;
}

std::optional<std::string> parse_upload_id(std::string_view xml) {
  auto id = element_text(xml, "UploadId");
  if (id && id->empty()) {
    return std::nullopt;
  }
  return id;
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
