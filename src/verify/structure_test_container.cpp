#include "verify/structure_test_container.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "core/file_util.hpp"
#include "core/lines.hpp"
#include "verify/text_util.hpp"

namespace distill::verify {

namespace {

// A writable overlayfs view of `lower`; its upper layer, which takes the
// container's writes, is inside the private folder too.
core::Result<std::unique_ptr<runtime::PrivateMount>> mount_overlay(const std::string& lower) {
  DISTILL_ASSIGN(auto m, runtime::PrivateMount::create("distill-overlay"));
  const std::string base = m->dir();
  for (const char* sub : {"/upper", "/work"})
    if (::mkdir((base + sub).c_str(), 0755) != 0)
      return core::make_error(base + sub, std::string("cannot create: ") + std::strerror(errno));
  DISTILL_TRY(
      m->mount("merged", "overlay",
               "lowerdir=" + lower + ",upperdir=" + base + "/upper,workdir=" + base + "/work"));
  return m;
}

}  // namespace

core::Status ContainerCommandExecutor::prepare_overlay() {
  if (overlay_ || overlay_failed_) return core::Status::Ok();
  auto o = mount_overlay(container_->rootfs());
  if (!o.ok()) {
    // Not fatal: the tests still run, only writes outside /tmp fail.
    overlay_failed_ = true;
    std::fprintf(stderr, "distill: warning: %s; command tests run with a read-only root\n",
                 o.error().message().c_str());
    return core::Status::Ok();
  }
  overlay_ = std::move(*o);
  return core::Status::Ok();
}

// KEY=VALUE lines; blank lines and '#' comments skipped.
core::Result<std::vector<std::string>> read_env_file(const std::string& path) {
  DISTILL_ASSIGN(std::string text, core::read_file(path));
  std::vector<std::string> out;
  size_t line_no = 0, bad_line = 0;
  for (std::string_view line : core::lines(text)) {
    ++line_no;
    if (line.empty() || line[0] == '#' || bad_line) continue;
    if (line.find('=') == std::string_view::npos || line[0] == '=') bad_line = line_no;
    out.emplace_back(line);
  }
  if (bad_line)
    return core::make_error(path + ":" + std::to_string(bad_line), "expected KEY=VALUE");
  return out;
}

core::Status ContainerCommandExecutor::configure(const ContainerRunOptions& o) {
  runtime::RunOptions r;
  r.user = o.user;
  for (const auto& name : o.env_vars)
    if (const char* v = std::getenv(name.c_str())) r.env.push_back(name + "=" + v);
  if (!o.env_file.empty()) {
    DISTILL_ASSIGN(auto lines, read_env_file(o.env_file));
    r.env.insert(r.env.end(), lines.begin(), lines.end());
  }
  for (const auto& cap : o.capabilities) {
    DISTILL_ASSIGN(std::string c, runtime::normalize_capability(cap));
    r.cap_add.push_back(std::move(c));
  }
  for (const auto& spec : o.bind_mounts) {
    DISTILL_ASSIGN(runtime::BindMount m, runtime::parse_bind_mount(spec));
    r.mounts.push_back(std::move(m));
  }
  base_options_ = std::move(r);
  return core::Status::Ok();
}

core::Status ContainerCommandExecutor::begin_test() {
  overlay_.reset();
  tmp_.reset();
  // A tmpfs like `distill run`'s, but mounted on the host so that a test's
  // setup, command and teardown (each its own container) share it.
  DISTILL_ASSIGN(auto tmp, runtime::PrivateMount::create("distill-test-tmp"));
  DISTILL_TRY(tmp->mount("tmp", "tmpfs", "mode=1777"));
  tmp_ = std::move(tmp);
  return core::Status::Ok();
}

core::Result<core::ProcessResult> ContainerCommandExecutor::run(
    const std::vector<std::string>& argv, const std::vector<std::string>& env) {
  if (!container_) {
    DISTILL_ASSIGN(std::string runc_path, runtime::find_runc());
    DISTILL_ASSIGN(runtime::Container c,
                   runtime::Container::unpack(reader_, image_, runc_, std::move(runc_path), {},
                                              runtime::cached_bundle()));
    container_.emplace(std::move(c));
  }
  DISTILL_TRY(prepare_overlay());
  runtime::RunOptions options = base_options_;
  if (overlay_) {
    options.root_path = overlay_->target();
    options.writable_root = true;
  }
  options.entrypoint = std::vector<std::string>{};
  options.args = argv;
  // The test's own variables win over containerRunOptions' ones.
  options.env.insert(options.env.end(), env.begin(), env.end());
  if (tmp_) options.tmp_source = tmp_->target();
  return container_->run_captured(options);
}

}  // namespace distill::verify
