#include "cache/cache.hpp"

#include <dirent.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>

#include "core/file_util.hpp"
#include "core/sha256.hpp"
#include "core/temp_dir.hpp"

using distill::cache::Cache;
using distill::core::read_file;
using distill::core::sha256_hex;
using distill::core::Status;
using distill::core::TempDir;
using distill::core::write_file_atomic;
using ::testing::HasSubstr;

namespace {

std::vector<std::string> list_dir(const std::string& dir) {
  std::vector<std::string> out;
  DIR* d = ::opendir(dir.c_str());
  if (!d) return out;
  while (dirent* e = ::readdir(d)) {
    std::string n = e->d_name;
    if (n != "." && n != "..") out.push_back(n);
  }
  ::closedir(d);
  std::sort(out.begin(), out.end());
  return out;
}

class CacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto d = TempDir::create();
    ASSERT_TRUE(d.ok());
    dir_ = std::make_unique<TempDir>(std::move(d).value());
    auto c = Cache::open(dir_->path() + "/cache/");
    ASSERT_TRUE(c.ok()) << c.error().message();
    cache_ = std::make_unique<Cache>(std::move(c).value());
  }
  std::string blobs() const { return cache_->root() + "/blobs/sha256"; }

  std::unique_ptr<TempDir> dir_;
  std::unique_ptr<Cache> cache_;
};

const std::string kData = "hello, cache\n";

TEST_F(CacheTest, LayoutIsContentAddressed) {
  EXPECT_EQ(cache_->root(), dir_->path() + "/cache");
  std::string h = sha256_hex(kData);
  EXPECT_EQ(cache_->blob_path(h), dir_->path() + "/cache/blobs/sha256/" + h);
}

TEST_F(CacheTest, StoreThenLookupAndRead) {
  std::string h = sha256_hex(kData);
  EXPECT_EQ(cache_->lookup(h), std::nullopt);
  auto stored = cache_->store(h, kData, "test");
  ASSERT_TRUE(stored.ok()) << stored.error().message();
  EXPECT_EQ(*stored, cache_->blob_path(h));
  EXPECT_EQ(*read_file(*stored), kData);
  EXPECT_EQ(cache_->lookup(h), cache_->blob_path(h));
  EXPECT_EQ(cache_->lookup(h, kData.size()), cache_->blob_path(h));
  EXPECT_EQ(cache_->read(h, kData.size()), kData);
  EXPECT_THAT(list_dir(blobs()), ::testing::ElementsAre(h));
}

TEST_F(CacheTest, TruncatedBlobIsRemoved) {
  std::string h = sha256_hex(kData);
  ASSERT_TRUE(cache_->store(h, kData, "test").ok());
  ASSERT_EQ(::truncate(cache_->blob_path(h).c_str(), 3), 0);
  EXPECT_EQ(cache_->lookup(h), std::nullopt);  // caught by the hash, no size given
  EXPECT_FALSE(distill::core::path_exists(cache_->blob_path(h)));
}

TEST_F(CacheTest, WrongSizeIsAMissAndRemoved) {
  std::string h = sha256_hex(kData);
  ASSERT_TRUE(cache_->store(h, kData, "test").ok());
  ASSERT_EQ(::truncate(cache_->blob_path(h).c_str(), 3), 0);
  EXPECT_EQ(cache_->read(h, kData.size()), std::nullopt);
  EXPECT_FALSE(distill::core::path_exists(cache_->blob_path(h)));
}

TEST_F(CacheTest, CorruptedBlobIsRemoved) {
  std::string h = sha256_hex(kData);
  ASSERT_TRUE(cache_->store(h, kData, "test").ok());
  std::string bad = kData;
  bad[0] = 'J';  // same size, different content
  ASSERT_EQ(::unlink(cache_->blob_path(h).c_str()), 0);
  ASSERT_TRUE(write_file_atomic(cache_->blob_path(h), bad).ok());
  EXPECT_EQ(cache_->read(h, kData.size()), std::nullopt);
  EXPECT_FALSE(distill::core::path_exists(cache_->blob_path(h)));
  // And it can be stored again.
  ASSERT_TRUE(cache_->store(h, kData, "test").ok());
  EXPECT_EQ(cache_->read(h), kData);
}

TEST_F(CacheTest, ReadMappedVerifiesLikeRead) {
  std::string h = sha256_hex(kData);
  EXPECT_EQ(cache_->read_mapped(h), std::nullopt);
  ASSERT_TRUE(cache_->store(h, kData, "test").ok());
  {
    auto mapped = cache_->read_mapped(h, kData.size());
    ASSERT_TRUE(mapped.has_value());
    distill::core::Buffer moved = std::move(*mapped);
    EXPECT_EQ(moved.view(), kData);
  }
  // A corrupt blob of the right size is a miss and is removed.
  std::string bad = kData;
  bad[0] = 'J';
  ASSERT_EQ(::unlink(cache_->blob_path(h).c_str()), 0);
  ASSERT_TRUE(write_file_atomic(cache_->blob_path(h), bad).ok());
  EXPECT_EQ(cache_->read_mapped(h, kData.size()), std::nullopt);
  EXPECT_FALSE(distill::core::path_exists(cache_->blob_path(h)));
  // The empty blob maps to an empty view.
  std::string empty = sha256_hex("");
  ASSERT_TRUE(cache_->store(empty, "", "test").ok());
  auto e = cache_->read_mapped(empty, 0);
  ASSERT_TRUE(e.has_value());
  EXPECT_TRUE(e->view().empty());
}

TEST_F(CacheTest, SymlinkIsNotFollowed) {
  std::string h = sha256_hex(kData);
  std::string target = dir_->path() + "/elsewhere";
  ASSERT_TRUE(write_file_atomic(target, kData).ok());
  ASSERT_EQ(::symlink(target.c_str(), cache_->blob_path(h).c_str()), 0);
  EXPECT_EQ(cache_->lookup(h), std::nullopt);
  EXPECT_FALSE(distill::core::path_exists(cache_->blob_path(h)));
  EXPECT_TRUE(distill::core::path_exists(target));
}

TEST_F(CacheTest, HashMismatchOnStoreLeavesNothing) {
  std::string h = sha256_hex("something else");
  auto r = cache_->store(h, kData, "http://127.0.0.1/pool/x.deb");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message(), "http://127.0.0.1/pool/x.deb: SHA256 mismatch: expected " + h +
                                     ", got " + sha256_hex(kData));
  EXPECT_TRUE(list_dir(blobs()).empty());
}

TEST_F(CacheTest, SizeMismatchOnStoreLeavesNothing) {
  std::string h = sha256_hex(kData);
  auto produce = [](const distill::net::BodySink& sink) -> Status {
    sink(kData);
    return Status::Ok();
  };
  auto shorter = cache_->store_with(h, kData.size() + 1, produce, "w");
  ASSERT_FALSE(shorter.ok());
  EXPECT_THAT(shorter.error().message(), HasSubstr("w: size mismatch: expected 14 bytes, got 13"));
  auto longer = cache_->store_with(h, kData.size() - 1, produce, "w");
  ASSERT_FALSE(longer.ok());
  EXPECT_THAT(longer.error().message(), HasSubstr("w: size mismatch: expected 12 bytes, got more"));
  EXPECT_TRUE(list_dir(blobs()).empty());
}

TEST_F(CacheTest, SinkRefusesBytesBeyondTheSize) {
  std::string h = sha256_hex(kData);
  size_t offered = 0;
  auto endless = [&](const distill::net::BodySink& sink) -> Status {
    for (int i = 0; i < 1000; ++i) {
      if (!sink("xxxxxxxx")) return distill::core::make_error("net", "aborted by receiver");
      offered += 8;
    }
    return Status::Ok();
  };
  auto r = cache_->store_with(h, 16, endless, "w");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error().message(), HasSubstr("size mismatch"));
  EXPECT_EQ(offered, 16u);
}

TEST_F(CacheTest, ProducerErrorIsPassedOn) {
  auto r = cache_->store_with(
      sha256_hex(kData), {},
      [](const distill::net::BodySink&) -> Status {
        return distill::core::make_error("http://127.0.0.1/x", "HTTP 404");
      },
      "w");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message(), "http://127.0.0.1/x: HTTP 404");
  EXPECT_TRUE(list_dir(blobs()).empty());
}

TEST_F(CacheTest, RestartDiscardsEarlierBytes) {
  std::string h = sha256_hex(kData);
  auto r = cache_->store_streaming(
      h, kData.size(),
      [](const distill::net::BodySink& sink, const std::function<void()>& restart) -> Status {
        sink("garbage from a failed attempt");
        restart();
        sink(kData.substr(0, 4));
        sink(kData.substr(4));
        return Status::Ok();
      },
      "w");
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(*read_file(*r), kData);
}

TEST_F(CacheTest, InvalidHashIsRefused) {
  EXPECT_EQ(cache_->lookup("../../etc/passwd"), std::nullopt);
  EXPECT_EQ(cache_->read(std::string(64, 'A')), std::nullopt);  // uppercase is not canonical
  auto r = cache_->store("../escape", kData, "w");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error().message(), HasSubstr("invalid SHA-256"));
}

TEST_F(CacheTest, StoringAnExistingBlobDoesNotRunTheProducer) {
  std::string h = sha256_hex(kData);
  ASSERT_TRUE(cache_->store(h, kData, "w").ok());
  bool ran = false;
  auto r = cache_->store_with(
      h, kData.size(),
      [&](const distill::net::BodySink&) {
        ran = true;
        return Status::Ok();
      },
      "w");
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(ran);
}

TEST_F(CacheTest, NamedEntries) {
  EXPECT_EQ(cache_->read_named("http://127.0.0.1/dists/x/InRelease"), std::nullopt);
  ASSERT_TRUE(cache_->write_named("http://127.0.0.1/dists/x/InRelease", "v1").ok());
  ASSERT_TRUE(cache_->write_named("http://127.0.0.1/dists/y/InRelease", "other").ok());
  ASSERT_TRUE(cache_->write_named("http://127.0.0.1/dists/x/InRelease", "v2").ok());
  EXPECT_EQ(cache_->read_named("http://127.0.0.1/dists/x/InRelease"), "v2");
  EXPECT_EQ(cache_->read_named("http://127.0.0.1/dists/y/InRelease"), "other");
  EXPECT_TRUE(distill::core::path_exists(cache_->root() + "/named/" +
                                         sha256_hex("http://127.0.0.1/dists/x/InRelease")));
}

TEST_F(CacheTest, OpenRemovesStaleTemporariesOnly) {
  std::string stale = blobs() + "/" + std::string(64, 'a') + ".distill-tmp.AAAAAA";
  std::string fresh = blobs() + "/" + std::string(64, 'b') + ".distill-tmp.BBBBBB";
  ASSERT_TRUE(write_file_atomic(stale, "x").ok());
  ASSERT_TRUE(write_file_atomic(fresh, "y").ok());
  timeval old[2] = {{::time(nullptr) - 3 * 86400, 0}, {::time(nullptr) - 3 * 86400, 0}};
  ASSERT_EQ(::utimes(stale.c_str(), old), 0);
  ASSERT_TRUE(Cache::open(cache_->root()).ok());
  EXPECT_FALSE(distill::core::path_exists(stale));
  EXPECT_TRUE(distill::core::path_exists(fresh));
}

TEST(CacheRoot, FollowsXdgThenHome) {
  const char* xdg = std::getenv("XDG_CACHE_HOME");
  const char* home = std::getenv("HOME");
  std::string saved_xdg = xdg ? xdg : "", saved_home = home ? home : "";
  ::setenv("XDG_CACHE_HOME", "/x/cache", 1);
  std::string with_xdg = Cache::default_root();
  ::unsetenv("XDG_CACHE_HOME");
  ::setenv("HOME", "/home/u", 1);
  std::string with_home = Cache::default_root();
  if (xdg) ::setenv("XDG_CACHE_HOME", saved_xdg.c_str(), 1);
  if (home)
    ::setenv("HOME", saved_home.c_str(), 1);
  else
    ::unsetenv("HOME");
  EXPECT_EQ(with_xdg, "/x/cache/distill");
  EXPECT_EQ(with_home, "/home/u/.cache/distill");
}

TEST_F(CacheTest, ConcurrentProcessesStoringTheSameBlob) {
  // Two processes write the same 1 MiB blob in small slow chunks at once;
  // each publishes by rename, so the survivor is one complete, valid file.
  std::string data(1 << 20, '\0');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 131 % 251);
  std::string h = sha256_hex(data);
  std::string root = cache_->root();
  pid_t pids[2];
  for (pid_t& pid : pids) {
    pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      auto c = Cache::open(root);
      if (!c.ok()) ::_exit(2);
      auto r = c->store_with(
          h, data.size(),
          [&](const distill::net::BodySink& sink) -> Status {
            for (size_t off = 0; off < data.size(); off += 64 << 10) {
              sink(std::string_view(data).substr(off, 64 << 10));
              ::usleep(1000);
            }
            return Status::Ok();
          },
          "child");
      ::_exit(r.ok() ? 0 : 1);
    }
  }
  for (pid_t pid : pids) {
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0);
  }
  EXPECT_THAT(list_dir(blobs()), ::testing::ElementsAre(h));  // no temporaries left
  EXPECT_EQ(cache_->read(h, data.size()), data);
}

}  // namespace
