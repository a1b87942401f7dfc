#include <mlv/remote/azure_shared_key.hpp>
#include <mlv/remote/text_codec.hpp>
#include <mlv/util/error.hpp>

#include <time.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>
#include <map>

namespace mlv::remote::azure {

namespace {

// The standard headers of the string-to-sign, in their order there.
constexpr std::array<const char*, 11> k_signed_headers = {"content-encoding",
                                                          "content-language",
                                                          "content-length",
                                                          "content-md5",
                                                          "content-type",
                                                          "date",
                                                          "if-modified-since",
                                                          "if-match",
                                                          "if-none-match",
                                                          "if-unmodified-since",
                                                          "range"};

void set_header(Headers& headers, const std::string& name, const std::string& value) {
  const auto wanted = lower(name);
  std::erase_if(headers, [&](const auto& header) { return lower(header.first) == wanted; });
  headers.emplace_back(name, value);
}

} // namespace

std::string hmac_sha256_base64(std::string_view key, std::string_view message) {
  return base64_encode(hmac_sha256(key, message));
}

std::string http_date(std::chrono::system_clock::time_point when) {
  static constexpr std::array<const char*, 7> days = {"Sun", "Mon", "Tue", "Wed",
                                                      "Thu", "Fri", "Sat"};
  static constexpr std::array<const char*, 12> months = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const std::time_t seconds = std::chrono::system_clock::to_time_t(when);
  std::tm parts{};
  gmtime_r(&seconds, &parts);
  std::array<char, 40> text{};
  std::snprintf(text.data(), text.size(), "%s, %02d %s %04d %02d:%02d:%02d GMT",
                days[static_cast<std::size_t>(parts.tm_wday)], parts.tm_mday,
                months[static_cast<std::size_t>(parts.tm_mon)], parts.tm_year + 1900, parts.tm_hour,
                parts.tm_min, parts.tm_sec);
  return text.data();
}

std::string string_to_sign(const std::string& method,
                           const std::string& url,
                           const Headers& headers,
                           const std::string& account) {
  // Header values by lower-case name; repeated headers join with ','.
  std::map<std::string, std::string> values;
  for (const auto& [name, value] : headers) {
    auto& slot = values[lower(name)];
    slot += (slot.empty() ? "" : ",") + trim(value);
  }
  std::string text = method + "\n";
  for (const char* name : k_signed_headers) {
    const auto it = values.find(name);
    std::string value = it == values.end() ? std::string() : it->second;
    if (std::string_view(name) == "content-length" && value == "0") {
      value.clear();
    }
    text += value + "\n";
  }
  for (const auto& [name, value] : values) { // std::map: sorted by name
    if (name.starts_with("x-ms-")) {
      text += name + ":" + value + "\n";
    }
  }

  const auto authority = url.find("://");
  const auto path_start = url.find('/', authority == std::string::npos ? 0 : authority + 3);
  const auto query_start = url.find('?');
  std::string path = path_start == std::string::npos || path_start > query_start
                         ? "/"
                         : url.substr(path_start, query_start - path_start);
  text += "/" + account + path;

  std::map<std::string, std::vector<std::string>> parameters;
  if (query_start != std::string::npos) {
    const std::string_view query = std::string_view(url).substr(query_start + 1);
    std::size_t start = 0;
    while (start < query.size()) {
      auto end = query.find('&', start);
      if (end == std::string_view::npos) {
        end = query.size();
      }
      const auto part = query.substr(start, end - start);
      start = end + 1;
      if (part.empty()) {
        continue;
      }
      const auto equals = part.find('=');
      const auto name = lower(percent_decode(part.substr(0, equals)));
      const auto value = equals == std::string_view::npos ? std::string()
                                                          : percent_decode(part.substr(equals + 1));
      parameters[name].push_back(value);
    }
  }
  for (auto& [name, list] : parameters) {
    std::sort(list.begin(), list.end());
    text += "\n" + name + ":";
    for (std::size_t i = 0; i < list.size(); ++i) {
      text += (i ? "," : "") + list[i];
    }
  }
  return text;
}

void sign_shared_key(HttpRequest& request,
                     const std::string& account,
                     const std::string& key,
                     std::chrono::system_clock::time_point now) {
  set_header(request.headers, "x-ms-date", http_date(now));
  set_header(request.headers, "x-ms-version", k_api_version);
  std::erase_if(request.headers,
                [](const auto& header) { return lower(header.first) == "authorization"; });

  // The engine adds Content-Length (from the body) and Range (from request.range) itself; the
  // signature covers them as they will be sent.
  Headers signed_headers = request.headers;
  const auto has = [&](const char* name) {
    return std::any_of(signed_headers.begin(), signed_headers.end(),
                       [&](const auto& header) { return lower(header.first) == name; });
  };
  if (!has("content-length") && request.body.size() > 0) {
    signed_headers.emplace_back("Content-Length", std::to_string(request.body.size()));
  }
  if (!has("range") && request.range) {
    const auto& range = *request.range;
    signed_headers.emplace_back("Range", "bytes=" + std::to_string(range.offset) + "-" +
                                             std::to_string(range.offset + range.length - 1));
  }
  const auto decoded = base64_decode(key);
  if (!decoded) {
    throw Error(Failure::invalid_input, "the Azure account key is not base64",
                "copy key1 or key2 again from the storage account's access keys");
  }
  const auto signature = hmac_sha256_base64(
      *decoded, string_to_sign(request.method, request.url, signed_headers, account));
  request.headers.emplace_back("Authorization", "SharedKey " + account + ":" + signature);
}

} // namespace mlv::remote::azure
