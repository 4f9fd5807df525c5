#pragma once

#include <string>
#include <vector>

#include "builder/rootfs.hpp"
#include "core/result.hpp"
#include "debian/distro.hpp"
#include "oci/fs_entry.hpp"

namespace distill::builder {

// The files a package manager and maintainer scripts would have made,
// generated natively: users and groups, home folders, /tmp, nsswitch.conf,
// os-release.
void add_system_files(Rootfs& rootfs, const debian::Distro& distro);

// /etc/ssl/certs/ca-certificates.crt from the ca-certificates package's
// certificates (sorted by name, as update-ca-certificates orders them) plus
// the user's PEM files, in the order given.
core::Status add_ca_bundle(Rootfs& rootfs, const std::vector<oci::FsEntry>& ca_package_entries,
                           const std::vector<std::string>& extra_pem_files);

// /var/lib/dpkg/status.d/<name> and <name>.md5sums: the layout Trivy, Grype
// and Syft read for distroless images.
void add_status_entry(Rootfs& rootfs, const std::string& package, const std::string& control,
                      const std::string& md5sums);

constexpr const char* kCaBundlePath = "etc/ssl/certs/ca-certificates.crt";

}  // namespace distill::builder
