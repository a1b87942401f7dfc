#include <mlv/cli/app.hpp>

int main(int argc, char** argv) {
  return mlv::cli::run(argc, argv);
}
