#include "scanner.hpp"
#include "streams.hpp"

#include <mlv/formats/decompress.hpp>
#include <mlv/formats/zip_reader.hpp>
#include <mlv/util/error.hpp>

#include <algorithm>
#include <set>

namespace mlv::scan::detail {

namespace {

constexpr std::uint16_t k_stored = 0;
// Members whose name says pickle are scanned first: PyTorch's data.pkl names the storage
// records (data/0, data/1...) that hold raw tensor bytes, which are then passed over.
constexpr std::string_view k_pickle_suffix = ".pkl";
constexpr std::string_view k_torch_pickle = "/data.pkl";
constexpr std::string_view k_storage_folder = "/data/";
constexpr std::size_t k_head_bytes = 16;

// One way to read a member: where its data is and how it is compressed. The central directory
// and the local headers may each describe members the other does not, or describe them
// differently; every description is scanned.
struct Member {
  std::string name;               // as reported: the first name, and the others it goes by
  std::vector<std::string> names; // every name the directory and local headers give it
  std::uint16_t method = k_stored;
  std::uint64_t data_offset = 0;
  std::uint64_t size = 0; // compressed
};

void add_member(std::vector<Member>& members,
                const formats::ByteSource& source,
                const formats::ZipEntry& entry) {
  formats::ZipEntry header_only = entry;
  header_only.compressed_size = 0;
  std::uint64_t data_offset = 0;
  try {
    data_offset = formats::zip_member_data_offset(source, header_only);
  } catch (const Error&) {
    return; // no local header there: nothing a loader could read either
  }
  const std::uint64_t size = std::min(entry.compressed_size, source.size() - data_offset);
  for (auto& member : members) {
    if (member.data_offset == data_offset && member.method == entry.compression_method) {
      member.size = std::max(member.size, size);
      if (std::find(member.names.begin(), member.names.end(), entry.name) == member.names.end()) {
        member.names.push_back(entry.name);
        member.name = member.names.front() + " (also named";
        for (std::size_t i = 1; i < member.names.size(); ++i) {
          member.name += (i == 1 ? " " : ", ") + member.names[i];
        }
        member.name += ")";
      }
      return;
    }
  }
  members.push_back({entry.name, {entry.name}, entry.compression_method, data_offset, size});
}

// PyTorch's reader (caffe2's PyTorchFileReader) takes the archive's name from the folder of the
// central directory's first entry, and reads "<archive>/data.pkl" by that name.
std::string torch_archive_name(const std::vector<formats::ZipEntry>& entries) {
  if (entries.empty()) {
    return {};
  }
  const auto slash = entries.front().name.find('/');
  return slash == std::string::npos ? std::string() : entries.front().name.substr(0, slash);
}

std::vector<Member>
list_members(const formats::ByteSource& source, Scanner& scanner, std::string& archive) {
  std::vector<formats::ZipEntry> directory;
  try {
    directory = formats::read_zip_directory(source);
  } catch (const Error& error) {
    if (error.kind() != Failure::invalid_input) {
      throw;
    }
    scanner.note(std::string(error.what()) + "; members are found by their local headers");
  }
  std::vector<Member> members;
  for (const auto& entry : directory) {
    add_member(members, source, entry);
  }
  const auto local = formats::walk_zip_local_headers(source, directory);
  for (const auto& entry : local) {
    add_member(members, source, entry);
  }
  archive = torch_archive_name(directory.empty() ? local : directory);
  return members;
}

// Whether torch.load reads the member only as raw tensor bytes: every name it goes by is
// "<archive>/data/<key>" for a storage key the archive's own data.pkl names, and none is one a
// loader unpickles (.pkl) or numpy.load reads as an array (.npy, maybe of objects).
bool is_storage_record(const Member& member,
                       const std::string& archive,
                       const std::set<std::string>& keys) {
  if (archive.empty()) {
    return false;
  }
  const std::string folder = archive + std::string(k_storage_folder);
  return std::all_of(member.names.begin(), member.names.end(), [&](const std::string& name) {
    return name.starts_with(folder) && keys.contains(name.substr(folder.size())) &&
           !name.ends_with(k_pickle_suffix) && !name.ends_with(".npy");
  });
}

bool is_torch_pickle(const Member& member, const std::string& archive) {
  return !archive.empty() && std::find(member.names.begin(), member.names.end(),
                                       archive + std::string(k_torch_pickle)) != member.names.end();
}

// A member's bytes as a pickle (collecting PyTorch's storage keys) or as any other content.
void scan_member_stream(formats::ByteStream& stream, Scanner& scanner, PickleFacts& facts) {
  const std::string head = formats::read_up_to(stream, k_head_bytes);
  PrefixedStream whole(head, stream);
  if (formats::starts_like_pickle(head)) {
    formats::PickleInput input(whole);
    scan_pickle_sequence(input, scanner, &facts);
  } else {
    scan_content(whole, scanner);
  }
}

void scan_member(const formats::ByteSource& source,
                 const Member& member,
                 Scanner& scanner,
                 PickleFacts& facts) {
  if (member.method == k_stored) {
    Scanner::Layer layer(scanner, "zip", member.name);
    const SliceSource data(source, member.data_offset, member.size, member.name);
    if (formats::starts_like_pickle(data.read_at(0, k_head_bytes))) {
      formats::SourceStream stream(data);
      formats::PickleInput input(stream);
      scan_pickle_sequence(input, scanner, &facts);
    } else {
      scan_content(data, scanner); // random access kept: a stored zip in a zip
    }
    return;
  }
  if (formats::zip_method_readable(member.method)) {
    Scanner::Layer layer(scanner, "zip, " + formats::zip_method_name(member.method), member.name);
    const auto decoded = formats::open_zip_member(
        std::make_unique<formats::SourceStream>(source, member.data_offset, member.size),
        member.method);
    try {
      scan_member_stream(*decoded, scanner, facts);
    } catch (const Error& error) {
      if (error.kind() != Failure::invalid_input) {
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

void scan_zip(const formats::ByteSource& source, Scanner& scanner) {
  std::string archive;
  const auto members = list_members(source, scanner, archive);
  // torch's data.pkl first, for the storage keys it names; then every other member.
  std::vector<const Member*> order;
  for (const auto& member : members) {
    if (is_torch_pickle(member, archive)) {
      order.push_back(&member);
    }
  }
  const std::size_t torch_pickles = order.size();
  for (const auto& member : members) {
    if (!is_torch_pickle(member, archive)) {
      order.push_back(&member);
    }
  }
  std::set<std::string> keys;
  PickleFacts facts;
  for (std::size_t i = 0; i < order.size(); ++i) {
    const Member* member = order[i];
    if (member->size == 0 || (i >= torch_pickles && is_storage_record(*member, archive, keys))) {
      continue;
    }
    scan_member(source, *member, scanner, facts);
    if (i < torch_pickles) {
      keys.insert(facts.storage_keys.begin(), facts.storage_keys.end());
    }
    facts.storage_keys.clear();
  }
}

} // namespace mlv::scan::detail
