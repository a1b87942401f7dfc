#include <mlv/cli/app.hpp>

#include <malloc.h>

int main(int argc, char** argv) {
  // A folder of 100,000 files makes many small long-lived allocations on several threads beside
  // large short-lived buffers (packs, fetch windows). Two arenas, and a fixed mmap threshold so
  // that large buffers go back to the system when freed, keep the peak near what is live
  // (glibc's defaults left a push of 100,000 files 40% above its live heap).
  mallopt(M_ARENA_MAX, 2);
  mallopt(M_MMAP_THRESHOLD, 1 << 20);
  return mlv::cli::run(argc, argv);
}
