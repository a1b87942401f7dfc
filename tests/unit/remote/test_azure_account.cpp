#include <mlv/remote/azure_account.hpp>
#include <mlv/util/error.hpp>

#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <string>

using mlv::Error;
using mlv::Failure;
using namespace mlv::remote;
using namespace mlv::remote::azure;

namespace {

// A real-looking key that is not the dev key, to tell sources apart.
const std::string k_other_key = "c2VjcmV0LWtleS1mb3ItdGVzdHMtb25seQ==";

Environment environment_of(std::map<std::string, std::string> variables) {
  return [variables](const std::string& name) -> std::optional<std::string> {
    const auto it = variables.find(name);
    return it == variables.end() ? std::nullopt : std::optional(it->second);
  };
}

const Environment k_no_environment = environment_of({});

// The message of the Error `call` throws, checked to be bad_input and free of `secret`.
template <typename Call>
std::string bad_input_message(Call call, const std::string& secret = "") {
  try {
    call();
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), Failure::invalid_input);
    const std::string message = std::string(error.what()) + error.hint();
    if (!secret.empty()) {
      EXPECT_EQ(message.find(secret), std::string::npos) << message;
    }
    return error.what();
  }
  ADD_FAILURE() << "no Error thrown";
  return {};
}

TEST(AzureUrl, SplitsContainerAndPrefix) {
  EXPECT_EQ(parse_url("azure://models").container, "models");
  EXPECT_EQ(parse_url("azure://models").prefix, "");
  const auto location = parse_url("azure://ml-models/team/a/");
  EXPECT_EQ(location.container, "ml-models");
  EXPECT_EQ(location.prefix, "team/a");
}

TEST(AzureUrl, RejectsInvalidContainerNames) {
  for (const char* url :
       {"azure://", "azure://ab", "azure://Models", "azure://a--b", "azure://-abc", "azure://abc-",
        "azure://my_models/x", "azure://models/a//b", "azure://models/a?sig=x"}) {
    const auto message = bad_input_message([&] { parse_url(url); });
    EXPECT_NE(message.find("azure://"), std::string::npos) << url;
  }
}

TEST(AzureConnectionString, SplitsFieldsKeepingEqualsSignsInValues) {
  const auto fields = parse_connection_string(
      "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=" + k_other_key +
      ";EndpointSuffix=core.windows.net;");
  EXPECT_EQ(fields.at("accountname"), "acct");
  EXPECT_EQ(fields.at("accountkey"), k_other_key);
  EXPECT_EQ(fields.at("defaultendpointsprotocol"), "https");
  const auto sas = parse_connection_string(
      "BlobEndpoint=https://acct.blob.core.windows.net/;SharedAccessSignature=sv=2021-08-06&sr=c&"
      "sig=abc%3D");
  EXPECT_EQ(sas.at("sharedaccesssignature"), "sv=2021-08-06&sr=c&sig=abc%3D");
}

TEST(AzureConnectionString, APartWithoutEqualsIsRejectedWithoutEchoingIt) {
  bad_input_message([] { parse_connection_string("AccountName=a;hunter2secret"); },
                    "hunter2secret");
}

TEST(AzureAccount, DefaultEndpointFromAccountNameAndKeyOptions) {
  const auto account =
      resolve_account({{"account_name", "acct"}, {"account_key", k_other_key}}, k_no_environment);
  EXPECT_EQ(account.name, "acct");
  EXPECT_EQ(account.key, k_other_key);
  EXPECT_EQ(account.sas, "");
  EXPECT_EQ(account.endpoint, "https://acct.blob.core.windows.net");
}

TEST(AzureAccount, ConnectionStringWithProtocolAndSuffix) {
  const auto account = resolve_account(
      {{"connection_string", "DefaultEndpointsProtocol=http;AccountName=acct;AccountKey=" +
                                 k_other_key + ";EndpointSuffix=core.chinacloudapi.cn"}},
      k_no_environment);
  EXPECT_EQ(account.endpoint, "http://acct.blob.core.chinacloudapi.cn");
  EXPECT_EQ(account.key, k_other_key);
}

TEST(AzureAccount, DevelopmentStorageIsAzuritesWellKnownAccount) {
  const auto account = resolve_account(
      {}, environment_of({{"AZURE_STORAGE_CONNECTION_STRING", "UseDevelopmentStorage=true"}}));
  EXPECT_EQ(account.name, "devstoreaccount1");
  EXPECT_EQ(account.key, k_dev_key);
  EXPECT_EQ(account.endpoint, "http://127.0.0.1:10000/devstoreaccount1");
}

TEST(AzureAccount, PathStyleEndpointOptionNamesTheAccount) {
  const auto account = resolve_account(
      {{"endpointurl", "http://127.0.0.1:41234/devstoreaccount1/"}, {"account_key", k_dev_key}},
      k_no_environment);
  EXPECT_EQ(account.name, "devstoreaccount1");
  EXPECT_EQ(account.endpoint, "http://127.0.0.1:41234/devstoreaccount1");
}

TEST(AzureAccount, ExplicitOptionsBeatTheConnectionStringAndTheEnvironment) {
  const auto account = resolve_account(
      {{"connection_string",
        "AccountName=acct;AccountKey=" + k_other_key + ";BlobEndpoint=http://127.0.0.1:1/acct"},
       {"endpointurl", "http://127.0.0.1:2/acct"}},
      environment_of({{"AZURE_STORAGE_KEY", k_dev_key}, {"AZURE_STORAGE_ACCOUNT", "acct"}}));
  EXPECT_EQ(account.endpoint, "http://127.0.0.1:2/acct");
  EXPECT_EQ(account.key, k_other_key);
}

TEST(AzureAccount, AccountNameInConfigAndKeyInTheEnvironment) {
  const auto account = resolve_account({{"account_name", "acct"}},
                                       environment_of({{"AZURE_STORAGE_KEY", k_dev_key}}));
  EXPECT_EQ(account.name, "acct");
  EXPECT_EQ(account.key, k_dev_key);
}

TEST(AzureAccount, TheEnvironmentsCredentialsForAnotherAccountAreNotUsed) {
  const auto account =
      resolve_account({{"account_name", "mine"}},
                      environment_of({{"AZURE_STORAGE_CONNECTION_STRING",
                                       "AccountName=theirs;AccountKey=" + k_other_key}}));
  EXPECT_EQ(account.name, "mine");
  EXPECT_EQ(account.key, "");
  EXPECT_EQ(account.endpoint, "https://mine.blob.core.windows.net");
}

TEST(AzureAccount, SasTokenLosesItsQuestionMarkAndConfigCredentialsWinWhole) {
  const auto account = resolve_account(
      {{"account_name", "acct"}, {"sas_token", "?sv=2021-08-06&sr=c&sp=rl&sig=abc%3D"}},
      environment_of({{"AZURE_STORAGE_KEY", k_dev_key}}));
  EXPECT_EQ(account.sas, "sv=2021-08-06&sr=c&sp=rl&sig=abc%3D");
  EXPECT_EQ(account.key, "");
}

TEST(AzureAccount, SasFromTheEnvironment) {
  const auto account = resolve_account({{"account_name", "acct"}},
                                       environment_of({{"AZURE_STORAGE_SAS_TOKEN", "sv=1&sig=x"}}));
  EXPECT_EQ(account.sas, "sv=1&sig=x");
}

TEST(AzureAccount, BadValuesNameTheOptionButNotTheSecret) {
  auto message = bad_input_message(
      [] {
        resolve_account({{"account_name", "a"}, {"account_key", "not*base64"}}, k_no_environment);
      },
      "not*base64");
  EXPECT_NE(message.find("account_key"), std::string::npos) << message;
  message = bad_input_message(
      [] {
        resolve_account({{"account_name", "a"}, {"sas_token", "sv=2021&sp=r"}}, k_no_environment);
      },
      "sv=2021&sp=r");
  EXPECT_NE(message.find("sas_token"), std::string::npos) << message;
  message = bad_input_message([] {
    resolve_account({{"endpointurl", "127.0.0.1:10000/acct"}}, k_no_environment);
  });
  EXPECT_NE(message.find("endpointurl"), std::string::npos) << message;
  message = bad_input_message([] { resolve_account({}, k_no_environment); });
  EXPECT_NE(message.find("account"), std::string::npos) << message;
}

} // namespace
