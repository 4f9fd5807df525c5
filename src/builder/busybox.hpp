#pragma once

#include <vector>

#include "builder/rootfs.hpp"
#include "oci/fs_entry.hpp"

namespace distill::builder {

// Busybox for debug images: the binary from busybox-static's entries under
// /busybox with applet links, as Google distroless's :debug images have it.
void add_busybox(Rootfs& fs, const std::vector<oci::FsEntry>& entries);

}  // namespace distill::builder
