// libFuzzer target: the maintainer-script reader and the sysusers.d parser.
// Scripts come from packages, so any bytes must be read or refused with an
// error: never a crash, never unbounded work (loops, recursion and expansions
// are bounded). Every hook answers, so the reader's decided paths run too.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "effects/accounts.hpp"
#include "effects/shell_reader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  distill::effects::ShellContext ctx;
  ctx.args = {"configure", ""};
  ctx.env = {{"DPKG_MAINTSCRIPT_ARCH", "amd64"}};
  ctx.file_type = [](std::string_view p, bool) -> char { return p.size() % 3 ? 'd' : 0; };
  ctx.executable = [](std::string_view p) { return p.size() % 2 == 0; };
  ctx.glob = [](std::string_view p) { return std::vector<std::string>{std::string(p) + "1"}; };
  ctx.status = [](const distill::effects::Invocation& i) {
    return i.argv.size() % 2 ? distill::effects::Tri::kTrue : distill::effects::Tri::kUnknown;
  };
  ctx.output = [](const std::vector<std::string>& argv) -> std::optional<std::string> {
    return argv.empty() ? std::nullopt : std::optional<std::string>(argv[0]);
  };
  auto reading = distill::effects::read_shell(in, ctx);
  if (!reading.error.empty() && !reading.invocations.empty()) std::abort();
  for (const auto& inv : reading.invocations)
    if (inv.argv.empty() && inv.writes.empty()) std::abort();
  auto sysusers = distill::effects::parse_sysusers(in);
  for (const auto& u : sysusers.users)
    if (u.name.size() > size) std::abort();
  return 0;
}
