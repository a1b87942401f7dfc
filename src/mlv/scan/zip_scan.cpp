#include "scanner.hpp"
#include "streams.hpp"

#include <mlv/inspect/decompress.hpp>
#include <mlv/inspect/zip_reader.hpp>
#include <mlv/util/error.hpp>

#include <algorithm>
#include <set>

namespace mlv::scan::detail {

namespace {

constexpr std::uint16_t k_stored = 0;
constexpr std::uint16_t k_deflated = 8;
// Members whose name says pickle are scanned first: PyTorch's data.pkl names the storage
// records (data/0, data/1...) that hold raw tensor bytes, which are then passed over.
constexpr std::string_view k_pickle_suffix = ".pkl";
constexpr std::string_view k_storage_folder = "data/";
constexpr std::size_t k_head_bytes = 16;

// One way to read a member: where its data is and how it is compressed. The central directory
// and the local headers may each describe members the other does not, or describe them
// differently; every description is scanned.
struct Member {
  std::string name;
  std::uint16_t method = k_stored;
  std::uint64_t data_offset = 0;
  std::uint64_t size = 0; // compressed
};

void add_member(std::vector<Member>& members,
                const inspect::ByteSource& source,
                const inspect::ZipEntry& entry) {
  inspect::ZipEntry header_only = entry;
  header_only.compressed_size = 0;
  std::uint64_t data_offset = 0;
  try {
    data_offset = inspect::zip_member_data_offset(source, header_only);
  } catch (const Error&) {
    return; // no local header there: nothing a loader could read either
  }
  const std::uint64_t size = std::min(entry.compressed_size, source.size() - data_offset);
  for (auto& member : members) {
    if (member.data_offset == data_offset && member.method == entry.compression_method) {
      member.size = std::max(member.size, size);
      if (member.name != entry.name && member.name.find(" (local header: ") == std::string::npos) {
        member.name += " (local header: " + entry.name + ")";
      }
      return;
    }
  }
  members.push_back({entry.name, entry.compression_method, data_offset, size});
}

std::vector<Member> list_members(const inspect::ByteSource& source, Scanner& scanner) {
  std::vector<inspect::ZipEntry> directory;
  try {
    directory = inspect::read_zip_directory(source);
  } catch (const Error& error) {
    if (error.code() != ExitCode::bad_input) {
      throw;
    }
    scanner.note(std::string(error.what()) + "; members are found by their local headers");
  }
  std::vector<Member> members;
  for (const auto& entry : directory) {
    add_member(members, source, entry);
  }
  for (const auto& entry : inspect::walk_zip_local_headers(source, directory)) {
    add_member(members, source, entry);
  }
  return members;
}

bool is_storage_record(const std::string& name, const std::set<std::string>& keys) {
  const auto folder = name.rfind(k_storage_folder);
  if (folder == std::string::npos || (folder != 0 && name[folder - 1] != '/')) {
    return false;
  }
  return keys.contains(name.substr(folder + k_storage_folder.size()));
}

// A member's bytes as a pickle (collecting PyTorch's storage keys) or as any other content.
void scan_member_stream(inspect::ByteStream& stream, Scanner& scanner, PickleFacts& facts) {
  const std::string head = inspect::read_up_to(stream, k_head_bytes);
  PrefixedStream whole(head, stream);
  if (inspect::starts_like_pickle(head)) {
    inspect::PickleInput input(whole);
    scan_pickle_sequence(input, scanner, &facts);
  } else {
    scan_content(whole, scanner);
  }
}

void scan_member(const inspect::ByteSource& source,
                 const Member& member,
                 Scanner& scanner,
                 PickleFacts& facts) {
  if (member.method == k_stored) {
    Scanner::Layer layer(scanner, "zip", member.name);
    const SliceSource data(source, member.data_offset, member.size, member.name);
    if (inspect::starts_like_pickle(data.read_at(0, k_head_bytes))) {
      inspect::SourceStream stream(data);
      inspect::PickleInput input(stream);
      scan_pickle_sequence(input, scanner, &facts);
    } else {
      scan_content(data, scanner); // random access kept: a stored zip in a zip
    }
    return;
  }
  if (member.method == k_deflated) {
    Scanner::Layer layer(scanner, "zip, deflated", member.name);
    const auto inflated = inspect::open_raw_deflate(
        std::make_unique<inspect::SourceStream>(source, member.data_offset, member.size));
    try {
      scan_member_stream(*inflated, scanner, facts);
    } catch (const Error& error) {
      if (error.code() != ExitCode::bad_input) {
        throw;
      }
      scanner.unscanned(0, std::string("could not read the member to its end: ") + error.what());
    }
    return;
  }
  Scanner::Layer layer(scanner, "zip", member.name);
  scanner.unscanned(0, "zip member " + member.name + " uses compression method " +
                           std::to_string(member.method) + ", which the scanner does not read");
}

} // namespace

void scan_zip(const inspect::ByteSource& source, Scanner& scanner) {
  const auto members = list_members(source, scanner);
  PickleFacts facts;
  std::vector<const Member*> order;
  for (const auto& member : members) {
    if (member.name.ends_with(k_pickle_suffix)) {
      order.push_back(&member);
    }
  }
  for (const auto& member : members) {
    if (!member.name.ends_with(k_pickle_suffix)) {
      order.push_back(&member);
    }
  }
  std::set<std::string> keys;
  for (const auto* member : order) {
    keys.insert(facts.storage_keys.begin(), facts.storage_keys.end());
    facts.storage_keys.clear();
    if (member->size == 0 || is_storage_record(member->name, keys)) {
      continue;
    }
    scan_member(source, *member, scanner, facts);
  }
}

} // namespace mlv::scan::detail
