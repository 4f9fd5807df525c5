#include "verify/entrypoint_check.hpp"

#include <gtest/gtest.h>

namespace distill::verify {
namespace {

image::FileEntry ep_file(std::string path, uint32_t mode = 0755, uint32_t uid = 0,
                         uint32_t gid = 0) {
  image::FileEntry e;
  e.path = std::move(path);
  e.type = image::FileType::kRegular;
  e.mode = mode;
  e.uid = uid;
  e.gid = gid;
  return e;
}

image::FileEntry ep_link(std::string path, std::string target) {
  image::FileEntry e;
  e.path = std::move(path);
  e.type = image::FileType::kSymlink;
  e.link_target = std::move(target);
  return e;
}

image::FileEntry ep_dir(std::string path) {
  image::FileEntry e;
  e.path = std::move(path);
  e.type = image::FileType::kDirectory;
  e.mode = 0755;
  return e;
}

image::RootfsView ep_view(std::vector<image::FileEntry> files) {
  std::vector<image::FileEntry> all = {
      ep_dir("usr"),           ep_dir("usr/bin"),         ep_dir("usr/local"),
      ep_dir("usr/local/bin"), ep_link("bin", "usr/bin"), ep_dir("app")};
  all.insert(all.end(), files.begin(), files.end());
  image::RootfsView v;
  EXPECT_TRUE(v.apply_layer(std::move(all)).ok());
  return v;
}

EntrypointQuery query(std::string program, uint32_t uid = 65532, uint32_t gid = 65532) {
  EntrypointQuery q;
  q.program = std::move(program);
  q.uid = uid;
  q.gid = gid;
  q.user = uid == 0 ? "root" : "nonroot";
  return q;
}

TEST(EntrypointCheck, NameGoesThroughPathInOrder) {
  auto fs = ep_view({ep_file("usr/local/bin/tool"), ep_file("usr/bin/tool")});
  auto r = resolve_entrypoint(fs, query("tool"));
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(*r, "/usr/local/bin/tool");
  auto q = query("tool");
  q.path_env = "/usr/bin:/usr/local/bin";
  EXPECT_EQ(*resolve_entrypoint(fs, q), "/usr/bin/tool");
}

TEST(EntrypointCheck, PathSkipsFilesWithoutExecuteBitAndFolders) {
  // As runc's lookup: the first regular file with an x bit wins.
  auto fs = ep_view({ep_file("usr/local/bin/tool", 0644), ep_dir("usr/local/sbin"),
                     ep_dir("usr/local/sbin/tool"), ep_file("usr/bin/tool")});
  EXPECT_EQ(*resolve_entrypoint(fs, query("tool")), "/usr/bin/tool");
}

TEST(EntrypointCheck, MissingNameNamesThePath) {
  auto fs = ep_view({});
  auto r = resolve_entrypoint(fs, query("nosuch"));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().what.find("'nosuch' not found in the image (PATH=/usr/local/sbin:"),
            std::string::npos)
      << r.error().what;
}

TEST(EntrypointCheck, SymlinkChainIsFollowedInsideTheImage) {
  auto fs = ep_view({ep_file("usr/bin/python3.11"), ep_link("usr/bin/python3", "python3.11"),
                     ep_link("usr/local/bin/py", "/bin/python3")});
  EXPECT_EQ(*resolve_entrypoint(fs, query("py")), "/usr/bin/python3.11");
  EXPECT_EQ(*resolve_entrypoint(fs, query("/bin/python3")), "/usr/bin/python3.11");
}

TEST(EntrypointCheck, DanglingLinkIsNamed) {
  auto fs = ep_view({ep_link("app/run", "/opt/gone")});
  auto r = resolve_entrypoint(fs, query("/app/run"));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().what.find("symlink to '/opt/gone'"), std::string::npos) << r.error().what;
}

TEST(EntrypointCheck, FolderIsRefused) {
  auto fs = ep_view({});
  auto r = resolve_entrypoint(fs, query("/app"));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().what.find("is a directory"), std::string::npos) << r.error().what;
}

TEST(EntrypointCheck, NoExecuteBitIsRefused) {
  auto fs = ep_view({ep_file("app/main.py", 0644)});
  auto r = resolve_entrypoint(fs, query("/app/main.py"));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().what.find("no execute bit (mode 0644)"), std::string::npos) << r.error().what;
}

TEST(EntrypointCheck, RelativePathStartsAtTheWorkdir) {
  auto fs = ep_view({ep_file("app/run")});
  auto q = query("./run");
  q.workdir = "/app";
  EXPECT_EQ(*resolve_entrypoint(fs, q), "/app/run");
  q.workdir = "";
  EXPECT_FALSE(resolve_entrypoint(fs, q).ok());
}

TEST(EntrypointCheck, UserBitsFollowOwnerGroupOthers) {
  auto fs = ep_view({ep_file("app/owner", 0744, 1000, 1000), ep_file("app/group", 0710, 0, 1000),
                     ep_file("app/other", 0701, 0, 0), ep_file("app/rootonly", 0700, 0, 0)});
  EXPECT_TRUE(resolve_entrypoint(fs, query("/app/owner", 1000, 1000)).ok());
  EXPECT_FALSE(resolve_entrypoint(fs, query("/app/owner", 1001, 1000)).ok());
  EXPECT_TRUE(resolve_entrypoint(fs, query("/app/group", 1001, 1000)).ok());
  EXPECT_TRUE(resolve_entrypoint(fs, query("/app/other", 5, 5)).ok());
  EXPECT_TRUE(resolve_entrypoint(fs, query("/app/rootonly", 0, 0)).ok());
  auto r = resolve_entrypoint(fs, query("/app/rootonly"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().what,
            "'/app/rootonly' is not executable by user 'nonroot' (mode 0700, owner 0:0)");
}

TEST(EntrypointCheck, OwnerWithoutOwnerBitIsRefusedEvenIfOthersMay) {
  auto fs = ep_view({ep_file("app/odd", 0611, 1000, 1000)});
  EXPECT_FALSE(resolve_entrypoint(fs, query("/app/odd", 1000, 1000)).ok());
  EXPECT_TRUE(resolve_entrypoint(fs, query("/app/odd", 2000, 2000)).ok());
}

TEST(EntrypointCheck, EmptyPathEntryIsTheWorkdir) {
  auto fs = ep_view({ep_file("app/run")});
  auto q = query("run");
  q.path_env = "/usr/bin:";
  q.workdir = "/app";
  EXPECT_EQ(*resolve_entrypoint(fs, q), "/app/run");
}

TEST(EntrypointCheck, DebugImageShellThroughBusyboxPath) {
  // A debug image's applets are relative links in /busybox, on its PATH.
  auto fs =
      ep_view({ep_dir("busybox"), ep_file("busybox/busybox"), ep_link("busybox/sh", "busybox")});
  auto q = query("sh");
  q.path_env = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/busybox";
  EXPECT_EQ(*resolve_entrypoint(fs, q), "/busybox/busybox");
  EXPECT_FALSE(resolve_entrypoint(fs, query("sh")).ok());
}

}  // namespace
}  // namespace distill::verify
