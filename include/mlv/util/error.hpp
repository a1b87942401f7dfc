#pragma once

#include <stdexcept>
#include <string>

namespace mlv {

// What went wrong, as the code that saw it knows it. Below cli/ an operation reports one of these
// and never how the process should exit: cli/exit_code.cpp maps each to the documented exit code
// (docs/exit-codes.md), and a library caller (the Python API) to an exception class of its own.
enum class Failure {
  failed,           // an operation failed (I/O, unexpected state)
  usage,            // a command was called wrongly (arguments that do not fit together)
  not_a_repository, // not inside a git work tree, or mlv not initialised
  invalid_input,    // a malformed pointer, config, manifest, model file or argument value
  corrupt,          // a hash mismatch: a damaged cache object, workspace file or remote object
  not_found,        // a needed file or object is not in the workspace, the cache or the remote
  remote,           // a remote could not be reached, refused access, or failed
  unsafe,           // a model file failed the safety policy
  conflict,         // refusing to overwrite something modified (or an output) unasked
  suspicious,       // a model file the safety scan could not clear (not proven unsafe)
  interrupted,      // stopped by the user (SIGINT)
};

// The one exception type for "stop and tell the user": what kind of failure, what failed, and
// what to do about it.
class Error : public std::runtime_error {
public:
  Error(Failure kind, std::string message, std::string hint = {})
      : std::runtime_error(std::move(message)), kind_(kind), hint_(std::move(hint)) {}

  Failure kind() const noexcept { return kind_; }
  const std::string& hint() const noexcept { return hint_; }

private:
  Failure kind_;
  std::string hint_;
};

// Names an option of the operation that failed, inside a hint or a warning: "pass " +
// option_ref("--force") + " to replace it". Front ends render it their way: the command line as
// the flag itself (cli/option_text.cpp), a library binding as its parameter (force=True). Code
// below cli/ never spells a flag of its caller's command directly.
inline std::string option_ref(const std::string& flag) {
  return "{" + flag + "}";
}

// Describes errno for a message: "open /x/y: No such file or directory".
std::string errno_message(const std::string& action, const std::string& path, int error_number);

} // namespace mlv
