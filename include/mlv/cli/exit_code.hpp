#pragma once

#include <mlv/util/error.hpp>

namespace mlv::cli {

// Documented process exit codes (docs/exit-codes.md): the public contract for scripts and CI.
// Only the command line speaks in them; the layers below report a Failure.
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

// The exit code a command ends with when it stops on a failure of this kind.
ExitCode exit_code_for(Failure kind) noexcept;

} // namespace mlv::cli
