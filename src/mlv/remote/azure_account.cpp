#include <mlv/remote/azure_account.hpp>
#include <mlv/remote/azure_shared_key.hpp>
#include <mlv/remote/text_codec.hpp>
#include <mlv/util/error.hpp>

#include <algorithm>
#include <cctype>
#include <cstdlib>

namespace mlv::remote::azure {

namespace {

constexpr const char* k_default_protocol = "https";
constexpr const char* k_default_suffix = "core.windows.net";

// What one layer (the remote's options, or the environment) says; `where_*` name the setting a
// value came from, for messages.
struct Layer {
  std::string name;
  std::string key;
  std::string sas;
  std::string endpoint;
  std::string protocol;
  std::string suffix;
  std::string where_key;
  std::string where_sas;
  std::string where_endpoint;
};

// Fills a layer from a connection string's fields; explicit settings applied later override them.
void apply_connection_string(Layer& layer, const std::string& text, const std::string& where) {
  const auto fields = parse_connection_string(text);
  const auto field = [&](const char* name) {
    const auto it = fields.find(lower(name));
    return it == fields.end() ? std::string() : it->second;
  };
  if (lower(field("UseDevelopmentStorage")) == "true") {
    layer.name = k_dev_account;
    layer.key = k_dev_key;
    layer.endpoint = k_dev_endpoint;
    layer.where_key = layer.where_endpoint = where;
  }
  if (!field("AccountName").empty()) {
    layer.name = field("AccountName");
  }
  if (!field("AccountKey").empty()) {
    layer.key = field("AccountKey");
    layer.where_key = where + " (AccountKey)";
  }
  if (!field("SharedAccessSignature").empty()) {
    layer.sas = field("SharedAccessSignature");
    layer.where_sas = where + " (SharedAccessSignature)";
  }
  if (!field("BlobEndpoint").empty()) {
    layer.endpoint = field("BlobEndpoint");
    layer.where_endpoint = where + " (BlobEndpoint)";
  }
  layer.protocol = field("DefaultEndpointsProtocol");
  layer.suffix = field("EndpointSuffix");
}

void set_if(std::string& target,
            std::string& where,
            const std::optional<std::string>& value,
            const std::string& source) {
  if (value && !trim(*value).empty()) {
    target = trim(*value);
    where = source;
  }
}

Layer options_layer(const Options& options) {
  Layer layer;
  const auto option = [&](const char* name) -> std::optional<std::string> {
    const auto it = options.find(name);
    return it == options.end() ? std::nullopt : std::optional(it->second);
  };
  if (const auto text = option("connection_string"); text && !trim(*text).empty()) {
    apply_connection_string(layer, *text, "option 'connection_string'");
  }
  std::string unused;
  set_if(layer.name, unused, option("account_name"), "");
  set_if(layer.key, layer.where_key, option("account_key"), "option 'account_key'");
  set_if(layer.sas, layer.where_sas, option("sas_token"), "option 'sas_token'");
  set_if(layer.endpoint, layer.where_endpoint, option("endpointurl"), "option 'endpointurl'");
  return layer;
}

Layer environment_layer(const Environment& environment) {
  Layer layer;
  if (const auto text = environment("AZURE_STORAGE_CONNECTION_STRING");
      text && !trim(*text).empty()) {
    apply_connection_string(layer, *text, "AZURE_STORAGE_CONNECTION_STRING");
  }
  std::string unused;
  set_if(layer.name, unused, environment("AZURE_STORAGE_ACCOUNT"), "");
  set_if(layer.key, layer.where_key, environment("AZURE_STORAGE_KEY"), "AZURE_STORAGE_KEY");
  set_if(layer.sas, layer.where_sas, environment("AZURE_STORAGE_SAS_TOKEN"),
         "AZURE_STORAGE_SAS_TOKEN");
  return layer;
}

std::string checked_endpoint(std::string endpoint, const std::string& where) {
  const auto lowered = lower(endpoint);
  if (!lowered.starts_with("http://") && !lowered.starts_with("https://")) {
    throw Error(Failure::invalid_input,
                "Azure " + where + ": the blob endpoint must start with http:// or https://",
                "e.g. https://ACCOUNT.blob.core.windows.net, or http://127.0.0.1:10000/ACCOUNT "
                "for Azurite");
  }
  if (endpoint.find_first_of("?#") != std::string::npos) {
    throw Error(Failure::invalid_input,
                "Azure " + where + ": the blob endpoint may not contain a query",
                "give a SAS with the sas_token option instead");
  }
  while (endpoint.ends_with('/')) {
    endpoint.pop_back();
  }
  return endpoint;
}

// The account an endpoint names: "acct" of https://acct.blob.core.windows.net, or the first path
// segment of a path-style endpoint such as http://127.0.0.1:10000/acct.
std::string account_of_endpoint(const std::string& endpoint) {
  const auto authority_start = endpoint.find("://") + 3;
  const auto path_start = endpoint.find('/', authority_start);
  const auto host = endpoint.substr(authority_start, path_start - authority_start);
  if (path_start != std::string::npos) {
    const auto segment_end = endpoint.find('/', path_start + 1);
    return endpoint.substr(path_start + 1, segment_end - path_start - 1);
  }
  const auto dot = host.find(".blob.");
  return dot == std::string::npos ? std::string() : host.substr(0, dot);
}

} // namespace

std::map<std::string, std::string> parse_connection_string(const std::string& text) {
  std::map<std::string, std::string> fields;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto end = text.find(';', start);
    if (end == std::string::npos) {
      end = text.size();
    }
    const auto part = trim(text.substr(start, end - start));
    start = end + 1;
    if (part.empty()) {
      continue;
    }
    const auto equals = part.find('=');
    if (equals == std::string::npos || equals == 0) {
      // The part may be a secret: name only its position.
      throw Error(Failure::invalid_input,
                  "an Azure connection string has a part that is not Key=Value",
                  "copy the connection string again from the storage account's access keys");
    }
    fields[lower(trim(part.substr(0, equals)))] = trim(part.substr(equals + 1));
  }
  return fields;
}

Location parse_url(const std::string& url) {
  const std::string scheme = "azure://";
  if (!url.starts_with(scheme)) {
    throw Error(Failure::invalid_input, "remote URL '" + url + "' is not an azure:// URL");
  }
  auto rest = url.substr(scheme.size());
  const auto slash = rest.find('/');
  Location location;
  location.container = rest.substr(0, slash);
  if (slash != std::string::npos) {
    location.prefix = rest.substr(slash + 1);
  }
  while (location.prefix.ends_with('/')) {
    location.prefix.pop_back();
  }
  while (location.prefix.starts_with('/')) {
    location.prefix.erase(0, 1);
  }
  const auto& name = location.container;
  // Azure's container naming rules: 3-63 of [a-z0-9-], starting and ending with a letter or
  // digit, no "--".
  const bool valid_chars = std::all_of(name.begin(), name.end(), [](unsigned char c) {
    return std::islower(c) || std::isdigit(c) || c == '-';
  });
  if (name.size() < 3 || name.size() > 63 || !valid_chars || name.front() == '-' ||
      name.back() == '-' || name.find("--") != std::string::npos) {
    throw Error(Failure::invalid_input,
                "remote URL '" + url + "': '" + name + "' is not a valid Azure container name",
                "write azure://CONTAINER[/PREFIX]; a container name is 3-63 lower-case letters, "
                "digits and single hyphens");
  }
  if (location.prefix.find("//") != std::string::npos ||
      location.prefix.find('?') != std::string::npos ||
      location.prefix.find('#') != std::string::npos) {
    throw Error(Failure::invalid_input,
                "remote URL '" + url + "': the prefix may not contain '//', '?' or '#'",
                "write azure://CONTAINER/PREFIX/PATH");
  }
  return location;
}

Account resolve_account(const Options& options, const Environment& environment) {
  const Layer configured = options_layer(options);
  const Layer environ = environment_layer(environment);

  Account account;
  account.name = configured.name.empty() ? environ.name : configured.name;
  // The environment's endpoint and credentials serve a remote only when it does not name
  // another account than the remote's options do.
  const bool environment_applies =
      environ.name.empty() || configured.name.empty() || environ.name == configured.name;

  std::string where_endpoint;
  if (!configured.endpoint.empty()) {
    account.endpoint = configured.endpoint;
    where_endpoint = configured.where_endpoint;
  } else if (environment_applies && !environ.endpoint.empty()) {
    account.endpoint = environ.endpoint;
    where_endpoint = environ.where_endpoint;
  }

  const Layer& credentials =
      (!configured.key.empty() || !configured.sas.empty() || !environment_applies) ? configured
                                                                                   : environ;
  std::string where_credential;
  if (!credentials.key.empty()) {
    account.key = credentials.key;
    where_credential = credentials.where_key;
    const auto decoded = base64_decode(account.key);
    if (!decoded || decoded->empty()) {
      throw Error(Failure::invalid_input,
                  "Azure " + where_credential + " is not a base64 account key",
                  "copy key1 or key2 again from the storage account's access keys");
    }
  } else if (!credentials.sas.empty()) {
    account.sas = credentials.sas;
    while (account.sas.starts_with('?')) {
      account.sas.erase(0, 1);
    }
    where_credential = credentials.where_sas;
    if (account.sas.find("sig=") == std::string::npos) {
      throw Error(Failure::invalid_input,
                  "Azure " + where_credential + " is not a shared access signature (no sig=)",
                  "give the SAS token's query string, e.g. sv=...&sp=...&sig=...");
    }
  }

  if (!account.endpoint.empty()) {
    account.endpoint = checked_endpoint(account.endpoint, where_endpoint);
    if (account.name.empty()) {
      account.name = account_of_endpoint(account.endpoint);
    }
  } else if (!account.name.empty()) {
    const Layer& source =
        configured.protocol.empty() && configured.suffix.empty() ? environ : configured;
    const auto protocol = source.protocol.empty() ? k_default_protocol : lower(source.protocol);
    const auto suffix = source.suffix.empty() ? k_default_suffix : source.suffix;
    account.endpoint = checked_endpoint(protocol + "://" + account.name + ".blob." + suffix,
                                        "DefaultEndpointsProtocol/EndpointSuffix");
  }
  if (account.name.empty()) {
    throw Error(Failure::invalid_input, "no Azure storage account is configured for this remote",
                "set `mlv config remote.NAME.account_name ACCOUNT`, or export "
                "AZURE_STORAGE_CONNECTION_STRING or AZURE_STORAGE_ACCOUNT");
  }
  return account;
}

} // namespace mlv::remote::azure
