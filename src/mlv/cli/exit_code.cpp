#include <mlv/cli/exit_code.hpp>

namespace mlv::cli {

ExitCode exit_code_for(Failure kind) noexcept {
  switch (kind) {
  case Failure::failed:
    return ExitCode::failure;
  case Failure::usage:
    return ExitCode::usage;
  case Failure::not_a_repository:
    return ExitCode::not_a_repository;
  case Failure::invalid_input:
    return ExitCode::bad_input;
  case Failure::corrupt:
    return ExitCode::integrity;
  case Failure::not_found:
    return ExitCode::missing;
  case Failure::remote:
    return ExitCode::remote;
  case Failure::unsafe:
    return ExitCode::unsafe;
  case Failure::conflict:
    return ExitCode::conflict;
  case Failure::suspicious:
    return ExitCode::suspicious;
  case Failure::interrupted:
    return ExitCode::interrupted;
  }
  return ExitCode::failure;
}

} // namespace mlv::cli
