#pragma once

#include <cstdlib>
#include <filesystem>
#include <string>
#include <system_error>

namespace distill::vuln::test_util {

// ../shared/testdata beside the repository (or beside a worktree's
// parents): $DISTILL_TESTDATA when set, else found by walking up from the
// test binary, the working folder and this source file, so the tests run
// from any checkout and build folder. "" when absent; tests then fail, they
// never skip.
inline std::string shared_testdata() {
  namespace fs = std::filesystem;
  if (const char* env = std::getenv("DISTILL_TESTDATA"); env && *env) return env;
  std::error_code ec;
  for (fs::path start : {fs::read_symlink("/proc/self/exe", ec).parent_path(), fs::current_path(ec),
                         fs::absolute(fs::path(__FILE__), ec)}) {
    for (fs::path p = start; !p.empty() && p != p.root_path(); p = p.parent_path()) {
      fs::path candidate = p / "shared" / "testdata";
      if (fs::is_directory(candidate / "debian-security-tracker", ec)) return candidate.string();
    }
  }
  return "";
}

}  // namespace distill::vuln::test_util
