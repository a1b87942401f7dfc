#pragma once

// Private to the scan module: the state of one file's scan, and the walkers of each kind of
// content, which call each other as containers nest.

#include <mlv/formats/byte_source.hpp>
#include <mlv/formats/byte_stream.hpp>
#include <mlv/formats/pickle_input.hpp>
#include <mlv/formats/pickle_machine.hpp>
#include <mlv/scan/scan.hpp>

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mlv::scan::detail {

// Containers nest at most this deep (a zip in a zip in a gzip...); deeper content is reported
// as unscanned rather than followed.
constexpr std::size_t k_max_depth = 8;

// The scan of one file: where it is (the layers from the file to the current stream) and what
// it found.
class Scanner {
public:
  explicit Scanner(ScanReport& report) : report_(report) {}

  // Enters a layer ("zip", "pickle", "gzip"...) until the returned object is destroyed;
  // `member` names the archive member the layer is in, when it is one.
  class Layer {
  public:
    Layer(Scanner& scanner, std::string name, std::string member);
    ~Layer();
    Layer(const Layer&) = delete;
    Layer& operator=(const Layer&) = delete;

  private:
    Scanner& scanner_;
  };

  // While one lives, only unsafe findings are kept: for bytes an unpickler would run although
  // no pickle.dump wrote them (text, other binary formats), where milder findings and notes
  // about where the stream breaks are noise, while a deny-listed call is still a payload.
  class UnsafeOnly {
  public:
    explicit UnsafeOnly(Scanner& scanner) : scanner_(scanner), before_(scanner.unsafe_only_) {
      scanner.unsafe_only_ = true;
    }
    ~UnsafeOnly() { scanner_.unsafe_only_ = before_; }
    UnsafeOnly(const UnsafeOnly&) = delete;
    UnsafeOnly& operator=(const UnsafeOnly&) = delete;

  private:
    Scanner& scanner_;
    bool before_;
  };

  // Whether only unsafe findings are kept now (UnsafeOnly).
  bool unsafe_only() const { return unsafe_only_; }
  bool too_deep() const { return layers_.size() >= k_max_depth; }
  // Whether the layer around the current one is named `name` ("joblib-zfile" around a pickle).
  bool directly_inside(std::string_view name) const {
    return layers_.size() >= 2 && layers_[layers_.size() - 2].first == name;
  }
  std::string where() const;

  // A finding in the current stream. Repeats of one callable past a cap are only counted.
  // `even_if_unsafe_only` keeps a milder finding while UnsafeOnly lives.
  void add(Severity severity,
           std::string callable,
           std::uint64_t offset,
           std::string reason,
           bool even_if_unsafe_only = false);
  // Pickle data that could not be read: a suspicious finding, as it may hide anything.
  void unscanned(std::uint64_t offset, std::string reason);
  void note(const std::string& text);
  void count_pickle_stream() {
    if (!unsafe_only_) {
      ++report_.pickle_streams;
    }
  }

private:
  ScanReport& report_;
  bool unsafe_only_ = false;
  std::vector<std::pair<std::string, std::string>> layers_; // name, member
  std::map<std::pair<std::string, std::string>, std::size_t> repeats_;
};

// Scans content of any kind: a zip, tar, .npy, compressed stream or pickle; anything else holds
// no pickle and is passed over. Random access (`source`) is needed for zip archives; from a
// stream alone a zip is read into memory when small enough.
void scan_content(const formats::ByteSource& source, Scanner& scanner);
void scan_content(formats::ByteStream& stream, Scanner& scanner);

void scan_zip(const formats::ByteSource& source, Scanner& scanner);
void scan_tar(formats::ByteStream& stream, Scanner& scanner);
void scan_npy(formats::ByteStream& stream, Scanner& scanner);

// What a pickle scan collects besides findings: the storage keys a PyTorch pickle's persistent
// ids name (so that a zip's raw tensor records are not mistaken for pickles).
struct PickleFacts {
  std::vector<std::string> storage_keys;
};

// Scans one pickle (following joblib's inline arrays and the payloads of nested loaders) and
// returns how it ended; the run's values stay valid as long as the returned run.
formats::PickleRun scan_pickle(formats::PickleInput& input, Scanner& scanner, PickleFacts* facts);

// Scans pickles back to back from `input`: one, or as many as follow one another (legacy
// PyTorch files hold five, then raw storages).
void scan_pickle_sequence(formats::PickleInput& input, Scanner& scanner, PickleFacts* facts);

} // namespace mlv::scan::detail
