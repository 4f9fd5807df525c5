#include "registry/credentials.hpp"

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "core/base64.hpp"
#include "core/file_util.hpp"
#include "core/json.hpp"

namespace distill::registry {
namespace {

using json = nlohmann::json;

// A missing config.json is an empty one.
core::Result<json> load_config(const std::string& path) {
  if (!core::path_exists(path)) return json::object();
  DISTILL_ASSIGN(std::string text, core::read_file(path));
  DISTILL_ASSIGN(json parsed, core::parse_json(text, path));
  if (!parsed.is_object()) return core::make_error(path, "is not a JSON object");
  return parsed;
}

// The entry of config[section] whose normalised key is `registry`.
const json* find_entry(const json& config, const char* section, const std::string& registry) {
  auto obj = config.find(section);
  if (obj == config.end() || !obj->is_object()) return nullptr;
  for (auto it = obj->begin(); it != obj->end(); ++it)
    if (normalize_registry_key(it.key()) == registry) return &it.value();
  return nullptr;
}

// The helper config.json names for `registry`: its credHelpers entry, else
// credsStore; empty when none.
std::string helper_name(const json& config, const std::string& registry) {
  if (const json* h = find_entry(config, "credHelpers", registry); h && h->is_string())
    return h->get<std::string>();
  if (auto s = config.find("credsStore"); s != config.end() && s->is_string())
    return s->get<std::string>();
  return {};
}

// Drops the "auths" entries for `registry`; true when there was one.
bool drop_auths(json& config, const std::string& registry) {
  auto auths = config.find("auths");
  if (auths == config.end() || !auths->is_object()) return false;
  bool found = false;
  for (auto it = auths->begin(); it != auths->end();) {
    if (normalize_registry_key(it.key()) == registry) {
      it = auths->erase(it);
      found = true;
    } else {
      ++it;
    }
  }
  return found;
}

}  // namespace

std::string normalize_registry_key(std::string_view key) {
  if (key.starts_with("https://"))
    key.remove_prefix(8);
  else if (key.starts_with("http://"))
    key.remove_prefix(7);
  return std::string(key.substr(0, key.find('/')));
}

std::string CredentialStore::default_dir() {
  if (const char* d = std::getenv("DOCKER_CONFIG"); d && *d) return d;
  const char* home = std::getenv("HOME");
  return std::string(home && *home ? home : ".") + "/.docker";
}

core::Result<Credential> CredentialStore::lookup(const std::string& registry) const {
  const std::string path = config_path();
  DISTILL_ASSIGN(json config, load_config(path));
  if (const json* helper = find_entry(config, "credHelpers", registry);
      helper && helper->is_string())
    return from_helper(helper->get<std::string>(), registry);
  if (const json* entry = find_entry(config, "auths", registry); entry && entry->is_object()) {
    DISTILL_ASSIGN(std::string auth, core::json_string(*entry, "auth"));
    if (!auth.empty()) {
      auto decoded = core::base64_decode(auth);
      size_t colon = decoded ? decoded->find(':') : std::string::npos;
      // Never echo the entry: it is the secret.
      if (colon == std::string::npos)
        return core::make_error(path, "the \"auth\" entry for " + registry + " is malformed",
                                "run `distill login " + registry + "` again");
      return Credential{decoded->substr(0, colon), decoded->substr(colon + 1)};
    }
  }
  if (auto store = config.find("credsStore");
      store != config.end() && store->is_string() && !store->get<std::string>().empty())
    return from_helper(store->get<std::string>(), registry);
  return Credential{};
}

core::Result<std::string> CredentialStore::helper_path(const std::string& helper) const {
  const std::string program = "docker-credential-" + helper;
  if (helper.find('/') != std::string::npos)
    return core::make_error(config_path(), "credential helper name '" + helper + "' has a '/'");
  std::string path = core::find_program(program);
  if (path.empty())
    return core::make_error(config_path(), program + " is not on $PATH",
                            "install it or remove the helper from config.json");
  return path;
}

core::Result<Credential> CredentialStore::from_helper(const std::string& helper,
                                                      const std::string& registry) const {
  const std::string program = "docker-credential-" + helper;
  DISTILL_ASSIGN(std::string path, helper_path(helper));
  DISTILL_ASSIGN(core::ProcessResult r, runner_.run({path, "get"}, registry));
  // Helpers answer "credentials not found in native keychain" with exit 1.
  if (r.exit_code != 0) {
    if (r.out.find("not found") != std::string::npos ||
        r.err.find("not found") != std::string::npos)
      return Credential{};
    return core::make_error(program, "get failed with exit code " + std::to_string(r.exit_code));
  }
  auto parsed = core::parse_json(r.out);
  if (!parsed.ok() || !parsed->is_object())
    return core::make_error(program, "answered something that is not a JSON object");
  DISTILL_ASSIGN(std::string user, core::json_string(*parsed, "Username"));
  DISTILL_ASSIGN(std::string secret, core::json_string(*parsed, "Secret"));
  return Credential{user, secret};
}

core::Status CredentialStore::store(const std::string& registry,
                                    const Credential& credential) const {
  DISTILL_TRY(core::make_dirs(dir_, 0700));
  DISTILL_ASSIGN(json config, load_config(config_path()));
  drop_auths(config, registry);
  if (std::string helper = helper_name(config, registry); !helper.empty()) {
    DISTILL_ASSIGN(std::string path, helper_path(helper));
    json request = {{"ServerURL", registry},
                    {"Username", credential.username},
                    {"Secret", credential.password}};
    DISTILL_ASSIGN(core::ProcessResult r, runner_.run({path, "store"}, request.dump()));
    // Its output is not echoed: a helper may repeat what it was given.
    if (r.exit_code != 0)
      return core::make_error("docker-credential-" + helper,
                              "store failed with exit code " + std::to_string(r.exit_code));
    // The helper holds the secret now; config.json keeps no stale copy.
    return core::write_file_atomic(config_path(), config.dump(1, '\t') + "\n", 0600);
  }
  json& auths = config["auths"];
  if (!auths.is_object()) auths = json::object();
  auths[registry] = {
      {"auth", core::base64_encode(credential.username + ":" + credential.password)}};
  return core::write_file_atomic(config_path(), config.dump(1, '\t') + "\n", 0600);
}

core::Result<bool> CredentialStore::erase(const std::string& registry) const {
  DISTILL_ASSIGN(json config, load_config(config_path()));
  bool found = drop_auths(config, registry);
  if (std::string helper = helper_name(config, registry); !helper.empty()) {
    DISTILL_ASSIGN(std::string path, helper_path(helper));
    DISTILL_ASSIGN(core::ProcessResult r, runner_.run({path, "erase"}, registry));
    // Helpers answer an unknown server with an error: that is "not logged in".
    found = found || r.exit_code == 0;
  }
  if (found) DISTILL_TRY(core::write_file_atomic(config_path(), config.dump(1, '\t') + "\n", 0600));
  return found;
}

}  // namespace distill::registry
