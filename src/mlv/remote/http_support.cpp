#include <mlv/remote/http_engine.hpp>
#include <mlv/util/error.hpp>

#include <charconv>
#include <regex>

namespace mlv::remote {

namespace {

bool is_unreserved(unsigned char c) {
  return std::isalnum(c) != 0 || c == '-' || c == '.' || c == '_' || c == '~';
}

std::string escape(std::string_view text, bool keep_slash) {
  static constexpr char k_hex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (is_unreserved(c) || (keep_slash && c == '/')) {
      out += ch;
    } else {
      out += '%';
      out += k_hex[c >> 4];
      out += k_hex[c & 15];
    }
  }
  return out;
}

// A whole number option from 0 to `max`, or the default.
std::uint64_t number_option(const Options& options,
                            const std::string& name,
                            std::uint64_t fallback,
                            std::uint64_t max) {
  const auto it = options.find(name);
  if (it == options.end()) {
    return fallback;
  }
  std::uint64_t value = 0;
  const auto& text = it->second;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value > max) {
    throw Error(Failure::invalid_input,
                "remote option '" + name + "': '" + text + "' is not a whole number from 0 to " +
                    std::to_string(max),
                "set it with `mlv remote modify NAME " + name + " VALUE`");
  }
  return value;
}

bool bool_option(const Options& options, const std::string& name, bool fallback) {
  const auto it = options.find(name);
  if (it == options.end()) {
    return fallback;
  }
  const auto& text = it->second;
  if (text == "true" || text == "yes" || text == "1") {
    return true;
  }
  if (text == "false" || text == "no" || text == "0") {
    return false;
  }
  throw Error(Failure::invalid_input,
              "remote option '" + name + "': '" + text + "' is not true or false");
}

} // namespace

std::string url_escape_path(std::string_view text) {
  return escape(text, true);
}

std::string url_escape(std::string_view text) {
  return escape(text, false);
}

HttpOptions http_options(const Options& options, const std::string& display_url) {
  HttpOptions result;
  result.display_name = display_url;
  result.max_connections =
      static_cast<unsigned>(number_option(options, "jobs", result.max_connections, 256));
  if (result.max_connections == 0) {
    result.max_connections = 1;
  }
  result.retries = static_cast<unsigned>(number_option(options, "retries", result.retries, 100));
  result.connect_timeout =
      std::chrono::seconds(number_option(options, "timeout", result.connect_timeout.count(), 3600));
  result.stall_timeout = std::chrono::seconds(
      number_option(options, "stall_timeout", result.stall_timeout.count(), 3600));
  if (result.stall_timeout.count() == 0) {
    result.stall_timeout = std::chrono::seconds(1);
  }
  if (const auto it = options.find("ca_bundle"); it != options.end()) {
    result.ca_bundle = it->second;
  }
  result.verify_tls = bool_option(options, "verify_tls", true);
  return result;
}

std::string describe_status(const HttpResponse& response) {
  std::string text = "HTTP " + std::to_string(response.status);
  // What the server says, from an S3/Azure XML error or a JSON error (GCS), when it says it.
  static const std::regex xml_code(R"(<Code>([^<]{1,200})</Code>)");
  static const std::regex xml_message(R"(<Message>([^<]{1,300})</Message>)");
  static const std::regex json_message(R"re("message"\s*:\s*"([^"]{1,300})")re");
  std::smatch match;
  const auto& body = response.body;
  std::string detail;
  if (std::regex_search(body, match, xml_code)) {
    detail = match[1];
    if (std::smatch message; std::regex_search(body, message, xml_message)) {
      detail += " (" + std::string(message[1]) + ")";
    }
  } else if (std::regex_search(body, match, json_message)) {
    detail = match[1];
  } else if (const auto it = response.headers.find("x-ms-error-code");
             it != response.headers.end()) {
    detail = it->second;
  }
  if (!detail.empty()) {
    text += ": " + detail;
  }
  return text;
}

} // namespace mlv::remote
