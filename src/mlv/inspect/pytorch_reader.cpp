// PyTorch checkpoints (torch/serialization.py). The zip format (torch >= 1.6): a folder named
// after the archive holding data.pkl (the pickled object), one data/<key> record per tensor
// storage, and small text records: version, byteorder, .data/version, .data/serialization_id;
// TorchScript archives add code/ and constants.pkl. The legacy format: a pickled magic number,
// a pickled protocol version, a pickled sys_info dict, then the object and the raw storages.

#include "probes.hpp"
#include "readers.hpp"

#include <mlv/formats/pickle_machine.hpp>
#include <mlv/formats/range_source.hpp>

#include <algorithm>

namespace mlv::inspect::reader {

namespace {

constexpr std::string_view k_data_pickle = "data.pkl";
constexpr std::size_t k_legacy_pickles_before_object = 3;
constexpr std::string_view k_records_folder = "data/";
constexpr std::string_view k_code_folder = "code/";
// The text records worth showing, and the fact each becomes.
constexpr std::pair<std::string_view, std::string_view> k_text_records[] = {
    {"version", "version"},
    {"byteorder", "byteorder"},
    {".data/version", "data_version"},
    {".data/serialization_id", "serialization_id"},
};
constexpr std::uint64_t k_max_text_record = 256;
// The legacy header (three small pickles) fits well within this.
constexpr std::size_t k_legacy_head_bytes = 4096;
constexpr std::string_view k_legacy_magic_number = "0x1950a86a20f9469cfc6c";
constexpr std::string_view k_little_endian_key = "little_endian";
// Pickle opcodes the legacy header uses.
constexpr unsigned char k_op_proto = 0x80, k_op_frame = 0x95, k_op_stop = '.', k_op_binint1 = 'K',
                        k_op_binint2 = 'M', k_op_binint = 'J', k_op_binput = 'q',
                        k_op_long_binput = 'r', k_op_memoize = 0x94, k_op_newtrue = 0x88,
                        k_op_newfalse = 0x89;

std::string trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ' ||
                           text.back() == '\0')) {
    text.pop_back();
  }
  return text;
}

// A small stored record's text; nullopt when absent, compressed or implausibly large.
std::optional<std::string> text_record(const formats::ByteSource& source,
                                       const std::vector<formats::ZipEntry>& members,
                                       const std::string& name) {
  for (const auto& entry : members) {
    if (entry.name == name && entry.uncompressed_size <= k_max_text_record) {
      if (const auto member = formats::stored_member(source, entry)) {
        return trimmed(member->read_at(0, k_max_text_record));
      }
    }
  }
  return std::nullopt;
}

// Steps over PROTO and an optional FRAME at `pos`; false when the bytes are not a pickle start.
bool skip_pickle_start(std::string_view head, std::size_t& pos) {
  if (pos + 2 > head.size() || static_cast<unsigned char>(head[pos]) != k_op_proto) {
    return false;
  }
  pos += 2;
  if (pos < head.size() && static_cast<unsigned char>(head[pos]) == k_op_frame) {
    pos += 9;
  }
  return pos <= head.size();
}

// The integer of a one-integer pickle (BININT1, BININT2 or BININT) followed by STOP.
std::optional<std::uint64_t> read_int_pickle(std::string_view head, std::size_t& pos) {
  if (!skip_pickle_start(head, pos) || pos >= head.size()) {
    return std::nullopt;
  }
  const auto op = static_cast<unsigned char>(head[pos++]);
  const std::size_t width = op == k_op_binint1   ? 1
                            : op == k_op_binint2 ? 2
                            : op == k_op_binint  ? 4
                                                 : 0;
  if (width == 0 || pos + width >= head.size()) {
    return std::nullopt;
  }
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < width; ++i) {
    value |= static_cast<std::uint64_t>(static_cast<unsigned char>(head[pos + i])) << (8 * i);
  }
  pos += width;
  if (static_cast<unsigned char>(head[pos++]) != k_op_stop) {
    return std::nullopt;
  }
  return value;
}

// sys_info's little_endian flag: the key's string, an optional memo opcode, then True/False.
std::optional<bool> little_endian_flag(std::string_view head, std::size_t from) {
  const auto key = head.find(k_little_endian_key, from);
  if (key == std::string_view::npos) {
    return std::nullopt;
  }
  std::size_t pos = key + k_little_endian_key.size();
  if (pos < head.size()) {
    const auto op = static_cast<unsigned char>(head[pos]);
    pos += op == k_op_binput ? 2 : op == k_op_long_binput ? 5 : op == k_op_memoize ? 1 : 0;
  }
  if (pos >= head.size()) {
    return std::nullopt;
  }
  const auto op = static_cast<unsigned char>(head[pos]);
  if (op == k_op_newtrue || op == k_op_newfalse) {
    return op == k_op_newtrue;
  }
  return std::nullopt;
}

} // namespace

void read_pytorch_zip(const formats::ByteSource& source, Inspection& out) {
  const auto members = probe::list_zip_members(source);
  const auto pickle =
      std::find_if(members.begin(), members.end(), [](const formats::ZipEntry& entry) {
        return probe::names_file(entry, k_data_pickle);
      });
  if (pickle == members.end()) {
    return; // detection found data.pkl; a racing change of the file is no reason to fail
  }
  const std::string archive =
      pickle->name.size() > k_data_pickle.size()
          ? pickle->name.substr(0, pickle->name.size() - k_data_pickle.size() - 1)
          : std::string();
  const std::string prefix = archive.empty() ? "" : archive + "/";
  out.add_fact("archive", archive);

  std::uint64_t record_bytes = 0;
  bool torchscript = false;
  for (const auto& entry : members) {
    if (entry.is_directory() || !entry.name.starts_with(prefix)) {
      continue;
    }
    const std::string_view inside = std::string_view(entry.name).substr(prefix.size());
    if (inside.starts_with(k_records_folder)) {
      Tensor record;
      record.name = std::string(inside);
      record.bytes = entry.uncompressed_size;
      add_checked(source, "PyTorch", record_bytes, entry.uncompressed_size);
      out.tensors.push_back(std::move(record));
    }
    torchscript = torchscript || inside.starts_with(k_code_folder);
  }
  out.add_fact("tensor_records", static_cast<std::uint64_t>(out.tensors.size()));
  out.add_fact("record_bytes", record_bytes);
  for (const auto& [record, fact] : k_text_records) {
    if (const auto text = text_record(source, members, prefix + std::string(record))) {
      out.add_fact(std::string(fact), *text);
    }
  }
  if (const auto data = formats::stored_member(source, *pickle)) {
    if (const auto protocol = formats::declared_pickle_protocol(data->read_at(0, 2))) {
      out.add_fact("pickle_protocol", static_cast<std::uint64_t>(*protocol));
    }
    formats::SourceStream stream(*data);
    add_pickle_walk(stream, out);
  }
  if (torchscript) {
    out.add_fact("torchscript", true);
  }
}

void read_pytorch_legacy(const formats::ByteSource& source, Inspection& out) {
  const std::string head = source.read_at(0, k_legacy_head_bytes);
  out.add_fact("magic_number", std::string(k_legacy_magic_number));
  if (const auto protocol = formats::declared_pickle_protocol(head)) {
    out.add_fact("pickle_protocol", static_cast<std::uint64_t>(*protocol));
  }
  // The magic number's pickle: PROTO [FRAME] LONG1 <magic> STOP.
  std::size_t pos = 0;
  if (!skip_pickle_start(head, pos) ||
      std::string_view(head).substr(pos, formats::k_torch_legacy_magic.size()) !=
          formats::k_torch_legacy_magic) {
    return;
  }
  pos += formats::k_torch_legacy_magic.size() + 1;
  if (const auto version = read_int_pickle(head, pos)) {
    out.add_fact("protocol_version", *version);
  }
  if (const auto little = little_endian_flag(head, pos)) {
    out.add_fact("byteorder", std::string(*little ? "little" : "big"));
  }
  // The magic number, the protocol version and sys_info come first; the object is the fourth
  // pickle (its storages follow the fifth).
  formats::SourceStream stream(source);
  const auto object = formats::summarize_pickle(stream, k_legacy_pickles_before_object);
  out.classes = object.root_classes;
}

} // namespace mlv::inspect::reader
