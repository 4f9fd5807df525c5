#pragma once

#include <string>
#include <vector>

#include "builder/rootfs.hpp"
#include "core/result.hpp"
#include "debian/distro.hpp"
#include "effects/accounts.hpp"
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

// usr/share/doc/ca-certificates/copyright from the extract-only package: the
// bundle is MPL-2.0 content, and its licence travels with it.
void add_ca_copyright(Rootfs& rootfs, const std::vector<oci::FsEntry>& ca_package_entries);

// The spec's `accounts` added to etc/passwd and etc/group, with their home
// folders; a user's group must exist (the spec's or the base's).
core::Status add_spec_accounts(Rootfs& rootfs, const std::vector<effects::Group>& groups,
                               const std::vector<effects::Account>& users);

// Rewrites each status.d/<name>.md5sums to list exactly the files the image
// holds with the content listed, under the path they have there (bin/ls ->
// usr/bin/ls): trimmed documentation, files a script moved and files the
// build replaced (os-release) are left out, so scanners that read these
// lists for file ownership see the image as it is. A file its package
// shipped and nothing changed since (Rootfs::package_paths, Tree::changed,
// no lost conflict) keeps its line unhashed, as dpkg keeps the list.
void trim_md5sums(Rootfs& rootfs);

constexpr const char* kCaBundlePath = "etc/ssl/certs/ca-certificates.crt";

}  // namespace distill::builder
