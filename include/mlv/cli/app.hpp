#pragma once

namespace mlv::cli {

// Parses the command line, runs one command, prints for the user, and returns the exit code
// (docs/exit-codes.md). Never throws.
int run(int argc, char** argv);

} // namespace mlv::cli
