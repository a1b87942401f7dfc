#pragma once

#include <mlv/remote/object_store.hpp>
#include <mlv/remote/text_codec.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mlv::remote::azure {

// One page of a List Blobs response: blobs with their full names (the remote's prefix included),
// and the marker of the next page (empty on the last).
struct BlobListPage {
  std::vector<ObjectInfo> blobs;
  std::string next_marker;
};

// Parses a List Blobs (restype=container&comp=list) response body. Reads Name (percent-decoded
// when Encoded="true"), Content-Length and Last-Modified of each Blob, and NextMarker; entities
// are decoded. Throws Error(remote) when the body is not such a response or not well-formed XML.
BlobListPage parse_blob_list(std::string_view xml);

// The <Code> of an Azure <Error> body ("ContainerNotFound"), or empty.
std::string error_code(std::string_view xml);

// The Put Block List body committing `block_ids` (base64) in order.
std::string block_list_xml(const std::vector<std::string>& block_ids);

// The shared parser (text_codec.hpp), where the Azure code has always found it.
using remote::parse_http_date;

} // namespace mlv::remote::azure
