// NumPy .npy (numpy.org, "NEP 1 / numpy.lib.format"): "\x93NUMPY", a major and minor version,
// a header length (2 bytes in version 1, 4 from version 2), then a Python dict literal such as
// {'descr': '<f4', 'fortran_order': False, 'shape': (32, 32), }, then the data. A .npz file is a
// zip of .npy members. The header literal is parsed here as text; nothing is evaluated.

#include "probes.hpp"
#include "readers.hpp"

#include <mlv/formats/range_source.hpp>
#include <mlv/formats/source_cursor.hpp>

#include <cctype>
#include <charconv>
#include <set>

namespace mlv::inspect::reader {

namespace {

constexpr std::string_view k_format = "numpy";
constexpr std::uint64_t k_magic_bytes = 6;
// numpy itself refuses headers over 10000 bytes unless told otherwise; a MiB is generous.
constexpr std::uint64_t k_max_header_bytes = 1 << 20;
// How much of a compressed member is decompressed first: enough for any header numpy writes.
constexpr std::size_t k_first_header_read = 4096;
constexpr int k_max_literal_depth = 16;
constexpr std::string_view k_member_suffix = ".npy";

// A Python literal from the header: a string, a number, True/False/None, a tuple or list, or a
// dict with string keys. `source` is the literal as written.
struct Literal {
  enum class Kind { string, number, constant, sequence, dict };
  Kind kind = Kind::constant;
  std::string source;
  std::string text; // a string's content, a number's or constant's spelling
  std::vector<Literal> items;
  std::vector<std::pair<std::string, Literal>> entries;

  // Defaulted below the class: clang with libstdc++ 12 cannot define them implicitly while
  // std::pair<std::string, Literal> is still incomplete.
  Literal();
  ~Literal();
  Literal(const Literal&);
  Literal(Literal&&) noexcept;
  Literal& operator=(const Literal&);
  Literal& operator=(Literal&&) noexcept;

  const Literal* find(std::string_view key) const {
    for (const auto& [name, value] : entries) {
      if (name == key) {
        return &value;
      }
    }
    return nullptr;
  }
};

Literal::Literal() = default;
Literal::~Literal() = default;
Literal::Literal(const Literal&) = default;
Literal::Literal(Literal&&) noexcept = default;
Literal& Literal::operator=(const Literal&) = default;
Literal& Literal::operator=(Literal&&) noexcept = default;

class LiteralParser {
public:
  LiteralParser(const formats::ByteSource& source, std::string_view text)
      : source_(source), text_(text) {}

  Literal document() {
    auto value = parse(0);
    skip_space();
    if (pos_ != text_.size()) {
      fail("unexpected text after the header dict");
    }
    return value;
  }

private:
  [[noreturn]] void fail(const std::string& what) const {
    formats::fail_bad_input(source_, k_format,
                            "header: " + what + " (at header byte " + std::to_string(pos_) + ")");
  }

  void skip_space() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_])) != 0) {
      ++pos_;
    }
  }

  Literal parse(int depth) {
    if (depth > k_max_literal_depth) {
      fail("nested too deeply");
    }
    skip_space();
    if (pos_ >= text_.size()) {
      fail("ends inside a value");
    }
    const std::size_t start = pos_;
    Literal value;
    const char c = text_[pos_];
    if (c == '\'' || c == '"') {
      value.kind = Literal::Kind::string;
      value.text = parse_string();
    } else if (c == '(' || c == '[') {
      value.kind = Literal::Kind::sequence;
      parse_items(c == '(' ? ')' : ']', [&] { value.items.push_back(parse(depth + 1)); });
    } else if (c == '{') {
      value.kind = Literal::Kind::dict;
      parse_items('}', [&] {
        skip_space();
        if (pos_ >= text_.size() || (text_[pos_] != '\'' && text_[pos_] != '"')) {
          fail("a dict key is not a string");
        }
        auto key = parse_string();
        skip_space();
        if (pos_ >= text_.size() || text_[pos_] != ':') {
          fail("expected ':' after a dict key");
        }
        ++pos_;
        value.entries.emplace_back(std::move(key), parse(depth + 1));
      });
    } else {
      value.kind = std::isdigit(static_cast<unsigned char>(c)) != 0 || c == '-'
                       ? Literal::Kind::number
                       : Literal::Kind::constant;
      while (pos_ < text_.size() &&
             (std::isalnum(static_cast<unsigned char>(text_[pos_])) != 0 || text_[pos_] == '-' ||
              text_[pos_] == '.' || text_[pos_] == '_')) {
        ++pos_;
      }
      value.text = std::string(text_.substr(start, pos_ - start));
      if (value.text.empty()) {
        fail(std::string("unexpected character '") + c + "'");
      }
    }
    value.source = std::string(text_.substr(start, pos_ - start));
    return value;
  }

  // Comma-separated items up to `close` (a trailing comma allowed), each read by `item`.
  template <typename Item>
  void parse_items(char close, Item item) {
    ++pos_;
    while (true) {
      skip_space();
      if (pos_ < text_.size() && text_[pos_] == close) {
        ++pos_;
        return;
      }
      item();
      skip_space();
      if (pos_ < text_.size() && text_[pos_] == ',') {
        ++pos_;
      } else if (pos_ >= text_.size() || text_[pos_] != close) {
        fail(std::string("expected ',' or '") + close + "'");
      }
    }
  }

  std::string parse_string() {
    const char quote = text_[pos_++];
    std::string out;
    while (pos_ < text_.size() && text_[pos_] != quote) {
      if (text_[pos_] == '\\' && pos_ + 1 < text_.size()) {
        ++pos_;
      }
      out += text_[pos_++];
    }
    if (pos_ >= text_.size()) {
      fail("unterminated string");
    }
    ++pos_;
    return out;
  }

  const formats::ByteSource& source_;
  std::string_view text_;
  std::size_t pos_ = 0;
};

struct NpyHeader {
  std::string version;
  std::string dtype;
  bool fortran_order = false;
  std::vector<std::int64_t> shape;
  std::uint64_t data_offset = 0;
};

// Bytes per element of a simple dtype ("<f4", "|b1", "<U8"); nullopt for structured dtypes.
std::optional<std::uint64_t> item_bytes(std::string_view dtype) {
  if (!dtype.empty() &&
      (dtype[0] == '<' || dtype[0] == '>' || dtype[0] == '|' || dtype[0] == '=')) {
    dtype.remove_prefix(1);
  }
  if (dtype.size() < 2) {
    return std::nullopt;
  }
  std::uint64_t count = 0;
  for (const char c : dtype.substr(1)) {
    if (std::isdigit(static_cast<unsigned char>(c)) == 0 || count > (1u << 30)) {
      return std::nullopt;
    }
    count = count * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return dtype[0] == 'U' ? count * 4 : count; // unicode is UCS-4
}

// Where the data of a .npy starting with `head` begins, by its version and header-length fields;
// 0 when `head` is too short to say.
std::uint64_t npy_header_end(std::string_view head) {
  if (head.size() < k_magic_bytes + 6) {
    return 0;
  }
  const auto byte = [&](std::size_t at) {
    return static_cast<std::uint64_t>(static_cast<unsigned char>(head[at]));
  };
  const std::size_t length_at = k_magic_bytes + 2;
  if (byte(k_magic_bytes) == 1) {
    return length_at + 2 + (byte(length_at) | byte(length_at + 1) << 8);
  }
  return length_at + 4 +
         (byte(length_at) | byte(length_at + 1) << 8 | byte(length_at + 2) << 16 |
          byte(length_at + 3) << 24);
}

NpyHeader read_npy_header(const formats::ByteSource& source) {
  formats::SourceCursor cursor(source, std::string(k_format));
  cursor.skip(k_magic_bytes);
  const unsigned major = cursor.u8();
  const unsigned minor = cursor.u8();
  const std::uint64_t length = major == 1 ? cursor.u16() : cursor.u32();
  if (major > 3) {
    cursor.fail("unknown .npy format version " + std::to_string(major));
  }
  if (length > k_max_header_bytes) {
    cursor.fail("a header of " + std::to_string(length) + " bytes (numpy writes a few hundred)");
  }
  const std::string text = cursor.bytes(length);
  const Literal header = LiteralParser(source, text).document();
  if (header.kind != Literal::Kind::dict) {
    formats::fail_bad_input(source, k_format, "the header is not a dict");
  }
  NpyHeader out;
  out.version = std::to_string(major) + "." + std::to_string(minor);
  out.data_offset = cursor.position();
  const auto* descr = header.find("descr");
  const auto* fortran = header.find("fortran_order");
  const auto* shape = header.find("shape");
  if (descr == nullptr || shape == nullptr || shape->kind != Literal::Kind::sequence) {
    formats::fail_bad_input(source, k_format, "the header lacks 'descr' or a 'shape' tuple");
  }
  out.dtype = descr->kind == Literal::Kind::string ? descr->text : descr->source;
  out.fortran_order = fortran != nullptr && fortran->text == "True";
  for (const auto& dimension : shape->items) {
    std::string digits = dimension.text;
    if (!digits.empty() && digits.back() == 'L') {
      digits.pop_back(); // Python 2 wrote long integers as 32L
    }
    std::int64_t size = 0;
    const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), size);
    if (dimension.kind != Literal::Kind::number || error != std::errc() ||
        end != digits.data() + digits.size() || size < 0) {
      formats::fail_bad_input(source, k_format,
                              "a shape entry '" + dimension.source + "' is not a size");
    }
    out.shape.push_back(size);
  }
  return out;
}

std::vector<Dimension> dimensions(const std::vector<std::int64_t>& shape) {
  return {shape.begin(), shape.end()};
}

// Object arrays ('O') hold pickled Python objects, which numpy.load unpickles.
bool holds_objects(std::string_view dtype) {
  return dtype == "|O" || dtype == "O" || dtype.find("'O'") != std::string_view::npos ||
         dtype.find("'|O'") != std::string_view::npos;
}

// The elements of the header's shape, after checking that the data holds them all (a
// truncated download fails here, naming the file).
// `data_bytes`: how many bytes follow the header (the member's size, for a deflated one).
std::uint64_t checked_elements(const formats::ByteSource& source,
                               const NpyHeader& header,
                               std::uint64_t data_bytes) {
  const auto count = element_count(dimensions(header.shape));
  if (!count) {
    formats::fail_bad_input(source, k_format, "the shape's element count overflows");
  }
  const auto size = item_bytes(header.dtype);
  if (size && *size != 0 && !holds_objects(header.dtype) && (*count > data_bytes / *size)) {
    formats::fail_bad_input(source, k_format,
                            header.dtype + " " + shape_text(dimensions(header.shape)) + " needs " +
                                std::to_string(*count) + " x " + std::to_string(*size) +
                                " bytes but the data holds " + std::to_string(data_bytes));
  }
  return *count;
}

} // namespace

void read_npy(const formats::ByteSource& source, Inspection& out) {
  const auto header = read_npy_header(source);
  out.add_fact("version", header.version);
  out.add_fact("dtype", header.dtype);
  out.add_fact("shape", header.shape);
  out.add_fact("fortran_order", header.fortran_order);
  out.add_fact("elements", checked_elements(source, header, source.size() - header.data_offset));
  out.add_fact("data_bytes", source.size() - header.data_offset);
  if (holds_objects(header.dtype)) {
    out.add_fact("pickled_objects", true);
  }
}

void read_npz(const formats::ByteSource& source, Inspection& out) {
  std::uint64_t elements = 0;
  std::uint64_t compressed = 0; // compressed members, read through their decompressed headers
  std::uint64_t unreadable = 0; // other compression methods, listed by name only
  std::set<std::string> dtypes;
  bool objects = false;
  for (const auto& entry : probe::list_zip_members(source)) {
    if (entry.is_directory()) {
      continue;
    }
    Tensor array;
    array.name = entry.name.ends_with(k_member_suffix)
                     ? entry.name.substr(0, entry.name.size() - k_member_suffix.size())
                     : entry.name;
    // savez_compressed deflates its members (zipfile may also bzip2 or LZMA them): their headers
    // are decompressed, their data not.
    std::optional<formats::MemorySource> head;
    std::optional<formats::RangeSource> stored = formats::stored_member(source, entry);
    if (!stored) {
      head = formats::compressed_member_head(source, entry, k_first_header_read);
      if (head && head->size() == k_first_header_read) {
        // A header longer than the first read (numpy writes a few hundred bytes): read it whole.
        if (const auto whole = npy_header_end(head->read_at(0, k_first_header_read));
            whole > k_first_header_read) {
          head = formats::compressed_member_head(
              source, entry, static_cast<std::size_t>(std::min(whole, k_max_header_bytes)));
        }
      }
    }
    const formats::ByteSource* member = stored ? static_cast<const formats::ByteSource*>(&*stored)
                                        : head ? &*head
                                               : nullptr;
    if (member != nullptr) {
      const auto header = read_npy_header(*member);
      const std::uint64_t member_size = stored ? stored->size() : entry.uncompressed_size;
      if (member_size < header.data_offset) {
        formats::fail_bad_input(*member, k_format, "the member is shorter than its header");
      }
      array.dtype = header.dtype;
      array.shape = dimensions(header.shape);
      array.bytes = member_size - header.data_offset;
      add_checked(source, k_format, elements,
                  checked_elements(*member, header, member_size - header.data_offset));
      dtypes.insert(header.dtype);
      objects = objects || holds_objects(header.dtype);
      compressed += stored ? 0 : 1;
    } else {
      ++unreadable;
    }
    out.tensors.push_back(std::move(array));
  }
  out.add_fact("arrays", static_cast<std::uint64_t>(out.tensors.size()));
  out.add_fact("elements", elements);
  out.add_fact("dtypes", std::vector<std::string>(dtypes.begin(), dtypes.end()));
  if (compressed > 0) {
    out.add_fact("compressed_arrays", compressed);
  }
  if (unreadable > 0) {
    out.add_fact("unreadable_arrays", unreadable);
  }
  if (objects) {
    out.add_fact("pickled_objects", true);
  }
}

} // namespace mlv::inspect::reader
