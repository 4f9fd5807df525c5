#include "runtime/private_mount.hpp"

#include <sys/mount.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>

namespace distill::runtime {

core::Result<std::unique_ptr<PrivateMount>> PrivateMount::create(const std::string& prefix) {
  // mkdtemp makes the folder 0700 and ours, whatever the umask.
  DISTILL_ASSIGN(core::TempDir dir, core::TempDir::create({}, prefix));
  return std::unique_ptr<PrivateMount>(new PrivateMount(std::move(dir)));
}

core::Status PrivateMount::mount(const std::string& name, const std::string& type,
                                 const std::string& data) {
  const std::string target = dir() + "/" + name;
  if (::mkdir(target.c_str(), 0755) != 0)
    return core::make_error(target, std::string("cannot create: ") + std::strerror(errno));
  if (::mount(type.c_str(), target.c_str(), type.c_str(), MS_NOSUID | MS_NODEV, data.c_str()) != 0)
    return core::make_error(target,
                            "cannot mount " + type + ": " + std::string(std::strerror(errno)));
  target_ = target;
  return core::Status::Ok();
}

PrivateMount::~PrivateMount() {
  // Detached before dir_ removes the folder, so removal never reaches into it.
  if (!target_.empty()) ::umount2(target_.c_str(), MNT_DETACH);
}

}  // namespace distill::runtime
