#pragma once

#include <mlv/remote/object_store.hpp>
#include <mlv/remote/s3_credentials.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace mlv::remote::s3 {

inline constexpr std::uint64_t k_default_multipart_threshold = 64ull << 20;
inline constexpr std::uint64_t k_default_multipart_chunksize = 16ull << 20;
// S3's limits: every part but the last is at least 5 MiB, and an upload has at most 10,000 parts.
inline constexpr std::uint64_t k_min_multipart_chunksize = 5ull << 20;
inline constexpr std::uint64_t k_max_multipart_parts = 10'000;
inline constexpr std::string_view k_default_region = "us-east-1";

// Where and how an `s3://bucket/prefix` remote is reached, from its URL, options and environment.
struct Settings {
  std::string url;      // "s3://bucket/prefix", for messages
  std::string bucket;   //
  std::string prefix;   // "" or "a/b/": prepended to every key
  std::string endpoint; // "https://s3.REGION.amazonaws.com" or `endpointurl`, without a final '/'
  bool custom_endpoint = false;
  bool path_style = false; // https://host/bucket/key rather than https://bucket.host/key
  std::string region;
  std::uint64_t multipart_threshold = k_default_multipart_threshold;
  std::uint64_t multipart_chunksize = k_default_multipart_chunksize;
};

// Reads the URL and the options `region`, `endpointurl`, `addressing`, `profile`,
// `multipart_threshold`, `multipart_chunksize` (with AWS_REGION, AWS_DEFAULT_REGION,
// AWS_ENDPOINT_URL and the profile's region as fallbacks). Throws Error(bad_input) naming the
// URL or the option whose value is wrong.
Settings
parse_settings(const std::string& url, const Options& options, const Environment& environment);

// The URL of an object; `key` is the bucket key (prefix included), escaped here.
std::string object_url(const Settings& settings, std::string_view key);
// The URL of the bucket itself, for ListObjectsV2 (a query follows): "https://HOST/BUCKET" or
// "https://BUCKET.HOST/".
std::string bucket_url(const Settings& settings);

// A size option: bytes, or a number with KiB/MiB/GiB (or KB/MB/GB, also binary) after it.
std::uint64_t parse_size(const std::string& option, const std::string& text);

} // namespace mlv::remote::s3
