#include "oci/layer_writer.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "core/atomic_file.hpp"
#include "core/sha256.hpp"
#include "oci/archive_util.hpp"
#include "oci/entry_content.hpp"

namespace distill::oci {
namespace {

// libarchive hands us output in blocks of this size; the last block is not
// padded (bytes_in_last_block 1), so the value changes buffering, not bytes.
constexpr int kTarBlockSize = 1 << 16;

core::Error entry_error(const std::string& path, std::string what, std::string hint = {}) {
  return core::make_error("layer path '" + path + "'", std::move(what), std::move(hint));
}

// Every proper ancestor of `path`, outermost first: "a/b/c" -> "a", "a/b".
std::vector<std::string_view> ancestors(std::string_view path) {
  std::vector<std::string_view> out;
  for (size_t pos = path.find('/'); pos != std::string_view::npos; pos = path.find('/', pos + 1))
    out.push_back(path.substr(0, pos));
  return out;
}

core::Status check_parents(const std::vector<FsEntry>& entries,
                           const std::unordered_map<std::string_view, size_t>& by_path) {
  for (const auto& e : entries) {
    for (auto parent : ancestors(e.path)) {
      auto it = by_path.find(parent);
      if (it == by_path.end()) continue;
      const FsEntry& p = entries[it->second];
      if (p.type != EntryType::kDirectory)
        return entry_error(
            e.path,
            "is inside '" + p.path + "', which is a " + std::string(entry_type_name(p.type)),
            p.type == EntryType::kSymlink ? "give the path with the symlink resolved"
                                          : "a file cannot contain other entries");
    }
  }
  return core::Status::Ok();
}

// Follows a hardlink (possibly through other hardlinks) to the regular file
// that holds the content.
core::Result<size_t> hardlink_root(const std::vector<FsEntry>& entries,
                                   const std::unordered_map<std::string_view, size_t>& by_path,
                                   size_t link) {
  size_t current = link;
  for (size_t hops = 0; hops <= entries.size(); ++hops) {
    const FsEntry& e = entries[current];
    if (e.type == EntryType::kRegular) return current;
    if (e.type != EntryType::kHardlink)
      return entry_error(
          entries[link].path,
          "is a hardlink to '" + e.path + "', a " + std::string(entry_type_name(e.type)),
          "hardlinks must point at regular files");
    auto it = by_path.find(e.link_target);
    if (it == by_path.end())
      return entry_error(entries[link].path,
                         "is a hardlink to '" + e.link_target + "', which is not in the layer");
    current = it->second;
  }
  return entry_error(entries[link].path, "is part of a hardlink cycle");
}

// Tar readers resolve a hardlink against entries already extracted, so each
// group's content must sit on its first path in write order.
core::Status reroot_hardlinks(std::vector<FsEntry>& entries,
                              const std::unordered_map<std::string_view, size_t>& by_path) {
  // All groups are found before any entry moves: by_path views the paths.
  std::map<size_t, std::vector<size_t>> groups;  // root -> links
  for (size_t i = 0; i < entries.size(); ++i) {
    if (entries[i].type != EntryType::kHardlink) continue;
    DISTILL_ASSIGN(size_t root, hardlink_root(entries, by_path, i));
    groups[root].push_back(i);
  }
  for (auto& [root, links] : groups) {
    size_t first = std::min(root, *std::min_element(links.begin(), links.end()));
    if (first != root) {
      std::string first_path = entries[first].path;
      std::string root_path = entries[root].path;
      std::swap(entries[first], entries[root]);
      entries[first].path = first_path;
      entries[root].path = root_path;
      links.erase(std::find(links.begin(), links.end(), first));
      links.push_back(root);
    }
    const FsEntry& holder = entries[first];
    for (size_t l : links) {
      FsEntry& link = entries[l];
      link.type = EntryType::kHardlink;
      link.link_target = holder.path;
      link.data.clear();
      link.source_path.clear();
      link.source_range.reset();
      link.xattrs.clear();
      link.mode = holder.mode;
      link.uid = holder.uid;
      link.gid = holder.gid;
      link.mtime = holder.mtime;
    }
  }
  return core::Status::Ok();
}

void add_missing_parents(std::vector<FsEntry>& entries, int64_t epoch) {
  std::unordered_set<std::string_view> present;
  for (const auto& e : entries) present.insert(e.path);
  std::set<std::string> missing;
  for (const auto& e : entries)
    for (auto parent : ancestors(e.path))
      if (!present.count(parent)) missing.emplace(parent);
  for (const auto& path : missing) {
    FsEntry dir = FsEntry::directory(path, 0755);
    dir.mtime = epoch;
    entries.push_back(std::move(dir));
  }
}

void sort_entries(std::vector<FsEntry>& entries) {
  std::sort(entries.begin(), entries.end(),
            [](const FsEntry& a, const FsEntry& b) { return layer_path_less(a.path, b.path); });
}

// --- Writing ---------------------------------------------------------------

// Receives the tar stream from libarchive: hashes it (diff_id) and feeds the compressor.
struct TarSink {
  core::Sha256 tar_hash;
  int64_t tar_size = 0;
  Compressor* compressor = nullptr;
  core::Status status;
};

la_ssize_t tar_write_callback(archive*, void* client, const void* buffer, size_t length) {
  auto* sink = static_cast<TarSink*>(client);
  sink->tar_hash.update(buffer, length);
  sink->tar_size += static_cast<int64_t>(length);
  auto st = sink->compressor->write(std::string_view(static_cast<const char*>(buffer), length));
  if (!st.ok()) {
    sink->status = st;
    return -1;
  }
  return static_cast<la_ssize_t>(length);
}

class TarStream {
 public:
  TarStream(archive* a, TarSink& sink) : a_(a), sink_(sink), buffer_(kArchiveChunk) {}

  core::Status write(const FsEntry& e) {
    ArchiveEntry ae(archive_entry_new());
    archive_entry_copy_pathname(ae.get(), e.path.c_str());
    archive_entry_set_uid(ae.get(), e.uid);
    archive_entry_set_gid(ae.get(), e.gid);
    archive_entry_set_perm(ae.get(), static_cast<mode_t>(e.mode));
    archive_entry_set_mtime(ae.get(), e.mtime, 0);
    archive_entry_set_size(ae.get(), 0);
    std::optional<ContentStream> source;
    switch (e.type) {
      case EntryType::kDirectory:
        archive_entry_set_filetype(ae.get(), AE_IFDIR);
        break;
      case EntryType::kSymlink:
        archive_entry_set_filetype(ae.get(), AE_IFLNK);
        archive_entry_copy_symlink(ae.get(), e.link_target.c_str());
        break;
      case EntryType::kHardlink:
        archive_entry_set_filetype(ae.get(), AE_IFREG);
        archive_entry_copy_hardlink(ae.get(), e.link_target.c_str());
        break;
      case EntryType::kRegular: {
        archive_entry_set_filetype(ae.get(), AE_IFREG);
        int64_t size = static_cast<int64_t>(e.data.size());
        if (!e.source_path.empty()) {
          DISTILL_ASSIGN(source, ContentStream::open(e));
          size = static_cast<int64_t>(source->size());
        }
        archive_entry_set_size(ae.get(), size);
        break;
      }
    }
    for (const auto& [name, value] : e.xattrs)
      archive_entry_xattr_add_entry(ae.get(), name.c_str(), value.data(), value.size());
    // A warning means libarchive fell back to something lossy (e.g. a name it
    // could not convert): for a reproducible layer that is an error too.
    if (archive_write_header(a_, ae.get()) != ARCHIVE_OK) return failure(e, "cannot write header");
    if (e.type != EntryType::kRegular) return core::Status::Ok();
    if (source) return copy_source(e, *source);
    return write_data(e, e.data.data(), e.data.size());
  }

 private:
  core::Error failure(const FsEntry& e, const std::string& what) {
    if (!sink_.status.ok()) return sink_.status.error();
    return entry_error(e.path, what + ": " + archive_error(a_));
  }

  core::Status write_data(const FsEntry& e, const char* data, size_t size) {
    while (size > 0) {
      la_ssize_t n = archive_write_data(a_, data, size);
      if (n <= 0) return failure(e, "cannot write content");
      data += n;
      size -= static_cast<size_t>(n);
    }
    return core::Status::Ok();
  }

  // The stream checks that the content is as long as the header said.
  core::Status copy_source(const FsEntry& e, ContentStream& source) {
    for (;;) {
      DISTILL_ASSIGN(size_t n, source.read(buffer_.data(), buffer_.size()));
      if (n == 0) return core::Status::Ok();
      DISTILL_TRY(write_data(e, buffer_.data(), n));
    }
  }

  archive* a_;
  TarSink& sink_;
  std::vector<char> buffer_;
};

core::Result<ArchiveWriter> open_tar_writer(TarSink& sink) {
  ArchiveWriter a(archive_write_new());
  if (!a) return core::make_error("layer", "cannot create a tar writer");
  bool ok =
      archive_write_set_format_pax_restricted(a.get()) == ARCHIVE_OK &&
      // SCHILY.xattr only: what Go's archive/tar (containerd, Docker) reads;
      // libarchive would otherwise add a LIBARCHIVE.xattr copy.
      archive_write_set_format_option(a.get(), "pax", "xattrheader", "SCHILY") == ARCHIVE_OK &&
      archive_write_set_bytes_per_block(a.get(), kTarBlockSize) == ARCHIVE_OK &&
      archive_write_set_bytes_in_last_block(a.get(), 1) == ARCHIVE_OK &&
      archive_write_open(a.get(), &sink, nullptr, tar_write_callback, nullptr) == ARCHIVE_OK;
  if (!ok)
    return core::make_error("layer", "cannot set up the tar writer: " + archive_error(a.get()));
  return a;
}

}  // namespace

bool layer_path_less(std::string_view a, std::string_view b) {
  size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    if (a[i] == b[i]) continue;
    if (a[i] == '/') return true;  // "a/b" before "a-b": '/' ends a component
    if (b[i] == '/') return false;
    return static_cast<unsigned char>(a[i]) < static_cast<unsigned char>(b[i]);
  }
  return a.size() < b.size();
}

core::Result<std::vector<FsEntry>> plan_layer(std::vector<FsEntry> entries,
                                              const LayerOptions& options) {
  if (options.source_date_epoch < 0)
    return core::make_error("layer", "SOURCE_DATE_EPOCH is negative");
  for (auto& e : entries) DISTILL_TRY(validate_entry(e));
  if (options.add_parent_dirs) add_missing_parents(entries, options.source_date_epoch);
  sort_entries(entries);
  for (size_t i = 1; i < entries.size(); ++i)
    if (entries[i].path == entries[i - 1].path)
      return entry_error(entries[i].path, "is listed twice");
  std::unordered_map<std::string_view, size_t> by_path;
  for (size_t i = 0; i < entries.size(); ++i) by_path.emplace(entries[i].path, i);
  DISTILL_TRY(check_parents(entries, by_path));
  DISTILL_TRY(reroot_hardlinks(entries, by_path));  // invalidates by_path
  for (auto& e : entries) e.mtime = std::min(e.mtime, options.source_date_epoch);
  return entries;
}

core::Result<LayerBlob> write_layer(std::vector<FsEntry> entries, const LayerOptions& options,
                                    const std::string& blob_path) {
  DISTILL_ASSIGN(std::vector<FsEntry> plan, plan_layer(std::move(entries), options));
  DISTILL_ASSIGN(core::AtomicFile out, core::AtomicFile::create(blob_path, 0644));
  core::Sha256 blob_hash;
  int64_t blob_size = 0;
  auto blob_sink = [&](std::string_view chunk) -> core::Status {
    blob_hash.update(chunk);
    blob_size += static_cast<int64_t>(chunk.size());
    return out.write(chunk);
  };
  DISTILL_ASSIGN(auto compressor,
                 Compressor::create(options.compression, options.level, blob_sink));

  ScopedUtf8Locale locale;
  DISTILL_TRY(locale.status());
  TarSink sink;
  sink.compressor = compressor.get();
  DISTILL_ASSIGN(ArchiveWriter a, open_tar_writer(sink));
  TarStream tar(a.get(), sink);
  for (const auto& e : plan) DISTILL_TRY(tar.write(e));
  if (archive_write_close(a.get()) != ARCHIVE_OK) {
    if (!sink.status.ok()) return sink.status.error();
    return core::make_error(blob_path, "cannot finish the layer tar: " + archive_error(a.get()));
  }
  DISTILL_TRY(compressor->finish());
  DISTILL_TRY(out.commit());

  LayerBlob blob;
  DISTILL_ASSIGN(blob.diff_id, Digest::from_hex(sink.tar_hash.hex_digest()));
  DISTILL_ASSIGN(blob.digest, Digest::from_hex(blob_hash.hex_digest()));
  blob.size = blob_size;
  blob.uncompressed_size = sink.tar_size;
  blob.media_type = std::string(layer_media_type(options.compression));
  blob.path = blob_path;
  return blob;
}

}  // namespace distill::oci
