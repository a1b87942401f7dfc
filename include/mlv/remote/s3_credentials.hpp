#pragma once

#include <mlv/remote/environment.hpp>
#include <mlv/remote/object_store.hpp>
#include <mlv/remote/s3_signer.hpp>

#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>

namespace mlv::remote::s3 {

// Reads an environment variable: a seam, so tests need not change the process's environment.
using remote::Environment; // environment.hpp
using remote::process_environment;

// The shared AWS files a profile lives in: AWS_SHARED_CREDENTIALS_FILE or ~/.aws/credentials
// (sections `[NAME]`) and AWS_CONFIG_FILE or ~/.aws/config (sections `[profile NAME]`,
// `[default]`).
struct ProfileFiles {
  std::filesystem::path credentials;
  std::filesystem::path config;
};
ProfileFiles profile_files(const Environment& environment);

// The profile to use: the remote's `profile` option, else AWS_PROFILE, else "default".
std::string profile_name(const Options& options, const Environment& environment);

// A profile's settings (lower-case keys), credentials file first, then the config file; empty
// when neither file has the profile.
std::map<std::string, std::string> read_profile(const ProfileFiles& files,
                                                const std::string& profile);

// The keys of one section of an INI file as the AWS CLI writes it (lower-case keys; `#`/`;`
// comments; indented sub-keys skipped); nullopt when the file or the section does not exist.
std::optional<std::map<std::string, std::string>>
read_ini_section(const std::filesystem::path& file, const std::string& section);

// The standard chain, first match wins: the remote's `access_key_id`/`secret_access_key`/
// `session_token` options (from .mlv/config.local), AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/
// AWS_SESSION_TOKEN, then the profile in the shared files. Throws Error(remote) naming
// `display_url` and every place it looked when none has a key pair, and Error(bad_input) when a
// source has half a pair.
Credentials resolve_credentials(const Options& options,
                                const Environment& environment,
                                const std::string& display_url);

} // namespace mlv::remote::s3
