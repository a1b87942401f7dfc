#include <mlv/remote/s3_credentials.hpp>
#include <mlv/remote/text_codec.hpp>
#include <mlv/util/error.hpp>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>

namespace mlv::remote::s3 {

namespace {

namespace fs = std::filesystem;

std::string env_or_empty(const Environment& environment, const std::string& name) {
  return environment(name).value_or("");
}

// Half a key pair is a mistake in one place, not a reason to fall through to the next.
void check_pair(const Credentials& credentials, const std::string& where) {
  if (credentials.access_key_id.empty() != credentials.secret_access_key.empty()) {
    const auto* missing =
        credentials.access_key_id.empty() ? "the access key id" : "the secret access key";
    throw Error(Failure::invalid_input,
                where + " has half an S3 key pair: " + missing + " is missing",
                "set both the access key id and the secret access key, or neither");
  }
}

} // namespace

ProfileFiles profile_files(const Environment& environment) {
  const fs::path home = environment("HOME").value_or("");
  ProfileFiles files;
  files.credentials =
      environment("AWS_SHARED_CREDENTIALS_FILE").value_or((home / ".aws" / "credentials").string());
  files.config = environment("AWS_CONFIG_FILE").value_or((home / ".aws" / "config").string());
  return files;
}

std::string profile_name(const Options& options, const Environment& environment) {
  if (auto name = option_text(options, "profile").value_or(""); !name.empty()) {
    return name;
  }
  return environment("AWS_PROFILE").value_or("default");
}

std::optional<std::map<std::string, std::string>> read_ini_section(const fs::path& file,
                                                                   const std::string& section) {
  std::ifstream in(file);
  if (!in) {
    return std::nullopt;
  }
  std::optional<std::map<std::string, std::string>> found;
  bool inside = false;
  std::string line;
  while (std::getline(in, line)) {
    const auto text = trim(line);
    if (text.empty() || text.front() == '#' || text.front() == ';') {
      continue;
    }
    if (text.front() == '[') {
      const auto close = text.find(']');
      const auto name = trim(std::string_view(text).substr(
          1, close == std::string::npos ? std::string::npos : close - 1));
      inside = name == section;
      if (inside && !found) {
        found.emplace();
      }
      continue;
    }
    // Indented lines belong to a nested block (`s3 =` followed by its own keys).
    if (!inside || line.front() == ' ' || line.front() == '\t') {
      continue;
    }
    const auto equals = text.find('=');
    if (equals == std::string::npos) {
      continue;
    }
    (*found)[lower(trim(std::string_view(text).substr(0, equals)))] =
        trim(std::string_view(text).substr(equals + 1));
  }
  return found;
}

std::map<std::string, std::string> read_profile(const ProfileFiles& files,
                                                const std::string& profile) {
  std::map<std::string, std::string> settings;
  // The config file names profiles "[profile NAME]", except the default one.
  auto from_config = read_ini_section(files.config, "profile " + profile);
  if (!from_config && profile == "default") {
    from_config = read_ini_section(files.config, "default");
  }
  if (from_config) {
    settings = std::move(*from_config);
  }
  if (auto from_credentials = read_ini_section(files.credentials, profile)) {
    for (auto& [key, value] : *from_credentials) {
      settings[key] = std::move(value);
    }
  }
  return settings;
}

Credentials resolve_credentials(const Options& options,
                                const Environment& environment,
                                const std::string& display_url) {
  Credentials from_options{option_text(options, "access_key_id").value_or(""),
                           option_text(options, "secret_access_key").value_or(""),
                           option_text(options, "session_token").value_or("")};
  check_pair(from_options, "the remote's config (access_key_id, secret_access_key)");
  if (!from_options.access_key_id.empty()) {
    return from_options;
  }

  Credentials from_environment{env_or_empty(environment, "AWS_ACCESS_KEY_ID"),
                               env_or_empty(environment, "AWS_SECRET_ACCESS_KEY"),
                               env_or_empty(environment, "AWS_SESSION_TOKEN")};
  check_pair(from_environment, "the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY)");
  if (!from_environment.access_key_id.empty()) {
    return from_environment;
  }

  const auto files = profile_files(environment);
  const auto profile = profile_name(options, environment);
  auto settings = read_profile(files, profile);
  Credentials from_profile{settings["aws_access_key_id"], settings["aws_secret_access_key"],
                           settings["aws_session_token"]};
  check_pair(from_profile, "profile '" + profile + "' (" + files.credentials.string() + ", " +
                               files.config.string() + ")");
  if (!from_profile.access_key_id.empty()) {
    return from_profile;
  }

  throw Error(Failure::remote,
              display_url +
                  ": no S3 credentials found; looked in the remote's access_key_id and "
                  "secret_access_key options, in AWS_ACCESS_KEY_ID and "
                  "AWS_SECRET_ACCESS_KEY, and in profile '" +
                  profile + "' of " + files.credentials.string() + " and " + files.config.string(),
              "set them with `mlv config --local remote.NAME.access_key_id ...` and "
              "`... secret_access_key ...`, export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, "
              "or write the profile with `aws configure`");
}

} // namespace mlv::remote::s3
