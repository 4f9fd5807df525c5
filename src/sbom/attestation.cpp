#include "sbom/attestation.hpp"

#include <fmt/format.h>

#include "core/json.hpp"
#include "core/sha256.hpp"
#include "core/strings.hpp"
#include "sbom/purl.hpp"

namespace distill::sbom {
namespace {

using AttJson = nlohmann::json;

std::string attest_deb_purl(const debian::LockedPackage& p) {
  return "pkg:deb/debian/" + purl_encode(p.name) + "@" + purl_encode(p.version) +
         "?arch=" + purl_encode(p.architecture);
}

ResourceDescriptor deb_dependency(const debian::LockedPackage& p, std::string_view use) {
  return {p.name,
          attest_deb_purl(p),
          {{"sha256", p.sha256}},
          {{std::string(kDependencyUseAnnotation), std::string(use)}}};
}

std::string index_name(const debian::LockedIndex& i) {
  return "dists/" + i.suite + "/" + i.path;
}

AttJson named_digest(std::string_view name, std::string_view text) {
  return {{"name", name}, {"digest", {{"sha256", core::sha256_hex(text)}}}};
}

// Up to a few items, so one line stays readable.
std::string some(const std::vector<std::string>& items) {
  constexpr size_t kShown = 5;
  std::vector<std::string> shown(items.begin(), items.begin() + std::min(items.size(), kShown));
  std::string s = core::escape_control(core::join(shown, ", "));
  if (items.size() > kShown) s += fmt::format(" and {} more", items.size() - kShown);
  return s;
}

void compare_maps(const std::map<std::string, std::string>& got,
                  const std::map<std::string, std::string>& want, std::string_view got_name,
                  std::string_view want_name, std::string_view what,
                  std::vector<std::string>& out) {
  std::vector<std::string> missing, extra, differ;
  for (const auto& [k, v] : want) {
    auto it = got.find(k);
    if (it == got.end())
      missing.push_back(k);
    else if (it->second != v)
      differ.push_back(k);
  }
  for (const auto& [k, v] : got)
    if (!want.contains(k)) extra.push_back(k);
  if (!missing.empty())
    out.push_back(fmt::format("{} {} of the {} are not in the {}: {}", missing.size(), what,
                              want_name, got_name, some(missing)));
  if (!extra.empty())
    out.push_back(fmt::format("{} {} of the {} are not in the {}: {}", extra.size(), what, got_name,
                              want_name, some(extra)));
  if (!differ.empty())
    out.push_back(fmt::format("{} {} have another sha256 in the {} than in the {}: {}",
                              differ.size(), what, got_name, want_name, some(differ)));
}

}  // namespace

core::Result<Provenance> image_provenance(const ProvenanceInput& in) {
  Provenance p;
  p.build_type = std::string(kDistillBuildType);
  p.builder_id = std::string(kDistillBuilderId);
  p.builder_version = {{"distill", DISTILL_VERSION}};
  p.external_parameters = {{"architecture", in.architecture},
                           {"sourceDateEpoch", in.source_date_epoch},
                           {"compression", in.compression},
                           {"debug", in.debug}};
  if (!in.spec_name.empty())
    p.external_parameters["spec"] = named_digest(in.spec_name, in.spec_text);
  if (in.lock) {
    p.external_parameters["lock"] = named_digest(in.lock_name, in.lock_text);
    auto arch = in.lock->archs.find(in.architecture);
    if (arch == in.lock->archs.end())
      return core::make_error(in.lock_name, "pins nothing for " + in.architecture,
                              "lock the spec for the image's architecture");
    for (const auto& pkg : arch->second.packages)
      p.resolved_dependencies.push_back(deb_dependency(pkg, "install"));
    for (const auto& pkg : arch->second.extract)
      p.resolved_dependencies.push_back(deb_dependency(pkg, "extract"));
    for (const auto& i : arch->second.indices)
      p.resolved_dependencies.push_back({index_name(i),
                                         "",
                                         {{"sha256", i.sha256}},
                                         {{std::string(kDependencyUseAnnotation), "index"}}});
  }
  for (const auto& f : in.files) p.resolved_dependencies.push_back(f);
  DISTILL_TRY(set_times_from_source_date_epoch(p));
  return p;
}

core::Result<Statement> sbom_statement(ResourceDescriptor subject, SbomFormat format,
                                       std::string_view document) {
  DISTILL_ASSIGN(AttJson doc, core::parse_json(document, "SBOM"));
  Statement s{
      {std::move(subject)},
      std::string(format == SbomFormat::kSpdxJson ? kSpdxPredicateType : kCycloneDxPredicateType),
      std::move(doc)};
  DISTILL_TRY(statement_json(s));
  return s;
}

std::string deb_identity(std::string_view purl) {
  if (!purl.starts_with("pkg:deb/")) return "";
  auto parts = parse_purl(purl);
  if (!parts) return "";
  std::string arch;
  if (size_t q = purl.find('?'); q != std::string_view::npos) {
    std::string_view query = purl.substr(q + 1);
    query = query.substr(0, query.find('#'));
    for (std::string_view rest = query; !rest.empty();) {
      size_t amp = rest.find('&');
      std::string_view kv = rest.substr(0, amp);
      if (kv.starts_with("arch=")) arch = std::string(kv.substr(5));
      if (amp == std::string_view::npos) break;
      rest = rest.substr(amp + 1);
    }
  }
  return parts->path + "@" + parts->version + "?arch=" + arch;
}

core::Result<ProvenanceDebs> provenance_debs(const nlohmann::json& predicate) {
  ProvenanceDebs out;
  const std::string where = "provenance";
  if (!predicate.is_object()) return core::make_error(where, "predicate is not an object");
  auto def = predicate.find("buildDefinition");
  if (def == predicate.end() || !def->is_object())
    return core::make_error(where, "has no buildDefinition");
  if (auto ext = def->find("externalParameters"); ext != def->end() && ext->is_object()) {
    auto arch = core::json_string(*ext, "architecture");
    if (arch.ok()) out.architecture = *arch;
  }
  auto deps = def->find("resolvedDependencies");
  if (deps == def->end()) return out;
  if (!deps->is_array()) return core::make_error(where, "resolvedDependencies is not a list");
  for (const auto& d : *deps) {
    auto digest = core::json_string_map(d, "digest");
    auto uri = core::json_string(d, "uri");
    auto name = core::json_string(d, "name");
    auto annotations = core::json_string_map(d, "annotations");
    if (!digest.ok() || !uri.ok() || !name.ok() || !annotations.ok())
      return core::make_error(where, "has a resolved dependency that is not a descriptor");
    std::string sha = (*digest)["sha256"];
    std::string use = (*annotations)[std::string(kDependencyUseAnnotation)];
    if (use == "index") {
      out.indices[*name] = sha;
      continue;
    }
    if (use == kFileUse) {
      out.files[*name] = sha;
      continue;
    }
    std::string id = deb_identity(*uri);
    if (id.empty()) continue;
    (use == "extract" ? out.extract : out.installed)[id] = sha;
  }
  return out;
}

namespace {

// A string field, or `fallback` when absent or of another type: value()
// would throw on the latter, and the predicate is someone else's JSON.
std::string string_field(const AttJson& obj, const char* key, std::string fallback) {
  auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : fallback;
}

core::Result<NamedInput> named_input(const AttJson& ext, const char* key) {
  NamedInput n;
  auto it = ext.find(key);
  if (it == ext.end()) return n;
  auto name = core::json_string(*it, "name");
  auto digest = core::json_string_map(*it, "digest");
  if (!name.ok() || !digest.ok())
    return core::make_error("provenance",
                            std::string("externalParameters.") + key + " is not a name and digest");
  n.name = *name;
  n.sha256 = (*digest)["sha256"];
  return n;
}

}  // namespace

core::Result<ProvenanceParameters> provenance_parameters(const nlohmann::json& predicate) {
  const std::string where = "provenance";
  ProvenanceParameters out;
  if (!predicate.is_object()) return core::make_error(where, "predicate is not an object");
  auto def = predicate.find("buildDefinition");
  if (def == predicate.end() || !def->is_object())
    return core::make_error(where, "has no buildDefinition");
  if (string_field(*def, "buildType", "") != kDistillBuildType)
    return core::make_error(
        where, "was not made by distill (buildType is not " + std::string(kDistillBuildType) + ")");
  auto ext = def->find("externalParameters");
  if (ext == def->end() || !ext->is_object())
    return core::make_error(where, "has no externalParameters");
  DISTILL_ASSIGN(out.architecture, core::json_string(*ext, "architecture"));
  DISTILL_ASSIGN(out.spec, named_input(*ext, "spec"));
  DISTILL_ASSIGN(out.lock, named_input(*ext, "lock"));
  auto epoch = ext->find("sourceDateEpoch");
  if (epoch == ext->end() || !epoch->is_number_integer())
    return core::make_error(where, "records no sourceDateEpoch",
                            "attest the image again with this distill");
  out.source_date_epoch = epoch->get<int64_t>();
  out.compression = string_field(*ext, "compression", "gzip");
  auto debug = ext->find("debug");
  out.debug = debug != ext->end() && debug->is_boolean() && debug->get<bool>();
  if (auto run = predicate.find("runDetails"); run != predicate.end() && run->is_object())
    if (auto b = run->find("builder"); b != run->end() && b->is_object())
      if (auto v = b->find("version"); v != b->end() && v->is_object())
        out.distill_version = string_field(*v, "distill", "");
  return out;
}

core::Result<std::set<std::string>> sbom_debs(const Statement& s) {
  std::set<std::string> out;
  const AttJson& p = s.predicate;
  auto add = [&](const AttJson& purl) {
    if (!purl.is_string()) return;
    std::string id = deb_identity(purl.get<std::string>());
    if (!id.empty()) out.insert(std::move(id));
  };
  if (s.predicate_type == kSpdxPredicateType) {
    auto pkgs = p.find("packages");
    if (pkgs == p.end() || !pkgs->is_array()) return out;
    for (const auto& pkg : *pkgs) {
      if (!pkg.is_object()) continue;
      auto refs = pkg.find("externalRefs");
      if (refs == pkg.end() || !refs->is_array()) continue;
      for (const auto& r : *refs)
        if (r.is_object() && r.value("referenceType", "") == "purl" &&
            r.contains("referenceLocator"))
          add(r["referenceLocator"]);
    }
    return out;
  }
  if (s.predicate_type == kCycloneDxPredicateType) {
    auto comps = p.find("components");
    if (comps == p.end() || !comps->is_array()) return out;
    for (const auto& c : *comps)
      if (c.is_object() && c.contains("purl")) add(c["purl"]);
    return out;
  }
  return core::make_error("statement",
                          "is not an SBOM (" + core::escape_control(s.predicate_type) + ")");
}

std::vector<std::string> compare_with_sbom(const ProvenanceDebs& p,
                                           const std::set<std::string>& sbom) {
  std::map<std::string, std::string> listed;
  for (const auto& id : sbom) listed[id] = "";
  std::map<std::string, std::string> installed;
  for (const auto& [id, sha] : p.installed) installed[id] = "";
  std::vector<std::string> out;
  compare_maps(installed, listed, "provenance", "SBOM", "packages", out);
  return out;
}

std::vector<std::string> compare_with_lock(const ProvenanceDebs& p, const debian::Lockfile& lock) {
  std::vector<std::string> out;
  auto arch = lock.archs.find(p.architecture);
  if (arch == lock.archs.end()) {
    out.push_back("the lockfile pins nothing for the provenance's architecture '" +
                  core::escape_control(p.architecture) + "'");
    return out;
  }
  std::map<std::string, std::string> installed, extract, indices;
  for (const auto& pkg : arch->second.packages)
    installed[deb_identity(attest_deb_purl(pkg))] = pkg.sha256;
  for (const auto& pkg : arch->second.extract)
    extract[deb_identity(attest_deb_purl(pkg))] = pkg.sha256;
  for (const auto& i : arch->second.indices) indices[index_name(i)] = i.sha256;
  compare_maps(p.installed, installed, "provenance", "lockfile", ".debs", out);
  compare_maps(p.extract, extract, "provenance", "lockfile", "extract-only .debs", out);
  compare_maps(p.indices, indices, "provenance", "lockfile", "indices", out);
  return out;
}

}  // namespace distill::sbom
