#pragma once

#include <mlv/remote/object_store.hpp>
#include <mlv/util/error.hpp>

#include <atomic>
#include <string>

namespace mlv::transfer::testing {

// A fault double of the storage seam: a real store whose writes of keys under `failing_prefix`
// fail (after `successes` of them went through), as a full disk or a dropped connection would.
class FaultStore final : public remote::ObjectStore {
public:
  FaultStore(remote::ObjectStore& inner, std::string failing_prefix, int successes = 0)
      : inner_(inner), failing_prefix_(std::move(failing_prefix)), successes_left_(successes) {}

  bool exists(const std::string& key) override { return inner_.exists(key); }
  bool get(const std::string& key, const remote::Sink& sink) override {
    return inner_.get(key, sink);
  }
  bool
  get_range(const std::string& key, const remote::Range& range, const remote::Sink& sink) override {
    return inner_.get_range(key, range, sink);
  }
  void put_file(const std::string& key, const std::filesystem::path& source) override {
    maybe_fail(key);
    inner_.put_file(key, source);
  }
  void put(const std::string& key, std::span<const std::byte> bytes) override {
    maybe_fail(key);
    inner_.put(key, bytes);
  }
  std::vector<remote::ObjectInfo> list(const std::string& prefix) override {
    return inner_.list(prefix);
  }
  void remove(const std::string& key) override { inner_.remove(key); }
  bool location_exists() override { return inner_.location_exists(); }
  std::string display_url() const override { return inner_.display_url(); }

private:
  void maybe_fail(const std::string& key) {
    if (key.starts_with(failing_prefix_) && successes_left_.fetch_sub(1) <= 0) {
      throw Error(Failure::remote, display_url() + ": cannot write " + key + ": injected fault");
    }
  }

  remote::ObjectStore& inner_;
  std::string failing_prefix_;
  std::atomic<int> successes_left_;
};

} // namespace mlv::transfer::testing
