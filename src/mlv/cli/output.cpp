#include <mlv/cli/output.hpp>
#include <mlv/util/json.hpp>

#include <unistd.h>

#include <cstdio>
#include <iostream>

namespace mlv::cli {

void Output::say(const std::string& line) const {
  if (!quiet && !json) {
    std::cout << line << '\n';
  }
}

void Output::note(const std::string& line) const {
  if (!quiet) {
    std::cerr << line << '\n';
  }
}

void Output::emit_json(const std::string& document) const {
  if (json) {
    std::cout << document << '\n';
  }
}

transfer::ProgressCallback Output::progress(const std::string& verb, Meter meter) {
  if (quiet || ::isatty(STDERR_FILENO) == 0) {
    return {};
  }
  started_ = std::chrono::steady_clock::now();
  return [this, verb, meter](const transfer::Stats& stats) {
    const std::lock_guard guard(meter_mutex_);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
    const auto moved =
        meter == Meter::files ? stats.bytes_done : stats.bytes_sent + stats.bytes_received;
    const auto rate =
        seconds > 0 ? static_cast<std::uint64_t>(static_cast<double>(moved) / seconds) : 0;
    // The ETA from the rate of progress through the files (reused bytes count as done).
    std::string eta;
    if (stats.bytes_done > 0 && stats.bytes_planned > stats.bytes_done && seconds > 1) {
      const double left = static_cast<double>(stats.bytes_planned - stats.bytes_done) * seconds /
                          static_cast<double>(stats.bytes_done);
      eta = ", ETA " + std::to_string(static_cast<long long>(left + 0.5)) + " s";
    }
    if (meter == Meter::files) {
      std::fprintf(stderr, "\r%s: %llu/%llu files, %s of %s, %s/s%s   ", verb.c_str(),
                   static_cast<unsigned long long>(stats.files_done),
                   static_cast<unsigned long long>(stats.files_planned),
                   human_bytes(stats.bytes_done).c_str(), human_bytes(stats.bytes_planned).c_str(),
                   human_bytes(rate).c_str(), eta.c_str());
    } else {
      std::fprintf(stderr, "\r%s: %s moved, %s reused, %llu objects, %s/s%s   ", verb.c_str(),
                   human_bytes(moved).c_str(), human_bytes(stats.bytes_reused).c_str(),
                   static_cast<unsigned long long>(stats.objects_sent + stats.objects_received),
                   human_bytes(rate).c_str(), eta.c_str());
    }
    meter_shown_ = true;
  };
}

void Output::end_progress() {
  const std::lock_guard guard(meter_mutex_);
  if (meter_shown_) {
    std::fprintf(stderr, "\r\033[K");
    meter_shown_ = false;
  }
}

std::string human_bytes(std::uint64_t bytes) {
  static constexpr const char* k_units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double value = static_cast<double>(bytes);
  std::size_t unit = 0;
  while (value >= 1024 && unit + 1 < std::size(k_units)) {
    value /= 1024;
    ++unit;
  }
  char text[32];
  std::snprintf(text, sizeof text, unit == 0 ? "%.0f %s" : "%.1f %s", value, k_units[unit]);
  return text;
}

std::string stats_json(const transfer::Stats& stats) {
  util::JsonWriter json;
  json.begin_object()
      .key("bytes_sent")
      .value(stats.bytes_sent)
      .key("bytes_received")
      .value(stats.bytes_received)
      .key("objects_sent")
      .value(stats.objects_sent)
      .key("objects_received")
      .value(stats.objects_received)
      .key("requests")
      .value(stats.requests)
      .key("retries")
      .value(stats.retries)
      .key("files_transferred")
      .value(stats.files_transferred)
      .key("files_skipped")
      .value(stats.files_skipped)
      .key("chunks_new")
      .value(stats.chunks_new)
      .key("chunks_reused")
      .value(stats.chunks_reused)
      .key("bytes_reused")
      .value(stats.bytes_reused)
      .key("seconds")
      .value(stats.seconds)
      .end_object();
  return json.str();
}

} // namespace mlv::cli
