#include <mlv/cache/manifest.hpp>
#include <mlv/hash/sha256.hpp>
#include <mlv/util/error.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <limits>
#include <optional>
#include <sstream>

namespace mlv::cache {

namespace {

// Version 2 is written only for a manifest with a chunk stored compressed; every other manifest
// stays version 1, byte for byte, so an older mlv still reads it.
constexpr std::string_view k_magic = "mlv-manifest 1";
constexpr std::string_view k_magic_v2 = "mlv-manifest 2";

constexpr std::array<std::pair<ChunkEncoding, std::string_view>, 3> k_encoding_names = {{
    {ChunkEncoding::zstd, "zstd"},
    {ChunkEncoding::zstd_grouped2, "zstd-bg2"},
    {ChunkEncoding::zstd_grouped4, "zstd-bg4"},
}};

std::string_view encoding_name(ChunkEncoding encoding) {
  for (const auto& [value, name] : k_encoding_names) {
    if (value == encoding) {
      return name;
    }
  }
  return "raw";
}
constexpr std::size_t k_size_line = 3;

class LineReader {
public:
  LineReader(std::string_view text, const std::string& source) : text_(text), source_(source) {}

  std::string_view next(const char* expected) {
    if (position_ >= text_.size()) {
      fail("ends early; expected " + std::string(expected));
    }
    const auto end = text_.find('\n', position_);
    if (end == std::string_view::npos) {
      fail("the last line has no newline");
    }
    ++line_;
    const auto line = text_.substr(position_, end - position_);
    position_ = end + 1;
    return line;
  }

  bool at_end() const { return position_ >= text_.size(); }

  // Fails on the line after the last one read (text found where none is expected).
  [[noreturn]] void fail_on_next_line(const std::string& what) {
    ++line_;
    fail(what);
  }

  [[noreturn]] void fail(const std::string& what) const {
    throw Error(Failure::invalid_input, source_ + ": line " + std::to_string(line_) + ": " + what,
                "the manifest is damaged; delete it and fetch or push again");
  }

private:
  std::string_view text_;
  const std::string& source_;
  std::size_t position_ = 0;
  std::size_t line_ = 0;
};

// The space-separated words of a line, when there are exactly N of them (no allocation: a 1 GiB
// file's manifest has about 16k lines).
template <std::size_t N>
std::optional<std::array<std::string_view, N>> split(std::string_view line) {
  std::array<std::string_view, N> words;
  std::size_t start = 0;
  for (std::size_t i = 0; i < N; ++i) {
    const auto end = i + 1 < N ? line.find(' ', start) : line.size();
    if (end == std::string_view::npos) {
      return std::nullopt;
    }
    words[i] = line.substr(start, end - start);
    start = end + 1;
  }
  if (words[N - 1].find(' ') != std::string_view::npos) {
    return std::nullopt;
  }
  return words;
}

template <typename T>
T number(std::string_view text, const LineReader& reader, const char* what) {
  T value{};
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || text.empty()) {
    reader.fail(std::string(what) + " '" + std::string(text) + "' is not a number");
  }
  return value;
}

std::string id(std::string_view text, const LineReader& reader, const char* what) {
  if (!hash::is_content_id(text)) {
    reader.fail(std::string(what) + " '" + std::string(text) + "' is not a 64-digit hex id");
  }
  return std::string(text);
}

std::string_view keyed(std::string_view line, std::string_view key, const LineReader& reader) {
  if (!line.starts_with(key) || line.size() <= key.size() || line[key.size()] != ' ') {
    reader.fail("expected '" + std::string(key) + " ...'");
  }
  return line.substr(key.size() + 1);
}

chunk::Params parse_chunker(std::string_view line, const LineReader& reader) {
  const auto split_words = split<5>(keyed(line, "chunker", reader));
  if (!split_words || (*split_words)[0] != "fastcdc") {
    reader.fail("expected 'chunker fastcdc min=N avg=N max=N gear=NAME'");
  }
  const auto& words = *split_words;
  chunk::Params params;
  const auto value = [&](std::string_view word, std::string_view name) {
    if (!word.starts_with(name) || word.size() <= name.size() || word[name.size()] != '=') {
      reader.fail("expected " + std::string(name) + "=...");
    }
    return word.substr(name.size() + 1);
  };
  params.min_size = number<std::uint32_t>(value(words[1], "min"), reader, "min");
  params.avg_size = number<std::uint32_t>(value(words[2], "avg"), reader, "avg");
  params.max_size = number<std::uint32_t>(value(words[3], "max"), reader, "max");
  if (value(words[4], "gear") != chunk::k_gear_table_name) {
    reader.fail("unknown gear table '" + std::string(value(words[4], "gear")) + "'");
  }
  if (params.min_size == 0 || params.min_size > params.avg_size ||
      params.avg_size > params.max_size) {
    reader.fail("chunker sizes must satisfy 0 < min <= avg <= max");
  }
  return params;
}

} // namespace

std::string serialize_manifest(const Manifest& manifest) {
  std::string out;
  out.reserve(96 + manifest.chunks.size() * 150);
  const bool encoded =
      std::any_of(manifest.chunks.begin(), manifest.chunks.end(),
                  [](const ChunkEntry& entry) { return entry.encoding != ChunkEncoding::raw; });
  out += encoded ? k_magic_v2 : k_magic;
  out += "\nid " + manifest.id + "\nsize " + std::to_string(manifest.size) + "\n";
  out += "chunker fastcdc min=" + std::to_string(manifest.params.min_size) +
         " avg=" + std::to_string(manifest.params.avg_size) +
         " max=" + std::to_string(manifest.params.max_size) + " gear=" + chunk::k_gear_table_name +
         "\n";
  out += "chunks " + std::to_string(manifest.chunks.size()) + "\n";
  for (const auto& entry : manifest.chunks) {
    out += entry.id;
    out += ' ';
    out += std::to_string(entry.length);
    if (entry.pack.empty()) {
      out += " - -\n";
    } else {
      out += ' ' + entry.pack + ' ' + std::to_string(entry.pack_offset);
      if (entry.encoding != ChunkEncoding::raw) {
        out += ' ' + std::to_string(entry.stored_length) + ' ';
        out += encoding_name(entry.encoding);
      }
      out += '\n';
    }
  }
  return out;
}

Manifest parse_manifest(std::string_view text, const std::string& source) {
  LineReader reader(text, source);
  const auto header = reader.next("the header");
  const bool version2 = header == k_magic_v2;
  if (header != k_magic && !version2) {
    reader.fail("not an mlv manifest of version 1 or 2 (expected '" + std::string(k_magic) +
                "'); a newer mlv may have written it: upgrade mlv");
  }
  bool any_encoded = false;
  Manifest manifest;
  manifest.id = id(keyed(reader.next("id"), "id", reader), reader, "file id");
  manifest.size = number<std::uint64_t>(keyed(reader.next("size"), "size", reader), reader, "size");
  manifest.params = parse_chunker(reader.next("chunker"), reader);
  const auto count =
      number<std::uint64_t>(keyed(reader.next("chunks"), "chunks", reader), reader, "chunk count");
  if (count > manifest.size + 1) {
    reader.fail("more chunks than bytes");
  }
  manifest.chunks.reserve(count);
  std::uint64_t total = 0;
  for (std::uint64_t i = 0; i < count; ++i) {
    const auto line = reader.next("a chunk line");
    auto split_words = split<4>(line);
    const auto encoded_words = split_words || !version2 ? std::nullopt : split<6>(line);
    if (!split_words && !encoded_words) {
      reader.fail(version2 ? "expected '<chunk id> <length> <pack id|-> <offset|->' or "
                             "'<chunk id> <length> <pack id> <offset> <stored length> <encoding>'"
                           : "expected '<chunk id> <length> <pack id|-> <offset|->'");
    }
    const std::array<std::string_view, 4> words =
        split_words ? *split_words
                    : std::array<std::string_view, 4>{(*encoded_words)[0], (*encoded_words)[1],
                                                      (*encoded_words)[2], (*encoded_words)[3]};
    ChunkEntry entry;
    entry.id = id(words[0], reader, "chunk id");
    entry.length = number<std::uint32_t>(words[1], reader, "chunk length");
    if (entry.length == 0 || entry.length > manifest.params.max_size) {
      reader.fail("chunk length " + std::to_string(entry.length) + " is outside 1..max");
    }
    if (words[2] != "-" || words[3] != "-") {
      entry.pack = id(words[2], reader, "pack id");
      entry.pack_offset = number<std::uint64_t>(words[3], reader, "pack offset");
    }
    if (encoded_words) {
      if (entry.pack.empty()) {
        reader.fail("a chunk without a pack has no stored form");
      }
      entry.stored_length = number<std::uint32_t>((*encoded_words)[4], reader, "stored length");
      const auto name = (*encoded_words)[5];
      const auto known = std::find_if(k_encoding_names.begin(), k_encoding_names.end(),
                                      [&](const auto& pair) { return pair.second == name; });
      if (known == k_encoding_names.end()) {
        reader.fail("unknown chunk encoding '" + std::string(name) +
                    "' (known: zstd, zstd-bg2, zstd-bg4); a newer mlv may have written it");
      }
      if (entry.stored_length == 0) {
        reader.fail("stored length 0");
      }
      entry.encoding = known->first;
      any_encoded = true;
    }
    if (!entry.pack.empty() &&
        entry.pack_offset > std::numeric_limits<std::uint64_t>::max() - entry.pack_length()) {
      // A reader adds the two to find where the chunk ends in its pack.
      reader.fail("pack offset " + std::to_string(entry.pack_offset) + " plus the chunk's " +
                  std::to_string(entry.pack_length()) + " bytes passes 2^64");
    }
    total += entry.length;
    manifest.chunks.push_back(std::move(entry));
  }
  if (!reader.at_end()) {
    reader.fail_on_next_line("unexpected text after the last chunk");
  }
  if (version2 && !any_encoded) {
    throw Error(Failure::invalid_input,
                source + ": line 1: a version 2 manifest without a compressed chunk",
                "the manifest is damaged; delete it and fetch or push again");
  }
  if (total != manifest.size) {
    throw Error(Failure::invalid_input,
                source + ": line " + std::to_string(k_size_line) + ": size " +
                    std::to_string(manifest.size) + " but the chunk lengths add up to " +
                    std::to_string(total),
                "the manifest is damaged; delete it and fetch or push again");
  }
  return manifest;
}

Manifest make_manifest(const std::string& file_id,
                       std::uint64_t size,
                       const chunk::Params& params,
                       const std::vector<chunk::ChunkInfo>& chunks) {
  Manifest manifest;
  manifest.id = file_id;
  manifest.size = size;
  manifest.params = params;
  manifest.chunks.reserve(chunks.size());
  for (const auto& info : chunks) {
    manifest.chunks.push_back({info.id, info.length, {}, 0});
  }
  return manifest;
}

} // namespace mlv::cache
