#pragma once

#include <string>
#include <string_view>

#include "core/result.hpp"
#include "image/image_source.hpp"

namespace distill::transport {

// The three places an image can be: go-containerregistry's layout, tarball
// and remote; skopeo's oci:, docker-archive: and docker://.
enum class Transport { kOciLayout, kDockerArchive, kRegistry };

// "oci-layout", "docker-archive" or "registry": the names used in reports.
std::string_view transport_name(Transport t);

// The local output formats of --format: "oci" (an OCI layout folder) or
// "docker" (a docker-archive tar); an empty text is "oci".
core::Result<Transport> parse_output_format(std::string_view text);
// Where `build` writes when no -o is given: "image" or "image.tar".
std::string_view default_output(Transport local);
// "OCI layout", "docker-archive": how messages name a local output.
std::string_view output_label(Transport local);

// Where an image is and which of its tags was asked for. Accepted forms:
//   DIR                        an OCI image layout folder, every image in it
//   DIR:TAG                    the layout's entry named TAG (ref.name annotation)
//   oci:DIR[:TAG]              the same, explicitly (skopeo's transport syntax)
//   FILE                       a docker-archive tar (`docker save`), maybe compressed
//   FILE:REF                   the archive's image whose RepoTags hold REF ("name[:tag]")
//   docker-archive:FILE[:REF]  the same, explicitly
//   HOST[:PORT]/REPO[:TAG][@DIGEST]  a registry image, when no such local path
//                              exists (registry/reference.hpp)
// A path that exists as given wins over reading its last ":x" as a tag, so
// folders with colons in their names still work. This is the one place that
// turns reference text into a transport.
struct ImageRef {
  std::string text;  // as given
  Transport transport = Transport::kOciLayout;
  std::string path;  // the folder or file; for a registry, the reference text
  // Empty: every image. docker-archive tags are normalised ("app" -> "app:latest").
  std::string tag;

  // What ImageSource reports: where, the transport's name, a short name.
  image::SourceName source_name() const;
};

// Looks at the filesystem (stat) to tell a folder from a file, a path from a
// tag, and a local path from a registry reference.
core::Result<ImageRef> parse_image_ref(std::string_view text);

// Where a copy writes: a local layout or docker-archive, or a registry.
struct Destination {
  Transport transport = Transport::kOciLayout;
  std::string path;  // the folder, file or registry reference
  std::string tag;   // local: the name to record (empty: the source's)
};

// `format` ("oci", "docker" or empty) chooses for a plain local path;
// `local_only` never reads the text as a registry reference (`pull -o`).
core::Result<Destination> parse_destination(std::string_view text, std::string_view format,
                                            bool local_only);

}  // namespace distill::transport
