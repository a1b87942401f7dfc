#pragma once

#include <mlv/remote/environment.hpp>
#include <mlv/remote/object_store.hpp>

#include <functional>
#include <map>
#include <optional>
#include <string>

namespace mlv::remote::azure {

// Azurite's development account, published by Microsoft for the storage emulator.
inline constexpr const char* k_dev_account = "devstoreaccount1";
inline constexpr const char* k_dev_key =
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
inline constexpr const char* k_dev_endpoint = "http://127.0.0.1:10000/devstoreaccount1";

// Where an azure:// remote lives and how requests to it are authorized.
struct Account {
  std::string name;     // the storage account; signs Shared Key requests
  std::string key;      // base64 account key; empty unless Shared Key is used
  std::string sas;      // SAS query (no leading '?'); empty unless a SAS is used
  std::string endpoint; // blob service base URL without a trailing '/', e.g.
                        // "https://acct.blob.core.windows.net" or "http://127.0.0.1:10000/acct"
};

// The parts of an azure://container[/prefix] URL.
struct Location {
  std::string container;
  std::string prefix; // no leading or trailing '/'; empty for the container's root
};

// Splits a connection string ("Key=Value;Key=Value") into its fields. Keys are matched without
// regard to case; values keep theirs (a SAS's '=' inside a value is kept).
std::map<std::string, std::string> parse_connection_string(const std::string& text);

// Parses azure://container[/prefix]; Error(bad_input) naming the URL when it is malformed or the
// container name breaks Azure's rules.
Location parse_url(const std::string& url);

// Reads an environment variable; empty when unset. Replaceable for tests.
using remote::Environment; // environment.hpp
using remote::process_environment;

// The account from the remote's options (`connection_string`, `account_name`, `account_key`,
// `sas_token`, `endpointurl`), then from the environment (AZURE_STORAGE_CONNECTION_STRING,
// AZURE_STORAGE_ACCOUNT, AZURE_STORAGE_KEY, AZURE_STORAGE_SAS_TOKEN). Explicit options win over
// the fields of a connection string in the same layer; credentials (a key or a SAS) come whole
// from the first layer that has any, a key winning over a SAS. Error(bad_input) naming the option
// when no account can be found or a value is malformed. Messages never contain a secret.
Account resolve_account(const Options& options, const Environment& environment);

} // namespace mlv::remote::azure
