#pragma once

#include <mlv/formats/byte_source.hpp>
#include <mlv/scan/rules.hpp>

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace mlv::scan {

// The verdict on one file (docs/safety.md): unsafe when a pickle in it names a callable on the
// deny-list, suspicious when it names one outside the allow-list (or holds pickle data that
// could not be scanned), clean otherwise, which includes every file that holds no pickle.
enum class Verdict { clean, suspicious, unsafe };

std::string_view verdict_name(Verdict verdict);
std::string_view severity_name(Severity severity);

// The `callable` of a finding about pickle data that could not be read (its `reason` says why).
inline constexpr std::string_view k_unscanned_callable = "<unscanned>";

// One callable that loading the file would import or call.
struct Finding {
  Severity severity = Severity::suspicious;
  // "module.qualname" as the pickle names it; "?" for a part that cannot be resolved statically,
  // "<unscanned>" for pickle data that could not be read.
  std::string callable;
  // Byte offset of the opcode that calls the callable (or, when nothing calls it, that names
  // it), counted in the stream that holds it: the file, a zip or tar member's data, or
  // decompressed bytes, as `container` says.
  std::uint64_t offset = 0;
  std::string member;    // the zip or tar member holding the stream; empty when none
  std::string container; // the layers from the file to the stream: "zip > pickle", "zlib > pickle"
  std::string reason;    // the deny-list category, or why it is not allowed
};

struct ScanReport {
  std::string path;
  // As `mlv add` detects it (docs/formats-detection.md); filled by `mlv scan`, which shows it,
  // not by the scan itself (add and the checkout policy have detected it already or need not).
  std::string format;
  Verdict verdict = Verdict::clean;
  std::vector<Finding> findings;      // stream by stream, each in offset order
  std::uint64_t findings_omitted = 0; // repeats of a callable past a cap, counted only
  std::vector<std::string> notes;     // where a stream broke off or a layer was not followed
  std::uint64_t pickle_streams = 0;   // pickle streams scanned
};

// Scans a file statically: never imports, unpickles or runs anything. Throws Error only when the
// file cannot be read; damaged content is scanned as far as it goes (and noted).
ScanReport scan_file(const std::filesystem::path& path);
// The same for bytes that are not a file of their own; `name` is used in the report.
ScanReport scan_source(const formats::ByteSource& source, const std::string& name);

} // namespace mlv::scan
