#include "builder/rebuild.hpp"

#include <map>

#include "builder/app_files.hpp"
#include "builder/image_builder.hpp"
#include "builder/provenance_inputs.hpp"
#include "core/file_util.hpp"
#include "core/sha256.hpp"
#include "core/strings.hpp"
#include "core/temp_dir.hpp"
#include "debian/lockfile.hpp"
#include "oci/compressor.hpp"
#include "sbom/attestation.hpp"

namespace distill::builder {
namespace {

core::Error rebuild_failure(std::string what, std::string hint) {
  return core::make_error("rebuild", std::move(what), std::move(hint))
      .with_code(core::ErrorCode::kPolicyFailed);
}

// The file named on the command line must be the one the provenance names.
core::Status check_named_input(const std::string& path, const std::string& flag,
                               const sbom::NamedInput& recorded, std::string_view what) {
  if (recorded.sha256.empty())
    return rebuild_failure("the provenance names no " + std::string(what),
                           "attest the image with " + flag + " (or build it with --sign-key)");
  if (path.empty())
    return rebuild_failure("needs the " + std::string(what) + " the image was built from",
                           "pass " + flag + " FILE: the provenance names " +
                               core::escape_control(recorded.name) + " with sha256 " +
                               core::escape_control(recorded.sha256));
  DISTILL_ASSIGN(std::string sha, core::sha256_file(path));
  if (sha != recorded.sha256)
    return rebuild_failure(std::string(what) + " " + path + " has sha256 " + sha +
                               ", the provenance's " + core::escape_control(recorded.name) +
                               " has " + core::escape_control(recorded.sha256),
                           "rebuild from the " + std::string(what) + " the image was built from");
  return core::Status::Ok();
}

// Every file the spec copies must be one the provenance lists, same content.
core::Status check_files(const Spec& spec, const sbom::ProvenanceDebs& recorded) {
  DISTILL_ASSIGN(std::vector<sbom::ResourceDescriptor> files, file_dependencies(spec));
  std::map<std::string, std::string> here;
  for (const auto& f : files) here[f.name] = f.digest.at("sha256");
  for (const auto& [name, sha] : here) {
    auto it = recorded.files.find(name);
    if (it == recorded.files.end())
      return rebuild_failure(
          "file " + core::escape_control(name) + " is copied by the spec but not in the provenance",
          "rebuild from the sources the image was built from");
    if (it->second != sha)
      return rebuild_failure("file " + core::escape_control(name) + " has sha256 " + sha +
                                 ", the provenance's has " + core::escape_control(it->second),
                             "rebuild from the sources the image was built from");
  }
  for (const auto& [name, sha] : recorded.files)
    if (!here.contains(name))
      return rebuild_failure(
          "file " + core::escape_control(name) + " of the provenance is not copied by the spec",
          "rebuild from the sources the image was built from");
  return core::Status::Ok();
}

}  // namespace

core::Result<RebuildResult> rebuild_and_compare(const sbom::Statement& provenance,
                                                const oci::Digest& image, const Spec& spec,
                                                const RebuildRequest& request,
                                                debian::Repository& repo, cache::Cache& cache) {
  DISTILL_ASSIGN(sbom::ProvenanceParameters params,
                 sbom::provenance_parameters(provenance.predicate));
  DISTILL_ASSIGN(sbom::ProvenanceDebs recorded, sbom::provenance_debs(provenance.predicate));
  DISTILL_TRY(check_named_input(request.spec_path, "--spec", params.spec, "spec"));
  DISTILL_TRY(check_named_input(request.lock_path, "--lock", params.lock, "lockfile"));
  DISTILL_ASSIGN(std::string lock_text, core::read_file(request.lock_path));
  DISTILL_ASSIGN(debian::Lockfile lock, debian::Lockfile::parse(lock_text, request.lock_path));
  DISTILL_TRY(check_file_sources(spec, request.allow_outside));
  DISTILL_TRY(check_files(spec, recorded));

  Spec variant = spec;
  variant.debug = params.debug;
  DISTILL_ASSIGN(core::TempDir tmp, core::TempDir::create({}, "distill-rebuild"));
  BuildOptions o;
  o.output = tmp.path() + "/image";
  o.format = transport::Transport::kOciLayout;
  o.archs = {params.architecture};
  DISTILL_ASSIGN(o.compression, oci::parse_compression(params.compression));
  o.source_date_epoch = params.source_date_epoch;
  o.reuse_cache = false;  // layer records are trusted as written: assemble from the .debs
  o.lock = &lock;
  o.lock_path = request.lock_path;
  o.allow_outside = request.allow_outside;
  auto built = build_image(variant, o, repo, cache);
  if (!built.ok())
    return rebuild_failure("an input does not match the provenance: " + built.error().message(),
                           "the package cache or mirror serves other bytes than were pinned");
  DISTILL_ASSIGN(oci::Digest rebuilt, oci::Digest::parse(built->digest));
  if (rebuilt != image)
    return rebuild_failure("the rebuilt image is " + rebuilt.str() + ", not " + image.str(),
                           "the build is not reproducible from its provenance (distill " +
                               core::escape_control(params.distill_version) +
                               " built it, this is " DISTILL_VERSION ")");
  return RebuildResult{rebuilt};
}

}  // namespace distill::builder
