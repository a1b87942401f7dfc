#pragma once

#include <mlv/remote/object_store.hpp>
#include <mlv/remote/text_codec.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mlv::remote::s3 {

// One page of a ListObjectsV2 answer. Keys are whole bucket keys, entities decoded.
struct ListPage {
  std::vector<ObjectInfo> objects;
  bool truncated = false;
  std::string next_continuation_token;
};

// Parses a ListBucketResult; throws Error(remote) naming `display_url` when it is not one, or not
// well-formed XML (a reply cut short), or declares a DTD.
ListPage parse_list_objects(std::string_view xml, const std::string& display_url);

// The Code and Message of an S3 <Error> document; both empty when `xml` is not one. A body cut
// short keeps the fields that were complete.
struct ErrorBody {
  std::string code;
  std::string message;
};
ErrorBody parse_error(std::string_view xml);

// The UploadId of an InitiateMultipartUploadResult; nullopt when absent or the body is not
// well-formed.
std::optional<std::string> parse_upload_id(std::string_view xml);

// Escapes & < > " ' for element text.
std::string escape_text(std::string_view text);

// The shared parser (text_codec.hpp), where the S3 code has always found it.
using remote::parse_iso8601;

// The CompleteMultipartUpload body for parts 1..N with these ETags (as the server returned them).
std::string complete_multipart_body(const std::vector<std::string>& etags);

} // namespace mlv::remote::s3
