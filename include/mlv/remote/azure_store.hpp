#pragma once

#include <mlv/remote/object_store.hpp>

#include <memory>
#include <string>

namespace mlv::remote {

// An Azure Blob Storage container as a remote: azure://CONTAINER[/PREFIX], objects are block
// blobs below PREFIX. The account, endpoint and credentials come from the options and the
// environment (docs/remote-azure.md); requests go through the shared HTTP engine, signed with
// Shared Key or carrying a SAS. Error(bad_input) for a malformed URL or option.
std::unique_ptr<ObjectStore> make_azure_store(const std::string& url, const Options& options);

} // namespace mlv::remote
