#include "pickle_opcodes.hpp"
#include "pickle_vm.hpp"

#include <mlv/formats/pickle_machine.hpp>
#include <mlv/formats/pickle_probe.hpp>

namespace mlv::formats {

bool is_pickle_opcode(unsigned char byte) {
  static constexpr std::string_view k_text_opcodes = "(.012FIJKLMNPQRSTUVXabcdeghijlopqrstu}])GBC";
  return (byte >= opcode::PROTO && byte <= opcode::READONLY_BUFFER) ||
         k_text_opcodes.find(static_cast<char>(byte)) != std::string_view::npos;
}

bool starts_like_pickle(std::string_view head) {
  if (head.size() >= 2 && static_cast<unsigned char>(head[0]) == opcode::PROTO) {
    return static_cast<unsigned char>(head[1]) <= opcode::k_highest_protocol &&
           (head.size() == 2 || is_pickle_opcode(static_cast<unsigned char>(head[2])));
  }
  return classify_pickle(head) != PickleKind::none;
}

bool unpickler_would_run(std::string_view head) {
  if (head.empty() || !is_pickle_opcode(static_cast<unsigned char>(head[0]))) {
    return false;
  }
  return static_cast<unsigned char>(head[0]) != opcode::PROTO ||
         (head.size() >= 2 && static_cast<unsigned char>(head[1]) <= opcode::k_highest_protocol);
}

PickleRun run_pickle(PickleInput& input, PickleHooks& hooks) {
  return PickleVm(input, hooks).run();
}

} // namespace mlv::formats
