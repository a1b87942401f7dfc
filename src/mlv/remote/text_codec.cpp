#include <mlv/remote/text_codec.hpp>
#include <mlv/util/error.hpp>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdio>
#include <ctime>
#include <vector>

namespace mlv::remote {

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) {
    return {};
  }
  return std::string(text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1));
}

std::string percent_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    unsigned value = 0;
    if (text[i] == '%' && i + 2 < text.size() &&
        std::from_chars(text.data() + i + 1, text.data() + i + 3, value, 16).ptr ==
            text.data() + i + 3) {
      out.push_back(static_cast<char>(value));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

std::string base64_encode(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int length = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                     reinterpret_cast<const unsigned char*>(bytes.data()),
                                     static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(length));
  return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
  std::string padded(text);
  if (padded.size() % 4 == 1) {
    return std::nullopt;
  }
  while (padded.size() % 4 != 0) {
    padded.push_back('=');
  }
  const auto padding = padded.size() - padded.find_last_not_of('=') - 1;
  if (padding > 2 || padded.find_first_of(" \t\r\n") != std::string::npos) {
    return std::nullopt; // EVP_DecodeBlock would skip blanks; a key or token has none
  }
  std::string out(padded.size() / 4 * 3, '\0');
  const int length = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                     reinterpret_cast<const unsigned char*>(padded.data()),
                                     static_cast<int>(padded.size()));
  if (length < 0) {
    return std::nullopt;
  }
  out.resize(static_cast<std::size_t>(length) - padding);
  return out;
}

std::string base64url(std::string_view bytes) {
  auto out = base64_encode(bytes);
  while (!out.empty() && out.back() == '=') {
    out.pop_back();
  }
  std::replace(out.begin(), out.end(), '+', '-');
  std::replace(out.begin(), out.end(), '/', '_');
  return out;
}

std::string hmac_sha256(std::string_view key, std::string_view message) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(message.data()), message.size(), digest.data(),
           &length) == nullptr) {
    throw Error(Failure::failed, "HMAC-SHA256 failed (OpenSSL)");
  }
  return std::string(reinterpret_cast<const char*>(digest.data()), length);
}

namespace {

constexpr std::array<const char*, 12> k_month_names = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

} // namespace

std::int64_t parse_http_date(std::string_view text) {
  // "Sun, 06 Nov 1994 08:49:37 GMT": the weekday is redundant and skipped.
  std::string date = trim(text);
  if (const auto comma = date.find(','); comma != std::string::npos) {
    date = trim(std::string_view(date).substr(comma + 1));
  }
  int day = 0;
  int year = 0;
  int hour = 0;
  int minute = 0;
  int second = 0;
  char month[4] = {};
  char zone[4] = {};
  if (std::sscanf(date.c_str(), "%2d %3s %4d %2d:%2d:%2d %3s", &day, month, &year, &hour, &minute,
                  &second, zone) != 7 ||
      std::string_view(zone) != "GMT") {
    return 0;
  }
  int month_index = -1;
  for (std::size_t m = 0; m < k_month_names.size(); ++m) {
    if (std::string_view(month) == k_month_names[m]) {
      month_index = static_cast<int>(m);
    }
  }
  if (month_index < 0 || day < 1 || day > 31 || year < 1970 || hour > 23 || minute > 59 ||
      second > 60) {
    return 0;
  }
  std::tm time{};
  time.tm_year = year - 1900;
  time.tm_mon = month_index;
  time.tm_mday = day;
  time.tm_hour = hour;
  time.tm_min = minute;
  time.tm_sec = second;
  return static_cast<std::int64_t>(::timegm(&time));
}

std::int64_t parse_iso8601(std::string_view text) {
  std::tm time{};
  const std::string copy(text.substr(0, 19));
  if (std::sscanf(copy.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d", &time.tm_year, &time.tm_mon,
                  &time.tm_mday, &time.tm_hour, &time.tm_min, &time.tm_sec) != 6) {
    return 0;
  }
  time.tm_year -= 1900;
  time.tm_mon -= 1;
  return static_cast<std::int64_t>(::timegm(&time));
}

} // namespace mlv::remote
