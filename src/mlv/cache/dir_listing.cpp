#include <mlv/cache/dir_listing.hpp>
#include <mlv/hash/sha256.hpp>
#include <mlv/util/error.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <filesystem>
#include <set>

namespace mlv::cache {

namespace {

constexpr std::string_view k_magic = "mlv-dir 1";
// Version 2 adds lines for empty folders; it is written only for listings that have one.
constexpr std::string_view k_magic_v2 = "mlv-dir 2";
// The id, size and mode fields of an empty folder's line.
constexpr std::string_view k_empty_dir_fields = "- 0 dir";

[[noreturn]] void fail(const std::string& source, std::size_t line, const std::string& what) {
  throw Error(Failure::invalid_input, source + ": line " + std::to_string(line) + ": " + what,
              "the dir listing is damaged; delete it and fetch or add the folder again");
}

bool is_safe_entry_path(std::string_view path) {
  if (path.empty() || path.front() == '/' || path.back() == '/' ||
      path.find("//") != std::string_view::npos) {
    return false;
  }
  for (const char c : path) {
    // Control characters (a newline would end the entry) and backslashes (Windows separators).
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f || c == '\\') {
      return false;
    }
  }
  for (const auto& part : std::filesystem::path(std::string(path))) {
    if (part == ".." || part == ".") {
      return false;
    }
  }
  return true;
}

constexpr const char* k_path_rule =
    "relative, '/'-separated, without '.', '..', empty parts, control characters or backslashes";

// An empty folder may not be the parent of another entry: the listing would name one folder both
// empty and not.
void check_folders_are_empty(const DirListing& listing, const std::string& source) {
  for (const auto& folder : listing.empty_dirs) {
    const auto inside = folder + "/";
    const auto is_inside = [&](const std::string& path) { return path.starts_with(inside); };
    if (std::any_of(listing.entries.begin(), listing.entries.end(),
                    [&](const DirEntry& entry) { return is_inside(entry.path); }) ||
        std::any_of(listing.empty_dirs.begin(), listing.empty_dirs.end(), is_inside)) {
      throw Error(Failure::invalid_input,
                  source + ": empty folder '" + folder + "' has entries inside it",
                  "the dir listing is damaged; delete it and fetch or add the folder again");
    }
  }
}

} // namespace

std::uint64_t DirListing::total_size() const {
  std::uint64_t total = 0;
  for (const auto& entry : entries) {
    total += entry.size;
  }
  return total;
}

std::string serialize_dir_listing(const DirListing& listing) {
  check_folders_are_empty(listing, "dir listing");
  // Empty folders join the files as entries without an id, in one path order. Sorted by
  // reference: a folder may list 100,000 files.
  std::vector<DirEntry> empty_dirs;
  empty_dirs.reserve(listing.empty_dirs.size());
  for (const auto& folder : listing.empty_dirs) {
    empty_dirs.push_back({folder, {}, 0, false});
  }
  std::vector<const DirEntry*> entries;
  entries.reserve(listing.entries.size() + empty_dirs.size());
  std::size_t text_size = 0;
  for (const auto* group :
       std::array<const std::vector<DirEntry>*, 2>{&listing.entries, &empty_dirs}) {
    for (const auto& entry : *group) {
      entries.push_back(&entry);
      text_size += entry.path.size() + entry.id.size() + 32;
    }
  }
  std::sort(entries.begin(), entries.end(),
            [](const auto* a, const auto* b) { return a->path < b->path; });
  std::string out(listing.empty_dirs.empty() ? k_magic : k_magic_v2);
  out += '\n';
  out.reserve(out.size() + text_size);
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const auto& entry = *entries[i];
    // Refuse what parse_dir_listing would refuse, so no listing is written that cannot be read.
    if (!is_safe_entry_path(entry.path)) {
      throw Error(Failure::invalid_input,
                  "cannot list '" + entry.path + "' in a tracked folder: a path must be " +
                      k_path_rule,
                  "rename the file");
    }
    if (i > 0 && entries[i - 1]->path == entry.path) {
      throw Error(Failure::invalid_input, "dir listing: path '" + entry.path + "' appears twice");
    }
    if (entry.id.empty()) {
      out += k_empty_dir_fields;
      out += ' ';
      out += entry.path;
      out += '\n';
      continue;
    }
    if (!hash::is_content_id(entry.id)) {
      throw Error(Failure::invalid_input,
                  "dir listing: '" + entry.id + "' (for " + entry.path + ") is not a content id");
    }
    out += entry.id;
    out += ' ';
    out += std::to_string(entry.size);
    out += entry.executable ? " 755 " : " 644 ";
    out += entry.path;
    out += '\n';
  }
  return out;
}

std::string dir_listing_id(const DirListing& listing) {
  return hash::sha256_hex(serialize_dir_listing(listing));
}

DirListing parse_dir_listing(std::string_view text, const std::string& source) {
  std::size_t line_number = 0;
  std::size_t position = 0;
  DirListing listing;
  std::set<std::string_view> seen;
  std::string_view previous;
  bool version_2 = false;
  while (position < text.size()) {
    const auto end = text.find('\n', position);
    ++line_number;
    if (end == std::string_view::npos) {
      fail(source, line_number, "the last line has no newline");
    }
    const auto line = text.substr(position, end - position);
    position = end + 1;
    if (line_number == 1) {
      version_2 = line == k_magic_v2;
      if (line != k_magic && !version_2) {
        fail(source, 1, "not an mlv dir listing of version 1 or 2");
      }
      continue;
    }
    // <id> <size> <mode> <path>; the path is the rest of the line and may contain spaces.
    const auto first = line.find(' ');
    const auto second = first == std::string_view::npos ? first : line.find(' ', first + 1);
    const auto third = second == std::string_view::npos ? second : line.find(' ', second + 1);
    if (third == std::string_view::npos) {
      fail(source, line_number, "expected '<id> <size> <mode> <path>'");
    }
    const bool empty_dir = version_2 && line.substr(0, third) == k_empty_dir_fields;
    DirEntry entry;
    const auto id = line.substr(0, first);
    if (!empty_dir && !hash::is_content_id(id)) {
      fail(source, line_number, "'" + std::string(id) + "' is not a 64-digit hex id");
    }
    entry.id = std::string(id);
    const auto size_text = line.substr(first + 1, second - first - 1);
    const auto mode = line.substr(second + 1, third - second - 1);
    const auto path = line.substr(third + 1);
    const auto [size_end, size_error] =
        std::from_chars(size_text.data(), size_text.data() + size_text.size(), entry.size);
    if (size_error != std::errc() || size_end != size_text.data() + size_text.size() ||
        size_text.empty()) {
      fail(source, line_number, "size '" + std::string(size_text) + "' is not a number");
    }
    if (!empty_dir && mode != "644" && mode != "755") {
      fail(source, line_number, "mode '" + std::string(mode) + "' is neither 644 nor 755");
    }
    entry.executable = mode == "755";
    if (!is_safe_entry_path(path)) {
      fail(source, line_number,
           "unsafe path '" + std::string(path) + "' (a path must be " + k_path_rule + ")");
    }
    if (!seen.insert(path).second) {
      fail(source, line_number, "duplicate path '" + std::string(path) + "'");
    }
    if (!previous.empty() && path < previous) {
      fail(source, line_number, "entries are not sorted by path");
    }
    previous = path;
    if (empty_dir) {
      listing.empty_dirs.emplace_back(path);
      continue;
    }
    entry.path = std::string(path);
    listing.entries.push_back(std::move(entry));
  }
  if (line_number == 0) {
    fail(source, 1, "empty file");
  }
  if (version_2 && listing.empty_dirs.empty()) {
    fail(source, 1, "a version 2 listing without empty folders (it must be written as version 1)");
  }
  check_folders_are_empty(listing, source);
  return listing;
}

} // namespace mlv::cache
