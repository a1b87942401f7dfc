#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mlv::remote {

// One member of a WebDAV PROPFIND answer (RFC 4918 multistatus).
struct DavEntry {
  std::string path; // the href's path, percent-decoded ("/remote/packs/ab/"), no scheme or host
  bool collection = false;
  std::uint64_t size = 0;
  std::int64_t mtime = 0; // seconds since the epoch; 0 when the server did not say
};

// The members of a multistatus body. Only properties in a 2xx propstat count, and members whose
// response carries a non-2xx status are left out. nullopt when the body is not well-formed
// multistatus XML (or declares a DTD). Elements are matched in the "DAV:" namespace (or none)
// whatever their prefix; elements of other namespaces are ignored.
std::optional<std::vector<DavEntry>> parse_multistatus(std::string_view xml);

// Decodes %XX escapes; an invalid escape is kept as it is.
std::string percent_decode(std::string_view text);

} // namespace mlv::remote
