#include "builder/system_files.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <unordered_set>

#include "core/file_util.hpp"
#include "core/lines.hpp"
#include "oci/entry_content.hpp"

namespace distill::builder {
namespace {

// One certificate of the ca-certificates package is a few KiB.
constexpr uint64_t kMaxCaCertBytes = uint64_t{1} << 20;

oci::FsEntry owned_dir(std::string path, uint32_t mode, uint32_t uid, uint32_t gid) {
  oci::FsEntry e = oci::FsEntry::directory(std::move(path), mode);
  e.uid = uid;
  e.gid = gid;
  return e;
}

std::string os_release(const debian::Distro& d) {
  return fmt::format(
      "PRETTY_NAME=\"Distroless (Debian GNU/Linux {v} ({c})), built by distill\"\n"
      "NAME=\"Debian GNU/Linux\"\n"
      "ID=debian\n"
      "VERSION_ID=\"{v}\"\n"
      "VERSION=\"{v} ({c})\"\n"
      "VERSION_CODENAME={c}\n",
      fmt::arg("v", d.version), fmt::arg("c", d.codename));
}

}  // namespace

void add_system_files(Rootfs& fs, const debian::Distro& distro) {
  fs.put(oci::FsEntry::file("etc/passwd",
                            "root:x:0:0:root:/root:/sbin/nologin\n"
                            "nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\n"
                            "nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n"));
  fs.put(oci::FsEntry::file("etc/group",
                            "root:x:0:\n"
                            "tty:x:5:\n"
                            "staff:x:50:\n"
                            "nobody:x:65534:\n"
                            "nonroot:x:65532:\n"));
  fs.put(oci::FsEntry::file("etc/nsswitch.conf",
                            "passwd:         files\n"
                            "group:          files\n"
                            "shadow:         files\n"
                            "hosts:          files dns\n"
                            "networks:       files\n"
                            "protocols:      files\n"
                            "services:       files\n"
                            "ethers:         files\n"
                            "rpc:            files\n"));
  fs.put(oci::FsEntry::file("usr/lib/os-release", os_release(distro)));
  fs.put(oci::FsEntry::symlink("etc/os-release", "../usr/lib/os-release"));
  fs.put(owned_dir("root", 0700, 0, 0));
  fs.put(owned_dir("home", 0755, 0, 0));
  fs.put(owned_dir("home/nonroot", 0700, 65532, 65532));
  fs.put(owned_dir("tmp", 01777, 0, 0));
  fs.put(owned_dir("var/lib/dpkg/status.d", 0755, 0, 0));
}

core::Status add_ca_bundle(Rootfs& fs, const std::vector<oci::FsEntry>& ca_entries,
                           const std::vector<std::string>& extra) {
  std::vector<const oci::FsEntry*> certs;
  for (const auto& e : ca_entries)
    if (e.type == oci::EntryType::kRegular && e.path.starts_with("usr/share/ca-certificates/") &&
        e.path.ends_with(".crt"))
      certs.push_back(&e);
  std::sort(certs.begin(), certs.end(),
            [](const auto* a, const auto* b) { return a->path < b->path; });
  std::string bundle;
  auto append = [&bundle](std::string_view pem) {
    bundle += pem;
    if (!bundle.empty() && bundle.back() != '\n') bundle += '\n';
  };
  for (const auto* c : certs) {
    DISTILL_ASSIGN(std::string pem, oci::read_content(*c, kMaxCaCertBytes));
    append(pem);
  }
  for (const auto& path : extra) {
    DISTILL_ASSIGN(std::string pem, core::read_file(path));
    if (pem.find("-----BEGIN CERTIFICATE-----") == std::string::npos)
      return core::make_error(path, "not a PEM certificate", "ca_certificates takes PEM files");
    append(pem);
  }
  if (bundle.empty())
    return core::make_error("ca-certificates", "no certificates found in the package");
  fs.put(oci::FsEntry::directory("etc/ssl"));
  fs.put(oci::FsEntry::directory("etc/ssl/certs"));
  fs.put(oci::FsEntry::file(kCaBundlePath, std::move(bundle)));
  return core::Status::Ok();
}

void add_ca_copyright(Rootfs& fs, const std::vector<oci::FsEntry>& ca_entries) {
  for (const auto& e : ca_entries)
    if (e.type == oci::EntryType::kRegular && e.path == "usr/share/doc/ca-certificates/copyright") {
      for (const char* dir : {"usr/share/doc", "usr/share/doc/ca-certificates"})
        if (!fs.contains(dir)) fs.put(oci::FsEntry::directory(dir));
      fs.put(e);
    }
}

core::Status add_spec_accounts(Rootfs& fs, const std::vector<effects::Group>& groups,
                               const std::vector<effects::Account>& users) {
  if (groups.empty() && users.empty()) return core::Status::Ok();
  DISTILL_ASSIGN(effects::AccountTable table, effects::AccountTable::read(fs));
  for (const auto& g : groups) {
    auto added = table.add_group(g);
    if (!added.ok()) return added.error().with_where("accounts.groups");
  }
  for (const auto& u : users) {
    bool known = std::any_of(table.groups().begin(), table.groups().end(),
                             [&u](const effects::Group& g) { return g.gid == u.gid; });
    if (!known)
      return core::make_error("accounts.users",
                              fmt::format("{}'s gid {} is no group", u.name, u.gid),
                              "add it under accounts.groups");
    auto added = table.add_user(u);
    if (!added.ok()) return added.error().with_where("accounts.users");
  }
  table.write(fs);
  return core::Status::Ok();
}

namespace {

// The files `package` shipped that the image still holds as it shipped them:
// none when one of its files lost a conflict, else its paths the build has
// not put or removed since (Tree::changed).
std::unordered_set<std::string_view> shipped_as_is(const Rootfs& fs, const std::string& package) {
  std::unordered_set<std::string_view> out;
  auto it = fs.package_paths().find(package);
  if (it == fs.package_paths().end() || fs.conflicted_packages().count(package)) return out;
  for (const auto& path : it->second)
    if (!fs.changed().count(path)) out.insert(path);
  return out;
}

}  // namespace

void trim_md5sums(Rootfs& fs) {
  constexpr std::string_view kSuffix = ".md5sums";
  std::vector<std::string> lists;
  fs.for_each_under("var/lib/dpkg/status.d", [&lists, kSuffix](const oci::FsEntry& e) {
    if (e.type == oci::EntryType::kRegular && e.path.ends_with(kSuffix)) lists.push_back(e.path);
  });
  for (const auto& path : lists) {
    std::string package = path.substr(0, path.size() - kSuffix.size());
    package = package.substr(package.rfind('/') + 1);
    const auto as_is = shipped_as_is(fs, package);
    std::string kept;
    for (std::string_view line : core::lines(fs.find(path)->data)) {
      // "<32 hex digits>  <path>"
      if (line.size() < 35 || line.substr(32, 2) != "  ") continue;
      std::string file = Rootfs::merged_usr_path(effects::tree_path(line.substr(34)));
      const oci::FsEntry* e = fs.find(file);
      if (!e || e->type != oci::EntryType::kRegular) continue;
      // A file the build replaced (os-release, a script's write) is not the
      // package's. One it left alone is the package's bytes, which its
      // md5sums describe (dpkg installs the list as shipped): hashing every
      // file of the image again only to confirm that took a tenth of a
      // cold build.
      if (!as_is.count(file)) {
        auto md5 = oci::content_md5(*e);
        if (!md5.ok() || *md5 != line.substr(0, 32)) continue;
      }
      kept += std::string(line.substr(0, 34)) + file + "\n";
    }
    if (kept.empty())
      fs.remove(path);
    else
      fs.put(oci::FsEntry::file(path, std::move(kept)));
  }
}

void add_status_entry(Rootfs& fs, const std::string& package, const std::string& control,
                      const std::string& md5sums) {
  std::string text = control;
  if (!text.empty() && text.back() != '\n') text += '\n';
  fs.put(oci::FsEntry::file("var/lib/dpkg/status.d/" + package, std::move(text)));
  if (!md5sums.empty())
    fs.put(oci::FsEntry::file("var/lib/dpkg/status.d/" + package + ".md5sums", md5sums));
}

}  // namespace distill::builder
