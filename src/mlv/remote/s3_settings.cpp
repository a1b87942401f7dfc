#include <mlv/remote/s3_settings.hpp>
#include <mlv/remote/s3_signer.hpp>
#include <mlv/remote/text_codec.hpp>
#include <mlv/util/error.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <limits>

namespace mlv::remote::s3 {

namespace {

constexpr std::string_view k_scheme = "s3://";

struct SizeSuffix {
  std::string_view name;
  unsigned shift;
};
// The AWS CLI reads "MB" as MiB too; so does mlv.
constexpr std::array<SizeSuffix, 10> k_size_suffixes = {{{"b", 0},
                                                         {"k", 10},
                                                         {"kb", 10},
                                                         {"kib", 10},
                                                         {"m", 20},
                                                         {"mb", 20},
                                                         {"mib", 20},
                                                         {"g", 30},
                                                         {"gb", 30},
                                                         {"gib", 30}}};

Error bad_url(const std::string& url, const std::string& why) {
  return Error(Failure::invalid_input, "remote URL '" + url + "': " + why,
               "write it as s3://BUCKET or s3://BUCKET/PREFIX");
}

bool is_bucket_name(std::string_view name) {
  return !name.empty() && name.size() <= 255 && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_';
  });
}

// "a/b" -> "a/b/"; refuses empty, "." and ".." segments, which S3 keeps but folders cannot.
std::string normalize_prefix(const std::string& url, std::string_view path) {
  while (!path.empty() && path.front() == '/') {
    path.remove_prefix(1);
  }
  while (!path.empty() && path.back() == '/') {
    path.remove_suffix(1);
  }
  if (path.empty()) {
    return {};
  }
  std::size_t start = 0;
  while (start <= path.size()) {
    auto end = path.find('/', start);
    if (end == std::string_view::npos) {
      end = path.size();
    }
    const auto segment = path.substr(start, end - start);
    if (segment.empty() || segment == "." || segment == "..") {
      throw bad_url(url, "the prefix may not have empty, '.' or '..' parts");
    }
    start = end + 1;
  }
  return std::string(path) + "/";
}

std::string parse_endpoint(const std::string& text) {
  auto endpoint = text;
  while (!endpoint.empty() && endpoint.back() == '/') {
    endpoint.pop_back();
  }
  const auto lowered = lower(endpoint);
  const bool has_scheme = lowered.starts_with("https://") || lowered.starts_with("http://");
  const auto host_start = endpoint.find("://") + 3;
  if (!has_scheme || endpoint.size() <= host_start ||
      endpoint.find_first_of("?#@ ") != std::string::npos) {
    throw Error(Failure::invalid_input, "option endpointurl: '" + text + "' is not an endpoint URL",
                "write it as https://HOST[:PORT] (http:// for a local S3-compatible server)");
  }
  return endpoint;
}

bool is_region_name(std::string_view region) {
  return !region.empty() && std::all_of(region.begin(), region.end(), [](char c) {
    return std::islower(static_cast<unsigned char>(c)) ||
           std::isdigit(static_cast<unsigned char>(c)) || c == '-';
  });
}

std::string resolve_region(const Options& options, const Environment& environment) {
  if (auto region = option_text(options, "region").value_or(""); !region.empty()) {
    if (!is_region_name(region)) {
      throw Error(Failure::invalid_input, "option region: '" + region + "' is not a region name",
                  "write a region such as us-east-1 or eu-west-1");
    }
    return region;
  }
  for (const char* name : {"AWS_REGION", "AWS_DEFAULT_REGION"}) {
    if (auto region = environment(name)) {
      return *region;
    }
  }
  auto profile = read_profile(profile_files(environment), profile_name(options, environment));
  if (auto found = profile.find("region"); found != profile.end() && !found->second.empty()) {
    return found->second;
  }
  return std::string(k_default_region);
}

} // namespace

std::uint64_t parse_size(const std::string& option, const std::string& text) {
  std::size_t digits = 0;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) {
    ++digits;
  }
  auto suffix = lower(text.substr(digits));
  while (!suffix.empty() && suffix.front() == ' ') {
    suffix.erase(0, 1);
  }
  const auto* unit = std::find_if(k_size_suffixes.begin(), k_size_suffixes.end(),
                                  [&](const SizeSuffix& entry) { return entry.name == suffix; });
  const bool known_unit = suffix.empty() || unit != k_size_suffixes.end();
  std::uint64_t value = 0;
  bool overflow = digits == 0 || digits > 15;
  if (!overflow) {
    value = std::stoull(text.substr(0, digits));
    const unsigned shift = suffix.empty() ? 0 : unit->shift;
    overflow = value > (std::numeric_limits<std::uint64_t>::max() >> shift);
    value <<= shift;
  }
  if (!known_unit || overflow) {
    throw Error(Failure::invalid_input, "option " + option + ": '" + text + "' is not a size",
                "give bytes, or a number with KiB, MiB or GiB, e.g. 64MiB");
  }
  return value;
}

Settings
parse_settings(const std::string& url, const Options& options, const Environment& environment) {
  if (!url.starts_with(k_scheme)) {
    throw bad_url(url, "not an s3:// URL");
  }
  if (url.find_first_of("?#") != std::string::npos) {
    throw bad_url(url, "an s3:// URL has no query or fragment");
  }
  const auto rest = std::string_view(url).substr(k_scheme.size());
  const auto slash = rest.find('/');
  Settings settings;
  settings.bucket = std::string(rest.substr(0, slash));
  if (!is_bucket_name(settings.bucket)) {
    throw bad_url(url, settings.bucket.empty() ? "the bucket name is missing"
                                               : "'" + settings.bucket +
                                                     "' is not a bucket name (letters, digits, "
                                                     "'.', '-' and '_')");
  }
  settings.prefix =
      slash == std::string_view::npos ? std::string() : normalize_prefix(url, rest.substr(slash));
  settings.url =
      std::string(k_scheme) + settings.bucket +
      (settings.prefix.empty() ? "" : "/" + settings.prefix.substr(0, settings.prefix.size() - 1));
  settings.region = resolve_region(options, environment);

  auto endpoint = option_text(options, "endpointurl").value_or("");
  if (endpoint.empty()) {
    endpoint = environment("AWS_ENDPOINT_URL").value_or("");
  }
  settings.custom_endpoint = !endpoint.empty();
  settings.endpoint = settings.custom_endpoint ? parse_endpoint(endpoint)
                                               : "https://s3." + settings.region + ".amazonaws.com";

  // Virtual-hosted names put the bucket in the TLS host name, where a '.' breaks the wildcard
  // certificate; S3-compatible servers mostly expect paths.
  const auto addressing = lower(option_text(options, "addressing").value_or(""));
  if (addressing.empty()) {
    settings.path_style =
        settings.custom_endpoint || settings.bucket.find('.') != std::string::npos;
  } else if (addressing == "path" || addressing == "virtual") {
    settings.path_style = addressing == "path";
  } else {
    throw Error(Failure::invalid_input,
                "option addressing: '" + option_text(options, "addressing").value_or("") +
                    "' is neither 'path' nor 'virtual'",
                "use path (https://HOST/BUCKET/KEY) or virtual (https://BUCKET.HOST/KEY)");
  }

  if (auto text = option_text(options, "multipart_threshold").value_or(""); !text.empty()) {
    settings.multipart_threshold = parse_size("multipart_threshold", text);
    if (settings.multipart_threshold == 0) {
      throw Error(Failure::invalid_input, "option multipart_threshold: must be above 0",
                  "give a size such as 64MiB");
    }
  }
  if (auto text = option_text(options, "multipart_chunksize").value_or(""); !text.empty()) {
    settings.multipart_chunksize = parse_size("multipart_chunksize", text);
    if (settings.multipart_chunksize < k_min_multipart_chunksize) {
      throw Error(Failure::invalid_input,
                  "option multipart_chunksize: '" + text + "' is below S3's 5 MiB part minimum",
                  "give 5MiB or more");
    }
  }
  return settings;
}

std::string object_url(const Settings& settings, std::string_view key) {
  return bucket_url(settings) + (settings.path_style ? "/" : "") + aws_uri_encode(key, true);
}

std::string bucket_url(const Settings& settings) {
  if (settings.path_style) {
    return settings.endpoint + "/" + aws_uri_encode(settings.bucket, false);
  }
  const auto host_start = settings.endpoint.find("://") + 3;
  return settings.endpoint.substr(0, host_start) + settings.bucket + "." +
         settings.endpoint.substr(host_start) + "/";
}

} // namespace mlv::remote::s3
