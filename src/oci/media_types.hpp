#pragma once

#include <string_view>

namespace distill::oci {

// The media types we write. Readers also accept the Docker schema 2
// equivalents (below) so that `distill inspect` works on images from other tools.
inline constexpr std::string_view kMediaTypeConfig = "application/vnd.oci.image.config.v1+json";
inline constexpr std::string_view kMediaTypeManifest = "application/vnd.oci.image.manifest.v1+json";
inline constexpr std::string_view kMediaTypeIndex = "application/vnd.oci.image.index.v1+json";
inline constexpr std::string_view kMediaTypeLayer = "application/vnd.oci.image.layer.v1.tar";
inline constexpr std::string_view kMediaTypeLayerGzip =
    "application/vnd.oci.image.layer.v1.tar+gzip";
inline constexpr std::string_view kMediaTypeLayerZstd =
    "application/vnd.oci.image.layer.v1.tar+zstd";

inline constexpr std::string_view kDockerMediaTypeManifest =
    "application/vnd.docker.distribution.manifest.v2+json";
inline constexpr std::string_view kDockerMediaTypeManifestList =
    "application/vnd.docker.distribution.manifest.list.v2+json";
inline constexpr std::string_view kDockerMediaTypeConfig =
    "application/vnd.docker.container.image.v1+json";
inline constexpr std::string_view kDockerMediaTypeLayerGzip =
    "application/vnd.docker.image.rootfs.diff.tar.gzip";

// Annotation keys (OCI image spec, annotations.md).
inline constexpr std::string_view kAnnotationRefName = "org.opencontainers.image.ref.name";
inline constexpr std::string_view kAnnotationCreated = "org.opencontainers.image.created";

inline bool is_manifest_media_type(std::string_view t) {
  return t == kMediaTypeManifest || t == kDockerMediaTypeManifest;
}
inline bool is_index_media_type(std::string_view t) {
  return t == kMediaTypeIndex || t == kDockerMediaTypeManifestList;
}

}  // namespace distill::oci
