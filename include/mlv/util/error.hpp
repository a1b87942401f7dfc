#pragma once

#include <stdexcept>
#include <string>

namespace mlv {

// Documented process exit codes (docs/exit-codes.md). main() maps every Error to one of these.
enum class ExitCode : int {
  ok = 0,
  failure = 1,          // an operation failed (I/O, unexpected state)
  usage = 2,            // bad command-line arguments
  not_a_repository = 3, // not inside a git work tree, or mlv not initialised
  bad_input = 4,        // a malformed pointer, config, manifest or argument value
  integrity = 5,        // a hash mismatch: corrupted cache object, workspace file or remote object
  missing = 6,          // a needed object is not in the cache or on the remote
  remote = 7,           // a remote could not be reached, refused access, or failed
  unsafe = 8,           // a model file failed the safety policy
  conflict = 9,         // refusing to overwrite a modified workspace file without --force
  suspicious = 10,      // a model file the safety scan could not clear (not proven unsafe)
  interrupted = 130,    // SIGINT
};

// The one exception type for "stop and tell the user": what failed, and what to do about it.
class Error : public std::runtime_error {
public:
  Error(ExitCode code, std::string message, std::string hint = {})
      : std::runtime_error(std::move(message)), code_(code), hint_(std::move(hint)) {}

  ExitCode code() const noexcept { return code_; }
  const std::string& hint() const noexcept { return hint_; }

private:
  ExitCode code_;
  std::string hint_;
};

// Describes errno for a message: "open /x/y: No such file or directory".
std::string errno_message(const std::string& action, const std::string& path, int error_number);

} // namespace mlv
