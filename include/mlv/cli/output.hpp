#pragma once

#include <mlv/transfer/transfer.hpp>

#include <chrono>
#include <mutex>
#include <string>

namespace mlv::cli {

// Global output switches and the only place mlv writes for people: results on stdout, progress
// and notes on stderr (progress only when stderr is a terminal), nothing but JSON with --json.
class Output {
public:
  bool quiet = false;
  bool verbose = false;
  bool json = false;

  // A result line for people (suppressed by --quiet and --json).
  void say(const std::string& line) const;
  // A note on stderr (suppressed by --quiet).
  void note(const std::string& line) const;
  // Machine output: printed with --json only.
  void emit_json(const std::string& document) const;

  // What a progress line counts: bytes moved to or from a remote, or files handled locally.
  enum class Meter { transfer, files };
  // A progress callback: a one-line meter on stderr when it is a terminal (not with --quiet).
  transfer::ProgressCallback progress(const std::string& verb, Meter meter = Meter::transfer);
  // Clears the meter line before other output.
  void end_progress();

private:
  bool meter_shown_ = false;
  std::mutex meter_mutex_;
  std::chrono::steady_clock::time_point started_;
};

std::string human_bytes(std::uint64_t bytes);
std::string stats_json(const transfer::Stats& stats);

} // namespace mlv::cli
