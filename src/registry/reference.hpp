#pragma once

#include <string>
#include <string_view>

#include "core/result.hpp"

namespace distill::registry {

// "host[:port]/repo/path[:tag][@sha256:<hex>]". The host is always explicit:
// there is no default registry, so a short name never silently goes to a
// public host.
struct Reference {
  std::string registry;    // "host" or "host:port" ("[::1]:5000" for IPv6)
  std::string repository;  // "team/app"
  std::string tag;         // empty when only a digest is given
  std::string digest;      // "sha256:<hex>" or empty

  // What a manifest request names: the digest when given, else the tag
  // ("latest" when neither is).
  std::string identifier() const;
  // "host/repo[:tag][@digest]".
  std::string str() const;
  // "host/repo".
  std::string name() const { return registry + "/" + repository; }
};

core::Result<Reference> parse_reference(std::string_view text);

// A local image name, `-t NAME[:TAG]` of `distill build`: an optional host,
// then a repository and a tag, as docker names images. Returns "NAME:TAG",
// with ":latest" added when no tag is given (as docker and podman read a bare
// name); a digest or an invalid part is an error naming it.
core::Result<std::string> normalize_image_name(std::string_view text);

// The name of an image's debug variant (`distill build --debug`), so that a
// debug image never lands on its production tag: "app:1" -> "app:1-debug",
// "app" and "app:latest" -> "app:debug" (Google distroless's pairing); a tag
// already naming debug is kept. `text` is HOST/REPO[:TAG] or NAME[:TAG]; a
// digest cannot name a variant, and a tag made too long is an error.
core::Result<std::string> debug_variant(std::string_view text);

// True when `text` has the shape of a registry reference: a first component
// that is a host (has a '.' or a ':' or is "localhost") followed by '/'.
// Lets callers tell "127.0.0.1:5000/app" from a file path.
bool looks_like_reference(std::string_view text);

// 127.0.0.0/8, ::1 and localhost (with or without a port): plain HTTP is
// allowed there without --insecure, as docker and skopeo do.
bool is_loopback(std::string_view registry);

}  // namespace distill::registry
