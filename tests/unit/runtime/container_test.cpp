#include "runtime/container.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "runtime/launch.hpp"
#include "transport/open.hpp"
#include "unit/image/image_test_util.hpp"

using namespace distill;
using namespace distill::runtime;
using namespace distill::image::test_util;

namespace {

// Answers every runc call; remembers the bundle's config.json at `run`.
class ConfigSeeingRunc : public RuncExecutor {
 public:
  std::string config_seen;
  core::Result<int> run_attached(const std::vector<std::string>& argv, const SignalHandler&,
                                 const std::vector<std::string>&) override {
    see(argv);
    return 7;
  }
  core::Result<core::ProcessResult> run_captured(const std::vector<std::string>& argv) override {
    see(argv);
    return core::ProcessResult{0, "out", ""};
  }

 private:
  void see(const std::vector<std::string>& argv) {
    for (size_t i = 0; i + 1 < argv.size(); ++i)
      if (argv[i] == "--bundle") {
        auto text = core::read_file(argv[i + 1] + "/config.json");
        if (text.ok()) config_seen = *text;
      }
  }
};

class ContainerTest : public TempFolderTest {};

TEST_F(ContainerTest, WritesTheSpecRunsAndRemovesTheBundle) {
  std::string tar = make_tar(
      {dir("etc"), file("etc/passwd", "app:x:1000:1000::/:/none\n"), file("x", "a program", 0755)});
  oci::Image img = image_of(dir_->path(), {tar});
  write_layout(path("layout"), {img});
  auto source = transport::open_image(path("layout"));
  ASSERT_TRUE(source.ok()) << source.error().message();
  auto selected = select_one_image(**source, "");
  ASSERT_TRUE(selected.ok()) << selected.error().message();
  ConfigSeeingRunc runc;
  std::string rootfs;
  {
    auto c = Container::unpack((*source)->reader(), **selected, runc, "/bin/true", "img");
    ASSERT_TRUE(c.ok()) << c.error().message();
    rootfs = c->rootfs();
    EXPECT_TRUE(std::filesystem::exists(rootfs + "/etc/passwd"));
    RunOptions options;
    options.user = "app";
    options.entrypoint = std::vector<std::string>{"/x"};
    auto code = c->run(options);
    ASSERT_TRUE(code.ok()) << code.error().message();
    EXPECT_EQ(*code, 7);
    EXPECT_NE(runc.config_seen.find("\"uid\": 1000"), std::string::npos) << runc.config_seen;
    auto captured = c->run_captured(options);
    ASSERT_TRUE(captured.ok());
    EXPECT_EQ(captured->out, "out");
    options.user = "nobody";
    auto bad = c->run(options);
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.error().where.rfind("img", 0), 0u) << bad.error().message();
  }
  EXPECT_FALSE(std::filesystem::exists(rootfs)) << "the bundle is removed";
}

TEST_F(ContainerTest, AMissingProgramFailsBeforeRuncRuns) {
  oci::Image img = image_of(dir_->path(), {make_tar({dir("usr/bin")})});
  write_layout(path("layout"), {img});
  auto source = transport::open_image(path("layout"));
  ASSERT_TRUE(source.ok()) << source.error().message();
  auto selected = select_one_image(**source, "");
  ASSERT_TRUE(selected.ok());
  ConfigSeeingRunc runc;
  auto c = Container::unpack((*source)->reader(), **selected, runc, "/bin/true", "img");
  ASSERT_TRUE(c.ok()) << c.error().message();
  RunOptions options;
  options.entrypoint = std::vector<std::string>{"/usr/bin/pyhton3"};
  auto code = c->run(options);
  ASSERT_FALSE(code.ok());
  EXPECT_EQ(code.error().where, "img");
  EXPECT_NE(code.error().what.find("'/usr/bin/pyhton3' not found in the image (PATH="),
            std::string::npos)
      << code.error().message();
  EXPECT_EQ(runc.config_seen, "") << "runc never ran";
  options.entrypoint = std::vector<std::string>{"/tmp/tool"};
  EXPECT_TRUE(c->run(options).ok()) << "/tmp is a mount: not the image's to hold it";
}

TEST(RunOptionsFromFlags, ParsesWhatRunIsGiven) {
  RunRequest r;
  r.args = {"--", "a", "b"};
  r.env = {"K=V"};
  r.volumes = {"/h:/c:ro"};
  r.cap_add = {"net_bind_service"};
  r.entrypoint = "";
  r.network = "host";
  auto o = run_options(r);
  ASSERT_TRUE(o.ok()) << o.error().message();
  EXPECT_EQ(*o->args, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(o->env, std::vector<std::string>{"K=V"});
  EXPECT_TRUE(o->entrypoint && o->entrypoint->empty());
  EXPECT_EQ(o->cap_add, std::vector<std::string>{"CAP_NET_BIND_SERVICE"});
  EXPECT_TRUE(o->host_network);
  ASSERT_EQ(o->mounts.size(), 1u);

  r.network = "bridge";
  EXPECT_EQ(run_options(r).error().what, "unknown network mode");
}

TEST(RunOptionsFromFlags, PublishImpliesAPrivateNetwork) {
  RunRequest r;
  auto o = run_options(r);
  ASSERT_TRUE(o.ok());
  EXPECT_FALSE(o->private_network) << "loopback only by default";
  EXPECT_FALSE(o->host_network);
  r.publish = {"8080:80", "0.0.0.0:5353:53/udp"};
  o = run_options(r);
  ASSERT_TRUE(o.ok()) << o.error().message();
  EXPECT_TRUE(o->private_network);
  ASSERT_EQ(o->ports.size(), 2u);
  EXPECT_EQ(o->ports[0], (PortMapping{"127.0.0.1", 8080, 80, false}));
  EXPECT_EQ(o->ports[1], (PortMapping{"0.0.0.0", 5353, 53, true}));
  r.network = "private";
  EXPECT_TRUE(run_options(r).ok());
  for (const char* mode : {"host", "none"}) {
    r.network = mode;
    auto bad = run_options(r);
    ASSERT_FALSE(bad.ok()) << mode;
    EXPECT_EQ(bad.error().message(),
              std::string("-p 8080:80: publishing a port needs the container's own network "
                          "(drop --network ") +
                  mode + " (-p implies --network private))");
  }
  r.network = "";
  r.publish = {"8080"};
  EXPECT_EQ(run_options(r).error().where, "-p 8080");
  r.publish.clear();
  r.network = "private";
  o = run_options(r);
  ASSERT_TRUE(o.ok());
  EXPECT_TRUE(o->private_network);
  EXPECT_TRUE(o->ports.empty());
}

TEST(RunOptionsFromFlags, ATerminalIsNotForADetachedContainer) {
  RunRequest r;
  r.tty = true;
  auto o = run_options(r);
  ASSERT_TRUE(o.ok()) << o.error().message();
  EXPECT_TRUE(o->terminal);
  r.detach = true;
  EXPECT_EQ(run_options(r).error().message(),
            "-t: cannot be combined with -d (use distill exec -it NAME CMD for a terminal in it)");
}

TEST(RunImage, BadOptionsFailBeforeTheImageIsOpened) {
  bool opened = false;
  image::ImageOpener open = [&]() -> core::Result<std::unique_ptr<image::ImageSource>> {
    opened = true;
    return core::make_error("img", "not here");
  };
  RunRequest r;
  r.volumes = {"relative:/x"};
  ConfigSeeingRunc runc;
  EXPECT_FALSE(run_image(open, r, runc).ok());
  EXPECT_FALSE(opened);
}

}  // namespace
